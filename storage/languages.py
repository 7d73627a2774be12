"""The language chosen for a chat with /language (a user's private chat, or a group)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import table_of
from storage.models import ChatLanguage

_LANGUAGES = table_of(ChatLanguage)


def chosen_language(session: Session, chat_id: int) -> str | None:
    """The language code chosen for the chat, if one was."""
    return session.scalar(select(_LANGUAGES.c.language).where(_LANGUAGES.c.chat_id == chat_id))


def choose_language(session: Session, chat_id: int, language: str, now: datetime) -> None:
    """Speak `language` in the chat from now on."""
    row = session.get(ChatLanguage, chat_id)
    if row is None:
        session.add(ChatLanguage(chat_id=chat_id, language=language, chosen_at=now))
    else:
        row.language, row.chosen_at = language, now
