"""Statements run by storage.prepared read and write exactly what SQLAlchemy's own execution
does, on SQLite and PostgreSQL, and fail the same way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.library import import_bank
from storage import prepared
from storage.db import Database, table_of
from storage.models import Card, QuestionRow, User, utcnow
from tests.test_storage import demo_bank

USERS, CARDS, QUESTIONS = table_of(User), table_of(Card), table_of(QuestionRow)
# Every kind of value the answer path reads: datetimes (aware), JSON lists, booleans, floats.
READ = (
    select(
        CARDS.c.due,
        CARDS.c.last_review,
        CARDS.c.last_right,
        CARDS.c.stability,
        QUESTIONS.c.options,
        QUESTIONS.c.correct,
        USERS.c.first_name,
    )
    .join_from(CARDS, QUESTIONS, QUESTIONS.c.id == CARDS.c.question_id)
    .join(USERS, USERS.c.id == CARDS.c.user_id)
    .where(CARDS.c.user_id == bindparam("user"))
    .order_by(CARDS.c.question_id)
)
WRITE = (
    update(CARDS)
    .where(CARDS.c.user_id == bindparam("user"), CARDS.c.question_id == bindparam("question"))
    .values(due=bindparam("due"), stability=CARDS.c.stability + 1.5, last_right=True)
)


def a_card(db: Database, user_id: int = 7) -> list[int]:
    """A user with a card for each question of the demo bank; the questions' ids."""
    import_bank(db, demo_bank())
    with db.session() as session:
        session.add(User(id=user_id, first_name="Ann"))
        ids = list(session.scalars(select(QuestionRow.id).order_by(QuestionRow.id)))
        for question_id in ids:
            session.add(
                Card(
                    user_id=user_id,
                    question_id=question_id,
                    state=1,
                    step=0,
                    stability=2.0,
                    difficulty=5.0,
                    due=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
                    last_review=None,
                    last_right=False,
                    active=True,
                )
            )
    return ids


def test_rows_read_as_sqlalchemy_reads_them(db: Database):
    a_card(db)
    with db.session() as session:
        expected = [tuple(row) for row in session.execute(READ, {"user": 7})]
        got = prepared.execute(session, READ, {"user": 7})
        nobody = prepared.execute(session, READ, {"user": 8})
    assert got == expected and nobody == []
    assert got[0][0] == datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)  # aware, to the µs
    assert isinstance(got[0][2], bool) and isinstance(got[0][4], list)


def test_writes_convert_values_and_keep_literals(db: Database):
    first, second = a_card(db)
    due = utcnow() + timedelta(days=3)
    with db.session() as session:
        both = [{"user": 7, "question": q, "due": due} for q in (first, second)]
        prepared.execute_many(session, WRITE, both)
        prepared.execute(session, WRITE, {"user": 7, "question": first, "due": due})
    with db.session() as session:
        rows = session.execute(
            select(Card.question_id, Card.due, Card.stability, Card.last_right).order_by(
                Card.question_id
            )
        ).all()
    assert rows == [(first, due, 5.0, True), (second, due, 3.5, True)]


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it(db: Database):
    first, _ = a_card(db)
    twin = {"user_id": 7, "question_id": first, "state": 1, "due": utcnow()}
    twin |= {"last_right": True, "active": True}
    with pytest.raises(IntegrityError), db.session() as session:
        prepared.execute(session, WRITE, {"user": 7, "question": first, "due": utcnow()})
        prepared.execute(session, insert(CARDS), twin)
    with db.session() as session:  # rolled back: nothing half-written
        assert session.scalar(select(Card.stability).where(Card.question_id == first)) == 2.0


def test_a_statement_needing_python_defaults_is_refused(db: Database):
    # users.created_at has a Python-side default this module does not run.
    with pytest.raises(ValueError, match="defaults"), db.session() as session:
        prepared.execute(session, insert(USERS), {"id": 9, "first_name": "Bob"})
