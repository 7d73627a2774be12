"""Whatever a user sends, the bot answers briefly and helpfully, and never crashes."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from storage import scores
from tests.fakebot import FakeTelegram
from tests.harness import SHOWN, BotRunner, feedback_after, plain, poll_id, text_of


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("/frobnicate", "I don't know /frobnicate"),
        ("hello there", "Send /quiz to start"),
        ("/quiz no-such-bank", "There is no bank called <code>no-such-bank</code>"),
        ("/quiz russia-iran-partnership many", "“many” is not a number of questions"),
        ("/quiz russia-iran-partnership 0", "is not a number of questions"),
        ("/quiz 5", "For 5 questions of a bank: /quiz &lt;bank-id&gt; 5"),
        ("/quiz russia-iran-partnership 5 15s", "Seconds per question are for live rounds"),
        ("/stop", "No quiz is running"),
        ("/leaderboard nope", "no bank called <code>nope</code>. Try /leaderboard week"),
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
    # The open poll was closed: a vote on it now would count for nothing.
    closed = fake.calls_to("stopPoll", ann.id)
    assert [c.params["message_id"] for c in closed] == [poll.result["message_id"]]


async def test_asking_for_more_questions_than_the_bank_has(bot: BotRunner, fake: FakeTelegram):
    ann = fake.user(101, "Ann")
    ann.send("/quiz russia-iran-partnership 500")
    intro = await fake.wait_for(SHOWN, chat_id=ann.id)
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


def raw_user(user_id: int, first_name: str) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name}


async def test_unexpected_updates_are_ignored_without_errors(
    bot: BotRunner, fake: FakeTelegram, caplog
):
    ann = fake.user(101, "Ann")
    group = fake.group(-100777, "Class")
    chat = {"id": ann.id, "type": "private", "first_name": "Ann"}
    command = [{"type": "bot_command", "offset": 0, "length": 5}]
    channel = {"id": -100555, "type": "channel", "title": "News"}
    odd_updates: list[dict[str, Any]] = [
        {
            "edited_message": {
                "message_id": 1,
                "date": 0,
                "edit_date": 1,
                "chat": chat,
                "from": raw_user(ann.id, "Ann"),
                "text": "/quiz",
                "entities": command,
            }
        },
        {
            "channel_post": {
                "message_id": 2,
                "date": 0,
                "chat": channel,
                "text": "/quiz",
                "entities": command,
            }
        },
        {
            "message": {
                "message_id": 3,
                "date": 0,
                "chat": group.to_dict(),
                "text": "/quiz",
                "entities": command,
                "sender_chat": channel,
            }
        },  # no user at all
        {
            "callback_query": {
                "id": "cq1",
                "from": raw_user(ann.id, "Ann"),
                "chat_instance": "1",
                "game_short_name": "tetris",
            }
        },
        {
            "inline_query": {
                "id": "iq1",
                "from": raw_user(ann.id, "Ann"),
                "query": "x",
                "offset": "",
            }
        },
        {
            "poll_answer": {
                "poll_id": "p",
                "voter_chat": channel,
                "option_ids": [0],
                "option_persistent_ids": ["a"],
            }
        },
    ]
    with caplog.at_level(logging.WARNING):
        for update in odd_updates:
            fake.push_update(update)
        ann.send("/help")
        await fake.wait_for("sendMessage", chat_id=ann.id)
    assert [c.method for c in fake.calls if c.method.startswith("send")] == ["sendMessage"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_hostile_and_huge_names_are_stored_and_shown_safely(
    bot: BotRunner, fake: FakeTelegram
):
    names = ["Robert'); DROP TABLE users;--", "<b>Eve</b> & co " + "x" * 4080]
    for index, name in enumerate(names):
        user = fake.user(200 + index, name)
        user.send("/quiz russia-iran-partnership 1")
        poll = await fake.wait_for("sendPoll", chat_id=user.id)
        user.answer_poll(poll_id(poll), poll.params["correct_option_ids"])
        await fake.wait_for(
            "sendMessage", chat_id=user.id, predicate=lambda c: "Quiz finished" in text_of(c)
        )
    viewer = fake.user(300, "Viewer")
    viewer.send("/leaderboard")
    board = text_of(await fake.wait_for("sendMessage", chat_id=viewer.id))
    assert "Robert&#x27;); DROP TABLE users;--" in board
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; co" in board and "<b>Eve" not in board
    assert len(plain(board)) < 4096


async def test_a_new_quiz_says_how_far_the_one_it_replaces_had_come(
    bot: BotRunner, fake: FakeTelegram
):
    ann = fake.user(101, "Ann")
    ann.send("/quiz russia-iran-partnership 3")
    poll = await fake.wait_for("sendPoll", chat_id=ann.id)
    mark = fake.mark()
    ann.answer_poll(poll_id(poll), poll.params["correct_option_ids"])
    await feedback_after(fake, ann.id, mark)
    await fake.wait_for("sendPoll", chat_id=ann.id, since=mark)
    mark = fake.mark()
    ann.send("/quiz russia-iran-partnership 2")
    intro = await fake.wait_for(SHOWN, chat_id=ann.id, since=mark)
    assert "Your previous quiz here was stopped at 1/1 right." in text_of(intro)


async def test_a_name_or_title_of_any_length_never_makes_a_message_too_long(
    bot: BotRunner, fake: FakeTelegram
):
    # Telegram's own clients stop at 64 characters for a name and 128 for a title; forged
    # updates do not. Every reply still fits (the fake refuses what Telegram would).
    huge = fake.user(4242, "N" * 4096, "hugename")
    mark = fake.mark()
    huge.send("/start")
    hello = await fake.wait_for("sendMessage", chat_id=huge.id, since=mark)
    assert hello.error is None and plain(text_of(hello)).startswith("👋 Hi " + "N" * 60)
    group = fake.group(-4242, "T" * 4096)
    fake.chat_admins[group.id] = {huge.id}
    for command in ("/leaderboard", "/leaderboard week"):
        mark = fake.mark()
        huge.send(command, chat=group)
        reply = await fake.wait_for("sendMessage", chat_id=group.id, since=mark)
        assert reply.error is None and "T" * 100 in text_of(reply)
        assert "T" * 200 not in text_of(reply)
    assert not fake.violations


async def test_an_update_the_framework_cannot_read_does_not_stop_the_bot(
    bot: BotRunner, fake: FakeTelegram
):
    # A poll answer as Bot API 9.5 sent it (no option_persistent_ids), and a message whose
    # date is not a number: python-telegram-bot raises on either while reading the batch.
    ann = fake.user(101, "Ann")
    fake.push_update({"poll_answer": {"poll_id": "1", "user": ann.to_dict(), "option_ids": [0]}})
    fake.push_update(
        {"message": {"message_id": 9, "date": "soon", "chat": {"id": 101, "type": "private"}}}
    )
    mark = fake.mark()
    ann.send("/help")
    help_reply = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, timeout=10)
    assert "/quiz" in text_of(help_reply)
    # The unreadable ones were confirmed to Telegram, not fetched again and again.
    await asyncio.sleep(1.5)
    polls = [c for c in fake.calls_to("getUpdates") if c.error is None][-3:]
    assert all(c.result == [] for c in polls[1:]), "the bad updates came back"
