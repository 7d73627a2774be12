"""/leaderboard on a big database: 100,000 users and 2,000,000 answers, filled with SQL.

Every answer falls in the current week (from Monday 00:00 UTC), so the weekly tables are as
big as the all-time ones: their worst case. One group's rounds hold 1 % of the answers.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench import procs
from bench.bankgen import write_bank
from bench.fake import BenchTelegram
from bot.library import import_directory
from storage.db import Database
from storage.scores import leaderboard, week_start
from tests.fakebot import Call

USERS = 100_000
ANSWERS_PER_USER = 20  # in two quizzes: 2,000,000 answers in all
BANKS = 5
BANK_QUESTIONS = 200
CALLERS = 200
WARM_UP_CALLS = 5
BUDGET_SECONDS = 60.0  # per table: a table that counts answers on every call gets fewer callers
BOT_CALLS = 20
GROUP = -1_000_000_000_001  # the group whose rounds are every 100th user's second quiz
GROUP_EVERY = 100
QUIZ_SPACING = 3  # seconds between quizzes' starts: 200,000 quizzes fit in 6.9 days
# SQLAlchemy's own text form of a DateTime on SQLite, so the models read the rows back.
STAMP = "strftime('%Y-%m-%d %H:%M:%S', {seconds}, 'unixepoch') || '.000000'"


@dataclass
class BoardFigures:
    """Fill time, row counts and per-call times in ms, by table."""

    fill_seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    ms: dict[str, list[float]] = field(default_factory=dict)
    bot_ms: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def this_monday() -> int:
    """Monday 00:00 UTC of the current week, in Unix seconds: the bot's `/leaderboard week`."""
    return int(week_start(datetime.now(UTC), ZoneInfo("UTC")).timestamp())


