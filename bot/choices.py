"""The language chosen in each chat with /language, kept in memory once read."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot import i18n
from bot.i18n import Language
from storage import languages
from storage.db import Database

KNOWN_CHATS = 100_000  # chats whose choice is kept in memory; forgotten all at once past it
# How long a choice read from the database is trusted: with several processes on one database
# (webhooks behind a balancer), one made in another process is seen within this time.
FRESH_FOR = 60.0  # seconds


class Choices:
    """The language chosen in each chat (None: none chosen), as this process last read it.

    Read at most once a minute per chat, so an answer costs no statement for its language.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._known: dict[int, tuple[Language | None, float]] = {}

    async def of(self, db: Database, chat_id: int) -> Language | None:
        """The chat's chosen language; from the database when not read in the last minute."""
        known = self._known.get(chat_id)
        if known is not None and self.clock() - known[1] < FRESH_FOR:
            return known[0]
        code = await db.run(lambda session: languages.chosen_language(session, chat_id))
        language = i18n.language_of(code)
        self.remember(chat_id, language)
        return language

    def remember(self, chat_id: int, language: Language | None) -> None:
        """Keep the chat's choice (just read, or just made here)."""
        if len(self._known) >= KNOWN_CHATS:
            self._known.clear()
        self._known[chat_id] = (language, self.clock())
