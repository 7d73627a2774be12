"""Quizzes in progress: planning, delivery, answers (idempotent) and summaries."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, Select, and_, bindparam, case, func, insert, select, update
from sqlalchemy.orm import Session

from quiz.bank import QuestionKind
from storage import learning, prepared
from storage.db import insert_ignore, table_of, upserting_insert, zone_of
from storage.learning import Recall
from storage.models import (
    Answer,
    AwareDateTime,
    BankRow,
    Base,
    Chat,
    ChatScore,
    QuestionRow,
    Quiz,
    QuizItem,
    QuizKind,
    QuizStatus,
    Score,
    User,
    utcnow,
)
from storage.scores import monday_of

NAME_LIMIT = 256  # the column size; Telegram's own limit is lower, but updates can be forged


@functools.cache
def _upsert_user(dialect: str) -> Any | None:
    # Built once: it runs for every answer. Writes only when the name really changed.
    table = table_of(User)
    upserting = upserting_insert(dialect, table)
    if upserting is None:
        return None
    new = upserting.values(
        id=bindparam("user"), first_name=bindparam("first"), username=bindparam("name")
    )
    changed = (table.c.first_name != new.excluded.first_name) | table.c.username.is_distinct_from(
        new.excluded.username
    )
    names = {"first_name": new.excluded.first_name, "username": new.excluded.username}
    return new.on_conflict_do_update(index_elements=["id"], set_=names, where=changed)


def upsert_user(session: Session, user_id: int, first_name: str, username: str | None) -> None:
    """Create the user or refresh the name they go by."""
    first_name, username = first_name[:NAME_LIMIT], username[:64] if username else None
    upsert = _upsert_user(session.get_bind().dialect.name)
    if upsert is not None:
        session.execute(upsert, {"user": user_id, "first": first_name, "name": username})
        return
    user = session.get(User, user_id)
    if user is None:
        session.add(User(id=user_id, first_name=first_name, username=username))
    elif (user.first_name, user.username) != (first_name, username):
        user.first_name, user.username = first_name, username


def upsert_chat(session: Session, chat_id: int, chat_type: str, title: str | None) -> None:
    """Create the chat or refresh its title."""
    title = title[:NAME_LIMIT] if title else None
    chat = session.get(Chat, chat_id)
    if chat is None:
        session.add(Chat(id=chat_id, type=chat_type, title=title))
    elif chat.title != title:
        chat.title = title


def active_quiz(session: Session, chat_id: int) -> Quiz | None:
    """The quiz running in this chat, if any."""
    return session.scalar(select(Quiz).filter_by(chat_id=chat_id, status=QuizStatus.ACTIVE))


def running_progress(session: Session, chat_id: int) -> tuple[int, int] | None:
    """The score and position of the quiz running here (which a new one will stop), if any."""
    running = active_quiz(session, chat_id)
    return (running.score, running.position) if running is not None else None


def waiting_typed(session: Session, chat_id: int, user_id: int) -> ItemView | None:
    """The learner's own quiz's current question here, if it waits for a typed answer."""
    quiz = active_quiz(session, chat_id)
    if quiz is None or quiz.user_id != user_id or quiz.kind == QuizKind.ROUND:
        return None
    view = current_item(session, quiz)
    return view if view is not None and QuestionKind(view.question.kind).typed else None


def active_state(session: Session, chat_id: int) -> QuizState | None:
    """The quiz running in this chat, as plain data."""
    quiz = active_quiz(session, chat_id)
    return QuizState.of(quiz) if quiz is not None else None


def start_quiz(
    session: Session,
    *,
    chat_id: int,
    user_id: int,
    bank_id: str | None,
    items: Sequence[tuple[int, Sequence[int]]],
    open_period: int | None = None,
    review: bool = False,
    language: str | None = None,
) -> Quiz:
    """Start a quiz of (question row id, option order) items; a running quiz here is stopped.

    With `open_period` (seconds per question) it is a group's live round; with `review`, a
    learner's review of due questions (of every bank when `bank_id` is None). `language` is
    the one it was started in: what a restart still owes its chat is said in it.
    """
    previous = active_quiz(session, chat_id)
    if previous is not None:
        finish_quiz(previous, status=QuizStatus.STOPPED)
        previous.summary_sent_at = utcnow()  # replaced, not stopped by hand: no summary
        session.flush()  # free the one-active-quiz-per-chat slot before taking it
    quiz = Quiz(
        chat_id=chat_id,
        user_id=user_id,
        bank_id=bank_id,
        total=len(items),
        kind=_kind(review, open_period),
        open_period=open_period,
        language=language,
    )
    session.add(quiz)
    session.flush()
    session.add_all(
        QuizItem(quiz_id=quiz.id, position=i, question_id=qid, option_order=list(order))
        for i, (qid, order) in enumerate(items)
    )
    session.flush()
    return quiz


def _kind(review: bool, open_period: int | None) -> QuizKind:
    if review:
        return QuizKind.REVIEW
    return QuizKind.SOLO if open_period is None else QuizKind.ROUND


def finish_quiz(quiz: Quiz, *, status: QuizStatus = QuizStatus.FINISHED) -> None:
    """Close a quiz as finished or stopped."""
    quiz.status = status
    quiz.finished_at = utcnow()


def open_poll(session: Session, quiz: Quiz) -> int | None:
    """The message id of the quiz's current question when it went out as a poll, else None."""
    return session.scalar(
        select(QuizItem.message_id).where(
            QuizItem.quiz_id == quiz.id,
            QuizItem.position == quiz.position,
            QuizItem.poll_id.is_not(None),
        )
    )


