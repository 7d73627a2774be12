"""Leaderboards counted from every answer, as the bot once did: what kept totals must equal."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import scores
from storage.db import zone_of
from storage.models import Answer, QuestionRow, Quiz, QuizItem


def counted(
    session: Session,
    *,
    week_of: datetime | None = None,
    bank_id: str | None = None,
    chat_id: int | None = None,
) -> list[tuple[int, int]]:
    """(user id, points) best first: a right answer is a point, a group's rounds their points.

    All time, or only the answers of the week `week_of` falls in (in the database's zone); a
    tie goes to who reached the points first.
    """
    since = until = None
    if week_of is not None:
        zone = zone_of(session)
        since = scores.week_start(week_of, zone)
        until = scores.week_start(since + timedelta(days=8), zone)
    rows = session.execute(
        select(
            Answer.user_id,
            Answer.correct,
            Answer.points,
            Answer.answered_at,
            QuestionRow.bank_id,
            Quiz.chat_id,
            Quiz.kind,
        )
        .join(QuestionRow, QuestionRow.id == Answer.question_id)
        .join(QuizItem, QuizItem.id == Answer.item_id)
        .join(Quiz, Quiz.id == QuizItem.quiz_id)
    )
    totals: dict[int, tuple[int, datetime | None]] = {}
    for user_id, correct, points, at, bank, chat, kind in rows:
        if since is not None and until is not None and not since <= at < until:
            continue
        if chat_id is not None:
            if (chat, kind) != (chat_id, "round"):
                continue
            gain = points
        elif bank_id is not None and bank != bank_id:
            continue
        else:
            gain = int(correct)
        total, reached = totals.get(user_id, (0, None))
        if gain > 0:
            reached = at if reached is None else max(reached, at)
        totals[user_id] = (total + gain, reached)
    ranked = sorted(
        ((user, total, reached) for user, (total, reached) in totals.items() if total > 0),
        key=lambda row: (-row[1], row[2], row[0]),
    )
    return [(user, total) for user, total, _ in ranked]


def assert_kept_equals_counted(
    session: Session,
    *,
    week_of: datetime | None = None,
    bank_id: str | None = None,
    chat_id: int | None = None,
) -> list[tuple[int, int]]:
    """The kept table (every row, and each user's own rank) is the counted one; it is returned."""
    expected = counted(session, week_of=week_of, bank_id=bank_id, chat_id=chat_id)

    def kept(user_id: int | None, limit: int) -> scores.Leaderboard:
        return scores.leaderboard(
            session, user_id=user_id, limit=limit, week_of=week_of, bank_id=bank_id, chat_id=chat_id
        )

    assert [(e.user_id, e.points) for e in kept(None, len(expected) + 1).top] == expected
    for rank, (user_id, points) in enumerate(expected, start=1):
        me = kept(user_id, 1).me
        assert me is not None and (me.rank, me.points) == (rank, points), (user_id, bank_id)
    return expected
