"""Durable update handling: stored before Telegram is told, replayed after a crash.

python-telegram-bot confirms a batch of updates to Telegram (the next getUpdates offset)
before handling them, so a killed process would silently lose them. Here every fetched
update is written to the database first, marked handled once its effect is recorded, and
the unhandled ones are replayed at start.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import Application, ExtBot

from bot.delivery import DeliveryMarks
from storage import inbox
from storage.db import Database
from storage.models import utcnow

log = logging.getLogger(__name__)

# What the bot handles. Not `poll`: Telegram sends one after every vote, and nothing needs it.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.POLL_ANSWER, Update.MY_CHAT_MEMBER]

# Telegram keeps undelivered updates for 24 hours; remembering twice that catches repeats.
REMEMBER_UPDATES = timedelta(hours=48)


async def store_fresh(
    db: Database, marks: DeliveryMarks, updates: tuple[Update, ...]
) -> tuple[Update, ...]:
    """Store updates in the inbox; only those never stored before are returned.

    Deliveries still to be marked are written in the same transaction (every transaction of
    the database thread writes them first), so none waits longer than one long poll.
    """
    if not updates and not marks.pending:
        return updates
    payloads = [(u.update_id, u.to_dict()) for u in updates]
    fresh = await db.run(lambda session: inbox.store_new(session, payloads))
    return tuple(u for u in updates if u.update_id in fresh)


class DurableBot(ExtBot[int]):
    """A bot whose getUpdates stores what it fetched before returning it, and reads a batch
    one update at a time when python-telegram-bot cannot read all of it."""

    def __init__(self, *args: Any, inbox_db: Database, marks: DeliveryMarks, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with self._unfrozen():  # PTB objects are read-only once built
            self.inbox_db = inbox_db
            self.marks = marks
            self._fetched: list[dict[str, Any]] = []  # the last getUpdates batch, as JSON

    async def _post(self, endpoint: str, *args: Any, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, *args, **kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            self._fetched = result
        return result

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        self._fetched = []
        try:
            updates = await super().get_updates(*args, **kwargs)
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            # One update PTB cannot read (a field of another Bot API version, a forged
            # payload) would fail the batch at every retry: the bot would stall for everyone.
            if not self._fetched:
                raise
            log.warning("a batch of updates cannot be read as a whole (%s)", error)
            read = (readable(payload, self) for payload in self._fetched)
            updates = tuple(update for update in read if update is not None)
        return await store_fresh(self.inbox_db, self.marks, updates)


def readable(payload: dict[str, Any], bot: ExtBot[int]) -> Update | None:
    """The update; when it cannot be read, an empty one with its id: nothing handles it, and
    its id still moves the next getUpdates offset past it, so Telegram does not send it
    again. None when not even its id can be read."""
    try:
        return Update.de_json(payload, bot)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        update_id = payload.get("update_id")
        log.warning("skipped update %r, which cannot be read: %s", update_id, error)
        return Update(update_id) if isinstance(update_id, int) else None


class DurableApplication(Application[Any, Any, Any, Any, Any, Any]):
    """Marks each update handled once its handlers are done (answers do it themselves)."""

    async def process_update(self, update: object) -> None:
        await super().process_update(update)
        if isinstance(update, Update) and not _take(self.bot_data.handled, update.update_id):
            await self.bot_data.db.run(
                functools.partial(inbox.mark_handled, update_id=update.update_id)
            )


def _take(handled: set[int], update_id: int) -> bool:
    """Whether a handler already marked this update; forgets it either way."""
    if update_id in handled:
        handled.discard(update_id)
        return True
    return False


async def replay_unhandled(
    application: Application[Any, Any, Any, Any, Any, Any], db: Database
) -> int:
    """Handle again, in order, every stored update whose handling never finished."""

    def pending_updates(session: Session) -> list[dict[str, Any]]:
        inbox.prune(session, utcnow() - REMEMBER_UPDATES)
        return inbox.unhandled(session)

    pending = await db.run(pending_updates)
    # Through the update processor, as if fetched now: each lane in order, lanes side by side,
    # and a flood that was waiting when the process stopped is shed like any other.
    processor = application.update_processor
    await asyncio.gather(
        *(
            processor.process_update(update, application.process_update(update))
            for update in (Update.de_json(payload, application.bot) for payload in pending)
        )
    )
    if pending:
        log.info("replayed %d update(s) fetched before the last stop", len(pending))
    return len(pending)
