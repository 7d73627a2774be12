"""The clock of live rounds, and one background task per chat that runs a round's questions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import datetime
from typing import Any

from storage.models import utcnow

log = logging.getLogger(__name__)


class RoundClock:
    """Wall time and waiting, in one object so tests can swap in a faster or manual clock."""

    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        return utcnow()

    async def sleep(self, seconds: float) -> None:
        """Wait this many seconds (nothing when not positive)."""
        await asyncio.sleep(max(seconds, 0.0))


class ChatTasks:
    """At most one running task per chat; cancelled on demand and at shutdown."""

    def __init__(self) -> None:
        self._tasks: dict[int, asyncio.Task[None]] = {}

    def start(self, chat_id: int, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run `work` in the background for this chat, replacing any task it had."""
        self.cancel(chat_id)
        task = asyncio.create_task(work, name=f"round in chat {chat_id}")
        self._tasks[chat_id] = task
        task.add_done_callback(lambda done: self._finished(chat_id, done))
        return task

    def cancel(self, chat_id: int) -> None:
        """Stop the chat's task, if it has one."""
        task = self._tasks.pop(chat_id, None)
        if task is not None:
            task.cancel()

    async def cancel_all(self) -> None:
        """Stop every task and wait until they are gone."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _finished(self, chat_id: int, task: asyncio.Task[None]) -> None:
        if self._tasks.get(chat_id) is task:
            del self._tasks[chat_id]
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("the round in chat %d stopped on an error", chat_id, exc_info=error)
