"""The language chosen in each chat with /language, kept in memory once read."""

from __future__ import annotations

from bot import i18n
from bot.i18n import Language
from storage import languages
from storage.db import Database

KNOWN_CHATS = 100_000  # chats whose choice is kept in memory; forgotten all at once past it


class Choices:
    """The language chosen in each chat (None: none chosen), as this process last read it.

    Read once per chat, so an answer costs no statement for its language. Another process's
    later choice for the same chat is seen after this one forgets (see KNOWN_CHATS).
    """

    def __init__(self) -> None:
        self._known: dict[int, Language | None] = {}

    async def of(self, db: Database, chat_id: int) -> Language | None:
        """The chat's chosen language; read from the database the first time only."""
        if chat_id not in self._known:
            code = await db.run(lambda session: languages.chosen_language(session, chat_id))
            self.remember(chat_id, i18n.language_of(code))
        return self._known[chat_id]

    def remember(self, chat_id: int, language: Language | None) -> None:
        """Keep the chat's choice."""
        if len(self._known) >= KNOWN_CHATS:
            self._known.clear()
        self._known[chat_id] = language
