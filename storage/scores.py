"""Scores and leaderboards: all-time tables from running totals, weekly and group ones counted."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from storage.models import Answer, BankRow, PointCount, QuestionRow, Quiz, QuizItem, Score, User


@dataclass(frozen=True)
class BankStats:
    """A user's totals for one bank."""

    bank_id: str
    bank_title: str
    points: int
    answered: int
    correct: int


@dataclass(frozen=True)
class UserStats:
    """A user's totals, overall and per bank."""

    points: int
    answered: int
    correct: int
    banks: list[BankStats]


def user_stats(session: Session, user_id: int) -> UserStats | None:
    """The user's points and accuracy; None if they never answered."""
    user = session.get(User, user_id)
    if user is None or user.answered == 0:
        return None
    rows = session.execute(
        select(Score.bank_id, BankRow.title, Score.points, Score.answered, Score.correct)
        .join(BankRow, BankRow.id == Score.bank_id)
        .where(Score.user_id == user_id)
        .order_by(Score.points.desc(), BankRow.title)
    )
    return UserStats(user.points, user.answered, user.correct, [BankStats(*r) for r in rows])


@dataclass(frozen=True)
class Entry:
    """One line of a leaderboard; a hidden user's name is blank (shown as anonymous)."""

    rank: int
    user_id: int
    first_name: str
    username: str | None
    points: int
    hidden: bool = False


@dataclass(frozen=True)
class Leaderboard:
    """The top of a table and, when the caller has points, the caller's own line."""

    top: list[Entry]
    me: Entry | None


def _ahead_of(
    points_col: InstrumentedAttribute[int],
    at_col: InstrumentedAttribute[datetime | None],
    id_col: InstrumentedAttribute[int],
    mine: tuple[int, datetime, int],
) -> ColumnElement[bool]:
    """Rows ranked above `mine`: more points; on a tie, reached earlier; then lower id."""
    points, at, user_id = mine
    return or_(
        points_col > points,
        and_(points_col == points, or_(at_col < at, and_(at_col == at, id_col < user_id))),
    )


def leaderboard(
    session: Session,
    *,
    bank_id: str | None = None,
    user_id: int | None = None,
    limit: int = 10,
    since: datetime | None = None,
    chat_id: int | None = None,
) -> Leaderboard:
    """Top `limit` users and the caller's own line.

    Overall or for one bank, all-time (running totals: one point per right answer) or `since`
    (counted from the answers); or, with `chat_id`, a group's table of round points. Users
    who hid themselves (/privacy) get blank names, except in their group's table.
    """
    if chat_id is None and since is None:
        board = _all_time(session, bank_id, user_id, limit)
    else:
        board = _counted(session, _tally(bank_id, since, chat_id), user_id, limit)
    if chat_id is not None:
        return board
    return Leaderboard([_masked(e) for e in board.top], _masked(board.me) if board.me else None)


def _masked(entry: Entry) -> Entry:
    return replace(entry, first_name="", username=None) if entry.hidden else entry


def _all_time(
    session: Session, bank_id: str | None, user_id: int | None, limit: int
) -> Leaderboard:
    if bank_id is None:
        points, at, uid = User.points, User.points_at, User.id
        query = select(User.id, User.first_name, User.username, User.points, User.hidden)
    else:
        points, at, uid = Score.points, Score.points_at, Score.user_id
        query = (
            select(User.id, User.first_name, User.username, Score.points, User.hidden)
            .join(User, User.id == Score.user_id)
            .where(Score.bank_id == bank_id)
        )
    query = query.where(points > 0).order_by(points.desc(), at.asc(), uid.asc()).limit(limit)
    top = [Entry(i, *row) for i, row in enumerate(session.execute(query), start=1)]
    me = _my_entry(session, bank_id, user_id, top) if user_id is not None else None
    return Leaderboard(top, me)