@dataclass(frozen=True)
class QuizState:
    """A quiz's row as the answer path reads it (plain data: no session needed later)."""

    id: int
    chat_id: int
    user_id: int
    bank_id: str | None  # None: a review, drawn from every bank
    status: QuizStatus
    position: int
    total: int
    score: int
    kind: QuizKind
    open_period: int | None  # a round's seconds per question
    language: str | None  # the one it was started in

    def __post_init__(self) -> None:
        # Read from rows as plain strings: made the enums they stand for.
        object.__setattr__(self, "status", QuizStatus(self.status))
        object.__setattr__(self, "kind", QuizKind(self.kind))

    @classmethod
    def of(cls, quiz: Quiz) -> QuizState:
        """The state of an ORM quiz object."""
        return cls(*(getattr(quiz, name) for name in _QUIZ_FIELDS))


@dataclass(frozen=True)
class ItemState:
    """A planned question of a quiz: shown option i is the question's option option_order[i]."""

    id: int
    position: int
    option_order: list[int]
    sent_at: datetime | None  # when it went out: how long the answer took


@dataclass(frozen=True)
class AskedQuestion:
    """What asking a question and explaining its answer need."""

    id: int
    kind: str  # a QuestionKind: "choice", "true_false", "short_answer" or "numeric"
    text: str
    options: list[str]  # for short_answer the accepted answers, for numeric the answer shown
    correct: list[int]
    explanation: str | None
    passage: str | None
    numeric_low: float | None  # a numeric question's accepted range
    numeric_high: float | None


@dataclass(frozen=True)
class BankTitles:
    """What feedback and summaries say about a bank (its source text stays in the database)."""

    id: str
    title: str
    source_title: str | None
    source_url: str | None


@dataclass(frozen=True)
class ItemView:
    """A quiz item with the quiz and question it belongs to."""

    item: ItemState
    quiz: QuizState
    question: AskedQuestion
    bank: BankTitles

    @property
    def is_current(self) -> bool:
        """Still waiting for its answer."""
        return self.quiz.status == QuizStatus.ACTIVE and self.quiz.position == self.item.position


# The answer path reads Core rows into plain dataclasses: loading ORM objects (identity map,
# change tracking) cost more than the queries themselves.
_QUIZZES, _QUESTIONS, _BANKS = table_of(Quiz), table_of(QuestionRow), table_of(BankRow)
_ITEMS, _ANSWERS, _USERS = table_of(QuizItem), table_of(Answer), table_of(User)
_QUIZ_FIELDS = [f.name for f in fields(QuizState)]
_ITEM_COLUMNS = [_ITEMS.c[f.name] for f in fields(ItemState)]
_QUIZ_COLUMNS = [_QUIZZES.c[name] for name in _QUIZ_FIELDS]
_QUESTION_COLUMNS = [_QUESTIONS.c[f.name] for f in fields(AskedQuestion)]
_BANK_COLUMNS = [_BANKS.c.id, _BANKS.c.title, _BANKS.c.source_title, _BANKS.c.source_url]
_SPANS = list(accumulate(map(len, (_ITEM_COLUMNS, _QUIZ_COLUMNS, _QUESTION_COLUMNS))))


