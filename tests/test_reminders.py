"""Reminders' schedule and claims, on given times: the next minute, daylight saving, leases,
late reminders after downtime, and what /remind accepts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fsrs import Rating

from bot.handlers.remind import Action, Problem, Refused, Remind, parse
from bot.library import import_bank
from bot.reminders import LEASE, minute_after
from storage import banks, learning, quizzes, reminders
from storage.db import Database
from storage.languages import choose_language
from storage.models import User
from storage.reminders import Outcome, claim_due, next_at, nudges, settle
from tests.test_storage import demo_bank

UTC_ZONE, BERLIN = ZoneInfo("UTC"), ZoneInfo("Europe/Berlin")
EIGHT = 8 * 60


def utc(*parts: int) -> datetime:
    return datetime(*parts).replace(tzinfo=UTC)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (utc(2027, 1, 5, 7, 59, 30), utc(2027, 1, 5, 8)),  # later today
        (utc(2027, 1, 5, 8), utc(2027, 1, 6, 8)),  # its minute has begun: tomorrow
        (utc(2027, 1, 5, 8, 0, 30), utc(2027, 1, 6, 8)),
        (utc(2027, 1, 5, 23, 59), utc(2027, 1, 6, 8)),
        (utc(2027, 12, 31, 9), utc(2028, 1, 1, 8)),  # across the year
    ],
)
def test_the_next_minute_is_today_or_tomorrow(after: datetime, expected: datetime):
    assert next_at(EIGHT, UTC_ZONE, after) == expected


def test_berlin_keeps_the_wall_clock_minute_across_daylight_saving():
    # Summer time starts on the last Sunday of March 2027 (28th) and ends on that of October.
    saturday = utc(2027, 3, 27, 7)  # 08:00 CET
    sunday = next_at(EIGHT, BERLIN, saturday)
    assert sunday == utc(2027, 3, 28, 6)  # 08:00 CEST: 23 hours later
    assert sunday.astimezone(BERLIN).hour == 8
    assert next_at(EIGHT, BERLIN, sunday) == utc(2027, 3, 29, 6)
    saturday = utc(2027, 10, 30, 6)  # 08:00 CEST
    sunday = next_at(EIGHT, BERLIN, saturday)
    assert sunday == utc(2027, 10, 31, 7)  # 08:00 CET: 25 hours later
    assert sunday - saturday == timedelta(hours=25)
    # 02:30 does not exist on 28 March: it comes at 03:30 CEST; on 31 October it happens twice:
    # the first time counts.
    skipped = next_at(150, BERLIN, utc(2027, 3, 27, 12))
    assert skipped == utc(2027, 3, 28, 1, 30)
    assert skipped.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"
    assert next_at(150, BERLIN, utc(2027, 10, 30, 12)) == utc(2027, 10, 31, 0, 30)


def test_the_sweep_looks_at_the_start_of_each_minute():
    assert minute_after(utc(2027, 1, 5, 7, 59, 59, 999_999)) == utc(2027, 1, 5, 8)
    assert minute_after(utc(2027, 1, 5, 8)) == utc(2027, 1, 5, 8, 1)


@pytest.mark.parametrize(
    ("args", "request_"),
    [
        ([], Action.SHOW),
        (["off"], Action.OFF),
        (["OFF"], Action.OFF),
        (["08:00"], Remind(480, None)),
        (["7:05"], Remind(425, None)),
        (["23:59", "europe/berlin"], Remind(1439, "Europe/Berlin")),
        (["00:00", "America/Argentina/Buenos_Aires"], Remind(0, "America/Argentina/Buenos_Aires")),
        (["25:00"], Refused(Problem.TIME, "25:00")),
        (["12:60"], Refused(Problem.TIME, "12:60")),
        (["7pm"], Refused(Problem.TIME, "7pm")),
        (["0800"], Refused(Problem.TIME, "0800")),
        (["08:00:00"], Refused(Problem.TIME, "08:00:00")),
        (["٠٨:٠٠"], Remind(480, None)),  # Arabic-Indic digits, as a keyboard types them
        (["۰۸:۳۰"], Remind(510, None)),  # Persian ones
        (["off", "now"], Refused(Problem.TIME, "off")),
        (["08:00", "Mars/Base"], Refused(Problem.ZONE, "Mars/Base")),
        (["08:00", "../../etc/passwd"], Refused(Problem.ZONE, "../../etc/passwd")),
        (["08:00", "Europe/" + "x" * 100], Refused(Problem.ZONE, "Europe/" + "x" * 100)),
        (["08:00", "UTC", "daily"], Refused(Problem.USAGE, "08:00 UTC daily")),
    ],
)
def test_what_remind_accepts(args: list[str], request_: object):
    assert parse(args) == request_


# ------------------------------------------------------------------ claims, on a real database

NOW = utc(2027, 1, 5, 7, 30)
DUE_AT = utc(2027, 1, 5, 8)


def learner(
    db: Database,
    user_id: int,
    missed: bool,
    minute: int = EIGHT,
    answered: datetime = NOW,
    language: str = "en",
) -> None:
    """A learner who answered a question at `answered`, wrongly if `missed` (it is due at
    once; a right first answer is due 10 minutes later), with a reminder set at NOW."""
    with db.session() as session:
        quizzes.upsert_user(session, user_id, f"User {user_id}", None)
        question = banks.active_questions(session, "demo")[0].id
        learning.after_answer(
            session,
            learning.before_answer(session, user_id, question),
            user_id=user_id,
            question_id=question,
            rating=Rating.Again if missed else Rating.Good,
            now=answered,
            seconds=None,
        )
        reminders.set_reminder(session, user_id, minute, "UTC", NOW, language)


@pytest.fixture
def demo(db: Database) -> Database:
    import_bank(db, demo_bank())
    return db


def claim(db: Database, owner: str, now: datetime) -> list[reminders.Claimed]:
    with db.session() as session:
        return claim_due(session, owner, now, now + LEASE, 50)


def next_of(db: Database, user_id: int) -> datetime | None:
    with db.session() as session:
        schedule = reminders.reminder_of(session, user_id)
    return schedule.next_at if schedule else None


def sweep(db: Database, owner: str, now: datetime) -> list[reminders.Nudge]:
    """What a sweep at `now` sends, each recorded as sent."""
    with db.session() as session:
        sending = nudges(session, claim_due(session, owner, now, now + LEASE, 50), owner, now)
        for nudge in sending:
            assert settle(session, nudge.reminder, Outcome.SENT, owner, now)
    return sending


def test_a_reminder_is_sent_at_its_minute_then_tomorrow(demo: Database):
    learner(demo, 1, missed=True)
    assert next_of(demo, 1) == DUE_AT
    assert sweep(demo, "a", DUE_AT - timedelta(seconds=1)) == []
    sent = sweep(demo, "a", DUE_AT)
    assert [(n.reminder.user_id, n.reminder.due_at, n.due) for n in sent] == [(1, DUE_AT, 1)]
    assert next_of(demo, 1) == DUE_AT + timedelta(days=1)
    assert sweep(demo, "a", DUE_AT) == [] and sweep(demo, "b", DUE_AT + timedelta(hours=1)) == []


def test_a_reminder_speaks_the_chosen_language_else_the_one_it_was_set_in(demo: Database):
    learner(demo, 1, missed=True, language="fa")
    learner(demo, 2, missed=True, language="fa")
    with demo.session() as session:
        choose_language(session, 2, "ru", NOW)  # /language after /remind
    sent = sweep(demo, "a", DUE_AT)
    assert [(n.reminder.user_id, n.language) for n in sent] == [(1, "fa"), (2, "ru")]


def test_nothing_due_sends_nothing_and_moves_on(demo: Database):
    learner(demo, 1, missed=False, answered=DUE_AT - timedelta(minutes=5))  # due at 08:05
    with demo.session() as session:
        quizzes.upsert_user(session, 2, "Never answered", None)
        reminders.set_reminder(session, 2, EIGHT - 40, "UTC", NOW, "en")  # 07:20: tomorrow
    assert sweep(demo, "a", DUE_AT) == []
    assert next_of(demo, 1) == DUE_AT + timedelta(days=1)
    assert sweep(demo, "a", utc(2027, 1, 6, 7, 20)) == []  # nothing ever due
    assert next_of(demo, 2) == utc(2027, 1, 7, 7, 20)
    assert [n.due for n in sweep(demo, "a", DUE_AT + timedelta(days=1))] == [1]


def test_after_downtime_a_late_reminder_goes_once_unless_it_is_12_hours_late(demo: Database):
    learner(demo, 1, missed=True)
    learner(demo, 2, missed=True, minute=EIGHT + 1)
    # Down from 07:59 until 19:30: 08:00 is 11.5 hours late, 08:01 11h29 late... both go.
    back = utc(2027, 1, 5, 19, 30)
    assert [n.reminder.user_id for n in sweep(demo, "a", back)] == [1, 2]
    assert next_of(demo, 1) == DUE_AT + timedelta(days=1)  # tomorrow 08:00, not 19:30
    # Down again from tomorrow 07:59 until 20:00:30: 08:00 is past 12 hours, 08:01 is not.
    back = utc(2027, 1, 6, 20, 0, 30)
    assert [n.reminder.user_id for n in sweep(demo, "a", back)] == [2]
    assert next_of(demo, 1) == utc(2027, 1, 7, 8)
    # Down for two days: moved on to the next 08:00 after the restart, sent then.
    back = utc(2027, 1, 9, 9)
    assert sweep(demo, "a", back) == []
    assert next_of(demo, 1) == utc(2027, 1, 10, 8)


def test_a_lease_keeps_other_processes_off_until_it_runs_out(demo: Database):
    learner(demo, 1, missed=True)
    assert [c.user_id for c in claim(demo, "a", DUE_AT)] == [1]
    assert claim(demo, "b", DUE_AT + timedelta(minutes=1)) == []  # "a" is sending it
    assert claim(demo, "a", DUE_AT + timedelta(minutes=1)) == []  # even "a" sends it once
    # "a" died mid-send: once its lease has run out, "b" may send it (perhaps again).
    late = DUE_AT + LEASE + timedelta(seconds=1)
    [taken] = claim(demo, "b", late)
    with demo.session() as session:
        assert not settle(session, taken, Outcome.SENT, "a", late)  # "a" lost it
        assert settle(session, taken, Outcome.SENT, "b", late)


def test_failed_sends_wait_for_the_next_sweep_and_blocked_ones_switch_off(demo: Database):
    learner(demo, 1, missed=True)
    learner(demo, 2, missed=True)
    with demo.session() as session:
        first, second = nudges(
            session, claim_due(session, "a", DUE_AT, DUE_AT + LEASE, 50), "a", DUE_AT
        )
        assert settle(session, first.reminder, Outcome.FAILED, "a", DUE_AT)
        assert settle(session, second.reminder, Outcome.BLOCKED, "a", DUE_AT)
    assert claim(demo, "a", DUE_AT) == []  # not again in the same sweep
    assert next_of(demo, 2) is None  # switched off
    assert [n.reminder.user_id for n in sweep(demo, "b", DUE_AT + timedelta(minutes=1))] == [1]


def test_a_reminder_changed_while_it_is_sent_keeps_the_change(demo: Database):
    learner(demo, 1, missed=True)
    [taken] = claim(demo, "a", DUE_AT)
    with demo.session() as session:
        reminders.set_reminder(session, 1, EIGHT + 30, "UTC", DUE_AT, "en")
    with demo.session() as session:
        assert not settle(session, taken, Outcome.SENT, "a", DUE_AT)
    assert next_of(demo, 1) == utc(2027, 1, 5, 8, 30)


def test_a_clean_stop_lets_go_of_what_it_did_not_send(demo: Database):
    learner(demo, 1, missed=True)
    [taken] = claim(demo, "a", DUE_AT)
    with demo.session() as session:
        reminders.release(session, [taken.user_id], "a")
    assert [c.user_id for c in claim(demo, "b", DUE_AT)] == [1]


def test_the_streak_counts_days_in_the_learners_zone(demo: Database):
    for user_id in (1, 2):
        learner(demo, user_id, missed=True)
        with demo.session() as session:  # answers on two days in a row, up to 4 January
            user = session.get_one(User, user_id)
            user.streak, user.streak_day = 2, date(2027, 1, 4)
    with demo.session() as session:
        reminders.set_own_zone(session, 2, "Pacific/Pago_Pago")  # UTC-11
    streaks = {n.reminder.user_id: n.streak for n in sweep(demo, "a", DUE_AT)}
    assert streaks == {1: 2, 2: 2}
    # On 6 January at 08:00 UTC, it is still 5 January in Pago Pago: the streak holds there.
    streaks = {n.reminder.user_id: n.streak for n in sweep(demo, "a", DUE_AT + timedelta(days=1))}
    assert streaks == {1: 0, 2: 2}
