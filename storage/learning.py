"""Spaced review: each learner's card for each question, scheduled by FSRS, and day streaks.

Every answer, in a quiz, a review or a group's round, is a review of the learner's card for
that question: wrong is rated Again, right Good, or Easy when it came in under a third of the
time learners usually take over it. The `fsrs` package schedules the card; the answer keeps
its rating and time, the review log the scheduler's parameters can later be fitted to.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from storage import prepared
from storage.banks import reachable_by
from storage.db import table_of, upserting_insert, zone_of
from storage.models import BankRow, Card, QuestionRow, QuestionTime, User

# The package's published parameters until the bot's own review log is fitted; its interval
# fuzzing spreads the reviews of questions learned together over several days.
SCHEDULER = Scheduler()
EASY_SHARE = 1 / 3  # of the usual time: a right answer faster than that is rated Easy
LONGEST_TIMED = 600.0  # seconds: a longer wait is an answer given later, not time spent on it

_CARDS, _QUESTIONS, _USERS = table_of(Card), table_of(QuestionRow), table_of(User)
_TIMES = table_of(QuestionTime)
_CARD_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")


@dataclass(frozen=True)
class Before:
    """What an answer's review needs to know first: the card, the usual time, the zone."""

    card: FsrsCard | None  # None: the learner's first answer to this question
    usual_seconds: float | None  # None: nobody's answer to it was timed yet
    zone: ZoneInfo  # the learner's, where their days (and streak) start


@dataclass(frozen=True)
class Recall:
    """What an answer did to the learner's memory of the question."""

    rating: Rating
    due: datetime  # when the question is next due for review
    at: datetime  # when the answer was given


# One statement for the card, the question's timing and the learner's zone.
_BEFORE = (
    select(
        *(_CARDS.c[name] for name in _CARD_FIELDS),
        _TIMES.c.timed_answers,
        _TIMES.c.answer_seconds,
        _USERS.c.zone,
    )
    .select_from(_QUESTIONS)
    .join(_USERS, _USERS.c.id == bindparam("user"))
    .outerjoin(
        _CARDS, (_CARDS.c.question_id == _QUESTIONS.c.id) & (_CARDS.c.user_id == _USERS.c.id)
    )
    .outerjoin(_TIMES, _TIMES.c.question_id == _QUESTIONS.c.id)
    .where(_QUESTIONS.c.id == bindparam("question"))
)


def before_answer(session: Session, user_id: int, question_id: int) -> Before:
    """The card and what rating the answer needs (the user's row exists: the caller made it)."""
    (row,) = prepared.execute(session, _BEFORE, {"user": user_id, "question": question_id})
    stored = dict(zip(_CARD_FIELDS, row, strict=False))
    card = None
    if stored["state"] is not None:
        card = FsrsCard(
            card_id=question_id,  # given: without one, fsrs sleeps 1 ms to make a unique id
            state=State(stored["state"]),
            step=stored["step"],
            stability=stored["stability"],
            difficulty=stored["difficulty"],
            due=_utc(stored["due"]),
            last_review=_utc(stored["last_review"]) if stored["last_review"] else None,
        )
    timed, seconds, zone = row[len(_CARD_FIELDS) :]
    usual = seconds / timed if timed else None
    return Before(card, usual, learner_zone(zone, zone_of(session)))


def learner_zone(name: str | None, default: ZoneInfo) -> ZoneInfo:
    """The learner's own zone, else the bot's (a zone no longer known falls back too)."""
    if name is None:
        return default
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return default


def rate(correct: bool, seconds: float | None, usual_seconds: float | None) -> Rating:
    """Again when wrong; Easy when right in under a third of the usual time; else Good."""
    if not correct:
        return Rating.Again
    if seconds is not None and usual_seconds is not None and seconds < usual_seconds * EASY_SHARE:
        return Rating.Easy
    return Rating.Good


def answer_seconds(sent_at: datetime | None, now: datetime) -> float | None:
    """Seconds from the question to its answer; None when unknown or too long to mean much."""
    if sent_at is None:
        return None
    seconds = (now - sent_at).total_seconds()
    return seconds if 0 <= seconds <= LONGEST_TIMED else None


