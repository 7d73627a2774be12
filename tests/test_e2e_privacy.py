"""Private banks stay private: shared stand-in accounts, forged buttons, plain-member teachers."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from bench.bankgen import write_bank
from bot.callbacks import Action, encode
from storage.models import BankAccess, QuizItem
from storage.quizzes import active_quiz
from tests.conftest import ADMIN_ID, TEACHER_ID
from tests.fakebot import FakeTelegram
from tests.harness import SHOWN, BotRunner, handled, plain, poll_id, text_of
from tests.test_e2e_teachers import GROUP_LINK, PRIVATE, say, upload

ANN, BOB, MALLORY = 101, 102, 666
OTHER_TEACHER = 9002


async def said_in(fake: FakeTelegram, chat_id: int, since: int) -> str:
    return plain(text_of(await fake.wait_for("sendMessage", chat_id=chat_id, since=since)))


async def test_an_anonymous_admins_link_opens_the_bank_to_that_group_only(
    bot: BotRunner, fake: FakeTelegram
):
    tess = fake.user(TEACHER_ID, "Tess")
    await upload(fake, tess, "water.yaml", PRIVATE)
    link = GROUP_LINK.search(await say(fake, tess, "/share water"))
    assert link is not None
    ours, strangers = fake.group(-100001, "Class 7B"), fake.group(-100002, "Strangers")
    # An anonymous admin of Class 7B opens the teacher's ?startgroup= link there.
    mark = fake.mark()
    fake.speaking_for(ours).send(f"/start@quiz_test_bot {link.group(1)}", chat=ours)
    poll = await fake.wait_for("sendPoll", chat_id=ours.id, since=mark)
    assert "[1/2]" in poll.params["question"]
    # Every anonymous admin is the same account: in another group it must open nothing.
    anonymous_stranger = fake.speaking_for(strangers)
    for command, refusal in [
        ("/quiz@quiz_test_bot water", "There is no bank called"),
        ("/start@quiz_test_bot water", "There is no bank called"),
        ("/leaderboard@quiz_test_bot water", "no bank called"),
    ]:
        mark = fake.mark()
        anonymous_stranger.send(command, chat=strangers)
        assert refusal in await said_in(fake, strangers.id, mark), command
    assert not fake.calls_to("sendPoll", strangers.id)
    mark = fake.mark()
    anonymous_stranger.send("/banks@quiz_test_bot", chat=strangers)
    assert "water" not in await said_in(fake, strangers.id, mark)
    # ...while Class 7B keeps it: its own table of the bank, its own list.
    mark = fake.mark()
    fake.user(ANN, "Ann").send("/banks@quiz_test_bot", chat=ours)
    assert "The water cycle" in await said_in(fake, ours.id, mark)
    with bot.db.session() as session:
        holders = session.scalars(select(BankAccess.user_id)).all()
    assert holders == []  # nobody was given the bank for good by that link


async def test_a_forged_button_scores_nothing_in_a_groups_round(bot: BotRunner, fake: FakeTelegram):
    group = fake.group(-100001, "Class 7B")
    ann, bob, mallory = fake.user(ANN, "Ann"), fake.user(BOB, "Bob"), fake.user(MALLORY, "Mal")
    fake.chat_admins[group.id] = {ANN}
    ann.send("/quiz@quiz_test_bot russia-iran-partnership 2", chat=group)
    poll = await fake.wait_for("sendPoll", chat_id=group.id)
    await handled(bot, bob.answer_poll(poll_id(poll), poll.params["correct_option_ids"]))
    with bot.db.session() as session:
        running = active_quiz(session, group.id)
        assert running is not None
        item = session.scalars(select(QuizItem.id).where(QuizItem.quiz_id == running.id)).first()
    # Mallory, no member, presses forged answer data under a message in her own chat.
    mark = fake.mark()
    mallory.send("/help")
    her_message = (await fake.wait_for("sendMessage", chat_id=mallory.id, since=mark)).result
    mask = 1 << poll.params["correct_option_ids"][0]
    await handled(
        bot, mallory.press(her_message, encode(Action.ANSWER, item, mask), require_button=False)
    )
    mark = fake.mark()
    ann.send("/stop@quiz_test_bot", chat=group)
    table = await fake.wait_for(
        "sendMessage", chat_id=group.id, since=mark, predicate=lambda c: "Round" in text_of(c)
    )
    assert "Bob" in text_of(table) and "Mal" not in text_of(table)


async def test_a_channel_voting_in_a_round_scores_nobody(bot: BotRunner, fake: FakeTelegram):
    group = fake.group(-100001, "Class 7B")
    ann = fake.user(ANN, "Ann")
    fake.chat_admins[group.id] = {ANN}
    ann.send("/quiz@quiz_test_bot russia-iran-partnership 1", chat=group)
    poll = await fake.wait_for("sendPoll", chat_id=group.id)
    channel = fake.speaking_for(fake.channel(-100900, "News"))
    await handled(bot, channel.answer_poll(poll_id(poll), poll.params["correct_option_ids"]))
    mark = fake.mark()
    ann.send("/stop@quiz_test_bot", chat=group)
    table = await said_in(fake, group.id, mark)
    assert "Channel" not in table
    mark = fake.mark()
    channel.send("/score@quiz_test_bot", chat=group)
    assert "writing anonymously" in await said_in(fake, group.id, mark)


async def test_a_plain_member_teacher_has_no_power_over_a_groups_round_or_link(
    bot: BotRunner, fake: FakeTelegram
):
    group = fake.group(-100001, "Class 7B")
    ann, olga = fake.user(ANN, "Ann"), fake.user(OTHER_TEACHER, "Olga")
    tess = fake.user(TEACHER_ID, "Tess")
    fake.chat_admins[group.id] = {ANN}
    admin = fake.user(ADMIN_ID, "Ada")
    await say(fake, admin, f"/teacher add {OTHER_TEACHER}")
    tess.send("/quiz@quiz_test_bot russia-iran-partnership 2", chat=group)  # a teacher may start
    await fake.wait_for("sendPoll", chat_id=group.id)
    mark = fake.mark()
    olga.send("/stop@quiz_test_bot", chat=group)  # another teacher, a plain member here
    assert "Only the group's admins and whoever started" in await said_in(fake, group.id, mark)
    mark = fake.mark()
    olga.send("/weblink@quiz_test_bot revoke", chat=group)
    assert "Only the group's admins can renew" in await said_in(fake, group.id, mark)
    mark = fake.mark()
    ann.send("/stop@quiz_test_bot", chat=group)  # the group's admin may
    assert "Round stopped" in await said_in(fake, group.id, mark)


async def test_a_group_is_not_shown_a_members_private_banks(bot: BotRunner, fake: FakeTelegram):
    tess = fake.user(TEACHER_ID, "Tess")
    group = fake.group(-100001, "Staff room")
    await upload(fake, tess, "water.yaml", PRIVATE)
    mark = fake.mark()
    tess.send("/quiz water 1")
    poll = await fake.wait_for("sendPoll", chat_id=tess.id, since=mark)
    await handled(bot, tess.answer_poll(poll_id(poll), poll.params["correct_option_ids"]))
    for command in ("/banks", "/start", "/score", "/mybanks"):
        mark = fake.mark()
        tess.send(f"{command}@quiz_test_bot", chat=group)
        call = await fake.wait_for("sendMessage", chat_id=group.id, since=mark)
        shown = text_of(call) + str(call.params.get("reply_markup", ""))
        assert "water" not in shown.lower(), (command, shown)
    # In private she still sees her own bank everywhere.
    assert "The water cycle" in await say(fake, tess, "/banks")
    assert "The water cycle" in await say(fake, tess, "/score")


async def test_privacy_says_what_it_does_not_hide(bot: BotRunner, fake: FakeTelegram):
    reply = plain(await say(fake, fake.user(ANN, "Ann"), "/privacy on"))
    assert "teacher of a bank you play still sees your name" in reply


async def test_a_quiz_has_at_most_100_questions(
    bot: BotRunner, fake: FakeTelegram, questions_dir: Path
):
    write_bank(questions_dir, "big", 150)
    await bot.restart()  # banks in the folder are loaded at start
    ann = fake.user(ANN, "Ann")
    mark = fake.mark()
    ann.send("/quiz big 10000")
    intro = plain(text_of(await fake.wait_for(SHOWN, chat_id=ann.id, since=mark)))
    assert "at most 100 questions, so you get 100" in intro
    poll = await fake.wait_for("sendPoll", chat_id=ann.id, since=mark)
    assert re.match(r"\[1/100\] ", poll.params["question"])


async def test_a_huge_bank_id_gets_a_short_answer(bot: BotRunner, fake: FakeTelegram):
    ann = fake.user(ANN, "Ann")
    for command in ("/quiz", "/start", "/leaderboard"):
        reply = plain(await say(fake, ann, f"{command} {'x' * 4000}"))
        assert "no bank called" in reply and len(reply) < 300, command
