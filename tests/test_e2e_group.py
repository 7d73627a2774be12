"""In a group, commands addressed to the bot work and /quiz runs a round everyone answers."""

from __future__ import annotations

from tests.fakebot import FakeTelegram
from tests.harness import BotRunner, handled, poll_id, text_of, wrong_option


async def test_a_quiz_in_a_group_is_a_round_that_everyone_answers(
    bot: BotRunner, fake: FakeTelegram
):
    group = fake.group(-100123, "Class 7B")
    ann, bob = fake.user(101, "Ann"), fake.user(102, "Bob")
    fake.chat_creators[group.id] = ann.id
    ann.send("/quiz@quiz_test_bot russia-iran-partnership 1", chat=group)
    poll = await fake.wait_for("sendPoll", chat_id=group.id)
    assert poll.params["open_period"] == 20 and poll.params["is_anonymous"] is False
    await handled(bot, bob.answer_poll(poll_id(poll), poll.params["correct_option_ids"]))
    await handled(bot, ann.answer_poll(poll_id(poll), [wrong_option(poll)]))
    ann.send("/stop", chat=group)
    table = await fake.wait_for(
        "sendMessage", chat_id=group.id, predicate=lambda c: "Round stopped" in text_of(c)
    )
    assert "1. Bob — " in text_of(table) and "2. Ann — 0" in text_of(table)
    mark = fake.mark()
    bob.send("/score", chat=group)
    reply = await fake.wait_for("sendMessage", chat_id=group.id, since=mark)
    assert "Points: <b>1</b>" in text_of(reply)  # one per right answer, as in solo quizzes
    assert not [c for c in fake.calls_to("sendMessage", group.id) if "Answer" in text_of(c)]


async def test_group_chatter_and_other_bots_commands_are_left_alone(
    bot: BotRunner, fake: FakeTelegram
):
    group = fake.group(-100123, "Class 7B")
    ann = fake.user(101, "Ann")
    ann.send("/frobnicate@some_other_bot", chat=group)
    ann.send("/frobnicate@quiz_test_bot", chat=group)
    reply = await fake.wait_for("sendMessage", chat_id=group.id)
    assert "I don't know /frobnicate@quiz_test_bot" in text_of(reply)
    assert len(fake.calls_to("sendMessage")) == 1


async def test_start_in_a_group_explains_rounds_and_a_deep_link_starts_one(
    bot: BotRunner, fake: FakeTelegram
):
    group = fake.group(-100123, "Class 7B")
    ann, bob = fake.user(101, "Ann"), fake.user(102, "Bob")
    fake.chat_creators[group.id] = ann.id
    mark = fake.mark()
    bob.send("/stop@quiz_test_bot", chat=group)
    idle = await fake.wait_for("sendMessage", chat_id=group.id, since=mark)
    assert "No round is running. A group admin or a teacher starts one" in text_of(idle)
    mark = fake.mark()
    bob.send("/start@quiz_test_bot", chat=group)
    hello = await fake.wait_for("sendMessage", chat_id=group.id, since=mark)
    assert "live quiz rounds" in text_of(hello) and "/quiz &lt;bank-id&gt;" in hello.params["text"]
    mark = fake.mark()
    bob.send("/start@quiz_test_bot russia-iran-partnership", chat=group)
    refused = await fake.wait_for("sendMessage", chat_id=group.id, since=mark)
    assert "Only the group's admins and teachers" in text_of(refused)
    ann.send("/start@quiz_test_bot russia-iran-partnership", chat=group)
    poll = await fake.wait_for("sendPoll", chat_id=group.id)
    # A round (timed, for everyone), not a solo quiz of Ann's in the group
    assert poll.params["open_period"] == 20 and poll.params["is_anonymous"] is False
