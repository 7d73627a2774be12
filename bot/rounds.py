"""Running a group's live round: timed quiz polls, each question's results, then the table.

Each round runs as one background task per chat (bot_data.rounds) on bot_data.clock: it asks
the current question, sleeps until its deadline, closes the poll, posts the results and moves
on. All state lives in the database, so after a restart the task picks up where it was: a
question whose deadline passed meanwhile is closed at once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError

from bot import delivery, i18n, texts
from bot.timers import ChatTasks, RoundClock
from quiz.play import is_correct, to_original
from storage import rounds
from storage.banks import get_bank
from storage.db import Database
from storage.models import QuizStatus
from storage.quizzes import ItemView, QuizState, mark_sent, mark_summary_sent

log = logging.getLogger(__name__)

ALREADY_CLOSED = "poll has already been closed"  # Telegram's words when the countdown beat us
FIRST_PAUSE, LONGEST_PAUSE = 1.0, 60.0  # seconds between tries when Telegram can't be reached
# A process renews its rounds' leases every HEARTBEAT seconds; one that stops for LEASE loses them.
HEARTBEAT, LEASE = 10.0, timedelta(seconds=30)


# Room for the [n/N] prefix of any round: whatever its length, a question fits or it doesn't.
LONGEST_HEADER = texts.question_header(99_999, 99_999)


def fits_round(question: str, options: list[str]) -> bool:
    """Whether a question can be a round's timed poll (a poll has no buttons to fall back on)."""
    return delivery.fits_poll(LONGEST_HEADER + question, options)


def take_answer(
    session: Session, view: ItemView, user_id: int, shown: Sequence[int], now: datetime
) -> None:
    """Record a member's vote in a round's poll (a retracted vote, or a repeat, counts nothing).

    The group learns how it did when time is up: nothing is sent back now.
    """
    chosen = to_original(view.item.option_order, shown)
    if chosen:
        rounds.record_round_answer(
            session,
            view,
            user_id=user_id,
            chosen=chosen,
            correct=is_correct(view.question.correct, chosen),
            now=now,
        )


async def run_round(
    bot: Bot, db: Database, clock: RoundClock, quiz_id: int, hold: Callable[[], Awaitable[bool]]
) -> None:
    """Ask, time and explain each question of the round, then post its table.

    `hold` takes the round's lease before each step: False means another process runs it.
    A failed Telegram call is tried again after a pause that doubles up to a minute, from
    where the database says the round is; a group that no longer lets the bot post there
    ends the round without a table.
    """
    pause = FIRST_PAUSE
    while True:
        if not await hold():
            log.info("round %d is run by another process", quiz_id)
            return
        try:
            if not await _next_question(bot, db, clock, quiz_id):
                return
            pause = FIRST_PAUSE
        except Forbidden as error:
            await db.run(lambda session: rounds.abandon_round(session, quiz_id))
            log.warning("round %d ended: the bot may not post in its chat (%s)", quiz_id, error)
            return
        except NetworkError as error:
            if isinstance(error, BadRequest):  # Telegram refused the call itself: a bug
                raise
            log.warning("round %d: %s; trying again in %.0f s", quiz_id, error, pause)
            await clock.sleep(pause)
            pause = min(2 * pause, LONGEST_PAUSE)


async def _next_question(bot: Bot, db: Database, clock: RoundClock, quiz_id: int) -> bool:
    """Ask, time and close the current question; at the end the table. False once over."""
    step = await db.run(lambda session: rounds.current_step(session, quiz_id))
    if step is None:
        await post_table(bot, db, quiz_id)
        return False
    view = step.view
    sent = step.sent or await _ask(bot, db, clock, view)
    period = view.quiz.open_period or 0
    await clock.sleep(period - (clock.now() - sent.at).total_seconds())
    await _close(bot, db, clock, view, sent)
    return True


async def _ask(bot: Bot, db: Database, clock: RoundClock, view: ItemView) -> rounds.Sent:
    message_id, poll_id = await delivery.ask(bot, view)
    sent_at = clock.now()  # speed points count from here, on the same clock as the answers
    await db.run(
        lambda session: mark_sent(
            session, view.item.id, message_id=message_id, poll_id=poll_id, at=sent_at
        )
    )
    return rounds.Sent(message_id, sent_at)


async def _close(
    bot: Bot, db: Database, clock: RoundClock, view: ItemView, sent: rounds.Sent
) -> None:
    """Stop the poll, post how the group did and the explanation, and move the round on.

    Marked closed only after the results went out: a crash in between posts them twice at
    worst, never not at all.
    """
    chat_id, question = view.quiz.chat_id, view.question
    await stop_poll(bot, chat_id, sent.message_id)
    result = await db.run(lambda session: rounds.question_result(session, view.item.id, sent.at))
    lines = texts.round_question_result(
        view.item.position + 1,
        view.quiz.total,
        [question.options[i] for i in question.correct],
        result,
    )
    lines += texts.explained(
        question.explanation, question.passage, view.bank.source_title, view.bank.source_url
    )
    await _send(bot, chat_id, lines)
    closed_at = clock.now()
    await db.run(lambda session: rounds.close_question(session, view, closed_at))