def _items(where: Any) -> Select[Any]:
    return (
        select(*_ITEM_COLUMNS, *_QUIZ_COLUMNS, *_QUESTION_COLUMNS, *_BANK_COLUMNS)
        .join_from(_ITEMS, _QUIZZES, _QUIZZES.c.id == _ITEMS.c.quiz_id)
        .join(_QUESTIONS, _QUESTIONS.c.id == _ITEMS.c.question_id)
        .join(_BANKS, _BANKS.c.id == _QUESTIONS.c.bank_id)  # a review's questions span banks
        .where(where)
    )


# Built once: these run on every answer, and building a statement costs more than running it.
_ITEM_BY_ID = _items(_ITEMS.c.id == bindparam("item_id"))
_ITEM_BY_POLL = _items(_ITEMS.c.poll_id == bindparam("poll_id"))
_ITEM_AT = _items(
    (_ITEMS.c.quiz_id == bindparam("quiz_id")) & (_ITEMS.c.position == bindparam("at"))
)


def _view(row: Any) -> ItemView:
    item, quiz, question = _SPANS
    return ItemView(
        ItemState(*row[:item]),
        QuizState(*row[item:quiz]),
        AskedQuestion(*row[quiz:question]),
        BankTitles(*row[question:]),
    )


def _item_view(session: Session, statement: Any, **params: Any) -> ItemView | None:
    rows = prepared.execute(session, statement, params)
    return _view(rows[0]) if rows else None


def item_by_id(session: Session, item_id: int) -> ItemView | None:
    """The item with this id."""
    return _item_view(session, _ITEM_BY_ID, item_id=item_id)


def item_by_poll(session: Session, poll_id: str) -> ItemView | None:
    """The item that was sent as this poll."""
    return _item_view(session, _ITEM_BY_POLL, poll_id=poll_id)


def current_item(session: Session, quiz: Quiz | QuizState) -> ItemView | None:
    """The item the quiz is waiting on."""
    return _item_view(session, _ITEM_AT, quiz_id=quiz.id, at=quiz.position)


# Core tables, not models, in the statements below: an ORM-enabled UPDATE also searches the
# session for the objects it changes, which cost more than the statement itself.
_MARK_SENT = (
    update(_ITEMS)
    .where(_ITEMS.c.id == bindparam("item"))
    .values(message_id=bindparam("message"), poll_id=bindparam("poll"), sent_at=bindparam("at"))
)


@dataclass(frozen=True)
class Delivery:
    """Where and when a quiz item was sent (its mark may be written later: see DeliveryMarks)."""

    item_id: int
    message_id: int
    poll_id: str | None
    at: datetime


def mark_delivered(session: Session, feedback: Sequence[int], sent: Sequence[Delivery]) -> None:
    """Mark answers' feedback and items as delivered, each kind in one statement."""
    now = utcnow()
    answers = [{"answer": a, "at": now} for a in feedback]
    prepared.execute_many(session, _MARK_FEEDBACK_SENT, answers)
    rows = [
        {"item": d.item_id, "message": d.message_id, "poll": d.poll_id, "at": d.at} for d in sent
    ]
    prepared.execute_many(session, _MARK_SENT, rows)


def mark_sent(
    session: Session,
    item_id: int,
    *,
    message_id: int,
    poll_id: str | None,
    at: datetime | None = None,
) -> None:
    """Remember where (and when: a round's clock) an item was delivered, for its answers."""
    values = {"item": item_id, "message": message_id, "poll": poll_id, "at": at or utcnow()}
    session.execute(_MARK_SENT, values)


def record_answer(
    session: Session,
    view: ItemView,
    *,
    user_id: int,
    chosen: Sequence[int],
    correct: bool,
    typed: str | None = None,
    retry_order: Sequence[int] | None = None,
    now: datetime | None = None,
) -> Answered | None:
    """Store an answer, its points, the learner's card and the quiz's next position, and read
    what comes next.

    All in the caller's transaction; None when this answer was already recorded. In a review,
    a wrong answer asks the question again at the end, its options in `retry_order`.
    """
    now = now or utcnow()  # the answer's time: weekly totals and the card's schedule go by it
    counted = count_answer(session, view, user_id, chosen, correct, now=now, typed=typed)
    if counted is None:
        return None  # a repeat
    quiz, position = view.quiz, view.item.position + 1
    if quiz.kind == QuizKind.REVIEW and not correct and retry_order is not None:
        _ask_again(session, quiz, view.question.id, retry_order)
        quiz = replace(quiz, total=quiz.total + 1)
    status = QuizStatus.FINISHED if position >= quiz.total else quiz.status
    prepared.execute(
        session,
        _MOVE_ON,
        {
            "quiz": quiz.id,
            "gain": int(correct),
            "at": position,
            "status": status,
            "finished": now if status == QuizStatus.FINISHED else None,
        },
    )
    quiz = replace(quiz, score=quiz.score + int(correct), position=position, status=status)
    return _answered(session, replace(view, quiz=quiz), counted, correct)


