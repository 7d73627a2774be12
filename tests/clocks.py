"""Clocks for tests: one that moves only when the test says so, and a real one set elsewhen."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.timers import RoundClock
from storage.models import utcnow


class ManualClock(RoundClock):
    """Time stands still until `advance`; a sleeper sleeps until its deadline is reached.

    The bot's background tasks sleep on it: each round's timer ("round in chat …") and the
    reminders' sweep ("reminders"). `until_asleep` tells when they have done what was due.
    """

    def __init__(self) -> None:
        self._now = utcnow()
        self._moved = asyncio.Event()
        self._changed = asyncio.Event()
        self._sleepers: dict[asyncio.Task[object], datetime] = {}  # who waits, until when

    def now(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        deadline = self._now + timedelta(seconds=seconds)
        task = asyncio.current_task()
        assert task is not None
        self._sleepers[task] = deadline
        self._notify()
        try:
            while self._now < deadline:
                await self._moved.wait()
        finally:
            self._sleepers.pop(task, None)
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        """Move time on, waking every sleeper whose deadline has come."""
        self._now += timedelta(seconds=seconds)
        # Awake from now on, though they run later: `until_asleep` waits for their next sleep.
        for task, deadline in list(self._sleepers.items()):
            if deadline <= self._now:
                del self._sleepers[task]
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()

    def advance_to(self, moment: datetime) -> None:
        """Move time on to `moment`."""
        self.advance((moment - self._now).total_seconds())

    async def until_asleep(self, task: str = "round", count: int = 1) -> None:
        """Wait until `count` tasks whose names start with `task` wait on the clock: a round
        (its question is out and marked sent), or the reminders' sweep (done with the minute)."""
        async with asyncio.timeout(5):
            while sum(t.get_name().startswith(task) for t in self._sleepers) < count:
                await self._changed.wait()

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()


class ShiftedClock(RoundClock):
    """The real clock, running at its real pace, but showing another time: a real-time test
    starts a few seconds before the minute it waits for."""

    def __init__(self, shown: datetime) -> None:
        self._shift = shown - utcnow()

    def now(self) -> datetime:
        return utcnow() + self._shift