def _fill_sql(users: int, epoch: int) -> list[str]:
    """The statements that fill users, chats, quizzes, items, answers, scores, totals."""
    total = "CASE k.k WHEN 0 THEN 5 + u.id % 11 ELSE 15 - u.id % 11 END"
    spacing = f"{epoch} + q.id * {QUIZ_SPACING}"
    item_at = STAMP.format(seconds=f"{spacing} + i.position * 7")
    ended = STAMP.format(seconds=f"{epoch} + (2 * u.id + k.k) * {QUIZ_SPACING} + 140")
    in_group = f"k.k = 1 AND u.id % {GROUP_EVERY} = 0"
    right = "((i.id * 2654435761) % 100 < 35 + (q.user_id * 37) % 60)"
    monday = datetime.fromtimestamp(epoch, UTC).date().isoformat()
    reached = "MAX(CASE WHEN a.points > 0 THEN a.answered_at END)"
    return [
        # Two quizzes per user, on two different banks, of 5..15 and 15..5 questions.
        f"""WITH RECURSIVE u(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM u WHERE n < {users})
        INSERT INTO users (id, first_name, username, created_at, points, answered, correct)
        SELECT n, 'User ' || n, CASE WHEN n % 3 THEN 'user' || n END,
               {STAMP.format(seconds=epoch)}, 0, 0, 0 FROM u""",
        "INSERT INTO chats (id, type, title) SELECT id, 'private', NULL FROM users",
        f"INSERT INTO chats (id, type, title) VALUES ({GROUP}, 'supergroup', 'Bench group')",
        # Every 100th user's second quiz is a round in the group (one answerer per question).
        f"""INSERT INTO quizzes (id, chat_id, user_id, bank_id, status, kind, open_period,
                                 position, total, score, created_at, finished_at,
                                 summary_sent_at)
        SELECT 2 * u.id + k.k - 1, CASE WHEN {in_group} THEN {GROUP} ELSE u.id END, u.id,
               b.bank_id, 'finished', CASE WHEN {in_group} THEN 'round' ELSE 'solo' END,
               CASE WHEN {in_group} THEN 20 END, {total}, {total}, 0,
               {STAMP.format(seconds=f"{epoch} + (2 * u.id + k.k) * {QUIZ_SPACING}")},
               {ended}, {ended}
        FROM users u
        CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1) k
        JOIN bench_banks b ON b.idx = (u.id + k.k * (1 + u.id % 4)) % {BANKS}
        ORDER BY 1""",
        f"""WITH RECURSIVE p(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM p WHERE n < 14)
        INSERT INTO quiz_items (quiz_id, position, question_id, option_order, poll_id,
                                message_id, sent_at)
        SELECT q.id, p.n, b.base + (q.id * 7919 + p.n * 104729) % b.count, '[0, 1, 2, 3]',
               CAST(5000000000000000000 + q.id * 16 + p.n AS TEXT), p.n + 2,
               {STAMP.format(seconds=f"{spacing} + p.n * 7")}
        FROM quizzes q JOIN p ON p.n < q.total JOIN bench_banks b ON b.bank_id = q.bank_id
        ORDER BY q.id, p.n""",
        # Right or wrong by a fixed hash, each user with their own skill (35..94 %); a round's
        # right answer is worth 500..1000 speed points.
        f"""INSERT INTO answers (id, item_id, user_id, question_id, chosen, correct,
                                 answered_at, feedback_sent_at, points)
        SELECT i.id, i.id, q.user_id, i.question_id, '[0]', {right}, {item_at}, {item_at},
               {right} * CASE WHEN q.kind = 'round' THEN 500 + i.id % 501 ELSE 1 END
        FROM quiz_items i JOIN quizzes q ON q.id = i.quiz_id ORDER BY i.id""",
        """UPDATE quizzes SET score = s.points
        FROM (SELECT i.quiz_id AS id, SUM(a.correct) AS points
              FROM answers a JOIN quiz_items i ON i.id = a.item_id GROUP BY i.quiz_id) AS s
        WHERE quizzes.id = s.id""",
        """INSERT INTO scores (user_id, bank_id, points, answered, correct, points_at)
        SELECT user_id, bank_id, SUM(score), SUM(total), SUM(score),
               MAX(CASE WHEN score > 0 THEN finished_at END)
        FROM quizzes GROUP BY user_id, bank_id""",
        """UPDATE users SET points = s.points, answered = s.answered, correct = s.points,
                           points_at = s.points_at
        FROM (SELECT user_id, SUM(points) AS points, SUM(answered) AS answered,
                     MAX(points_at) AS points_at FROM scores GROUP BY user_id) AS s
        WHERE users.id = s.user_id""",
        # Every answer is this week's: the weekly totals are the all-time ones.
        *(
            f"""UPDATE {table} SET week = '{monday}', week_points = points,
                                   week_points_at = points_at"""
            for table in ("scores", "users")
        ),
        f"""INSERT INTO chat_scores (chat_id, user_id, points, points_at, week, week_points,
                                     week_points_at)
        SELECT q.chat_id, a.user_id, SUM(a.points), {reached}, '{monday}', SUM(a.points), {reached}
        FROM answers a JOIN quiz_items i ON i.id = a.item_id JOIN quizzes q ON q.id = i.quiz_id
        WHERE q.kind = 'round' GROUP BY q.chat_id, a.user_id""",
    ]


def fill(path: Path, questions: Path, users: int) -> BoardFigures:
    """Create the schema and banks the bot's way, then fill the rest with plain SQL."""
    figures = BoardFigures()
    started = time.perf_counter()
    for k in range(BANKS):
        write_bank(questions, f"lb-{k + 1}", BANK_QUESTIONS)
    db = Database.open(f"sqlite:///{path}")
    try:
        import_directory(db, questions)
    finally:
        db.dispose()
    connection = sqlite3.connect(path)
    try:
        # A throw-away database: durability is not what is measured here.
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-262144")
        connection.execute(
            """CREATE TEMP TABLE bench_banks AS
            SELECT ROW_NUMBER() OVER (ORDER BY bank_id) - 1 AS idx, bank_id,
                   MIN(id) AS base, COUNT(*) AS count FROM questions GROUP BY bank_id"""
        )
        with connection:
            for statement in _fill_sql(users, this_monday()):
                connection.execute(statement)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for table in ("users", "scores", "quizzes", "quiz_items", "answers"):
            figures.rows[table] = connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        connection.close()
    figures.fill_seconds = time.perf_counter() - started
    return figures


Caller = tuple[int, str]  # a user id and a bank they played
Arguments = Callable[[Caller], dict[str, Any]]


