"""Learners, answers and rounds written with the real storage functions, for the web tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from bot.library import import_bank
from bot.web import CACHE_SECONDS, Clock, create_web_app, serving
from quiz.bank import load_bank_file
from storage import banks, quizzes, rounds, scores
from storage.db import Database
from tests.conftest import QUESTIONS
from tests.processes import free_port

BANK_ID = "russia-iran-partnership"  # the shipped bank: 30 questions


class MovableClock:
    """The web app's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def past_the_cache(self) -> None:
        """Move on until every table the web app keeps is read afresh."""
        self.now += timedelta(seconds=CACHE_SECONDS)


def load_shipped_bank(db: Database) -> None:
    """Store the shipped bank (public)."""
    import_bank(db, load_bank_file(QUESTIONS / f"{BANK_ID}.yaml"))


def learner(db: Database, user_id: int, name: str, *, hidden: bool = False) -> None:
    """Record a user as a message from them would, optionally hidden with /privacy."""
    with db.session() as session:
        quizzes.upsert_user(session, user_id, name, None)
        if hidden:
            scores.set_hidden(session, user_id, True)


def play(db: Database, user_id: int, right: int, wrong: int = 0, bank_id: str = BANK_ID) -> None:
    """A solo quiz in the learner's private chat: `right` right answers, then `wrong` wrong."""
    with db.session() as session:
        quizzes.upsert_chat(session, user_id, "private", None)
        questions = banks.active_questions(session, bank_id)[: right + wrong]
        quiz = quizzes.start_quiz(
            session,
            chat_id=user_id,
            user_id=user_id,
            bank_id=bank_id,
            items=[(q.id, list(range(len(q.options)))) for q in questions],
        )
        for position in range(right + wrong):
            session.expire(quiz)  # record_answer moved it on in SQL, behind the ORM's back
            view = quizzes.current_item(session, quiz)
            assert view is not None
            correct = position < right
            quizzes.record_answer(session, view, user_id=user_id, chosen=[0], correct=correct)


def group_round(
    db: Database,
    chat_id: int,
    title: str,
    verdicts: Mapping[int, bool],
    at: datetime | None = None,
) -> None:
    """A one-question round in a group, asked at `at` (default: now).

    Every learner in `verdicts` answers it at once, in turn a millisecond apart: 1000 points
    for a right answer.
    """
    asked = at or datetime.now(UTC)
    with db.session() as session:
        quizzes.upsert_chat(session, chat_id, "supergroup", title)
        question = banks.active_questions(session, BANK_ID)[0]
        quiz = quizzes.start_quiz(
            session,
            chat_id=chat_id,
            user_id=next(iter(verdicts)),
            bank_id=BANK_ID,
            items=[(question.id, list(range(len(question.options))))],
            open_period=20,
        )
        view = quizzes.current_item(session, quiz)
        assert view is not None
        quizzes.mark_sent(session, view.item.id, message_id=1, poll_id=None, at=asked)
        for n, (user_id, correct) in enumerate(verdicts.items()):
            now = asked + timedelta(milliseconds=n)
            points = rounds.record_round_answer(
                session, view, user_id=user_id, chosen=[0], correct=correct, now=now
            )
            assert points == (1000 if correct else 0)


@asynccontextmanager
async def web_server(db: Database, now: Clock = lambda: datetime.now(UTC)) -> AsyncIterator[str]:
    """The web leaderboard on a free local port; yields its base URL."""
    port = free_port()
    async with serving(create_web_app(db, now), "127.0.0.1", port):
        yield f"http://127.0.0.1:{port}"
