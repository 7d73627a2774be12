"""/leaderboard on a big database: 100,000 users and 2,000,000 answers, filled with SQL."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import procs
from bench.bankgen import write_bank
from bench.fake import BenchTelegram
from bot.library import import_directory
from storage.db import Database
from storage.scores import leaderboard
from tests.fakebot import Call

USERS = 100_000
ANSWERS_PER_USER = 20  # in two quizzes: 2,000,000 answers in all
BANKS = 5
BANK_QUESTIONS = 200
CALLERS = 200
WARM_UP_CALLS = 5
BOT_CALLS = 20
EPOCH = 1_735_689_600  # 2025-01-01 00:00:00 UTC: answers spread over the year after
# SQLAlchemy's own text form of a DateTime on SQLite, so the models read the rows back.
STAMP = "strftime('%Y-%m-%d %H:%M:%S', {seconds}, 'unixepoch') || '.000000'"


@dataclass
class BoardFigures:
    """Fill time, row counts and per-call times in ms."""

    fill_seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    overall_ms: list[float] = field(default_factory=list)
    bank_ms: list[float] = field(default_factory=list)
    bot_ms: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _fill_sql(users: int) -> list[str]:
    """The statements that fill users, chats, quizzes, items, answers, scores, totals."""
    total = "CASE k.k WHEN 0 THEN 5 + u.id % 11 ELSE 15 - u.id % 11 END"
    item_at = STAMP.format(seconds=f"{EPOCH} + q.id * 157 + i.position * 7")
    return [
        # Two quizzes per user, on two different banks, of 5..15 and 15..5 questions.
        f"""WITH RECURSIVE u(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM u WHERE n < {users})
        INSERT INTO users (id, first_name, username, created_at, points, answered, correct)
        SELECT n, 'User ' || n, CASE WHEN n % 3 THEN 'user' || n END,
               {STAMP.format(seconds=EPOCH)}, 0, 0, 0 FROM u""",
        "INSERT INTO chats (id, type, title) SELECT id, 'private', NULL FROM users",
        f"""INSERT INTO quizzes (id, chat_id, user_id, bank_id, status, position, total, score,
                                 created_at, finished_at, summary_sent_at)
        SELECT 2 * u.id + k.k - 1, u.id, u.id, b.bank_id, 'finished', {total}, {total}, 0,
               {STAMP.format(seconds=f"{EPOCH} + (2 * u.id + k.k) * 157")},
               {STAMP.format(seconds=f"{EPOCH} + (2 * u.id + k.k) * 157 + 140")},
               {STAMP.format(seconds=f"{EPOCH} + (2 * u.id + k.k) * 157 + 140")}
        FROM users u
        CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1) k
        JOIN bench_banks b ON b.idx = (u.id + k.k * (1 + u.id % 4)) % {BANKS}
        ORDER BY 1""",
        f"""WITH RECURSIVE p(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM p WHERE n < 14)
        INSERT INTO quiz_items (quiz_id, position, question_id, option_order, poll_id,
                                message_id, sent_at)
        SELECT q.id, p.n, b.base + (q.id * 7919 + p.n * 104729) % b.count, '[0, 1, 2, 3]',
               CAST(5000000000000000000 + q.id * 16 + p.n AS TEXT), p.n + 2,
               {STAMP.format(seconds=f"{EPOCH} + q.id * 157 + p.n * 7")}
        FROM quizzes q JOIN p ON p.n < q.total JOIN bench_banks b ON b.bank_id = q.bank_id
        ORDER BY q.id, p.n""",
        # Right or wrong by a fixed hash, each user with their own skill (35..94 %).
        f"""INSERT INTO answers (id, item_id, user_id, question_id, chosen, correct,
                                 answered_at, feedback_sent_at)
        SELECT i.id, i.id, q.user_id, i.question_id, '[0]',
               (i.id * 2654435761) % 100 < 35 + (q.user_id * 37) % 60, {item_at}, {item_at}
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
            for statement in _fill_sql(users):
                connection.execute(statement)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for table in ("users", "scores", "quizzes", "quiz_items", "answers"):
            figures.rows[table] = connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        connection.close()
    figures.fill_seconds = time.perf_counter() - started
    return figures


def time_calls(path: Path, figures: BoardFigures, users: int, rng: random.Random) -> None:
    """Time `leaderboard()` for random callers, overall and for a bank they played."""
    db = Database.open(f"sqlite:///{path}")
    try:
        banks = _banks_played(path)
        callers = [rng.randint(1, users) for _ in range(WARM_UP_CALLS + CALLERS)]
        for n, user_id in enumerate(callers):
            overall = _timed(db, None, user_id)
            by_bank = _timed(db, rng.choice(banks[user_id]), user_id)
            if n >= WARM_UP_CALLS:  # the first calls also fill SQLite's page cache
                figures.overall_ms.append(overall)
                figures.bank_ms.append(by_bank)
    finally:
        db.dispose()


def _timed(db: Database, bank_id: str | None, user_id: int) -> float:
    started = time.perf_counter()
    with db.session() as session:
        board = leaderboard(session, bank_id=bank_id, user_id=user_id)
    elapsed = 1000 * (time.perf_counter() - started)
    assert board.top, "the filled database has no leaderboard"
    return elapsed


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


async def through_bot(
    fake: BenchTelegram,
    workdir: Path,
    path: Path,
    questions: Path,
    users: int,
    figures: BoardFigures,
) -> None:
    """`/leaderboard` (overall and per bank, alternately) sent to the running quiz bot."""
    env = procs.bot_env(
        fake,
        {
            "QUIZBOT_DATABASE_URL": f"sqlite:///{path}",
            "QUIZBOT_QUESTIONS_DIR": str(questions),
            "QUIZBOT_RATE_LIMIT": "false",
        },
    )
    child = await procs.start(
        "quizbot-leaderboard", [procs.script("quizbot"), "run"], env, workdir, fake
    )
    try:
        for n in range(BOT_CALLS):
            user_id = 1 + (n * 4999) % users
            command = "/leaderboard" if n % 2 == 0 else f"/leaderboard lb-{1 + n % BANKS}"
            figures.bot_ms.append(await _ask(fake, user_id, command))
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
        at = await asyncio.wait_for(replied, 30)
    finally:
        del fake.listeners[user_id]
    return 1000 * (at - fake.served[update_id])


def summary(values: list[float]) -> tuple[float, float]:
    """(mean, p99) of ms figures."""
    if not values:
        return float("nan"), float("nan")
    ordered = sorted(values)
    return statistics.fmean(ordered), ordered[max(0, int(0.99 * len(ordered) + 0.5) - 1)]