def _tables(users: int) -> dict[str, Arguments]:
    """leaderboard() arguments of each timed table, for one caller (a group's: a member)."""
    now = datetime.now(UTC)

    def member(caller: Caller) -> int:
        return GROUP_EVERY * (1 + caller[0] % (users // GROUP_EVERY))

    return {
        "overall": lambda c: {"user_id": c[0]},
        "per bank": lambda c: {"user_id": c[0], "bank_id": c[1]},
        "week overall": lambda c: {"user_id": c[0], "week_of": now},
        "week per bank": lambda c: {"user_id": c[0], "bank_id": c[1], "week_of": now},
        "group": lambda c: {"user_id": member(c), "chat_id": GROUP},
        "group week": lambda c: {"user_id": member(c), "chat_id": GROUP, "week_of": now},
    }


def time_calls(path: Path, figures: BoardFigures, users: int, rng: random.Random) -> None:
    """Time `leaderboard()` for random callers, each table in turn, within its time budget."""
    db = Database.open(f"sqlite:///{path}")
    try:
        banks = _banks_played(path)
        callers: list[Caller] = []
        for _ in range(WARM_UP_CALLS + CALLERS):
            user_id = rng.randint(1, users)
            callers.append((user_id, rng.choice(banks[user_id])))
        for name, arguments in _tables(users).items():
            figures.ms[name] = _timed_table(db, [arguments(c) for c in callers])
    finally:
        db.dispose()


def _timed_table(db: Database, calls: list[dict[str, Any]]) -> list[float]:
    """ms per call after the warm-up ones (they also fill SQLite's page cache)."""
    times, deadline = [], time.perf_counter() + BUDGET_SECONDS
    for n, arguments in enumerate(calls):
        started = time.perf_counter()
        with db.session() as session:
            board = leaderboard(session, **arguments)
        elapsed = 1000 * (time.perf_counter() - started)
        assert board.top, f"the filled database has no table for {arguments}"
        if n >= WARM_UP_CALLS:
            times.append(elapsed)
        if time.perf_counter() > deadline:
            break
    return times


def _banks_played(path: Path) -> dict[int, list[str]]:
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT user_id, bank_id FROM scores").fetchall()
    finally:
        connection.close()
    played: dict[int, list[str]] = {}
    for user_id, bank_id in rows:
        played.setdefault(user_id, []).append(bank_id)
    return played


# Commands sent to the running bot in turn, by the period of the table they ask for.
BOT_COMMANDS = (
    ("all time", "/leaderboard"),
    ("all time", "/leaderboard lb-{bank}"),
    ("this week", "/leaderboard week"),
    ("this week", "/leaderboard week lb-{bank}"),
)


async def through_bot(
    fake: BenchTelegram,
    workdir: Path,
    path: Path,
    questions: Path,
    users: int,
    figures: BoardFigures,
) -> None:
    """`/leaderboard` (overall and per bank, all time and this week, in turn) sent to the bot."""
    child = await procs.start_quizbot(
        fake, workdir, "quizbot-leaderboard", path, questions, limits=False
    )
    try:
        for n in range(BOT_CALLS):
            user_id = 1 + (n * 4999) % users
            period, command = BOT_COMMANDS[n % len(BOT_COMMANDS)]
            elapsed = await _ask(fake, user_id, command.format(bank=1 + n % BANKS))
            figures.bot_ms.setdefault(period, []).append(elapsed)
    finally:
        status = await procs.stop_async(child)
    if status not in (0, 130, -2):
        figures.notes.append(f"quizbot exited with status {status}:\n{child.log_tail()}")


async def _ask(fake: BenchTelegram, user_id: int, command: str) -> float:
    """Send a command as a known user; ms from served to the bot's sendMessage."""
    user = fake.user(user_id, f"User {user_id}", f"user{user_id}" if user_id % 3 else None)
    replied: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    def on_call(call: Call) -> None:
        if call.method == "sendMessage" and not replied.done():
            replied.set_result(call.at)

    fake.listeners[user_id] = on_call
    user.send(command)
    update_id = fake.last_update_id
    try:
        at = await asyncio.wait_for(replied, 60)
    finally:
        del fake.listeners[user_id]
    return 1000 * (at - fake.served[update_id])


def summary(values: list[float]) -> tuple[float, float]:
    """(mean, p99) of ms figures."""
    if not values:
        return float("nan"), float("nan")
    ordered = sorted(values)
    return statistics.fmean(ordered), ordered[max(0, int(0.99 * len(ordered) + 0.5) - 1)]
