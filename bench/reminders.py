"""The reminder sweep with 100,000 learners' daily reminders spread over the day.

Each learner has a reminder at a minute of the day (one in four in Europe/Berlin, the others
in UTC: about 70 a minute) and 10 cards, 1,000,000 in all; 3 in 7 of them have 1 to 3
questions due. The real sweep (bot.reminders.Reminders.sweep) then runs at each minute of a day on a
virtual clock, sending through a real python-telegram-bot Bot to the fake Bot API with no rate
limiter (what is measured is the database's part), on a Database whose transactions are
timed. Last, `quizbot run` with Telegram's limits on starts with many reminders due: how fast
they go out, and how long other users wait for a reply meanwhile.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, bindparam, event, func, insert, select, text, update
from sqlalchemy.orm import Session
from telegram import Bot

from bench import procs
from bench.bankgen import write_bank
from bench.fairness import timed_reply
from bench.fake import BenchTelegram
from bot.library import import_directory
from bot.reminders import Reminders, minute_after
from storage.db import Database, table_of
from storage.models import AwareDateTime, QuestionRow, Reminder
from storage.reminders import claim_due, next_at
from storage.serial import Job
from tests.fakebot import Call

USERS = 100_000
CARDS_PER_USER = 10
BANK_ID, BANK_QUESTIONS = "rm-1", 200
BERLIN_EVERY = 4  # every 4th learner's reminder is in Europe/Berlin
# Learners n with n % 7 < 3 have questions due. Not a divisor of 1,440: the learners of one
# minute (n apart by multiples of 1,440) are not all due, or all not.
DUE_SHARE = (3, 7)
AT_START = 900  # reminders due as `quizbot run` starts: 30 s of Telegram's 30 a second
OTHERS, OTHERS_FROM, COMMAND_SPACING = 20, 910_000, 0.1  # /help 10 times a second meanwhile
REPLY_TIMEOUT = 60.0


class TimedDatabase(Database):
    """A Database that adds up the time its transactions take (on the database thread)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wall = self.cpu = 0.0  # seconds: elapsed, and the thread's own CPU

    def _together(self, group: list[Job]) -> list[Any]:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return super()._together(group)
        finally:
            self.wall += time.perf_counter() - started
            self.cpu += time.thread_time() - cpu


@dataclass
class DayFigures:
    """One backend's fill and sweep of a day, minute by minute."""

    backend: str
    fill_seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    due: list[int] = field(default_factory=list)  # reminders due, by minute
    sent: list[int] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)  # the sweep's transactions, by minute
    cpu_ms: list[float] = field(default_factory=list)
    sweep_ms: list[float] = field(default_factory=list)  # the whole sweep, sends included
    plan: list[str] = field(default_factory=list)  # how the database runs the claim


def has_due(user_id: int) -> bool:
    """Whether the learner has questions due (DUE_SHARE of them)."""
    return user_id % DUE_SHARE[1] < DUE_SHARE[0]


def fill(db: Database, questions: Path, users: int, start: datetime) -> DayFigures:
    """Users, one bank, cards and reminders due from `start` over the next 24 hours."""
    figures = DayFigures(db.engine.dialect.name)
    started = time.perf_counter()
    write_bank(questions, BANK_ID, BANK_QUESTIONS)
    import_directory(db, questions)
    day_before = start - timedelta(days=1)
    with db.session() as session:
        base = session.scalar(
            select(func.min(QuestionRow.id)).where(QuestionRow.bank_id == BANK_ID)
        )
        session.execute(_USERS, {"users": users, "at": day_before, "day": day_before.date()})
        session.execute(
            _CARDS,
            {
                "base": base,
                "count": BANK_QUESTIONS,
                "past": day_before,
                "future": start + timedelta(days=30),
                "cards": CARDS_PER_USER - 1,
                "modulo": DUE_SHARE[1],
                "share": DUE_SHARE[0],
            },
        )
        session.execute(insert(table_of(Reminder)), _reminder_rows(users, start))
    with db.session() as session:
        for table in ("users", "cards", "reminders"):
            figures.rows[table] = session.scalar(text(f"SELECT COUNT(*) FROM {table}")) or 0
    figures.fill_seconds = time.perf_counter() - started
    return figures


