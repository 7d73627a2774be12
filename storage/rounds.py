"""Live rounds in groups: timed answers worth speed points, each question's results, the table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Integer, case, func, select, update
from sqlalchemy.orm import Session

from quiz.scoring import answer_points, streak_before
from storage.models import Answer, Quiz, QuizItem, QuizKind, QuizStatus, User, utcnow
from storage.quizzes import (
    ItemView,
    QuizState,
    active_quiz,
    add_round_points,
    count_answer,
    current_item,
    finish_quiz,
)

_EPOCH = datetime.fromtimestamp(0, UTC)


@dataclass(frozen=True)
class Sent:
    """Where and when a round's question went out."""

    message_id: int
    at: datetime


def _delivery(session: Session, item_id: int) -> tuple[Sent | None, datetime | None]:
    """Where and when the item went out (None: not yet), and when its time was up."""
    message_id, sent_at, closed_at = session.execute(
        select(QuizItem.message_id, QuizItem.sent_at, QuizItem.closed_at).where(
            QuizItem.id == item_id
        )
    ).one()
    sent = Sent(message_id, sent_at) if message_id is not None and sent_at is not None else None
    return sent, closed_at


def record_round_answer(
    session: Session,
    view: ItemView,
    *,
    user_id: int,
    chosen: Sequence[int],
    correct: bool,
    now: datetime,
) -> int | None:
    """Store a member's first answer with its speed points; None when it doesn't count.

    Late answers (by the round's clock) and repeats don't count. The global and per-bank
    tables get one point per right answer, like solo quizzes: their units never mix.
    """
    sent, closed_at = _delivery(session, view.item.id)
    period = view.quiz.open_period
    if not view.is_current or period is None or sent is None or closed_at is not None:
        return None
    elapsed = (now - sent.at).total_seconds()
    if elapsed >= period:
        return None
    streak = streak_before(_results_so_far(session, view.quiz.id, user_id), view.item.position)
    points = answer_points(correct=correct, elapsed=elapsed, period=period, streak=streak)
    # A round explains each question to everyone when time is up: no feedback is owed.
    counted = count_answer(
        session, view, user_id, chosen, correct, now=now, points=points, explained=True
    )
    if counted is None:
        return None
    add_round_points(session, chat_id=view.quiz.chat_id, user_id=user_id, points=points, now=now)
    return points


def _results_so_far(session: Session, quiz_id: int, user_id: int) -> dict[int, bool]:
    """Right or wrong by question position, for the member's answers in this round."""
    rows = session.execute(
        select(QuizItem.position, Answer.correct)
        .join(QuizItem, QuizItem.id == Answer.item_id)
        .where(QuizItem.quiz_id == quiz_id, Answer.user_id == user_id)
    )
    return {position: correct for position, correct in rows}


@dataclass(frozen=True)
class Fastest:
    """Who gave the first right answer to a question, and how many seconds it took."""

    first_name: str
    username: str | None
    seconds: float


@dataclass(frozen=True)
class QuestionResult:
    """How the group did on one question."""

    answered: int
    right: int
    fastest: Fastest | None


def question_result(session: Session, item_id: int, sent_at: datetime) -> QuestionResult:
    """Answers to a question, right ones, and the fastest right one."""
    rows = session.execute(
        select(Answer.correct, Answer.answered_at, User.first_name, User.username)
        .join(User, User.id == Answer.user_id)
        .where(Answer.item_id == item_id)
        .order_by(Answer.answered_at, Answer.id)
    ).all()
    first = next((row for row in rows if row.correct), None)
    fastest = None
    if first is not None:
        seconds = (first.answered_at - sent_at).total_seconds()
        fastest = Fastest(first.first_name, first.username, max(seconds, 0.0))
    return QuestionResult(len(rows), sum(row.correct for row in rows), fastest)


def close_question(session: Session, view: ItemView, now: datetime) -> None:
    """Time is up and the results are out: move the round on, or finish it after the last."""
    session.execute(update(QuizItem).where(QuizItem.id == view.item.id).values(closed_at=now))
    quiz = session.get_one(Quiz, view.quiz.id)
    if quiz.status != QuizStatus.ACTIVE:
        return  # stopped meanwhile
    quiz.position = view.item.position + 1
    if quiz.position >= quiz.total:
        finish_quiz(quiz)


@dataclass(frozen=True)
class Step:
    """What a running round waits on: its current question and when that went out."""

    view: ItemView
    sent: Sent | None