def after_answer(
    session: Session,
    before: Before,
    *,
    user_id: int,
    question_id: int,
    rating: Rating,
    now: datetime,
    seconds: float | None,
) -> Recall:
    """Schedule the card by the answer's rating, and count its time into the usual time.

    A wrong answer is due again at once (FSRS would wait a learning step of a minute or more).
    """
    now = _utc(now)
    card, _ = SCHEDULER.review_card(
        before.card or FsrsCard(card_id=question_id, due=now),  # see before_answer
        rating,
        now,
        review_duration=round(seconds * 1000) if seconds is not None else None,
    )
    due = now if rating == Rating.Again else card.due
    row = {
        "user_id": user_id,
        "question_id": question_id,
        "state": int(card.state),
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": due,
        "last_review": now,
        "last_right": rating != Rating.Again,
        "active": True,
    }
    _save_card(session, row)
    if seconds is not None:
        _add_time(session, question_id, seconds)
    return Recall(rating, due, now)


_TIMED = (
    update(_TIMES)
    .where(_TIMES.c.question_id == bindparam("question"))
    .values(
        timed_answers=_TIMES.c.timed_answers + 1,
        answer_seconds=_TIMES.c.answer_seconds + bindparam("seconds"),
    )
)


def _add_time(session: Session, question_id: int, seconds: float) -> None:
    """Count one more timed answer to the question."""
    values = {"question": question_id, "seconds": seconds}
    upsert = _time_upsert(session.get_bind().dialect.name)
    if upsert is not None:
        prepared.execute(session, upsert, values)
    elif not session.execute(_TIMED, values).rowcount:  # type: ignore[attr-defined]
        row = {"question_id": question_id, "timed_answers": 1, "answer_seconds": seconds}
        session.execute(_TIMES.insert().values(row))


@functools.cache
def _time_upsert(dialect: str) -> Any | None:
    upserting = upserting_insert(dialect, _TIMES)
    if upserting is None:
        return None
    new = upserting.values(
        question_id=bindparam("question"), timed_answers=1, answer_seconds=bindparam("seconds")
    )
    added = {
        "timed_answers": _TIMES.c.timed_answers + 1,
        "answer_seconds": _TIMES.c.answer_seconds + new.excluded.answer_seconds,
    }
    return new.on_conflict_do_update(index_elements=["question_id"], set_=added)


