"""Scores and leaderboards, read from running totals (never by scanning answers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from storage.models import BankRow, Score, User


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
    """One line of a leaderboard."""

    rank: int
    user_id: int
    first_name: str
    username: str | None
    points: int


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
    session: Session, *, bank_id: str | None = None, user_id: int | None = None, limit: int = 10
) -> Leaderboard:
    """Top `limit` users by points (overall, or for one bank) and the caller's rank."""
    if bank_id is None:
        points, at, uid = User.points, User.points_at, User.id
        query = select(User.id, User.first_name, User.username, User.points)
    else:
        points, at, uid = Score.points, Score.points_at, Score.user_id
        query = (
            select(User.id, User.first_name, User.username, Score.points)
            .join(User, User.id == Score.user_id)
            .where(Score.bank_id == bank_id)
        )
    query = query.where(points > 0).order_by(points.desc(), at.asc(), uid.asc()).limit(limit)
    top = [Entry(i, *row) for i, row in enumerate(session.execute(query), start=1)]
    me = _my_entry(session, bank_id, user_id, top) if user_id is not None else None
    return Leaderboard(top, me)


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
    rank = (session.scalar(ahead.where(_ahead_of(*columns, mine))) or 0) + 1
    return Entry(rank, user.id, user.first_name, user.username, totals.points)
