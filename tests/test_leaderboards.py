"""Weekly, per-bank and group tables counted from answers; privacy; ties by who got there first."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.library import import_bank
from storage import quizzes, scores
from storage.db import Database
from storage.models import Answer, PointCount, Quiz, User
from tests.test_storage import answer, demo_bank, start

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)  # 00:00 UTC, the start of ISO week 48


def play(db: Database, user_id: int, rights: list[bool], at: datetime) -> None:
    """The user answers the demo bank's questions right or wrong, all at `at`."""
    quiz_id = start(db, user_id)
    for right in rights:
        assert answer(db, quiz_id, user_id, right)
    with db.session() as s:
        s.execute(
            update(Answer)
            .where(Answer.user_id == user_id, Answer.answered_at > at)
            .values(answered_at=at)
        )


def names(board: scores.Leaderboard) -> list[tuple[int, str, int]]:
    return [(e.rank, e.first_name, e.points) for e in board.top]


def test_week_start_is_monday_midnight_in_the_zone():
    sunday_night = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert scores.week_start(sunday_night, ZoneInfo("UTC")) == MONDAY
    # Already Monday 00:30 in Berlin: a new week there.
    berlin = scores.week_start(sunday_night, ZoneInfo("Europe/Berlin"))
    assert berlin == datetime(2026, 11, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert berlin.astimezone(UTC) == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)


def test_weekly_tables_count_only_this_weeks_right_answers(db: Database):
    import_bank(db, demo_bank())
    play(db, 1, [True, True], MONDAY - timedelta(hours=1))  # last week
    play(db, 2, [True, False], MONDAY + timedelta(hours=2))
    play(db, 3, [True, False], MONDAY + timedelta(hours=1))  # same points, got there first
    with db.session() as s:
        all_time = scores.leaderboard(s, user_id=2)
        assert names(all_time) == [(1, "User 1", 2), (2, "User 2", 1), (3, "User 3", 1)]
        week = scores.leaderboard(s, since=MONDAY, user_id=1)
        assert names(week) == [(1, "User 3", 1), (2, "User 2", 1)]
        assert week.me is None  # user 1 scored only last week
        bank_week = scores.leaderboard(s, bank_id="demo", since=MONDAY, user_id=2, limit=1)
        assert names(bank_week) == [(1, "User 3", 1)]
        assert bank_week.me is not None and (bank_week.me.rank, bank_week.me.points) == (2, 1)
        assert names(scores.leaderboard(s, bank_id="other", since=MONDAY)) == []


def test_hidden_users_are_anonymous_except_in_their_groups_table(db: Database):
    import_bank(db, demo_bank())
    play(db, 1, [True, True], MONDAY)
    with db.session() as s:
        assert scores.set_hidden(s, 1) is True
        s.execute(update(Quiz).values(kind="round", chat_id=1))
        s.execute(update(Answer).values(points=900))
    with db.session() as s:
        for board in (
            scores.leaderboard(s, user_id=1),
            scores.leaderboard(s, since=MONDAY, user_id=1),
            scores.leaderboard(s, bank_id="demo"),
        ):
            assert [(e.first_name, e.username, e.hidden) for e in board.top] == [("", None, True)]
        group = scores.leaderboard(s, chat_id=1, user_id=1)
        assert names(group) == [(1, "User 1", 1800)]  # round points, named for the group
        assert scores.set_hidden(s, 1, False) is False
        assert scores.set_hidden(s, 1, False) is False


def test_a_groups_table_sums_its_rounds_points_only(db: Database):
    import_bank(db, demo_bank())
    play(db, 1, [True, True], MONDAY)
    play(db, 2, [True, False], MONDAY)
    with db.session() as s:
        s.execute(update(Quiz).where(Quiz.user_id == 1).values(kind="round"))
        s.execute(update(Answer).where(Answer.user_id == 1).values(points=700))
    with db.session() as s:
        # User 2's quiz is a solo one in chat 2: not part of any group's table.
        assert names(scores.leaderboard(s, chat_id=1)) == [(1, "User 1", 1400)]
        assert names(scores.leaderboard(s, chat_id=2)) == []
        assert scores.leaderboard(s, chat_id=1, since=MONDAY + timedelta(days=7)).top == []


def test_overall_ranks_from_the_per_total_counts_match_a_full_count(db: Database):
    import_bank(db, demo_bank())
    gains = [(user, (user * 7) % 5) for user in range(1, 41)] + [(3, 1), (8, 2), (3, 1)]
    for user, gain in gains:
        with db.session() as s:
            quizzes.upsert_user(s, user, f"User {user}", None)
            quizzes.add_points(s, user_id=user, bank_id="demo", points=gain)
    with db.session() as s:
        users = s.execute(select(User.id, User.points, User.points_at)).all()
        counted = dict(s.execute(select(PointCount.points, PointCount.users)).all())
        assert {p: n for p, n in counted.items() if n} == dict(
            Counter(points for _, points, _ in users if points > 0)
        )
        ranked = sorted(
            (u for u in users if u.points > 0), key=lambda u: (-u.points, u.points_at, u.id)
        )
        for rank, row in enumerate(ranked, start=1):
            me = scores.leaderboard(s, user_id=row.id, limit=3).me
            assert me is not None and (me.rank, me.points) == (rank, row.points)
