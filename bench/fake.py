"""The tests' fake Bot API server, with cheap per-chat notifications for thousands of calls."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.fakebot import Call, FakeTelegram, Upload

Listener = Callable[[Call], None]


class BenchTelegram(FakeTelegram):
    """FakeTelegram that hands each successful call to the listener of its chat.

    `wait_for` rescans the call list for every waiter on every call; with 50 users waiting at
    once that would cost the load generator more than the bot, so calls are routed instead.
    """

    def __init__(self) -> None:
        super().__init__()
        self.listeners: dict[int, Listener] = {}
        self.polling = asyncio.Event()  # set when a getUpdates request arrives
        self.last_update_id = 0

    def _record(self, call: Call) -> None:
        super()._record(call)
        chat_id = call.params.get("chat_id")
        if call.error is None and isinstance(chat_id, int):
            listener = self.listeners.get(chat_id)
            if listener is not None:
                listener(call)

    async def _get_updates(self, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        # Calls are recorded when answered; a long poll's arrival is what "bot is ready" means.
        self.polling.set()
        return await super()._get_updates(p, files)

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update, remembering its id (FakeUser.send does not return it)."""
        self.last_update_id = super().push_update(update)
        return self.last_update_id

    async def wait_polling(self, timeout: float) -> None:  # noqa: ASYNC109 - a plain bound
        """Wait for the next getUpdates to arrive."""
        self.polling.clear()
        await asyncio.wait_for(self.polling.wait(), timeout)