def current_step(session: Session, quiz_id: int) -> Step | None:
    """The round's current question; None once the round is over."""
    quiz = session.get(Quiz, quiz_id)
    if quiz is None or quiz.status != QuizStatus.ACTIVE:
        return None
    view = current_item(session, quiz)
    return Step(view, _delivery(session, view.item.id)[0]) if view is not None else None


def round_state(session: Session, quiz_id: int) -> QuizState:
    """A round's row as plain data."""
    return QuizState.of(session.get_one(Quiz, quiz_id))


def abandon(session: Session, chat_id: int) -> None:
    """Stop the chat's quiz without a table: the bot was removed and can't post there."""
    quiz = active_quiz(session, chat_id)
    if quiz is not None:
        abandon_round(session, quiz.id)


def abandon_round(session: Session, quiz_id: int) -> None:
    """End the round, or give up its table, without posting: the bot may not post there."""
    quiz = session.get_one(Quiz, quiz_id)
    if quiz.status == QuizStatus.ACTIVE:
        finish_quiz(quiz, status=QuizStatus.STOPPED)
    if quiz.summary_sent_at is None:
        quiz.summary_sent_at = utcnow()


def table_owed(session: Session, quiz_id: int) -> bool:
    """The round is over and its table not posted yet."""
    quiz = session.get_one(Quiz, quiz_id)
    return quiz.status != QuizStatus.ACTIVE and quiz.summary_sent_at is None


def rounds_to_resume(session: Session, now: datetime) -> list[QuizState]:
    """Rounds still running, or over without their table, that no live process runs."""
    quizzes = session.scalars(
        select(Quiz)
        .where(
            Quiz.kind == QuizKind.ROUND,
            (Quiz.status == QuizStatus.ACTIVE) | Quiz.summary_sent_at.is_(None),
            _lease_free(now),
        )
        .order_by(Quiz.id)
    )
    return [QuizState.of(quiz) for quiz in quizzes]


def claim_round(session: Session, quiz_id: int, owner: str, until: datetime, now: datetime) -> bool:
    """Run the round until `until` unless renewed: True if free, expired, or already ours.

    One conditional UPDATE, so two processes cannot both take the same round.
    """
    result = session.execute(
        update(Quiz)
        .where(Quiz.id == quiz_id, _lease_free(now) | (Quiz.lease_owner == owner))
        .values(lease_owner=owner, lease_until=until)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def renew_leases(session: Session, quiz_ids: Sequence[int], owner: str, until: datetime) -> None:
    """Extend this process's leases on the rounds it runs (taken ones stay taken)."""
    if quiz_ids:
        session.execute(
            update(Quiz)
            .where(Quiz.id.in_(quiz_ids), Quiz.lease_owner == owner)
            .values(lease_until=until)
            .execution_options(synchronize_session=False)
        )


def release_leases(session: Session, quiz_ids: Sequence[int], owner: str) -> None:
    """Let go of rounds this process stops running, so the next start takes them at once."""
    if quiz_ids:
        session.execute(
            update(Quiz)
            .where(Quiz.id.in_(quiz_ids), Quiz.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )


def _lease_free(now: datetime) -> ColumnElement[bool]:
    return Quiz.lease_owner.is_(None) | (Quiz.lease_until < now)


@dataclass(frozen=True)
class Standing:
    """A member's line in a round's table."""

    user_id: int
    first_name: str
    username: str | None
    points: int
    right: int
    answered: int
    reached: datetime | None  # when they last scored: earlier wins a tie


def round_table(session: Session, quiz_id: int) -> list[Standing]:
    """Everyone who answered in the round, best first; a tie goes to who got there first."""
    rows = session.execute(
        select(
            Answer.user_id,
            User.first_name,
            User.username,
            func.sum(Answer.points),
            func.sum(case((Answer.correct, 1), else_=0), type_=Integer()),
            func.count(),
            func.max(case((Answer.points > 0, Answer.answered_at))),
        )
        .join(QuizItem, QuizItem.id == Answer.item_id)
        .join(User, User.id == Answer.user_id)
        .where(QuizItem.quiz_id == quiz_id)
        .group_by(Answer.user_id, User.first_name, User.username)
    )
    # Members without points have no `reached`: they come last, by user id.
    return sorted(
        (Standing(*row) for row in rows),
        key=lambda s: (-s.points, s.reached is None, s.reached or _EPOCH, s.user_id),
    )