@dataclass(frozen=True)
class Counted:
    """An answer stored, and what it did to the learner's memory of the question."""

    answer_id: int
    recall: Recall


def count_answer(
    session: Session,
    view: ItemView,
    user_id: int,
    chosen: Sequence[int],
    correct: bool,
    *,
    now: datetime,
    points: int | None = None,
    explained: bool = False,
    typed: str | None = None,
) -> Counted | None:
    """Store an answer unless it was already given, with what it adds to the learner's totals,
    streak and card; None for a repeat. `points`: a round's (default: one if right)."""
    before = learning.before_answer(session, user_id, view.question.id)
    seconds = learning.answer_seconds(view.item.sent_at, now)
    rating = learning.rate(correct, seconds, before.usual_seconds)
    row = {
        "item_id": view.item.id,
        "user_id": user_id,
        "question_id": view.question.id,
        "chosen": list(chosen),
        "correct": correct,
        "answered_at": now,
        "points": int(correct) if points is None else points,
        "feedback_sent_at": now if explained else None,
        "rating": int(rating),
        "seconds": seconds,
        "typed": typed,
    }
    written = insert_ignore(session, Answer, row)
    if written is None:
        return None
    add_points(
        session,
        user_id=user_id,
        bank_id=view.bank.id,
        points=int(correct),
        now=now,
        zone=before.zone,
    )
    recall = learning.after_answer(
        session,
        before,
        user_id=user_id,
        question_id=view.question.id,
        rating=rating,
        now=now,
        seconds=seconds,
    )
    return Counted(int(written), recall)


def _ask_again(session: Session, quiz: QuizState, question_id: int, order: Sequence[int]) -> None:
    """Put a question at the end of the quiz, as one more item."""
    session.execute(
        insert(_ITEMS).values(
            quiz_id=quiz.id, position=quiz.total, question_id=question_id, option_order=list(order)
        )
    )
    session.execute(
        update(_QUIZZES).where(_QUIZZES.c.id == quiz.id).values(total=_QUIZZES.c.total + 1)
    )


_MOVE_ON = (
    update(_QUIZZES)
    .where(_QUIZZES.c.id == bindparam("quiz"))
    .values(
        score=_QUIZZES.c.score + bindparam("gain", type_=Integer()),
        position=bindparam("at"),
        status=bindparam("status"),
        finished_at=func.coalesce(
            _QUIZZES.c.finished_at, bindparam("finished", type_=AwareDateTime())
        ),
    )
)


_GAIN = bindparam("gain", type_=Integer())
_NOW = bindparam("now", type_=AwareDateTime())
_WEEK = bindparam("week", type_=Date())
_RIGHT = case((_GAIN > 0, 1), else_=0)
_REACHED = case((_GAIN > 0, _NOW), else_=None)


def _grown(columns: Any) -> dict[str, Any]:
    """Running totals plus one answer worth `gain` points (see _points_grown)."""
    return {
        "answered": columns.answered + 1,
        "correct": columns.correct + _RIGHT,
        **_points_grown(columns),
    }


def _points_grown(columns: Any) -> dict[str, Any]:
    """Points plus `gain`, all time and in `week` (a new week starts afresh).

    A tie goes to who got there first: the time is when the points last grew.
    """
    same_week = columns.week == _WEEK
    return {
        "points": columns.points + _GAIN,
        "points_at": case((_GAIN > 0, _NOW), else_=columns.points_at),
        "week": _WEEK,
        "week_points": case((same_week, columns.week_points + _GAIN), else_=_GAIN),
        "week_points_at": case((_GAIN > 0, _NOW), (same_week, columns.week_points_at)),
    }