def _tally(bank_id: str | None, since: datetime | None, chat_id: int | None) -> Subquery:
    """Points per user counted from answers, with when each reached its total."""
    if chat_id is None:  # global and per-bank tables: one point per right answer
        points: ColumnElement[int] = func.count()
        reached: ColumnElement[datetime] = func.max(Answer.answered_at)
        query = select(Answer.user_id).where(Answer.correct)
        if bank_id is not None:
            query = query.join(QuestionRow, QuestionRow.id == Answer.question_id).where(
                QuestionRow.bank_id == bank_id
            )
    else:  # a group's table: the points of its rounds
        points = func.sum(Answer.points)
        reached = func.max(case((Answer.points > 0, Answer.answered_at)))
        query = (
            select(Answer.user_id)
            .join(QuizItem, QuizItem.id == Answer.item_id)
            .join(Quiz, Quiz.id == QuizItem.quiz_id)
            .where(Quiz.chat_id == chat_id, Quiz.kind == "round")
        )
    if since is not None:
        query = query.where(Answer.answered_at >= since)
    return (
        query.add_columns(points.label("points"), reached.label("reached"))
        .group_by(Answer.user_id)
        .subquery()
    )


def _counted(session: Session, tally: Subquery, user_id: int | None, limit: int) -> Leaderboard:
    order = (tally.c.points.desc(), tally.c.reached.asc(), tally.c.user_id.asc())
    ranked = (
        select(
            func.row_number().over(order_by=order).label("rank"),
            User.id,
            User.first_name,
            User.username,
            tally.c.points,
            User.hidden,
        )
        .join(User, User.id == tally.c.user_id)
        .where(tally.c.points > 0)
        .subquery()
    )
    top = [
        Entry(*row) for row in session.execute(select(ranked).order_by(ranked.c.rank).limit(limit))
    ]
    me = next((entry for entry in top if entry.user_id == user_id), None)
    if me is None and user_id is not None:
        row = session.execute(select(ranked).where(ranked.c.id == user_id)).first()
        me = Entry(*row) if row else None
    return Leaderboard(top, me)


def week_start(now: datetime, zone: tzinfo) -> datetime:
    """Monday 00:00 of `now`'s ISO week in `zone`, as an aware datetime."""
    local = now.astimezone(zone)
    monday = (local - timedelta(days=local.weekday())).date()
    return datetime.combine(monday, time(0), tzinfo=zone)


def _my_entry(
    session: Session, bank_id: str | None, user_id: int, top: list[Entry]
) -> Entry | None:
    for entry in top:
        if entry.user_id == user_id:
            return entry
    user = session.get(User, user_id)
    if user is None:
        return None
    if bank_id is None:
        totals: User | Score | None = user
        ahead: Select[int] = select(func.count()).select_from(User)
        columns = (User.points, User.points_at, User.id)
    else:
        totals = session.get(Score, (user_id, bank_id))
        ahead = select(func.count()).select_from(Score).where(Score.bank_id == bank_id)
        columns = (Score.points, Score.points_at, Score.user_id)
    if totals is None or totals.points <= 0 or totals.points_at is None:
        return None
    mine = (totals.points, totals.points_at, user_id)
    if bank_id is None:
        # Users with more points come from the per-total counts; only ties are counted here.
        more = select(func.coalesce(func.sum(PointCount.users), 0))
        ahead = ahead.where(User.points == totals.points)
        rank = (session.scalar(more.where(PointCount.points > totals.points)) or 0) + 1
    else:
        rank = 1
    rank += session.scalar(ahead.where(_ahead_of(*columns, mine))) or 0
    return Entry(rank, user.id, user.first_name, user.username, totals.points, user.hidden)


def set_hidden(session: Session, user_id: int, hidden: bool | None = None) -> bool:
    """Hide the user's name from global, per-bank and web tables (None: toggle); the new state.

    Creates no user: the caller has recorded the sender already.
    """
    user = session.get_one(User, user_id)
    user.hidden = (not user.hidden) if hidden is None else hidden
    return user.hidden
