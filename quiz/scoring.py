"""Points of a live round, Kahoot's way: faster right answers score more, streaks add a bonus."""

from __future__ import annotations

from collections.abc import Mapping

FULL_POINTS = 1000  # a right answer given at once
STREAK_STEP = 100  # bonus per right answer in a row after the first
STREAK_CAP = 500


def speed_points(elapsed: float, period: float) -> int:
    """A right answer's points: 1000 at once, falling linearly to 500 at the deadline."""
    elapsed = min(max(elapsed, 0.0), period)
    return round(FULL_POINTS * (1 - elapsed / period / 2))


def streak_bonus(streak: int) -> int:
    """The bonus of the `streak`-th right answer in a row: +100 for the 2nd, +200 for the 3rd…"""
    return min(STREAK_STEP * max(streak - 1, 0), STREAK_CAP)


def streak_before(results: Mapping[int, bool], position: int) -> int:
    """Right answers in a row just before `position`; a wrong or missing answer breaks it."""
    streak = 0
    while results.get(position - streak - 1):
        streak += 1
    return streak


def answer_points(*, correct: bool, elapsed: float, period: float, streak: int) -> int:
    """One answer's points; `streak` counts the right answers in a row before it."""
    if not correct:
        return 0
    return speed_points(elapsed, period) + streak_bonus(streak + 1)
