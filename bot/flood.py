"""Flood control: Telegram's send limits, with retries after "429 Too Many Requests"."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

# Telegram allows about 30 messages a second overall and 20 a minute per group (PTB's
# limiter covers those) and about one a second per private chat, with short bursts.
OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
PRIVATE_BURST = 3  # short bursts, as Telegram allows (a quiz sends one message per answer)
PRIVATE_PER_SECOND = 1
MAX_RETRIES = 8
MAX_TRACKED_CHATS = 1024


class FloodLimiter(AIORateLimiter):
    """PTB's rate limiter plus the per-private-chat limit it lacks."""

    def __init__(self) -> None:
        super().__init__(
            overall_max_rate=OVERALL_PER_SECOND,
            overall_time_period=1,
            group_max_rate=GROUP_PER_MINUTE,
            group_time_period=60,
            max_retries=MAX_RETRIES,
        )
        self._private: dict[int, AsyncLimiter] = {}

    def _private_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self._private) > MAX_TRACKED_CHATS:
            # Forget chats whose bucket is full again: they have been quiet for a while.
            for key, limiter in list(self._private.items()):
                if limiter.has_capacity(PRIVATE_BURST):
                    del self._private[key]
        if chat_id not in self._private:
            self._private[chat_id] = AsyncLimiter(PRIVATE_BURST, PRIVATE_BURST / PRIVATE_PER_SECOND)
        return self._private[chat_id]

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint.startswith("get"):
            # Reading (getChatMember, getFile…) posts nothing: no chat's message budget is
            # spent, and a group admin check need not wait behind the group's 20 a minute.
            return await super().process_request(
                callback, args, kwargs, endpoint, {}, rate_limit_args
            )
        chat_id = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        limiter = (
            self._private_limiter(chat_id)
            if isinstance(chat_id, int) and chat_id > 0
            else contextlib.nullcontext()
        )
        async with limiter:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
