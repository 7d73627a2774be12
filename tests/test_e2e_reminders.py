"""End to end: daily reminders, on a manual clock moved to their minute, and one in real time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.reminders import LEASE
from bot.settings import Settings
from storage import reminders
from storage.db import Database
from tests.clocks import ManualClock, ShiftedClock
from tests.fakebot import Call, FakeTelegram, FakeUser, FaultReply
from tests.harness import BotRunner, feedback_after, plain, poll_id, say, text_of, wrong_option

BANK_ID = "russia-iran-partnership"
EIGHT = 8 * 60
REMINDER = "Time to review"


@pytest.fixture
async def bot(clocked_bot: BotRunner, clock: ManualClock) -> BotRunner:
    """The real application on the manual clock, its sweep done with the current minute."""
    await clock.until_asleep("reminders")
    return clocked_bot


async def answer_one(fake: FakeTelegram, user: FakeUser, right: bool) -> None:
    """The learner takes a one-question quiz: their card for it is due at once if missed."""
    mark = fake.mark()
    user.send(f"/quiz {BANK_ID} 1")
    poll = await fake.wait_for("sendPoll", chat_id=user.id, since=mark)
    mark = fake.mark()
    user.answer_poll(
        poll_id(poll), poll.params["correct_option_ids"] if right else [wrong_option(poll)]
    )
    await feedback_after(fake, user.id, mark)
    await fake.wait_for(
        "sendMessage", lambda c: "Quiz finished" in text_of(c), chat_id=user.id, since=mark
    )


def eight_oclock(clock: ManualClock, minute: int = EIGHT) -> datetime:
    """The next time the clock (UTC, the bot's zone in these tests) shows `minute`."""
    return reminders.next_at(minute, ZoneInfo("UTC"), clock.now())


async def move_to(clock: ManualClock, moment: datetime, sweeps: int = 1) -> None:
    """Move the clock on, and wait until the sweeps have done what was due by then."""
    clock.advance_to(moment)
    await clock.until_asleep("reminders", sweeps)


def reminders_to(fake: FakeTelegram, user: FakeUser, since: int = 0) -> list[Call]:
    """The reminders Telegram took for the learner."""
    return [
        c
        for c in fake.calls_to("sendMessage", user.id)[since:]
        if REMINDER in text_of(c) and c.error is None
    ]


async def test_a_missed_question_is_reminded_at_its_minute_and_the_button_starts_the_review(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    ann = fake.user(101, "Ann")
    await answer_one(fake, ann, right=False)
    eight = eight_oclock(clock)
    reply = await say(fake, ann, "/remind 08:00")
    assert reply.startswith("⏰ Reminder set: every day at 08:00 (UTC), when questions are due")
    assert f"Next: {eight:%a} {eight.day} {eight:%b} at 08:00, in " in reply
    await move_to(clock, eight - timedelta(seconds=1))
    assert not reminders_to(fake, ann)
    await move_to(clock, eight)
    [sent] = reminders_to(fake, ann)
    assert plain(text_of(sent)) == (
        "⏰ Time to review: 1 question is due.\n🔥 Your day streak: 1 day in a row."
    )
    [[button]] = sent.params["reply_markup"]["inline_keyboard"]
    assert button["text"] == "🔁 Review now"
    mark = fake.mark()
    ann.press(sent.result, button["callback_data"])
    assert "Review: 1 question due" in plain(
        text_of(await fake.wait_for("sendPoll", chat_id=ann.id, since=mark))
    )
    shown = await say(fake, ann, "/remind")
    assert shown.startswith("⏰ Your reminder: every day at 08:00 (UTC)")
    assert "at 08:00, in 1 day." in shown
    assert len(reminders_to(fake, ann)) == 1


async def test_nothing_due_sends_nothing_until_something_is(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    ann, bob = fake.user(101, "Ann"), fake.user(102, "Bob")
    eight = eight_oclock(clock)
    await move_to(clock, eight - timedelta(minutes=5))
    await answer_one(fake, ann, right=True)  # due again 10 minutes later: 08:05
    for learner in (ann, bob):  # Bob never answered anything
        assert "Reminder set" in await say(fake, learner, "/remind 08:00")
    await move_to(clock, eight)
    await move_to(clock, eight + timedelta(minutes=10))
    assert not reminders_to(fake, ann) and not reminders_to(fake, bob)
    await move_to(clock, eight + timedelta(days=1))  # the next day, Ann's question is due
    [sent] = reminders_to(fake, ann)
    assert "1 question is due" in text_of(sent)
    assert "streak: 1 day in a row" in text_of(sent)  # yesterday's answer: kept up today
    assert not reminders_to(fake, bob)


async def test_a_restart_around_the_minute_sends_it_exactly_once(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    ann = fake.user(101, "Ann")
    await answer_one(fake, ann, right=False)
    await say(fake, ann, "/remind 08:00")
    eight = eight_oclock(clock)
    await move_to(clock, eight - timedelta(seconds=30))
    await bot.stop()
    clock.advance(60)  # 08:00 passed while the bot was down
    await bot.start()  # sent at start
    await clock.until_asleep("reminders")
    assert len(reminders_to(fake, ann)) == 1
    await bot.restart()  # and not again after another restart
    await clock.until_asleep("reminders")
    await move_to(clock, eight + timedelta(minutes=2))
    assert len(reminders_to(fake, ann)) == 1
    # Down from 07:59 the next day until 13 hours later: too late, it waits for the day after.
    await move_to(clock, eight + timedelta(days=1, minutes=-1))
    await bot.stop()
    clock.advance(13 * 3600)
    await bot.start()
    await clock.until_asleep("reminders")
    assert len(reminders_to(fake, ann)) == 1
    await move_to(clock, eight + timedelta(days=2))
    assert len(reminders_to(fake, ann)) == 2


async def test_two_processes_on_one_database_send_each_reminder_once(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock, settings: Settings
):
    learners = [fake.user(101 + n, f"Learner {n}") for n in range(6)]
    for learner in learners:
        await answer_one(fake, learner, right=False)
        await say(fake, learner, "/remind 08:00")
    other = BotRunner(settings, clock, polling=False)
    await other.start()
    try:
        await clock.until_asleep("reminders", 2)
        await move_to(clock, eight_oclock(clock), sweeps=2)
        await move_to(clock, clock.now() + timedelta(minutes=2), sweeps=2)
        assert [len(reminders_to(fake, learner)) for learner in learners] == [1] * 6
    finally:
        await other.stop()


async def test_a_reminder_a_dead_process_held_goes_out_once_its_lease_runs_out(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock, db: Database
):
    ann = fake.user(101, "Ann")
    await answer_one(fake, ann, right=False)
    await say(fake, ann, "/remind 08:00")
    eight = eight_oclock(clock)
    await move_to(clock, eight - timedelta(seconds=1))
    await bot.stop()
    clock.advance(1)
    with db.session() as session:  # another process took it at 08:00, then died
        assert reminders.claim_due(session, "other", eight, eight + LEASE, 10)
    await bot.start()
    await clock.until_asleep("reminders")
    await move_to(clock, eight + LEASE)
    assert not reminders_to(fake, ann)
    await move_to(clock, eight + LEASE + timedelta(minutes=1))
    assert len(reminders_to(fake, ann)) == 1


async def test_a_learner_who_blocked_the_bot_has_the_reminder_switched_off(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock, db: Database
):
    ann, bob = fake.user(101, "Ann"), fake.user(102, "Bob")
    for learner in (ann, bob):
        await answer_one(fake, learner, right=False)
        await say(fake, learner, "/remind 08:00")
    blocked = FaultReply(403, "Forbidden: bot was blocked by the user")
    down = iter([FaultReply(502, "Bad Gateway")])  # Bob's first try: Telegram is unreachable

    def fault(method: str, params: dict[str, object]) -> FaultReply | None:
        if method != "sendMessage":
            return None
        return blocked if params["chat_id"] == ann.id else next(down, None)

    fake.fault = fault
    eight = eight_oclock(clock)
    await move_to(clock, eight)
    refused = [c.params["chat_id"] for c in fake.refused() if c.method == "sendMessage"]
    assert sorted(refused) == [ann.id, bob.id]
    with db.session() as session:
        assert reminders.reminder_of(session, ann.id) is None
        assert reminders.reminder_of(session, bob.id) is not None
    await move_to(clock, eight + timedelta(minutes=1))  # Bob's goes out at the next minute
    assert len(reminders_to(fake, bob)) == 1
    fake.fault = None
    assert "You have no reminder" in await say(fake, ann, "/remind")


async def test_wrong_input_gets_one_line_saying_what_is_expected(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock, db: Database
):
    ann = fake.user(101, "Ann")
    for command, expected in [
        ("/remind 25:00", "“25:00” is not a time of day: send /remind HH:MM on the 24-hour"),
        ("/remind 7pm", "“7pm” is not a time of day"),
        ("/remind 08:00 Mars/Base", "“Mars/Base” is not a time zone I know: give it as Area/City"),
        ("/remind 08:00 Europe/Berlin daily", "“08:00 Europe/Berlin daily” is more than /remind"),
        ("/remind off", "You had no reminder."),
        ("/remind", "You have no reminder."),
    ]:
        reply = await say(fake, ann, command)
        assert reply.startswith(expected) and "\n" not in reply, (command, reply)
    reply = await say(fake, ann, "/remind 7:30 europe/berlin")
    assert "every day at 07:30 (Europe/Berlin)" in reply
    # The zone is now Ann's own: a new time without one keeps it, and so does her streak.
    assert "every day at 09:15 (Europe/Berlin)" in await say(fake, ann, "/remind 09:15")
    # Digits as a Persian or Arabic keyboard types them.
    assert "every day at 08:30 (Europe/Berlin)" in await say(fake, ann, "/remind ۰۸:۳۰")
    assert "every day at 09:15 (Europe/Berlin)" in await say(fake, ann, "/remind ٠٩:١٥")
    with db.session() as session:
        assert reminders.own_zone(session, ann.id) == "Europe/Berlin"
    assert (await say(fake, ann, "/remind OFF")).startswith("⏰ Reminder off")
    group = fake.group(-100555, "Class")
    mark = fake.mark()
    ann.send("/remind 08:00", chat=group)
    call = await fake.wait_for("sendMessage", chat_id=group.id, since=mark)
    assert plain(text_of(call)) == "Reminders are your own: send /remind to me in a private chat."


async def test_help_and_the_menu_mention_remind(bot: BotRunner, fake: FakeTelegram):
    ann = fake.user(101, "Ann")
    assert "/remind 08:00 reminds you every day" in await say(fake, ann, "/help")
    commands = fake.calls_to("setMyCommands")[0].params["commands"]
    assert "remind" in {c["command"] for c in commands}


async def test_in_real_time_a_reminder_comes_at_its_minute(settings: Settings, fake: FakeTelegram):
    """No manual clock: the bot's clock runs at its real pace, set 6 seconds before 08:00."""
    eight = datetime(2027, 1, 5, 8, tzinfo=UTC)
    runner = BotRunner(settings, ShiftedClock(eight - timedelta(seconds=6)))
    await runner.start()
    try:
        ann = fake.user(101, "Ann")
        await answer_one(fake, ann, right=False)
        assert "Reminder set" in await say(fake, ann, "/remind 08:00")
        call = await fake.wait_for("sendMessage", lambda c: REMINDER in text_of(c), chat_id=ann.id)
        assert runner.app is not None
        assert runner.app.bot_data.clock.now() >= eight
        assert "1 question is due" in text_of(call)
        await asyncio.sleep(0.5)
        assert len(reminders_to(fake, ann)) == 1
    finally:
        await runner.stop()
