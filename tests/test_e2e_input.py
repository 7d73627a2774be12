"""Whatever a user sends, the bot answers briefly and helpfully, and never crashes."""

from __future__ import annotations

import logging

import pytest

from storage import scores
from tests.fakebot import FakeTelegram
from tests.harness import BotRunner, text_of


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("/frobnicate", "I don't know /frobnicate"),
        ("hello there", "Send /quiz to start"),
        ("/quiz no-such-bank", "There is no bank called <code>no-such-bank</code>"),
        ("/quiz russia-iran-partnership many", "“many” is not a number of questions"),
        ("/quiz russia-iran-partnership 0", "is not a number of questions"),
        ("/stop", "No quiz is running"),
        ("/leaderboard nope", "There is no bank called"),
        ("/score", "You have no points yet"),
        ("/leaderboard", "Nobody has scored here yet"),
        ("/start no-such-bank", "There is no bank called"),
    ],
)
async def test_replies_to_bad_or_idle_input(
    bot: BotRunner, fake: FakeTelegram, sent: str, expected: str
):
    user = fake.user(101, "Ann")
    user.send(sent)
    reply = await fake.wait_for("sendMessage", chat_id=user.id)
    assert expected in text_of(reply)


async def test_quiz_alone_offers_banks_and_a_button_starts_one(bot: BotRunner, fake: FakeTelegram):
    ann = fake.user(101, "Ann")
    ann.send("/quiz")
    offer = await fake.wait_for("sendMessage", chat_id=ann.id)
    button = offer.params["reply_markup"]["inline_keyboard"][0][0]
    ann.press(offer.result, button["callback_data"])
    poll = await fake.wait_for("sendPoll", chat_id=ann.id)
    assert poll.params["question"].startswith("[1/10] ")
    mark = fake.mark()
    ann.send("what now?")
    hint = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
    assert "/stop" in text_of(hint)
    mark = fake.mark()
    ann.send("/stop")
    stopped = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
    assert "Quiz stopped" in text_of(stopped) and "Score: <b>0/0</b>" in text_of(stopped)


async def test_asking_for_more_questions_than_the_bank_has(bot: BotRunner, fake: FakeTelegram):
    ann = fake.user(101, "Ann")
    ann.send("/quiz russia-iran-partnership 500")
    intro = await fake.wait_for("sendMessage", chat_id=ann.id)
    assert "only 30 questions, so you get all of them" in text_of(intro)
    poll = await fake.wait_for("sendPoll", chat_id=ann.id)
    assert poll.params["question"].startswith("[1/30] ")


async def test_answer_to_an_unknown_poll_is_ignored(bot: BotRunner, fake: FakeTelegram):
    ann = fake.user(101, "Ann")
    fake.push_update(
        {
            "poll_answer": {
                "poll_id": "no-such-poll",
                "user": {"id": ann.id, "is_bot": False, "first_name": "Ann"},
                "option_ids": [0],
                "option_persistent_ids": ["x"],
            }
        }
    )
    ann.send("/score")
    reply = await fake.wait_for("sendMessage", chat_id=ann.id)
    assert "no points yet" in text_of(reply)
    assert len(fake.calls_to("sendMessage")) == 1


async def test_an_unexpected_error_is_logged_once_and_the_user_told(
    bot: BotRunner, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch, caplog
):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(scores, "user_stats", broken)
    ann = fake.user(101, "Ann")
    with caplog.at_level(logging.INFO):
        ann.send("/score")
        reply = await fake.wait_for("sendMessage", chat_id=ann.id)
        assert "something went wrong" in text_of(reply)
        mark = fake.mark()
        ann.send("/help")  # and the bot carries on
        await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None
    assert "disk on fire" in str(errors[0].exc_info[1])
