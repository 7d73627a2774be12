"""In a group, commands addressed to the bot work and a quiz is its starter's to answer."""

from __future__ import annotations

from tests.fakebot import FakeTelegram
from tests.harness import BotRunner, poll_id, text_of


async def test_a_quiz_in_a_group_counts_only_its_starter(bot: BotRunner, fake: FakeTelegram):
    group = fake.group(-100123, "Class 7B")
    ann, bob = fake.user(101, "Ann"), fake.user(102, "Bob")
    ann.send("/quiz@quiz_test_bot russia-iran-partnership 1", chat=group)
    poll = await fake.wait_for("sendPoll", chat_id=group.id)
    mark = fake.mark()
    bob.answer_poll(poll_id(poll), poll.params["correct_option_ids"])
    ann.answer_poll(poll_id(poll), poll.params["correct_option_ids"])
    summary = await fake.wait_for(
        "sendMessage", chat_id=group.id, predicate=lambda c: "Quiz finished" in text_of(c)
    )
    assert "Score: <b>1/1</b>" in text_of(summary)
    feedback = [c for c in fake.calls_to("sendMessage", group.id)[1:] if "Answer" in text_of(c)]
    assert len(feedback) == 1
    bob.send("/score", chat=group)
    reply = await fake.wait_for(
        "sendMessage", chat_id=group.id, since=mark, predicate=lambda c: "points" in text_of(c)
    )
    assert "You have no points yet" in text_of(reply)


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