# Plain SQL that SQLite and PostgreSQL both run: a recursive series, bound times.
_USERS = text(
    """WITH RECURSIVE u(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM u WHERE n < :users)
    INSERT INTO users (id, first_name, created_at, points, answered, correct, streak, streak_day)
    SELECT n, 'User ' || n, :at, 0, 0, 0, n % 13, :day FROM u"""
).bindparams(bindparam("at", type_=AwareDateTime()), bindparam("day", type_=Date()))
_CARDS = text(
    """WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < :cards)
    INSERT INTO cards (user_id, question_id, state, stability, difficulty, due, last_review,
                       last_right, active)
    SELECT u.id, :base + (u.id * 7 + k.n * 13) % :count, 2, 5.0, 5.0,
           CASE WHEN u.id % :modulo < :share AND k.n <= u.id % 3 THEN :past ELSE :future END,
           :past, NOT (u.id % :modulo < :share AND k.n <= u.id % 3), TRUE
    FROM users u CROSS JOIN k"""
).bindparams(bindparam("past", type_=AwareDateTime()), bindparam("future", type_=AwareDateTime()))


def _reminder_rows(users: int, start: datetime) -> list[dict[str, Any]]:
    zones = {name: ZoneInfo(name) for name in ("UTC", "Europe/Berlin")}
    just_before = start - timedelta(microseconds=1)
    rows = []
    for n in range(1, users + 1):
        zone = "Europe/Berlin" if n % BERLIN_EVERY == 0 else "UTC"
        minute = (n * 7919) % (24 * 60)  # spread evenly over the day
        rows.append(
            {
                "user_id": n,
                "minute": minute,
                "zone": zone,
                "next_at": next_at(minute, zones[zone], just_before),
            }
        )
    return rows


async def run_day(
    fake: BenchTelegram, workdir: Path, url: str, users: int, minutes: int
) -> DayFigures:
    """Fill the database at `url`, then run the real sweep at each of `minutes` minutes."""
    start = minute_after(datetime.now(UTC))
    db = TimedDatabase.open(url)
    assert isinstance(db, TimedDatabase)
    try:
        questions = workdir / f"reminder-banks-{db.engine.dialect.name}"
        figures = await asyncio.to_thread(fill, db, questions, users, start)
        figures.plan = await asyncio.to_thread(_claim_plan, db, start - timedelta(minutes=1))
        due = await db.run(lambda session: _due_by_minute(session, start, minutes))
        for user_id in range(1, users + 1):
            if has_due(user_id):
                fake.user(user_id, f"User {user_id}")
        sweeper = Reminders()
        async with Bot(fake.token, base_url=fake.api_url) as bot:
            for minute in range(minutes):
                now = start + timedelta(minutes=minute)
                wall, cpu, began = db.wall, db.cpu, time.perf_counter()
                figures.sent.append(await sweeper.sweep(bot, db, now))
                figures.sweep_ms.append(1000 * (time.perf_counter() - began))
                figures.wall_ms.append(1000 * (db.wall - wall))
                figures.cpu_ms.append(1000 * (db.cpu - cpu))
                figures.due.append(due.get(minute, 0))
    finally:
        db.dispose()
    return figures


