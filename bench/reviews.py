"""Choosing the next review questions: 100,000 learners with 50 cards each (5,000,000 cards).

The schema and the banks are made the bot's way (Database.open, import_directory), the users and
cards with plain SQL that both SQLite and PostgreSQL run. Then `learning.due_questions` (what
/review asks first) and `learning.due_summary` are timed for callers spread over the learners,
one session per call, as the bot does.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.bankgen import write_bank
from bot.library import import_directory
from storage import learning
from storage.db import Database

LEARNERS = 100_000
CARDS_EACH = 50
BANKS = 5
BANK_QUESTIONS = 1_000
CALLERS = 200
WARM_UP = 5
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@dataclass
class ReviewFigures:
    """Fill time, row counts and per-call times in ms, for one database."""

    database: str
    fill_seconds: float = 0.0
    cards: int = 0
    next_ms: list[float] = field(default_factory=list)
    summary_ms: list[float] = field(default_factory=list)


def _fill_sql(learners: int, questions: int) -> list[str]:
    """Users, then 50 cards each over the banks' questions; `{due_at}` is filled in per
    database, spreading the cards over a year around NOW, so that about half of them are due."""
    due = f"'{NOW.isoformat(sep=' ')}'"
    return [
        f"""WITH RECURSIVE u(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM u WHERE n < {learners})
        INSERT INTO users (id, first_name, created_at, points, answered, correct, streak, hidden)
        SELECT n, 'Learner ' || n, {due}, 0, 0, 0, 0, FALSE FROM u""",
        f"""WITH RECURSIVE k(n) AS (
            SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < {CARDS_EACH - 1}
        )
        INSERT INTO cards (user_id, question_id, state, step, stability, difficulty, due,
                           last_review, last_right, active)
        SELECT u.id, q.first + (u.id * 7919 + k.n * 4729) % {questions}, 2, NULL, 3.0, 5.0,
               {{due_at}}, NULL, (u.id + k.n) % 3 > 0, TRUE
        FROM users u CROSS JOIN k CROSS JOIN (SELECT MIN(id) AS first FROM questions) q""",
    ]


def _due_at(dialect: str, seconds: str) -> str:
    if dialect == "sqlite":  # SQLAlchemy's own text form of an aware DateTime on SQLite
        moment = f"'{NOW:%Y-%m-%d %H:%M:%S}', {seconds} || ' seconds'"
        return f"strftime('%Y-%m-%d %H:%M:%S', {moment}) || '.000000'"
    return f"TIMESTAMPTZ '{NOW.isoformat()}' + {seconds} * INTERVAL '1 second'"


def fill(url: str, questions_dir: Path, learners: int) -> tuple[Database, ReviewFigures]:
    """A database with the banks, the learners and their cards; its figures so far."""
    started = time.perf_counter()
    if not questions_dir.exists():
        for k in range(BANKS):
            write_bank(questions_dir, f"rv-{k + 1}", BANK_QUESTIONS)
    db = Database.open(url)
    import_directory(db, questions_dir)
    figures = ReviewFigures(db.engine.dialect.name)
    seconds = "(((u.id * 7919 + k.n * 104729) % 31536000) - 15768000)"
    with db.engine.begin() as connection:
        for statement in _fill_sql(learners, BANKS * BANK_QUESTIONS):
            sql = statement.replace("{due_at}", _due_at(figures.database, seconds))
            connection.execute(text(sql))
        if figures.database == "postgresql":
            connection.execute(text("ANALYZE"))
        figures.cards = int(connection.execute(text("SELECT COUNT(*) FROM cards")).scalar_one())
    figures.fill_seconds = time.perf_counter() - started
    return db, figures


def time_calls(db: Database, figures: ReviewFigures, learners: int, rng: random.Random) -> None:
    """Time what /review asks the database, for callers spread over the learners."""
    callers = [rng.randint(1, learners) for _ in range(CALLERS + WARM_UP)]
    for n, user_id in enumerate(callers):
        calls: list[tuple[list[float], Callable[[Session], object]]] = [
            (figures.next_ms, partial(learning.due_questions, user_id=user_id, now=NOW, limit=20)),
            (figures.summary_ms, partial(learning.due_summary, user_id=user_id, now=NOW)),
        ]
        for timings, call in calls:
            started = time.perf_counter()
            with db.session() as session:
                call(session)
            if n >= WARM_UP:
                timings.append(1000 * (time.perf_counter() - started))


def summary(values: list[float]) -> tuple[float | None, float | None]:
    """Mean and p99 (nearest rank) in ms."""
    if not values:
        return None, None
    ordered = sorted(values)
    return statistics.fmean(ordered), ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def run(url: str, questions_dir: Path, learners: int = LEARNERS) -> ReviewFigures:
    """Fill and time one database."""
    db, figures = fill(url, questions_dir, learners)
    try:
        time_calls(db, figures, learners, random.Random(11))
    finally:
        db.dispose()
    return figures
