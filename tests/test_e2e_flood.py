"""One user or one group flooding the bot slows only themselves (production rate limiter on)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.settings import Settings
from storage.models import InboxUpdate
from tests.fakebot import Call, FakeTelegram, FakeUser
from tests.harness import SHOWN, BotRunner, poll_id, text_of

FLOOD = 100
BOUND = 1.0  # seconds: another user's command is answered within this while the flood lasts
BANK = "russia-iran-partnership"


@pytest.fixture
async def limited_bot(settings: Settings) -> AsyncIterator[BotRunner]:
    """The bot with Telegram's send limits on, as in production."""
    runner = BotRunner(settings.model_copy(update={"rate_limit": True}))
    await runner.start()
    yield runner
    await runner.stop()


async def answered_in(fake: FakeTelegram, user: FakeUser, text: str) -> float:
    """Seconds from a user's command to the bot's first reply in their chat."""
    mark = fake.mark()
    sent = time.monotonic()
    user.send(text)
    reply = await fake.wait_for("sendMessage", chat_id=user.id, since=mark, timeout=15)
    return reply.at - sent


def slow_downs(fake: FakeTelegram, chat_id: int) -> list[Call]:
    return [c for c in fake.calls_to("sendMessage", chat_id) if "Slow down" in text_of(c)]


async def test_a_private_flood_delays_nobody_else(limited_bot: BotRunner, fake: FakeTelegram):
    flooder, others = fake.user(666, "Mallory"), [fake.user(100 + i, f"L{i}") for i in range(5)]
    for i in range(FLOOD):
        flooder.send(f"spam {i}")
    delays = []
    for user in others:
        delays.append(await answered_in(fake, user, "/help"))
        await asyncio.sleep(0.2)
    assert max(delays) < BOUND, delays
    # The flood was shed: a few replies and one request to slow down, not a hundred replies.
    await asyncio.sleep(2)
    replies = fake.calls_to("sendMessage", flooder.id)
    assert len(slow_downs(fake, flooder.id)) == 1
    assert len(replies) <= 6, [text_of(c) for c in replies]
    # Shed updates count as handled: a restart does not replay the flood.
    with limited_bot.db.session() as session:
        unhandled = session.scalar(
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.handled_at.is_(None))
        )
    assert unhandled == 0


async def test_a_group_flood_delays_nobody_else(limited_bot: BotRunner, fake: FakeTelegram):
    flooder = fake.user(666, "Mallory")
    group, other_group = fake.group(-100666, "Mallory's"), fake.group(-100777, "Class")
    fake.chat_creators[group.id] = flooder.id
    for _ in range(FLOOD):
        flooder.send("/help@quiz_test_bot", chat=group)
    ann, bob = fake.user(101, "Ann"), fake.user(102, "Bob")
    assert await answered_in(fake, ann, "/help") < BOUND
    mark = fake.mark()
    sent = time.monotonic()
    bob.send("/help@quiz_test_bot", chat=other_group)
    reply = await fake.wait_for("sendMessage", chat_id=other_group.id, since=mark, timeout=15)
    assert reply.at - sent < BOUND
    # The group's own budget (20 messages a minute) is not spent on the flood.
    await asyncio.sleep(2)
    assert len(fake.calls_to("sendMessage", group.id)) <= 6


async def test_a_flooders_quiz_answers_still_count(limited_bot: BotRunner, fake: FakeTelegram):
    mallory = fake.user(666, "Mallory")
    mallory.send(f"/quiz {BANK} 2")
    poll = await fake.wait_for("sendPoll", chat_id=mallory.id, timeout=15)
    for i in range(FLOOD):
        mallory.send(f"spam {i}")
    mark = fake.mark()
    mallory.answer_poll(poll_id(poll), poll.params["correct_option_ids"])
    verdict = await fake.wait_for(
        SHOWN, lambda c: "Correct" in text_of(c), chat_id=mallory.id, since=mark
    )
    assert "Score so far: 1/1" in text_of(verdict)
    await fake.wait_for("sendPoll", chat_id=mallory.id, since=mark)  # and the quiz goes on


async def test_a_flood_of_button_presses_gets_one_alert(limited_bot: BotRunner, fake: FakeTelegram):
    mallory = fake.user(666, "Mallory")
    mallory.send("/banks")
    listing = await fake.wait_for("sendMessage", chat_id=mallory.id, timeout=15)
    button = listing.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    for _ in range(30):
        mallory.press(listing.result, button)
    alert = await fake.wait_for(
        "answerCallbackQuery", lambda c: "Slow down" in str(c.params.get("text")), timeout=15
    )
    assert alert.params["show_alert"] is True
    await asyncio.sleep(2)
    alerts = [c for c in fake.calls_to("answerCallbackQuery") if c.params.get("text")]
    assert len(alerts) == 1
    assert len(fake.calls_to("sendPoll", mallory.id)) <= 3  # a few quizzes started, not 30
