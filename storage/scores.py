"""Scores and leaderboards, all read from totals kept with every answer (running and weekly)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from storage.db import zone_of
from storage.models import BankRow, ChatScore, PointCount, Score, User, WeekPointCount


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
    week_of: datetime | None = None,
    chat_id: int | None = None,
) -> Leaderboard:
    """Top `limit` users and the caller's own line.

    Overall or for one bank (one point per right answer), or with `chat_id` a group's table of
    round points; all time, or the week `week_of` falls in (from Monday 00:00 in the database's
    zone). Every table reads totals kept with each answer, never the answers. Users who hid
    themselves (/privacy) get blank names, except in their group's table.
    """
    week = None if week_of is None else monday_of(week_of, zone_of(session))
    table = _table(bank_id, chat_id, week)
    top = [Entry(i, *row) for i, row in enumerate(session.execute(table.top(limit)), start=1)]
    me = None
    if user_id is not None:
        me = next((entry for entry in top if entry.user_id == user_id), None)
        me = me or _my_entry(session, table, user_id)
    if chat_id is not None:
        return Leaderboard(top, me)
    return Leaderboard([_masked(e) for e in top], _masked(me) if me else None)


def _masked(entry: Entry) -> Entry:
    return replace(entry, first_name="", username=None) if entry.hidden else entry


@dataclass(frozen=True)
class _Table:
    """Where a table's totals are kept: one row per user, ranked by an index in this order."""

    totals: type[User | Score | ChatScore]
    points: InstrumentedAttribute[int]
    at: InstrumentedAttribute[datetime | None]  # when the points last grew: earlier wins a tie
    user_id: InstrumentedAttribute[int]
    scope: tuple[ColumnElement[bool], ...]  # which rows are the table's
    week: date | None  # None: all time

    def rows(self, *columns: Any) -> Select[Any]:
        """The table's rows with their users."""
        query = select(*columns).select_from(self.totals).where(*self.scope)
        return query if self.totals is User else query.join(User, User.id == self.user_id)

    def top(self, limit: int) -> Select[Any]:
        """The first `limit` users with points, best first."""
        columns = (User.id, User.first_name, User.username, self.points, User.hidden)
        order = (self.points.desc(), self.at.asc(), self.user_id.asc())
        return self.rows(*columns).where(self.points > 0).order_by(*order).limit(limit)


def _table(bank_id: str | None, chat_id: int | None, week: date | None) -> _Table:
    totals: type[User | Score | ChatScore]
    if chat_id is not None:  # a group's table: the points of its rounds
        totals, user_id, scope = ChatScore, ChatScore.user_id, [ChatScore.chat_id == chat_id]
    elif bank_id is not None:
        totals, user_id, scope = Score, Score.user_id, [Score.bank_id == bank_id]
    else:
        totals, user_id, scope = User, User.id, []
    if week is None:
        points, at = totals.points, totals.points_at
    else:  # rows of an older week have no points this week
        points, at = totals.week_points, totals.week_points_at
        scope.append(totals.week == week)
    return _Table(totals, points, at, user_id, tuple(scope), week)


def _users_above(week: date | None, points: int) -> Select[int]:
    """How many users have more overall points, all time or in `week`: a short sum."""
    if week is None:
        return select(func.sum(PointCount.users)).where(PointCount.points > points)
    return select(func.sum(WeekPointCount.users)).where(
        WeekPointCount.week == week, WeekPointCount.points > points
    )


def _my_entry(session: Session, table: _Table, user_id: int) -> Entry | None:
    """The caller's line: their points, and their rank counted from those ahead of them."""
    row = session.execute(
        table.rows(User.first_name, User.username, User.hidden, table.points, table.at).where(
            table.user_id == user_id
        )
    ).first()
    if row is None:
        return None
    first_name, username, hidden, points, at = row
    if points <= 0 or at is None:
        return None
    ahead = select(func.count()).select_from(table.totals).where(*table.scope)
    ahead = ahead.where(_ahead_of(table.points, table.at, table.user_id, (points, at, user_id)))
    rank = 1
    if table.totals is User:
        # Users with more points come from the per-total counts; only ties are counted here.
        rank += session.scalar(_users_above(table.week, points)) or 0
        ahead = ahead.where(table.points == points)
    rank += session.scalar(ahead) or 0
    return Entry(rank, user_id, first_name, username, points, hidden)


def monday_of(moment: datetime, zone: tzinfo) -> date:
    """The Monday of `moment`'s ISO week in `zone`: the week weekly totals are kept under."""
    local = moment.astimezone(zone).date()
    return local - timedelta(days=local.weekday())


def week_start(moment: datetime, zone: tzinfo) -> datetime:
    """Monday 00:00 of `moment`'s ISO week in `zone`, as an aware datetime."""
    return datetime.combine(monday_of(moment, zone), time(0), tzinfo=zone)


def set_hidden(session: Session, user_id: int, hidden: bool | None = None) -> bool:
    """Hide the user's name from global, per-bank and web tables (None: toggle); the new state.

    Creates no user: the caller has recorded the sender already.
    """
    user = session.get_one(User, user_id)
    user.hidden = (not user.hidden) if hidden is None else hidden
    return user.hidden