async def stop_poll(bot: Bot, chat_id: int, message_id: int) -> None:
    """Close a poll; one Telegram closed already (its open_period ran out) is fine."""
    try:
        await bot.stop_poll(chat_id, message_id)
    except BadRequest as error:
        if ALREADY_CLOSED not in error.message.lower():
            raise


async def post_table(bot: Bot, db: Database, quiz_id: int) -> None:
    """The podium and everyone's points, once per round."""

    def read(session: Session) -> tuple[int, list[str]] | None:
        if not rounds.table_owed(session, quiz_id):
            return None
        quiz = rounds.round_state(session, quiz_id)
        bank_id = quiz.bank_id or ""  # a round is of one bank
        bank = get_bank(session, bank_id)
        title = bank.title if bank is not None else bank_id
        standings = rounds.round_table(session, quiz_id)
        return quiz.chat_id, texts.round_table(title, standings, quiz.status == QuizStatus.STOPPED)

    table = await db.run(read)
    if table is None:
        return
    await _send(bot, *table)
    await db.run(lambda session: mark_summary_sent(session, quiz_id))


async def _send(bot: Bot, chat_id: int, lines: list[str]) -> None:
    for chunk in texts.split_message(lines):
        await bot.send_message(chat_id, chunk, link_preview_options=delivery.NO_PREVIEW)


async def _speaking(language: str | None, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """`work()` in the language its round was started in (in its task's own context): a round
    resumed after a restart speaks as the one /quiz started did. Made here, not before: a task
    cancelled before it ran would leave a coroutine never awaited."""
    i18n.use(i18n.language_of(language) or i18n.DEFAULT)
    await work()


class Rounds:
    """The rounds running in this process: one task per chat, all on one clock.

    Each round is leased in the database to the process running it, which renews the lease
    every HEARTBEAT seconds: with several processes on one database (webhooks behind a load
    balancer) only one times each round, and when a process dies another takes its rounds
    over once their leases run out.
    """

    def __init__(self) -> None:
        self.clock = RoundClock()  # tests put a faster or a manual one here
        self.heartbeat = HEARTBEAT  # seconds of real time; tests shorten it
        self.owner = secrets.token_hex(8)  # this process, as the leases name it
        self._tasks = ChatTasks()
        self._running: dict[int, asyncio.Task[None]] = {}  # by quiz id
        self._watcher: asyncio.Task[None] | None = None

    def start(self, bot: Bot, db: Database, quiz: QuizState) -> None:
        """Run the round in the background, in place of any task the chat had."""
        quiz_id = quiz.id
        work = functools.partial(
            run_round, bot, db, self.clock, quiz_id, lambda: self._hold(db, quiz_id)
        )
        task = self._tasks.start(quiz.chat_id, _speaking(quiz.language, work))
        self._running[quiz_id] = task
        task.add_done_callback(lambda done: self._forget(quiz_id, done))

    def cancel(self, chat_id: int) -> None:
        """Stop timing the chat's round (/stop)."""
        self._tasks.cancel(chat_id)

    async def shutdown(self, db: Database) -> None:
        """Stop timing every round and let go of them: the next start resumes them at once."""
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.gather(self._watcher, return_exceptions=True)
        held = list(self._running)
        await self._tasks.cancel_all()
        await db.run(lambda session: rounds.release_leases(session, held, self.owner))

    async def resume(self, bot: Bot, db: Database) -> int:
        """Take up every round no live process runs (the last run's, a dead one's); how many.

        Also starts the heartbeat that keeps this process's leases and takes over others'.
        """
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.create_task(self._watch(bot, db), name="round leases")
        now = self.clock.now()
        free = await db.run(lambda session: rounds.rounds_to_resume(session, now))
        taken = [quiz for quiz in free if quiz.id not in self._running]
        for quiz in taken:
            self.start(bot, db, quiz)
        return len(taken)

    async def _hold(self, db: Database, quiz_id: int) -> bool:
        """Take or keep the round's lease; False when another process runs it."""
        now = self.clock.now()
        return await db.run(
            lambda session: rounds.claim_round(session, quiz_id, self.owner, now + LEASE, now)
        )

    def _forget(self, quiz_id: int, task: asyncio.Task[None]) -> None:
        if self._running.get(quiz_id) is task:
            del self._running[quiz_id]

    async def _watch(self, bot: Bot, db: Database) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            try:
                renew = functools.partial(
                    rounds.renew_leases,
                    quiz_ids=list(self._running),
                    owner=self.owner,
                    until=self.clock.now() + LEASE,
                )
                await db.run(renew)
                if taken := await self.resume(bot, db):
                    log.info("took over %d round(s) whose process stopped renewing them", taken)
            except SQLAlchemyError as error:  # the database will be back: the next beat tries
                log.warning("could not renew the rounds' leases: %s", error)
