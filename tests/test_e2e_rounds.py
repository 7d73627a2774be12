"""End to end: live rounds in a group, timed by a manual clock so speed points are exact."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.library import import_bank
from bot.settings import Settings
from quiz.bank import load_bank_file, parse_bank
from storage import quizzes, rounds, scores
from storage.db import Database
from tests.clocks import ManualClock
from tests.conftest import QUESTIONS, TEACHER_ID
from tests.fakebot import Call, FakeChat, FakeTelegram, FakeUser, FaultReply
from tests.harness import (
    BotRunner,
    handled,
    plain,
    poll_id,
    poll_text,
    redeliver_poll_answer,
    text_of,
    wrong_option,
)
from tests.leaks import leaks
from tests.statements import recorded
from tests.tallies import assert_kept_equals_counted

BANK_ID = "russia-iran-partnership"
SHIPPED = load_bank_file(QUESTIONS / f"{BANK_ID}.yaml")
GROUP_ID = -100777


@pytest.fixture
def bot(clocked_bot: BotRunner) -> BotRunner:
    """The real application, its rounds on the manual clock."""
    return clocked_bot


def class_7b(fake: FakeTelegram) -> tuple[FakeChat, list[FakeUser]]:
    """A group with four members; Ann is its admin. Bob's id is lower than Ann's on purpose."""
    group = fake.group(GROUP_ID, "Class 7B")
    members = [fake.user(i, name) for i, name in ((102, "Ann"), (101, "Bob"), (103, "Cat"))]
    members.append(fake.user(104, "Dan"))
    fake.chat_admins[group.id] = {102}
    return group, members


async def answer(bot: BotRunner, user: FakeUser, poll: Call, right: bool) -> None:
    choice = poll.params["correct_option_ids"] if right else [wrong_option(poll)]
    await handled(bot, user.answer_poll(poll_id(poll), list(choice)))


async def question(fake: FakeTelegram, clock: ManualClock, number: int, since: int = 0) -> Call:
    """The round's poll for question `number`, once the round waits on its deadline."""
    poll = await fake.wait_for(
        "sendPoll",
        chat_id=GROUP_ID,
        since=since,
        predicate=lambda c: str(c.params["question"]).startswith(f"[{number}/"),
    )
    await clock.until_asleep()
    return poll


async def said(fake: FakeTelegram, words: str, since: int = 0) -> str:
    """The next message to the group containing `words`, as its members read it."""
    call = await fake.wait_for(
        "sendMessage", chat_id=GROUP_ID, since=since, predicate=lambda c: words in plain(text_of(c))
    )
    return plain(text_of(call))


async def time_up(fake: FakeTelegram, clock: ManualClock, seconds: float) -> str:
    """Let `seconds` pass; the results the group gets for the question."""
    mark = fake.mark()
    clock.advance(seconds)
    return await said(fake, "Time's up", mark)


