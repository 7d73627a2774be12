"""How a function's time grows with its input: linear, or an assertion naming the factor.

Comparing two sizes on the same machine, rather than one time against a fixed budget, keeps the
check meaningful on a slow or busy machine: a quadratic step grows by the square of the size
factor (64 for 8 times the size), a linear one by the factor itself.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

RUNS = 3
SLACK = 3  # times the size factor: room for the noise of a shared machine
FLOOR = 0.05  # seconds: below this a step is fast whatever its growth


def fastest(run: Callable[[], object], runs: int = RUNS) -> float:
    """Seconds of the fastest of `runs` calls: the one least disturbed by other work."""
    best = math.inf
    for _ in range(runs):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def assert_linear(run: Callable[[int], object], small: int, large: int) -> tuple[float, float]:
    """Assert that `run(size)` takes time linear in size, from `small` to `large`; both times."""
    short, long = fastest(lambda: run(small)), fastest(lambda: run(large))
    factor = large / small
    assert long <= SLACK * factor * short + FLOOR, (
        f"{long / max(short, 1e-9):.0f} times the time for {factor:.0f} times the size "
        f"({short:.3f} s for {small:,}, {long:.3f} s for {large:,})"
    )
    return short, long
