"""Weekly, per-bank and group tables from kept totals; privacy; ties by who got there first."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.library import import_bank
from storage import banks, quizzes, rounds, scores
from storage.db import Database
from storage.models import PointCount, Quiz, User, WeekPointCount
from tests.tallies import assert_kept_equals_counted
from tests.test_storage import answer, demo_bank, start

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)  # 00:00 UTC, the start of ISO week 48
GROUP = -100


def play(
    db: Database, user_id: int, rights: list[bool], at: datetime, chat_id: int = GROUP
) -> None:
    """The user answers a round of the demo bank in the group, right or wrong, at `at`."""
    with db.session() as s:
        quizzes.upsert_user(s, user_id, f"User {user_id}", None)
        quizzes.upsert_chat(s, chat_id, "supergroup", "Class")
        questions = banks.active_questions(s, "demo")[: len(rights)]
        quiz_id = quizzes.start_quiz(
            s,
            chat_id=chat_id,
            user_id=user_id,
            bank_id="demo",
            items=[(q.id, list(range(len(q.options)))) for q in questions],
            open_period=60,
        ).id
    for right in rights:
        with db.session() as s:
            view = quizzes.current_item(s, s.get_one(Quiz, quiz_id))
            assert view is not None
            quizzes.mark_sent(s, view.item.id, message_id=1, poll_id=None, at=at)
            taken = rounds.record_round_answer(
                s, view, user_id=user_id, chosen=[0], correct=right, now=at
            )
            assert taken is not None
            rounds.close_question(s, view, at)


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
    now = MONDAY + timedelta(hours=3)
    with db.session() as s:
        all_time = scores.leaderboard(s, user_id=2)
        assert names(all_time) == [(1, "User 1", 2), (2, "User 3", 1), (3, "User 2", 1)]
        week = scores.leaderboard(s, week_of=now, user_id=1)
        assert names(week) == [(1, "User 3", 1), (2, "User 2", 1)]
        assert week.me is None  # user 1 scored only last week
        bank_week = scores.leaderboard(s, bank_id="demo", week_of=now, user_id=2, limit=1)
        assert names(bank_week) == [(1, "User 3", 1)]
        assert bank_week.me is not None and (bank_week.me.rank, bank_week.me.points) == (2, 1)
        assert names(scores.leaderboard(s, bank_id="other", week_of=now)) == []


def test_hidden_users_are_anonymous_except_in_their_groups_table(db: Database):
    import_bank(db, demo_bank())
    play(db, 1, [True, True], MONDAY)
    with db.session() as s:
        assert scores.set_hidden(s, 1) is True
    with db.session() as s:
        for board in (
            scores.leaderboard(s, user_id=1),
            scores.leaderboard(s, week_of=MONDAY, user_id=1),
            scores.leaderboard(s, bank_id="demo", week_of=MONDAY, user_id=1),
        ):
            assert [(e.first_name, e.username, e.hidden) for e in board.top] == [("", None, True)]
            assert board.me is not None and board.me.first_name == ""
        for week_of in (None, MONDAY):  # round points (1000, then 1100 for a streak), named
            group = scores.leaderboard(s, chat_id=GROUP, user_id=1, week_of=week_of)
            assert names(group) == [(1, "User 1", 2100)]
        assert scores.set_hidden(s, 1, False) is False
        assert scores.set_hidden(s, 1, False) is False


def test_a_groups_table_sums_its_rounds_points_only(db: Database):
    import_bank(db, demo_bank())
    play(db, 1, [True, True], MONDAY)
    assert answer(db, start(db, 2), 2, True)  # a solo quiz in chat 2: in no group's table
    with db.session() as s:
        assert names(scores.leaderboard(s, chat_id=GROUP)) == [(1, "User 1", 2100)]
        assert names(scores.leaderboard(s, chat_id=2)) == []
        assert scores.leaderboard(s, chat_id=GROUP, week_of=MONDAY + timedelta(days=7)).top == []


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


def test_kept_tables_equal_full_counts_across_a_week_boundary_in_berlin(database_url: str):
    # Monday 00:00 in Berlin (CET) is Sunday 23:00 in UTC.
    berlin = ZoneInfo("Europe/Berlin")
    boundary = datetime(2026, 11, 30, tzinfo=berlin)
    db = Database.open(database_url, zone=berlin)
    try:
        import_bank(db, demo_bank())
        minutes = [-90, -30, -1, 0, 1, 20, 45]
        for n, minute in enumerate(minutes):
            for user in range(1, 6):
                rights = [(user * 7 + n) % 3 != 0, (user + n) % 2 == 0]
                play(db, user, rights, boundary + timedelta(minutes=minute, seconds=user))
            solo = start(db, 10 + n)
            assert answer(db, solo, 10 + n, n % 2 == 0)  # real time: all time only
            if minute == -1 or minute == 45:  # before and after the week turned
                moment = boundary + timedelta(minutes=minute, seconds=30)
                with db.session() as s:
                    for bank_id, chat_id in ((None, None), ("demo", None), (None, GROUP)):
                        where = {"bank_id": bank_id, "chat_id": chat_id}
                        assert_kept_equals_counted(s, bank_id=bank_id, chat_id=chat_id)
                        assert assert_kept_equals_counted(
                            s, week_of=moment, bank_id=bank_id, chat_id=chat_id
                        ), where
                    assert_week_counts_match(s, scores.monday_of(moment, berlin))
    finally:
        db.dispose()


def assert_week_counts_match(s: Session, week: date) -> None:
    """users per weekly total, as the triggers keep them, equal a count of the users."""
    kept = s.execute(
        select(WeekPointCount.points, WeekPointCount.users).where(WeekPointCount.week == week)
    )
    users = s.scalars(select(User.week_points).where(User.week == week, User.week_points > 0))
    assert {p: n for p, n in kept if n} == dict(Counter(users))
