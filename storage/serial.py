"""The bot's database thread: its transactions one after another, committed in groups.

The bot's database work runs off the event loop, so a slow statement (waiting on SQLite's
write lock, a round trip to PostgreSQL) does not stop every chat; on one thread, so
transactions keep the order they were asked in (a delivery mark one writes is committed
before the next looks for it). When several are waiting, as when many learners answer at
once, they run in one transaction: one commit and one session for all, which on a busy bot
was a third of an answer's database time. Each still sees the ones before it. If any of
them fails, that transaction is rolled back and each runs again in a transaction of its
own, so one failure never takes another's work with it, and none is ever half stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from contextvars import Context
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

GROUP = 64  # transactions committed together at most: a group holds SQLite's lock this long
log = logging.getLogger(__name__)


@dataclass
class Job:
    """A transaction's work, the caller's context to run it in, and where its result goes."""

    work: Callable[[Session], Any]
    context: Context
    future: asyncio.Future[Any]


@dataclass(frozen=True)
class _Outcome:
    value: Any = None
    error: BaseException | None = None


# Runs a group's works in one transaction, committed: their results in order.
Together = Callable[[list[Job]], list[Any]]


class SerialThread:
    """A thread that runs jobs in order, each group of waiting ones together."""

    def __init__(self, together: Together, name: str = "database") -> None:
        self.together = together
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        """Run the job after those submitted before it."""
        self._jobs.put(job)

    def stop(self) -> None:
        """Finish the jobs already submitted, then end the thread."""
        self._jobs.put(None)
        self._thread.join()

    def _serve(self) -> None:
        for group in self._groups():
            for job, outcome in zip(group, self._outcomes(group), strict=True):
                _settle(job, outcome)

    def _groups(self) -> Iterator[list[Job]]:
        """The jobs as they wait: the first one, and those queued behind it by then."""
        while (job := self._jobs.get()) is not None:
            group = [job]
            while len(group) < GROUP:
                try:
                    waiting = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if waiting is None:
                    yield group
                    return
                group.append(waiting)
            yield group

    def _outcomes(self, group: list[Job]) -> list[_Outcome]:
        try:
            return [_Outcome(value) for value in self.together(group)]
        except BaseException as error:  # handed to whoever waits for it
            if len(group) == 1:
                return [_Outcome(error=error)]
        log.debug("a group of %d transactions failed: each runs alone", len(group))
        return [self._outcomes([job])[0] for job in group]


def _settle(job: Job, outcome: _Outcome) -> None:
    """Hand the outcome to the job's event loop (which may have closed meanwhile)."""
    future = job.future

    def settle() -> None:
        if future.cancelled():
            return
        if isinstance(outcome.error, StopIteration):  # a future cannot hold one
            future.set_exception(RuntimeError(f"a database job raised {outcome.error!r}"))
        elif outcome.error is not None:
            future.set_exception(outcome.error)
        else:
            future.set_result(outcome.value)

    with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for it any more
        future.get_loop().call_soon_threadsafe(settle)