def _due_by_minute(session: Session, start: datetime, minutes: int) -> dict[int, int]:
    """How many reminders fall in each minute from `start` (read before the sweep moves them)."""
    reminders = table_of(Reminder)
    end = start + timedelta(minutes=minutes)
    counted: dict[int, int] = {}
    for moment in session.scalars(select(reminders.c.next_at).where(reminders.c.next_at < end)):
        minute = int((moment - start).total_seconds() // 60)
        counted[minute] = counted.get(minute, 0) + 1
    return counted


def _claim_plan(db: Database, before: datetime) -> list[str]:
    """How the database runs the sweep's claim (through the next_at index, it must).

    The claim runs once at a time before every reminder (it takes none) to catch its SQL.
    """
    caught: list[tuple[str, Any]] = []

    def catch(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        caught.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", catch)
    try:
        with db.session() as session:
            claim_due(session, "plan", before, before, 50)
    finally:
        event.remove(db.engine, "before_cursor_execute", catch)
    statement, params = caught[-1]
    explain = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    with db.engine.connect() as connection:
        lines = [str(row[-1]) for row in connection.exec_driver_sql(explain + statement, params)]
    # The steps that read a table, without PostgreSQL's cost estimates.
    reads = [line for line in lines if re.search("SEARCH|SCAN|Scan", line)]
    return [re.sub(r"\s*\(cost=[^)]*\)", "", line).strip(" ->") for line in reads]


@dataclass
class StartFigures:
    """`quizbot run` starting with AT_START reminders due, Telegram's limits on."""

    due: int = 0
    sent_at: list[float] = field(default_factory=list)  # monotonic times of the reminders
    messages_at: list[float] = field(default_factory=list)  # every message the bot sent
    waits_ms: list[float] = field(default_factory=list)  # other users' /help, sent -> reply
    unanswered: int = 0
    cpu_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def busiest(self, seconds: float) -> int:
        """The most messages the bot sent within any `seconds` (reminders and replies)."""
        times, most, first = sorted(self.messages_at), 0, 0
        for last, moment in enumerate(times):
            while moment - times[first] >= seconds:
                first += 1
            most = max(most, last - first + 1)
        return most


async def through_bot(
    fake: BenchTelegram,
    workdir: Path,
    path: Path,
    questions: Path,
    users: int,
    figures: StartFigures,
) -> None:
    """Make AT_START learners' reminders due now, start the bot, time the sends and others."""
    db = Database.open(f"sqlite:///{path}")
    try:
        learners = await asyncio.to_thread(_due_now, db, users)
    finally:
        db.dispose()
    figures.due = len(learners)
    done = asyncio.Event()
    for user_id in learners:
        fake.user(user_id, f"User {user_id}")
        fake.listeners[user_id] = lambda call: _reminded(call, figures, done)
    mark = fake.mark()  # the start's sweep sends before the bot polls
    child = await procs.start_quizbot(
        fake, workdir, "quizbot-reminders", path, questions, limits=True
    )
    try:
        cpu = procs.cpu_seconds(child.pid)
        others = asyncio.create_task(_others_meanwhile(fake, figures, done))
        try:
            await asyncio.wait_for(done.wait(), AT_START / 30 + REPLY_TIMEOUT)
        except TimeoutError:
            figures.notes.append(f"only {len(figures.sent_at)} reminders went out in time")
        await others
        figures.cpu_seconds = procs.cpu_seconds(child.pid) - cpu
        figures.messages_at = [
            c.at for c in fake.calls[mark:] if c.method == "sendMessage" and c.error is None
        ]
    finally:
        for user_id in learners:
            fake.listeners.pop(user_id, None)
        await procs.stop_async(child)


def _due_now(db: Database, users: int) -> list[int]:
    """AT_START learners with questions due get their reminder at this minute, due now."""
    learners = [n for n in range(1, users + 1) if has_due(n)][:AT_START]
    now = datetime.now(UTC)
    reminders = table_of(Reminder)
    with db.session() as session:
        session.execute(
            update(reminders)
            .where(reminders.c.user_id.in_(learners))
            .values(
                minute=now.hour * 60 + now.minute,
                zone="UTC",
                next_at=now.replace(second=0, microsecond=0),
                lease_owner=None,
                lease_until=None,
            )
        )
    return learners


def _reminded(call: Call, figures: StartFigures, done: asyncio.Event) -> None:
    if call.method == "sendMessage" and "Time to review" in str(call.params.get("text", "")):
        figures.sent_at.append(call.at)
        if len(figures.sent_at) >= figures.due:
            done.set()


async def _others_meanwhile(
    fake: BenchTelegram, figures: StartFigures, done: asyncio.Event
) -> None:
    """OTHERS users each send /help every 2 s, 10 a second in all, until the reminders are out."""
    loop = asyncio.get_running_loop()
    period = OTHERS * COMMAND_SPACING

    async def other(n: int) -> None:
        await asyncio.sleep(n * COMMAND_SPACING)
        while not done.is_set():
            began = loop.time()
            waited = await timed_reply(fake, OTHERS_FROM + n, "/help", REPLY_TIMEOUT)
            if waited is None:
                figures.unanswered += 1
            else:
                figures.waits_ms.append(waited)
            await asyncio.sleep(max(0.0, period - (loop.time() - began)))

    await asyncio.gather(*(other(n) for n in range(OTHERS)))


def percentile(values: list[float], q: float) -> float | None:
    """The q-quantile by nearest rank; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]
