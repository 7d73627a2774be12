"""/leaderboard options and /privacy, as learners use them in private chats."""

from __future__ import annotations

from tests.fakebot import FakeTelegram
from tests.fakebot.server import FakeUser
from tests.harness import BotRunner, poll_id, say, text_of

BANK = "russia-iran-partnership"


async def score_one(fake: FakeTelegram, user: FakeUser) -> None:
    """The user takes a one-question quiz and answers it right."""
    mark = fake.mark()
    user.send(f"/quiz {BANK} 1")
    poll = await fake.wait_for("sendPoll", chat_id=user.id, since=mark)
    user.answer_poll(poll_id(poll), poll.params["correct_option_ids"])
    await fake.wait_for(
        "sendMessage", chat_id=user.id, predicate=lambda c: "finished" in text_of(c)
    )


async def test_privacy_hides_a_name_but_keeps_the_points(bot: BotRunner, fake: FakeTelegram):
    ann, bob = fake.user(101, "Ann"), fake.user(102, "Bob <b>")
    await score_one(fake, ann)
    await score_one(fake, bob)
    table = await say(fake, ann, "/leaderboard")
    assert "🥇 Ann — 1" in table and "🥈 Bob <b> — 1" in table and "all time" in table
    assert "this week" in await say(fake, ann, "/leaderboard week")

    assert "now hidden" in await say(fake, ann, "/privacy")
    table = await say(fake, bob, "/leaderboard")
    assert "Ann" not in table and "🥇 anonymous learner — 1" in table
    assert "Ann" not in await say(fake, bob, f"/leaderboard week {BANK}")
    assert "You: #1 with 1 point" in await say(fake, ann, "/leaderboard all")

    assert "name is shown on the leaderboards" in await say(fake, ann, "/privacy off")
    assert "🥇 Ann — 1" in await say(fake, bob, f"/leaderboard {BANK}")
    assert "/privacy on" in await say(fake, ann, "/privacy maybe")
    assert "I don't know “daily”" in await say(fake, ann, f"/leaderboard {BANK} daily")
    assert "no bank called" in await say(fake, ann, "/leaderboard week nowhere")