async def test_a_full_round_scores_speed_and_streaks_and_ends_with_the_table(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    group, (ann, bob, cat, dan) = class_7b(fake)
    ann.send(f"/quiz {BANK_ID} 3 10s", chat=group)
    intro = await said(fake, "Live round")
    assert "3 questions, 10 seconds each" in intro
    q1 = await question(fake, clock, 1)
    assert q1.params["question"].startswith("[1/3] ")
    assert q1.params["open_period"] == 10 and q1.params["is_anonymous"] is False
    await answer(bot, cat, q1, right=False)
    clock.advance(2)
    await answer(bot, ann, q1, right=True)  # 2 s of 10: 900
    # Only a member's first answer counts, whatever Telegram delivers after it.
    await handled(bot, redeliver_poll_answer(fake, ann, q1, [wrong_option(q1)]))
    clock.advance(3)
    await answer(bot, bob, q1, right=True)  # 5 s: 750
    await answer(bot, dan, q1, right=False)
    results = await time_up(fake, clock, 5)
    assert "Question 1/3" in results and "4 answers, 2 right" in results
    assert "⚡ Fastest: Ann (2.0 s)" in results
    asked = next(q for q in SHIPPED.questions if q.text == poll_text(q1))
    assert f"Answer: {'; '.join(asked.correct_texts)}" in results
    assert asked.quote and asked.quote in results
    assert SHIPPED.source_title and SHIPPED.source_title in results
    stopped = fake.calls_to("stopPoll", GROUP_ID)
    assert [c.params["message_id"] for c in stopped] == [q1.result["message_id"]]

    q2 = await question(fake, clock, 2)
    assert q2.params["question"].startswith("[2/3] ")
    clock.advance(1)
    await answer(bot, ann, q2, right=True)  # 950, +100 for a second right answer in a row
    await answer(bot, bob, q2, right=False)
    assert "2 answers, 1 right" in await time_up(fake, clock, 9)

    q3 = await question(fake, clock, 3)
    await answer(bot, bob, q3, right=True)  # 1000, no bonus: his streak broke
    clock.advance(4)
    await answer(bot, ann, q3, right=True)  # 800, +200 for a third in a row
    clock.advance(2)
    await answer(bot, cat, q3, right=True)  # 700: she missed question 2
    mark = fake.mark()
    clock.advance(4)
    table = (await said(fake, "Round over", mark)).split("\n")
    assert table[1:4] == ["🥇 Ann — 2950", "🥈 Bob — 1750", "🥉 Cat — 700"]
    assert table[6:10] == [
        "1. Ann — 2950 (3/3 right)",
        "2. Bob — 1750 (2/3 right)",
        "3. Cat — 700 (1/2 right)",
        "4. Dan — 0 (0/1 right)",
    ]
    assert len(fake.calls_to("sendPoll", GROUP_ID)) == 3
    with bot.db.session() as session:
        # Global tables count one point per right answer; the group's table, round points.
        assert scores.user_stats(session, ann.id).points == 3  # type: ignore[union-attr]
        board = scores.leaderboard(session, chat_id=GROUP_ID)
        assert [(e.first_name, e.points) for e in board.top] == [
            ("Ann", 2950),
            ("Bob", 1750),
            ("Cat", 700),
        ]
        assert quizzes.active_quiz(session, GROUP_ID) is None


async def test_only_admins_and_teachers_start_rounds_and_one_runs_at_a_time(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    group, (ann, bob, *_) = class_7b(fake)
    bob.send(f"/quiz {BANK_ID}", chat=group)
    assert "Only the group's admins and teachers" in await said(fake, "Only")
    assert fake.calls_to("getChatMember")[-1].params == {"chat_id": GROUP_ID, "user_id": bob.id}
    teacher = fake.user(TEACHER_ID, "Tess")
    teacher.send(f"/quiz@quiz_test_bot {BANK_ID} 2 5s", chat=group)
    poll = await question(fake, clock, 1)
    assert poll.params["open_period"] == 5
    mark = fake.mark()
    ann.send(f"/quiz {BANK_ID}", chat=group)
    assert "already running" in await said(fake, "already", mark)
    bob.send("/stop", chat=group)
    assert "Only the group's admins" in await said(fake, "can stop it", mark)
    ann.send("/stop@quiz_test_bot", chat=group)
    assert "Nobody answered in this round" in await said(fake, "Round stopped", mark)
    assert len(fake.calls_to("sendPoll", GROUP_ID)) == 1


async def test_stop_mid_round_shows_the_table_and_ties_go_to_who_scored_first(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    group, (ann, bob, cat, _) = class_7b(fake)
    ann.send(f"/quiz {BANK_ID} 3 10s", chat=group)
    q1 = await question(fake, clock, 1)
    clock.advance(2)
    await answer(bot, ann, q1, right=True)  # 900
    await answer(bot, bob, q1, right=False)
    await time_up(fake, clock, 8)
    q2 = await question(fake, clock, 2)
    clock.advance(2)
    await answer(bot, bob, q2, right=True)  # 900 too, but later than Ann
    await answer(bot, ann, q2, right=False)
    await time_up(fake, clock, 8)
    q3 = await question(fake, clock, 3)
    await answer(bot, cat, q3, right=False)
    mark = fake.mark()
    ann.send("/stop", chat=group)
    table = (await said(fake, "Round stopped", mark)).split("\n")
    assert table[1:4] == ["🥇 Ann — 900", "🥈 Bob — 900", "🥉 Cat — 0"]
    clock.advance(30)
    ann.send("/help", chat=group)
    await said(fake, "What I can do", mark)
    assert len(fake.calls_to("sendPoll", GROUP_ID)) == 3
    assert not [c for c in fake.calls_to("sendMessage", GROUP_ID)[mark:] if "Time" in text_of(c)]
    # The open poll was closed at once: nobody votes on a question that no longer counts.
    closed = [c.params["message_id"] for c in fake.calls_to("stopPoll", GROUP_ID)]
    assert closed[-1] == q3.result["message_id"] and len(closed) == 3


async def test_a_poll_telegram_closed_first_is_fine(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    group, (ann, *_) = class_7b(fake)
    ann.send(f"/quiz {BANK_ID} 1 5s", chat=group)
    poll = await question(fake, clock, 1)
    await answer(bot, ann, poll, right=True)
    fake.close_poll(poll_id(poll))  # the countdown ran out on Telegram's side first
    assert "1 answer, 1 right" in await time_up(fake, clock, 5)
    assert "🥇 Ann — 1000" in await said(fake, "Round over")
    refused = [c for c in fake.refused() if c.method == "stopPoll"]
    assert [c.error for c in refused] == ["Bad Request: poll has already been closed"]


async def test_a_round_goes_on_after_a_restart_that_missed_a_deadline(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    group, (ann, bob, *_) = class_7b(fake)
    ann.send(f"/quiz {BANK_ID} 2 10s", chat=group)
    q1 = await question(fake, clock, 1)
    clock.advance(1)
    await answer(bot, ann, q1, right=True)  # 950
    await bot.stop()
    clock.advance(60)  # the question's time ran out while the bot was down
    mark = fake.mark()
    await bot.start()
    assert "1 answer, 1 right" in await said(fake, "Time's up", mark)
    q2 = await question(fake, clock, 2, mark)
    assert q2.params["question"].startswith("[2/2] ")
    await answer(bot, bob, q2, right=True)  # 1000
    clock.advance(10)
    table = (await said(fake, "Round over", mark)).split("\n")
    assert table[1:3] == ["🥇 Bob — 1000", "🥈 Ann — 950"]


async def test_a_round_waits_out_telegram_being_unreachable(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    group, (ann, *_) = class_7b(fake)
    ann.send(f"/quiz {BANK_ID} 2 5s", chat=group)
    await question(fake, clock, 1)
    outages = iter([FaultReply(502, "Bad Gateway")] * 2)
    fake.fault = lambda method, params: next(outages, None) if method == "stopPoll" else None
    mark = fake.mark()
    clock.advance(5)  # time is up, and closing the poll fails twice
    since = mark
    for pause in (1, 2):  # the round tries again after 1 s, then after 2 s
        await fake.wait_for("stopPoll", lambda c: c.error is not None, since=since)
        since = fake.mark()
        await clock.until_asleep()
        clock.advance(pause)
    assert "Nobody answered." in await said(fake, "Time's up", mark)
    await question(fake, clock, 2, mark)
    clock.advance(5)
    assert "Nobody answered in this round" in await said(fake, "Round over", mark)


async def test_a_group_that_shuts_the_bot_out_ends_its_round(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock, settings: Settings
):
    group, (ann, *_) = class_7b(fake)
    ann.send(f"/quiz {BANK_ID} 2 5s", chat=group)
    await question(fake, clock, 1)
    kicked = FaultReply(403, "Forbidden: bot was kicked from the supergroup chat")
    fake.fault = lambda method, params: kicked if params.get("chat_id") == GROUP_ID else None
    mark = fake.mark()
    clock.advance(5)
    await fake.wait_for("stopPoll", lambda c: c.error is not None, since=mark)
    fake.fault = None
    await bot.stop()
    await bot.start()  # nothing to resume: the round ended
    clock.advance(60)
    ann.send("/help", chat=group)
    await said(fake, "What I can do", mark)
    assert not [
        c for c in fake.calls[mark:] if c.method in ("sendPoll", "stopPoll") and c.error is None
    ]
    with bot.db.session() as session:
        assert quizzes.active_quiz(session, GROUP_ID) is None


async def test_a_round_another_process_runs_is_left_to_it_until_that_process_dies(
    settings: Settings, fake: FakeTelegram, clock: ManualClock, db: Database
):
    bot = BotRunner(settings, clock, heartbeat=0.02)
    await bot.start()
    try:
        group, (ann, *_) = class_7b(fake)
        ann.send(f"/quiz {BANK_ID} 2 10s", chat=group)
        await question(fake, clock, 1)
        await bot.stop()  # a clean stop lets go of the round...
        with db.session() as session:
            # ...which another process then runs, renewing its lease for 30 s at a time.
            quiz = quizzes.active_quiz(session, GROUP_ID)
            assert quiz is not None
            until = clock.now() + timedelta(seconds=30)
            assert rounds.claim_round(session, quiz.id, "other", until, clock.now())
        mark = fake.mark()
        await bot.start()
        clock.advance(10)  # the question's time is up, but it is the other process's to close
        await asyncio.sleep(0.3)  # many heartbeats
        assert not [c for c in fake.calls[mark:] if c.method in ("stopPoll", "sendPoll")]
        assert not [c for c in fake.calls[mark:] if "Time's up" in text_of(c)]
        clock.advance(21)  # the other process stopped renewing: its lease ran out
        assert "Time's up" in await said(fake, "Time's up", mark)
        await question(fake, clock, 2, mark)
        clock.advance(10)
        assert "Round over" in await said(fake, "Round over", mark)
        assert len(fake.calls_to("sendPoll", GROUP_ID)) == 2  # each question asked once
    finally:
        await bot.stop()


async def test_a_round_asks_only_what_fits_a_poll_and_says_so(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    long = "Which of these " + "very " * 70 + "long words is right?"  # past a poll's 300
    questions = "".join(
        f"  - {{id: {key}, question: '{text}', options: [Yes, No], answer: 'Yes'}}\n"
        for key, text in (("short", "Short?"), ("long-1", long), ("long-2", long + "!"))
    )
    for bank_id, listed in (("mixed", questions), ("wordy", questions.split("\n", 1)[1])):
        text = f"bank: 1\nid: {bank_id}\ntitle: {bank_id.title()}\nquestions:\n{listed}"
        import_bank(bot.db, parse_bank(text, filename=f"{bank_id}.yaml", base_dir=None))
    group, (ann, *_) = class_7b(fake)
    ann.send("/quiz wordy", chat=group)
    assert "can't be a live round" in await said(fake, "Wordy")
    mark = fake.mark()
    ann.send("/quiz mixed 3", chat=group)
    intro = await said(fake, "Live round", mark)
    assert "Only 1 question of the bank fit a poll (2 too long for a live round)" in intro
    assert (await question(fake, clock, 1, mark)).params["question"] == "[1/1] Short?"


async def test_wrong_arguments_get_clear_answers(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    group, (ann, *_) = class_7b(fake)
    for command, words in [
        ("/quiz", "Start a live round with"),
        (f"/quiz {BANK_ID} 3s", "“3s” is not a time per question: give 5 to 600 seconds"),
        (f"/quiz {BANK_ID} 10 601s", "“601s” is not a time per question"),
        (f"/quiz {BANK_ID} lots", "“lots” is not a number of questions"),
        ("/quiz no-such-bank", "There is no bank called no-such-bank"),
    ]:
        mark = fake.mark()
        ann.send(command, chat=group)
        await said(fake, words, mark)
    assert not fake.calls_to("sendPoll")


async def test_added_to_a_group_says_hello_and_removed_drops_its_round(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    group, (ann, *_) = class_7b(fake)
    fake.bot_membership(group, ann, "left", "member")
    hello = await said(fake, "Hello")
    assert "/quiz <bank-id>" in hello and "admin" in hello
    ann.send(f"/quiz {BANK_ID} 2 10s", chat=group)
    await question(fake, clock, 1)
    mark = fake.mark()
    await handled(bot, fake.bot_membership(group, ann, "member", "kicked"))
    clock.advance(30)
    ann.send("/help")
    await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
    assert not fake.calls_to("sendMessage", GROUP_ID)[2:], "nothing more after the removal"
    with bot.db.session() as session:
        assert quizzes.active_quiz(session, GROUP_ID) is None


async def test_the_groups_table_this_week_and_all_time(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    group, (ann, bob, _, _) = class_7b(fake)
    ann.send(f"/quiz {BANK_ID} 1 10s", chat=group)
    q1 = await question(fake, clock, 1)
    await answer(bot, bob, q1, right=True)  # at once: 1000
    mark = fake.mark()
    clock.advance(10)
    await said(fake, "Round over", mark)
    mark = fake.mark()
    ann.send("/leaderboard@quiz_test_bot", chat=group)
    table = await said(fake, "Leaderboard", mark)
    assert "Class 7B · all time" in table and "🥇 Bob — 1000" in table
    mark = fake.mark()
    ann.send("/leaderboard week", chat=group)
    assert "🥇 Bob — 1000" in await said(fake, "this week", mark)
    clock.advance(7 * 24 * 3600)  # a week later: a new week has begun
    mark = fake.mark()
    ann.send("/leaderboard week", chat=group)
    assert "No round points here yet" in await said(fake, "this week", mark)
    mark = fake.mark()
    bob.send("/leaderboard all", chat=group)
    assert "You: #1 with 1000 round points" in await said(fake, "all time", mark)


def lines_of(table: list[tuple[int, int]], names: dict[int, str]) -> list[str]:
    """A table's lines as the bot writes them."""
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    return [
        f"{medals.get(rank, f'{rank}.')} {names[user]} — {points}"
        for rank, (user, points) in enumerate(table, start=1)
    ]


async def test_weekly_tables_across_monday_midnight_equal_a_full_count(
    settings: Settings, fake: FakeTelegram, clock: ManualClock
):
    berlin = ZoneInfo("Europe/Berlin")
    bot = BotRunner(settings.model_copy(update={"timezone": "Europe/Berlin"}), clock)
    await bot.start()
    try:
        group, (ann, bob, cat, dan) = class_7b(fake)
        names = {member.id: member.first_name for member in (ann, bob, cat, dan)}

        def check(moment: datetime) -> list[tuple[int, int]]:
            """Every kept table equals its full count; the group's this week is returned."""
            with bot.db.session() as session:
                for bank_id, chat_id in ((None, None), (BANK_ID, None), (None, GROUP_ID)):
                    assert_kept_equals_counted(session, bank_id=bank_id, chat_id=chat_id)
                    week = assert_kept_equals_counted(
                        session, week_of=moment, bank_id=bank_id, chat_id=chat_id
                    )
            return week

        async def week_in_group(user: FakeUser) -> str:
            """The group's weekly table as the bot answers `user` there."""
            mark = fake.mark()
            user.send("/leaderboard week", chat=group)
            return await said(fake, "this week", mark)

        monday = scores.week_start(clock.now() + timedelta(days=7), berlin)
        clock.advance((monday - clock.now()).total_seconds() - 25)  # Sunday 23:59:35 in Berlin
        ann.send(f"/quiz {BANK_ID} 3 10s", chat=group)
        q1 = await question(fake, clock, 1)
        clock.advance(1)
        await answer(bot, ann, q1, right=True)
        clock.advance(1)
        await answer(bot, bob, q1, right=True)
        await answer(bot, cat, q1, right=False)
        await time_up(fake, clock, 8)
        q2 = await question(fake, clock, 2)
        await answer(bot, bob, q2, right=True)
        clock.advance(2)
        await answer(bot, dan, q2, right=True)
        await time_up(fake, clock, 8)
        assert clock.now() < monday
        last_week = check(clock.now())
        assert last_week == [(bob.id, 2000), (ann.id, 950), (dan.id, 900)]
        reply = await week_in_group(ann)
        assert reply.splitlines()[1:4] == lines_of(last_week, names)
        assert "You: #2 with 950 round points" in reply
        q3 = await question(fake, clock, 3)
        clock.advance(1)
        await answer(bot, cat, q3, right=True)  # Sunday 23:59:56: last week's
        clock.advance(6)
        await answer(bot, ann, q3, right=True)  # Monday 00:00:02: this week's
        await answer(bot, dan, q3, right=False)
        mark = fake.mark()
        clock.advance(3)
        await said(fake, "Round over", mark)
        assert clock.now() > monday
        this_week = check(clock.now())
        assert this_week == [(ann.id, 650)]

        # The bot's replies are the same tables: the group's, and Ann's overall one in private.
        reply = await week_in_group(bob)
        assert reply.splitlines()[1:3] == [*lines_of(this_week, names), ""]
        assert "You have no points here yet" in reply
        mark = fake.mark()
        ann.send("/leaderboard week")
        reply = plain(text_of(await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)))
        assert "🥇 Ann — 1" in reply and "You: #1 with 1 point" in reply
    finally:
        await bot.stop()


async def test_leaderboards_read_kept_totals_never_the_answers(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    group, (ann, bob, _, _) = class_7b(fake)
    ann.send(f"/quiz {BANK_ID} 1 10s", chat=group)
    q1 = await question(fake, clock, 1)
    await answer(bot, bob, q1, right=True)
    await answer(bot, ann, q1, right=True)
    mark = fake.mark()
    clock.advance(10)
    await said(fake, "Round over", mark)
    with recorded(bot.db.engine) as statements:
        for command in ("/leaderboard", "/leaderboard week"):  # the group's tables
            mark = fake.mark()
            ann.send(command, chat=group)
            assert "🥇 Bob — 1000" in await said(fake, "Leaderboard", mark)
        for command in ("/leaderboard week", f"/leaderboard week {BANK_ID}"):
            mark = fake.mark()
            ann.send(command)
            reply = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
            assert "You: #2 with 1 point" in text_of(reply)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert reads and not [s for s in reads if re.search(r"\banswers\b", s)]


PERSIAN = re.compile("[\u0600-\u06ff]")


async def test_a_round_speaks_its_groups_language_even_resumed_after_a_restart(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    group, (ann, bob, _cat, _dan) = class_7b(fake)
    mark = fake.mark()
    ann.send("/language fa", chat=group)  # Ann is the group's admin
    await fake.wait_for("sendMessage", chat_id=GROUP_ID, since=mark)
    start = fake.mark()
    ann.send(f"/quiz {BANK_ID} 2 10s", chat=group)
    q1 = await question(fake, clock, 1, since=start)
    await answer(bot, bob, q1, right=True)
    await bot.restart()  # the round goes on from the database, in the group's language
    mark = fake.mark()
    clock.advance(10)
    await question(fake, clock, 2, since=mark)
    mark = fake.mark()
    clock.advance(10)
    table = await fake.wait_for(
        "sendMessage", chat_id=GROUP_ID, since=mark, predicate=lambda c: "🥇" in text_of(c)
    )
    said_to_group = [
        c for c in fake.calls[start:] if c.params.get("chat_id") == GROUP_ID and c.error is None
    ]
    texts = [text_of(c) for c in said_to_group if c.method == "sendMessage"]
    assert len(texts) >= 4  # the intro, two results, the table
    assert all(PERSIAN.search(text) for text in texts), texts
    assert not leaks(said_to_group), leaks(said_to_group)
    assert "Bob" in text_of(table)