# The first answer's totals.
_FIRST_POINTS = {
    "points": _GAIN,
    "points_at": _REACHED,
    "week": _WEEK,
    "week_points": _GAIN,
    "week_points_at": _REACHED,
}
_FIRST_SCORE = {
    "user_id": bindparam("user"),
    "bank_id": bindparam("bank"),
    "answered": 1,
    "correct": _RIGHT,
    **_FIRST_POINTS,
}
_FIRST_CHAT_SCORE = {"chat_id": bindparam("chat"), "user_id": bindparam("user"), **_FIRST_POINTS}
# Per table of totals: its first row, and how an answer grows it.
_TOTALS: dict[type[Base], tuple[dict[str, Any], Callable[[Any], dict[str, Any]]]] = {
    Score: (_FIRST_SCORE, _grown),
    ChatScore: (_FIRST_CHAT_SCORE, _points_grown),
}
# Built once: they run for every answer.
_TODAY, _YESTERDAY = bindparam("today", type_=Date()), bindparam("yesterday", type_=Date())
_ADD_TO_USER = (
    update(_USERS)
    .where(_USERS.c.id == bindparam("user"))  # the row exists: every update records its sender
    .values(
        {
            **_grown(_USERS.c),
            # Days in a row with an answer, in the learner's zone (the caller binds its dates).
            "streak": case(
                (_USERS.c.streak_day == _TODAY, _USERS.c.streak),
                (_USERS.c.streak_day == _YESTERDAY, _USERS.c.streak + 1),
                else_=1,
            ),
            "streak_day": _TODAY,
        }
    )
)


@functools.cache
def _upsert_totals(dialect: str, model: type[Base]) -> Any | None:
    """One upsert where the database has one, so concurrent answers never lose an update."""
    table = table_of(model)
    upserting = upserting_insert(dialect, table)
    if upserting is None:
        return None
    first, grown = _TOTALS[model]
    keys = [column.name for column in table.primary_key]
    return upserting.values(first).on_conflict_do_update(index_elements=keys, set_=grown(table.c))


def _add_to_totals(session: Session, model: type[Base], params: dict[str, Any]) -> None:
    upsert = _upsert_totals(session.get_bind().dialect.name, model)
    if upsert is not None:
        prepared.execute(session, upsert, params)
        return
    # Other databases: update, or create the row when there was none.
    first, grown = _TOTALS[model]
    table = table_of(model)
    key = and_(*(column == first[column.name] for column in table.primary_key))
    if not session.execute(update(table).where(key).values(grown(table.c)), params).rowcount:  # type: ignore[attr-defined]
        session.execute(insert(table).values(first), params)


def _answer_params(session: Session, points: int, now: datetime | None) -> dict[str, Any]:
    """The points, time and week of an answer, as the statements above bind them."""
    now = now or utcnow()
    return {"gain": points, "now": now, "week": monday_of(now, zone_of(session))}


def add_points(
    session: Session,
    *,
    user_id: int,
    bank_id: str,
    points: int,
    now: datetime | None = None,
    zone: ZoneInfo | None = None,
) -> None:
    """Add one answer's points to the user's totals, overall and for the bank.

    All time and for the week of `now`, the answer's time (default: now); the day streak in
    the learner's `zone` (default: the bot's).
    """
    params = {"user": user_id, "bank": bank_id, **_answer_params(session, points, now)}
    days = learning.streak_days(zone or zone_of(session), params["now"])
    prepared.execute(session, _ADD_TO_USER, {**params, **days})
    _add_to_totals(session, Score, params)


def add_round_points(
    session: Session, *, chat_id: int, user_id: int, points: int, now: datetime
) -> None:
    """Add a round answer's speed points to the member's totals in the group's own table."""
    params = {"chat": chat_id, "user": user_id, **_answer_params(session, points, now)}
    _add_to_totals(session, ChatScore, params)


@dataclass(frozen=True)
class AnsweredQuestion:
    """One line of a quiz summary."""

    text: str
    correct: bool | None  # None: not answered (quiz stopped first)


def quiz_results(session: Session, quiz: Quiz | QuizState) -> list[AnsweredQuestion]:
    """Each asked question of the quiz with whether it was answered right, in quiz order."""
    rows = session.execute(
        select(QuestionRow.text, Answer.correct)
        .select_from(QuizItem)
        .join(QuestionRow, QuestionRow.id == QuizItem.question_id)
        .outerjoin(Answer, (Answer.item_id == QuizItem.id) & (Answer.user_id == quiz.user_id))
        .where(QuizItem.quiz_id == quiz.id, QuizItem.position <= quiz.position)
        .order_by(QuizItem.position)
    )
    return [AnsweredQuestion(text, correct) for text, correct in rows]