def _save_card(session: Session, row: dict[str, Any]) -> None:
    upsert = _card_upsert(session.get_bind().dialect.name)
    if upsert is not None:
        prepared.execute(session, upsert, row)
        return
    # Other databases: update, or insert when there was no card.
    changed = session.execute(
        update(_CARDS)
        .where(_CARDS.c.user_id == row["user_id"], _CARDS.c.question_id == row["question_id"])
        .values({k: v for k, v in row.items() if k not in ("user_id", "question_id")})
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        session.execute(_CARDS.insert().values(row))


@functools.cache
def _card_upsert(dialect: str) -> Any | None:
    upserting = upserting_insert(dialect, _CARDS)
    if upserting is None:
        return None
    kept = ("user_id", "question_id")
    changed = {c.name: upserting.excluded[c.name] for c in _CARDS.c if c.name not in kept}
    return upserting.on_conflict_do_update(index_elements=list(kept), set_=changed)


def _utc(moment: datetime) -> datetime:
    # fsrs takes only datetime.UTC itself, not another zone at offset 0 (as drivers return).
    return moment.astimezone(UTC)


def streak_days(zone: ZoneInfo, now: datetime) -> dict[str, date]:
    """Today and yesterday in the learner's zone, as the answer's streak update binds them."""
    today = now.astimezone(zone).date()
    return {"today": today, "yesterday": today - timedelta(days=1)}


def current_streak(streak: int, streak_day: date | None, today: date) -> int:
    """Days in a row with an answer, as of today (a day without one yet keeps yesterday's)."""
    if streak_day is None or streak_day < today - timedelta(days=1):
        return 0
    return streak


@dataclass(frozen=True)
class DueSummary:
    """How many of a learner's questions are due now, and when the next one is after that."""

    due: int
    next_due: datetime | None  # None: nothing more is scheduled
    seen: int  # questions with a card at all: none means the learner never answered


def _queue(user_id: int, bank_id: str | None) -> Any:
    """The learner's cards of current questions of banks they may still play.

    Through the queue index (user, due): only this learner's cards are read.
    """
    query = (
        select(_CARDS.c.question_id, _CARDS.c.due)
        .join(_QUESTIONS, _QUESTIONS.c.id == _CARDS.c.question_id)
        .join(BankRow, BankRow.id == _QUESTIONS.c.bank_id)
        .where(
            _CARDS.c.user_id == user_id,
            _CARDS.c.active,
            BankRow.deleted_at.is_(None),
            reachable_by(user_id, None),
        )
    )
    return query if bank_id is None else query.where(_QUESTIONS.c.bank_id == bank_id)


def due_questions(
    session: Session, user_id: int, now: datetime, limit: int, bank_id: str | None = None
) -> list[int]:
    """The learner's due questions (row ids), most overdue first."""
    query = _queue(user_id, bank_id).where(_CARDS.c.due <= now)
    return list(session.scalars(query.order_by(_CARDS.c.due).limit(limit)))


def due_summary(
    session: Session, user_id: int, now: datetime, bank_id: str | None = None
) -> DueSummary:
    """How many questions are due, when the next one is, and whether the learner ever answered."""
    queue = _queue(user_id, bank_id).subquery()
    due, next_due = session.execute(
        select(
            func.count().filter(queue.c.due <= now),
            func.min(queue.c.due).filter(queue.c.due > now),
        )
    ).one()
    seen = session.scalar(select(func.count()).where(_CARDS.c.user_id == user_id))
    return DueSummary(int(due), next_due, int(seen or 0))


def card_dues(session: Session, user_id: int, bank_id: str) -> dict[int, datetime]:
    """When each of the bank's current questions is due for this learner (seen ones only)."""
    rows = session.execute(_queue(user_id, bank_id))
    return {question_id: due for question_id, due in rows}


# Answered right, and not due again for at least this long: the question counts as learned.
LEARNED = timedelta(days=7)


def _learned(now: datetime) -> Any:
    return _CARDS.c.last_right & (_CARDS.c.due >= now + LEARNED)


@dataclass(frozen=True)
class BankProgress:
    """Where a learner stands on one bank's current questions."""

    bank_id: str
    title: str
    learned: int
    in_progress: int  # seen, neither learned nor due
    due: int
    unseen: int


def progress(
    session: Session, user_id: int, now: datetime, bank_id: str | None = None
) -> list[BankProgress]:
    """Per bank the learner has played (or the one named), by title: learned, in progress,
    due now and never seen."""
    card = _CARDS.join(
        _QUESTIONS, (_QUESTIONS.c.id == _CARDS.c.question_id) & (_CARDS.c.user_id == user_id)
    )
    played = select(_QUESTIONS.c.bank_id).select_from(card).distinct()
    due = _CARDS.c.due <= now
    rows = session.execute(
        select(
            BankRow.id,
            BankRow.title,
            func.count(_QUESTIONS.c.id),
            func.count(_CARDS.c.question_id),
            func.count().filter(due),
            func.count().filter(_learned(now)),
        )
        .select_from(_QUESTIONS)
        .join(BankRow, BankRow.id == _QUESTIONS.c.bank_id)
        .outerjoin(
            _CARDS, (_CARDS.c.question_id == _QUESTIONS.c.id) & (_CARDS.c.user_id == user_id)
        )
        .where(
            _QUESTIONS.c.retired.is_(False),
            BankRow.deleted_at.is_(None),
            reachable_by(user_id, None),
            _QUESTIONS.c.bank_id == bank_id if bank_id else _QUESTIONS.c.bank_id.in_(played),
        )
        .group_by(BankRow.id, BankRow.title)
        .order_by(BankRow.title, BankRow.id)
    )
    return [
        BankProgress(bank, title, learned, seen - due_now - learned, due_now, total - seen)
        for bank, title, total, seen, due_now, learned in rows
    ]


def learned_shares(
    session: Session, question_ids: list[int], now: datetime
) -> dict[int, tuple[int, int]]:
    """Per question: how many learners have a card for it, and how many have learned it."""
    rows = session.execute(
        select(_CARDS.c.question_id, func.count(), func.count().filter(_learned(now)))
        .where(_CARDS.c.question_id.in_(question_ids))
        .group_by(_CARDS.c.question_id)
    )
    return {question: (learners, learned) for question, learners, learned in rows}


def streak_of(session: Session, user_id: int, now: datetime) -> int:
    """The learner's day streak as of now, in their zone."""
    row = session.execute(
        select(_USERS.c.streak, _USERS.c.streak_day, _USERS.c.zone).where(_USERS.c.id == user_id)
    ).first()
    if row is None:
        return 0
    streak, day, zone = row
    today = now.astimezone(learner_zone(zone, zone_of(session))).date()
    return current_streak(streak, day, today)
