"""What the web leaderboard may show: groups by their unguessable token, public banks."""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import BankRow, Chat

TOKEN_BYTES = 16  # 22 URL-safe characters: 128 bits nobody guesses


def web_token(session: Session, chat_id: int, *, renew: bool = False) -> str:
    """The chat's web token, made on first use; `renew` replaces it, so the old address 404s.

    The chat must be recorded already. Two first uses at once agree on one token: only the
    update that finds no token writes one.
    """
    statement = (
        update(Chat).where(Chat.id == chat_id).values(web_token=secrets.token_urlsafe(TOKEN_BYTES))
    )
    if not renew:
        statement = statement.where(Chat.web_token.is_(None))
    session.execute(statement)
    token = session.scalar(select(Chat.web_token).where(Chat.id == chat_id))
    if token is None:
        raise LookupError(f"chat {chat_id} is not recorded")
    return token


def chat_by_web_token(session: Session, token: str) -> Chat | None:
    """The chat whose web address ends in `token`, if any."""
    return session.scalar(select(Chat).where(Chat.web_token == token)) if token else None


def public_bank(session: Session, bank_id: str) -> BankRow | None:
    """The bank if the web may show its table: public and not deleted."""
    return session.scalar(
        select(BankRow).where(
            BankRow.id == bank_id, BankRow.visibility == "public", BankRow.deleted_at.is_(None)
        )
    )
