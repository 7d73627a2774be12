"""Updates stored as they are fetched, so none is lost between fetching and handling."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from storage import prepared
from storage.db import insert_many_ignore, table_of
from storage.models import InboxUpdate, utcnow


def store_new(session: Session, updates: Iterable[tuple[int, dict[str, Any]]]) -> set[int]:
    """Store fetched updates; the ids of those never seen before (the rest are repeats)."""
    now = utcnow()
    rows = [{"update_id": i, "payload": payload, "received_at": now} for i, payload in updates]
    return set(insert_many_ignore(session, InboxUpdate, rows))


# Built once: it runs for every update. On the Core table: an ORM-enabled UPDATE would also
# search the session for the objects it changes.
_INBOX = table_of(InboxUpdate)
_MARK_HANDLED = (
    update(_INBOX)
    .where(_INBOX.c.update_id == bindparam("update"), _INBOX.c.handled_at.is_(None))
    .values(handled_at=bindparam("at"))
)


def mark_handled(session: Session, update_id: int) -> None:
    """Record that an update's effect is done (a no-op if already recorded)."""
    prepared.execute(session, _MARK_HANDLED, {"update": update_id, "at": utcnow()})


def mark_all_handled(session: Session, update_ids: list[int]) -> None:
    """Mark several updates handled, in one statement."""
    now = utcnow()
    prepared.execute_many(session, _MARK_HANDLED, [{"update": i, "at": now} for i in update_ids])


def unhandled(session: Session) -> list[dict[str, Any]]:
    """Updates stored but not yet handled, oldest first."""
    return list(
        session.scalars(
            select(InboxUpdate.payload)
            .where(InboxUpdate.handled_at.is_(None))
            .order_by(InboxUpdate.update_id)
        )
    )


def prune(session: Session, handled_before: datetime) -> int:
    """Forget handled updates older than Telegram could still redeliver them."""
    result = session.execute(delete(InboxUpdate).where(InboxUpdate.handled_at < handled_before))
    return int(result.rowcount)  # type: ignore[attr-defined]
