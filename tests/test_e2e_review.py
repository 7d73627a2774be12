"""Spaced review end to end: missed questions come back, then get scheduled (a manual clock)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Answer, Card
from tests.clocks import ManualClock
from tests.fakebot import Call, FakeTelegram, FakeUser
from tests.harness import (
    SHOWN,
    BotRunner,
    feedback_after,
    plain,
    poll_id,
    poll_text,
    say,
    text_of,
    wrong_option,
)

BANK = "russia-iran-partnership"
DAY = 86400


@pytest.fixture
def bot(clocked_bot: BotRunner) -> BotRunner:
    """The real application on the manual clock: reviews fall due as the test moves it."""
    return clocked_bot


async def answer(fake: FakeTelegram, user: FakeUser, poll: Call, right: bool) -> str:
    """Answer a poll; the feedback as the learner reads it."""
    mark = fake.mark()
    user.answer_poll(
        poll_id(poll), poll.params["correct_option_ids"] if right else [wrong_option(poll)]
    )
    return plain(text_of(await feedback_after(fake, user.id, mark)))


async def next_poll(fake: FakeTelegram, user: FakeUser, since: int) -> Call:
    return await fake.wait_for("sendPoll", chat_id=user.id, since=since)


async def test_missed_questions_come_back_until_right_then_get_scheduled(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    ann = fake.user(101, "Ann")
    assert "Start with /quiz" in await say(fake, ann, "/review")
    mark = fake.mark()
    ann.send(f"/quiz {BANK} 3")
    asked, missed = [], []
    for right in (False, True, False):
        poll = await next_poll(fake, ann, mark)
        asked.append(poll_text(poll))
        if not right:
            missed.append(poll_text(poll))
        mark = fake.mark()
        await answer(fake, ann, poll, right)
        clock.advance(60)
    await fake.wait_for(
        "sendMessage", chat_id=ann.id, predicate=lambda c: "Quiz finished" in text_of(c)
    )

    # Both missed questions are due at once, the one missed first asked first.
    mark = fake.mark()
    ann.send("/review")
    intro = plain(text_of(await fake.wait_for(SHOWN, chat_id=ann.id, since=mark)))
    assert "2 questions due" in intro
    first = await next_poll(fake, ann, mark)
    assert poll_text(first) == missed[0]
    mark = fake.mark()
    assert "comes back later in this review" in await answer(fake, ann, first, right=False)
    second = await next_poll(fake, ann, mark)
    assert poll_text(second) == missed[1]
    mark = fake.mark()
    assert "Next review of this question in" in await answer(fake, ann, second, right=True)
    again = await next_poll(fake, ann, mark)
    assert poll_text(again) == missed[0] and again.params["question"].startswith("[3/3] ")
    mark = fake.mark()
    assert "Next review of this question in" in await answer(fake, ann, again, right=True)
    summary = await fake.wait_for(
        "sendMessage", chat_id=ann.id, since=mark, predicate=lambda c: "finished" in text_of(c)
    )
    assert "Review of your due questions" in plain(text_of(summary))

    # Nothing is due now: the reply says when something will be.
    assert "The next question is due in" in await say(fake, ann, "/review")
    # Days later, what was answered right is due again.
    clock.advance(40 * DAY)
    mark = fake.mark()
    ann.send("/review")
    assert "3 questions due" in plain(
        text_of(await fake.wait_for(SHOWN, chat_id=ann.id, since=mark))
    )
    with bot.db.session() as session:
        ratings = session.scalars(select(Answer.rating).where(Answer.user_id == ann.id)).all()
        cards = session.scalars(select(Card).where(Card.user_id == ann.id)).all()
    assert set(ratings) <= {1, 3, 4} and 1 in ratings  # Again, Good or Easy
    assert len(cards) == 3


async def test_a_new_quiz_asks_what_the_learner_has_not_seen_first(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    ann = fake.user(101, "Ann")
    seen: list[str] = []
    for count in (10, 10, 10):
        mark = fake.mark()
        ann.send(f"/quiz {BANK} {count}")
        for _ in range(count):
            poll = await next_poll(fake, ann, mark)
            seen.append(poll_text(poll))
            mark = fake.mark()
            await answer(fake, ann, poll, right=True)
        clock.advance(60)
    assert len(set(seen)) == 30  # three quizzes of ten covered the 30-question bank


async def test_review_of_an_unknown_bank_and_in_a_group(bot: BotRunner, fake: FakeTelegram):
    ann = fake.user(101, "Ann")
    assert "no bank called" in await say(fake, ann, "/review nope")
    group = fake.group(-100123, "Class")
    mark = fake.mark()
    ann.send("/review@quiz_test_bot", chat=group)
    reply = await fake.wait_for("sendMessage", chat_id=group.id, since=mark)
    assert "private chat" in text_of(reply)


async def test_progress_shows_each_bank_and_the_day_streak(
    bot: BotRunner, fake: FakeTelegram, clock: ManualClock
):
    ann = fake.user(101, "Ann")
    shown = await say(fake, ann, "/progress")
    assert "Day streak: none yet" in shown and "Nothing to show yet" in shown
    for day, rights in enumerate(([True, False], [True, True])):
        mark = fake.mark()
        ann.send(f"/quiz {BANK} 2")
        for right in rights:
            poll = await next_poll(fake, ann, mark)
            mark = fake.mark()
            await answer(fake, ann, poll, right)
        await fake.wait_for(
            "sendMessage", chat_id=ann.id, since=mark, predicate=lambda c: "finished" in text_of(c)
        )
        if day == 0:
            clock.advance(DAY)
    shown = await say(fake, ann, "/progress")
    assert "Day streak: 2 days in a row" in shown
    # Day one's two questions are due (one missed, one past its first step); today's are not.
    assert "Learned: 0 · in progress: 2 · due now: 2 · not seen yet: 26" in shown
    assert "/review asks what is due" in shown
    assert "no bank called" in await say(fake, ann, "/progress nope")
    clock.advance(3 * DAY)
    assert "Day streak: none yet" in await say(fake, ann, "/progress")
