"""A round clock that moves only when the test says so, for exact speed points."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.timers import RoundClock
from storage.models import utcnow


class ManualClock(RoundClock):
    """Time stands still until `advance`; a round's timer sleeps until its deadline is reached."""

    def __init__(self) -> None:
        self._now = utcnow()
        self._moved = asyncio.Event()
        self._asleep = asyncio.Event()

    def now(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        deadline = self._now + timedelta(seconds=seconds)
        self._asleep.set()
        try:
            while self._now < deadline:
                await self._moved.wait()
        finally:
            self._asleep.clear()
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        """Move time on, waking every sleeper whose deadline has come."""
        self._now += timedelta(seconds=seconds)
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()

    async def until_asleep(self) -> None:
        """Wait until a round is waiting on the clock (its question is out and marked sent)."""
        async with asyncio.timeout(5):
            await self._asleep.wait()