_MARK_FEEDBACK_SENT = (
    update(_ANSWERS)
    .where(_ANSWERS.c.id == bindparam("answer"))
    .values(feedback_sent_at=bindparam("at"))
)


def mark_feedback_sent(session: Session, answer_id: int) -> None:
    """The feedback for this answer reached Telegram."""
    session.execute(_MARK_FEEDBACK_SENT, {"answer": answer_id, "at": utcnow()})


def mark_summary_sent(session: Session, quiz_id: int) -> None:
    """The summary of this quiz reached Telegram."""
    session.execute(update(Quiz).where(Quiz.id == quiz_id).values(summary_sent_at=utcnow()))


@dataclass(frozen=True)
class OwedFeedback:
    """An answer recorded whose feedback was never sent (the bot stopped in between)."""

    answer_id: int
    correct: bool
    view: ItemView


def feedback_owed(session: Session) -> list[OwedFeedback]:
    """Recorded answers still waiting for their feedback, oldest first."""
    rows = session.execute(
        select(Answer.id, Answer.correct, Answer.item_id)
        .where(Answer.feedback_sent_at.is_(None))
        .order_by(Answer.id)
    ).all()
    owed = []
    for answer_id, correct, item_id in rows:
        view = item_by_id(session, item_id)
        if view is not None:
            owed.append(OwedFeedback(answer_id, correct, view))
    return owed


def summaries_owed(session: Session) -> list[QuizState]:
    """Quizzes that ended but whose summary was never sent."""
    rows = session.execute(
        select(*_QUIZ_COLUMNS)
        .where(
            _QUIZZES.c.status != QuizStatus.ACTIVE,
            _QUIZZES.c.summary_sent_at.is_(None),
            _QUIZZES.c.kind == QuizKind.SOLO,  # a round's timer posts its own table (bot.rounds)
        )
        .order_by(_QUIZZES.c.id)
    )
    return [QuizState(*row) for row in rows]


def questions_owed(session: Session) -> list[ItemView]:
    """The current question of every running quiz where it was never delivered."""
    rows = session.execute(
        _items(
            (_QUIZZES.c.status == QuizStatus.ACTIVE)
            & (_QUIZZES.c.kind == QuizKind.SOLO)  # a round's timer asks its own (bot.rounds)
            & (_QUIZZES.c.position == _ITEMS.c.position)
            & _ITEMS.c.sent_at.is_(None)
        ).order_by(_QUIZZES.c.id)
    )
    return [_view(row) for row in rows]


@dataclass(frozen=True)
class Answered:
    """A recorded answer and what the learner gets next."""

    view: ItemView
    correct: bool
    answer_id: int
    following: ItemView | None  # the next question, or None when the quiz is over
    results: list[AnsweredQuestion]  # the summary's lines when it is over
    recall: Recall  # the learner's card for the question, as the answer left it


# The quiz of the next item is the answered one's: only the item, question and bank are read.
_NEXT_ITEM = (
    select(*_ITEM_COLUMNS, *_QUESTION_COLUMNS, *_BANK_COLUMNS)
    .join_from(_ITEMS, _QUESTIONS, _QUESTIONS.c.id == _ITEMS.c.question_id)
    .join(_BANKS, _BANKS.c.id == _QUESTIONS.c.bank_id)
    .where(_ITEMS.c.quiz_id == bindparam("quiz_id"), _ITEMS.c.position == bindparam("at"))
)


def _answered(session: Session, view: ItemView, counted: Counted, correct: bool) -> Answered:
    quiz = view.quiz
    following = None
    if quiz.status == QuizStatus.ACTIVE:
        rows = prepared.execute(session, _NEXT_ITEM, {"quiz_id": quiz.id, "at": quiz.position})
        if rows:
            row = rows[0]
            split, asked = len(_ITEM_COLUMNS), len(_ITEM_COLUMNS) + len(_QUESTION_COLUMNS)
            following = ItemView(
                ItemState(*row[:split]),
                quiz,
                AskedQuestion(*row[split:asked]),
                BankTitles(*row[asked:]),
            )
    results = quiz_results(session, quiz) if following is None else []
    return Answered(view, correct, counted.answer_id, following, results, counted.recall)
