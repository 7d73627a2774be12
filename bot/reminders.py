"""The daily reminders' sweep: once a minute, on the bot's clock, nudge whoever has questions due.

Each minute the sweep claims the reminders due by then (storage.reminders: a lease, so that
with several processes exactly one sends each), sends those with something due, a few at a
time through the bot's rate limiter, and moves each on to the next day's minute once Telegram
took it. A learner who blocked the bot has their reminder switched off; any other failure is
tried again at the next minute, until the reminder is 12 hours late.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session
from telegram import Bot
from telegram.error import Forbidden, TelegramError

from bot import i18n, keyboards, texts
from bot.timers import RoundClock
from storage import reminders
from storage.db import Database

log = logging.getLogger(__name__)

MINUTE = timedelta(minutes=1)  # reminders are set to the minute: the sweep wakes on each
BATCH = 50  # reminders claimed at a time: one short transaction, then their sends
# Sends under way at once. The rate limiter paces them (30 messages a second in all): a few at
# a time leave its queue open to the replies learners are waiting for meanwhile.
SENDING = 4
# A batch's sends must finish within the lease, or another process may send them too: 50 sends
# take about 2 s at Telegram's pace, and the limiter waits out a 429 a few times at most.
LEASE = timedelta(minutes=5)
STOP_GRACE = 10.0  # seconds a stop waits for sends under way, so none is cut off unrecorded


class Reminders:
    """The reminder sweep of this process: one background task on the bot's clock."""

    def __init__(self) -> None:
        self.owner = secrets.token_hex(8)  # this process, as the leases name it
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._idle = False  # waiting for the next minute: a stop may cut that short
        self._held: set[int] = set()  # claimed, not yet settled: let go at a stop

    def start(self, bot: Bot, db: Database, clock: RoundClock) -> None:
        """Sweep now (what came due while the bot was down), then at every minute."""
        self._task = asyncio.create_task(self._run(bot, db, clock), name="reminders")

    async def shutdown(self, db: Database) -> None:
        """Stop sweeping: sends under way finish, claimed ones not sent are let go."""
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            if self._idle:
                task.cancel()
            done, _ = await asyncio.wait({task}, timeout=STOP_GRACE)
            if not done:  # cut off: a send Telegram took meanwhile goes out again at next start
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        held, self._held = list(self._held), set()
        await db.run(lambda session: reminders.release(session, held, self.owner))

    async def _run(self, bot: Bot, db: Database, clock: RoundClock) -> None:
        while True:
            now = clock.now()
            try:
                await self.sweep(bot, db, now)
            except Exception:  # one bad minute must not end every later reminder
                log.exception("the reminder sweep at %s failed; the next minute tries again", now)
            if self._stopping:
                return
            self._idle = True
            try:
                await _next_minute(clock, now)
            finally:
                self._idle = False

    async def sweep(self, bot: Bot, db: Database, now: datetime) -> int:
        """Send every reminder due by `now` that no other process holds; how many went out."""
        slots, sent = asyncio.Semaphore(SENDING), 0
        while not self._stopping:

            def claim(session: Session) -> tuple[list[reminders.Nudge], int]:
                taken = reminders.claim_due(session, self.owner, now, now + LEASE, BATCH)
                return reminders.nudges(session, taken, self.owner, now), len(taken)

            nudges, claimed = await db.run(claim)
            self._held.update(nudge.reminder.user_id for nudge in nudges)
            results = await asyncio.gather(
                *(self._send(bot, db, slots, nudge, now) for nudge in nudges),
                return_exceptions=True,  # every send is recorded before a failure is raised
            )
            for result in results:
                if isinstance(result, BaseException):
                    raise result
            sent += results.count(reminders.Outcome.SENT)
            if claimed < BATCH:
                break
        return sent

    async def _send(
        self,
        bot: Bot,
        db: Database,
        slots: asyncio.Semaphore,
        nudge: reminders.Nudge,
        now: datetime,
    ) -> reminders.Outcome | None:
        """Send one reminder and record it; None when stopping first (it is let go)."""
        async with slots:
            if self._stopping:
                return None
            outcome = await _deliver(bot, nudge)
            reminder = nudge.reminder
            kept = await db.run(
                lambda session: reminders.settle(session, reminder, outcome, self.owner, now)
            )
            self._held.discard(reminder.user_id)
        if not kept:
            log.info(
                "reminder of user %d was changed, or taken over, as it went out", reminder.user_id
            )
        return outcome


async def _deliver(bot: Bot, nudge: reminders.Nudge) -> reminders.Outcome:
    try:
        with i18n.speaking(i18n.language_of(nudge.language) or i18n.DEFAULT):
            text, buttons = texts.reminder(nudge.due, nudge.streak), keyboards.review_now()
        await bot.send_message(nudge.reminder.user_id, text, reply_markup=buttons)
    except Forbidden as error:
        log.info("reminder of user %d switched off: %s", nudge.reminder.user_id, error)
        return reminders.Outcome.BLOCKED
    except TelegramError as error:
        log.warning(
            "reminder of user %d not sent, next minute again: %s", nudge.reminder.user_id, error
        )
        return reminders.Outcome.FAILED
    return reminders.Outcome.SENT


def minute_after(moment: datetime) -> datetime:
    """The start of the minute after `moment`: when the sweep next looks."""
    return moment.replace(second=0, microsecond=0) + MINUTE


async def _next_minute(clock: RoundClock, now: datetime) -> None:
    # A sleep may end a hair early by the wall clock: sleep again until the minute has begun.
    target = minute_after(now)
    while (current := clock.now()) < target:
        await clock.sleep((target - current).total_seconds())
