"""Flood control and crashes: nothing lost, nothing counted twice."""

from __future__ import annotations

import asyncio
import random
import signal
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from tests.conftest import QUESTIONS
from tests.fakebot import Call, FakeTelegram, FakeUser, FaultReply
from tests.harness import SHOWN, BotRunner, poll_id, text_of, wrong_option
from tests.processes import bot_env, quizbot_process

BANK = "russia-iran-partnership"
SENDS = {"sendMessage", "sendPoll", "editMessageReplyMarkup"}


def is_feedback(call: Call) -> bool:
    """A message or a poll that carries an answer's feedback."""
    return call.method in ("sendMessage", "sendPoll") and "Answer" in text_of(call)


def kind(call: Call) -> str:
    """What a delivered call carried: a poll or another message, after any feedback."""
    shown = "poll" if call.method == "sendPoll" else "text"
    return f"feedback+{shown}" if is_feedback(call) else shown


def delivered(fake: FakeTelegram, chat_id: int) -> list[Call]:
    """What reached the chat: the calls Telegram accepted, in order."""
    return [
        c
        for c in fake.calls
        if c.error is None and c.method in SENDS and c.params.get("chat_id") == chat_id
    ]


async def play(fake: FakeTelegram, user: FakeUser, right: list[bool], patience: float) -> None:
    """Answer each question as it arrives, right or wrong as planned."""
    user.send(f"/quiz {BANK} {len(right)}")
    answered: set[str] = set()
    for answer_right in right:
        poll = await fake.wait_for(
            "sendPoll",
            chat_id=user.id,
            predicate=lambda c: c.error is None and poll_id(c) not in answered,
            timeout=patience,
        )
        answered.add(poll_id(poll))
        user.answer_poll(
            poll_id(poll),
            poll.params["correct_option_ids"] if answer_right else [wrong_option(poll)],
        )


async def test_every_message_arrives_in_order_when_telegram_says_429(
    fake: FakeTelegram, settings: Settings
):
    dice = random.Random(7)

    def too_many_requests(method: str, params: dict[str, Any]) -> FaultReply | None:
        if method in SENDS and dice.random() < 0.3:
            return FaultReply(429, "Too Many Requests: retry after 1", retry_after=1)
        return None

    fake.fault = too_many_requests
    runner = BotRunner(settings.model_copy(update={"rate_limit": True}))
    await runner.start()
    try:
        plans = {101: [True, False, True], 102: [False, True, True]}
        users = [fake.user(uid, f"User {uid}") for uid in plans]
        await asyncio.gather(*(play(fake, u, plans[u.id], patience=40) for u in users))
        for user in users:
            await fake.wait_for(
                "sendMessage",
                chat_id=user.id,
                predicate=lambda c: c.error is None and "Quiz finished" in text_of(c),
                timeout=40,
            )
    finally:
        await runner.stop()
    assert any(c.error and "Too Many Requests" in c.error for c in fake.calls), "no 429 injected"
    for user in users:
        kinds = [kind(c) for c in delivered(fake, user.id)]
        # The first question (with the intro), each next one with the previous feedback, then
        # the last feedback with the summary: nothing lost or doubled, one send per answer.
        assert kinds == ["poll", "feedback+poll", "feedback+poll", "feedback+text"], kinds
        summary = text_of(delivered(fake, user.id)[-1])
        assert f"Score: <b>{sum(plans[user.id])}/3</b>" in summary


async def test_a_quiz_started_before_a_crash_is_not_started_again(
    fake: FakeTelegram, tmp_path: Path
):
    """The quiz is stored, then the process dies before anything reached the learner: the
    restart asks the quiz's first question, and does not replay /quiz into a second quiz (which
    would stop the first, whose question the learner may have answered meanwhile)."""
    env = bot_env(fake, f"sqlite:///{tmp_path / 'bot.db'}", QUESTIONS, QUIZBOT_RATE_LIMIT="false")
    log = tmp_path / "bot.log"
    learner = fake.user(77, "Lena")
    fake.stall = lambda method, params: params.get("chat_id") == learner.id
    async with quizbot_process(env, log) as first:
        learner.send(f"/quiz {BANK} 3")
        await fake.wait_for(SHOWN, chat_id=learner.id, timeout=30)  # held: the first question
        first.send_signal(signal.SIGKILL)
        await first.wait()
    fake.stall = None
    async with quizbot_process(env, log):
        poll = await fake.wait_for(
            "sendPoll", chat_id=learner.id, predicate=lambda c: c.error is None, timeout=30
        )
        assert str(poll.params["question"]).startswith("[1/3] ")
        await asyncio.sleep(1)  # time for a replayed /quiz to show itself
    started = [c for c in delivered(fake, learner.id) if "Good luck" in text_of(c)]
    assert started == [], "the /quiz was handled again after its quiz was stored"
    assert len(delivered(fake, learner.id)) == 1


async def test_kill_9_while_fifty_users_answer_loses_and_doubles_nothing(
    fake: FakeTelegram, tmp_path: Path
):
    database = tmp_path / "bot.db"
    env = bot_env(fake, f"sqlite:///{database}", QUESTIONS, QUIZBOT_RATE_LIMIT="false")
    log = tmp_path / "bot.log"
    users = [fake.user(1000 + i, f"Learner {i}") for i in range(50)]
    questions = 4
    right_sent: dict[int, int] = dict.fromkeys((u.id for u in users), 0)
    answered: set[str] = set()
    # A question sent just before the kill may be sent again after it (its delivery was not yet
    # recorded): the learner answers both polls the same way, and it counts once.
    choices: dict[tuple[int, str], bool] = {}
    all_pushed: list[int] = []

    def answer_open_polls(rng: random.Random) -> list[int]:
        """Answer every poll that is waiting; returns the update ids pushed."""
        pushed = []
        for user in users:
            polls = [
                c
                for c in fake.calls_to("sendPoll", user.id)
                if c.error is None and poll_id(c) not in answered
            ]
            for poll in polls:
                answered.add(poll_id(poll))
                question = (user.id, str(poll.params["question"]))
                if question not in choices:
                    choices[question] = rng.random() < 0.6
                    right_sent[user.id] += choices[question]
                right = choices[question]
                choice = poll.params["correct_option_ids"] if right else [wrong_option(poll)]
                pushed.append(user.answer_poll(poll_id(poll), choice))
        all_pushed.extend(pushed)
        return pushed

    rng = random.Random(3)
    async with quizbot_process(env, log) as first:
        for user in users:
            user.send(f"/quiz {BANK} {questions}")
        for user in users:
            await fake.wait_for("sendPoll", chat_id=user.id, timeout=30)
        batch = answer_open_polls(rng)
        # Kill the moment the bot confirmed the whole batch to Telegram, which it does before
        # handling it: most answers are not handled yet, and Telegram will not resend them.
        for _ in range(5000):
            if fake.confirmed >= max(batch):
                break
            await asyncio.sleep(0.001)
        first.send_signal(signal.SIGKILL)
        await first.wait()
    handled_before = sum(is_feedback(c) for c in fake.calls)
    assert handled_before < len(batch), "the kill came too late to test anything"

    async with quizbot_process(env, log):
        for _ in range(600):  # bounded: at most ~60 s
            answer_open_polls(rng)
            finished = [c for c in fake.calls_to("sendMessage") if "Quiz finished" in text_of(c)]
            if len(finished) >= len(users):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"only {len(finished)} of {len(users)} quizzes finished")

    for user in users:
        feedback = [c for c in delivered(fake, user.id) if is_feedback(c)]
        assert len(feedback) >= questions, f"user {user.id} lost feedback"
        summary = next(c for c in delivered(fake, user.id) if "Quiz finished" in text_of(c))
        assert f"Score: <b>{right_sent[user.id]}/{questions}</b>" in text_of(summary)
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        points = dict(connection.execute("SELECT id, points FROM users").fetchall())
        answers = connection.execute("SELECT count(*) FROM answers").fetchone()[0]
        handled = {
            row[0]
            for row in connection.execute(
                "SELECT update_id FROM updates WHERE handled_at IS NOT NULL"
            )
        }
    assert set(all_pushed) <= handled, "an answer Telegram delivered was never handled"
    assert points == right_sent
    assert answers == len(users) * questions
    assert "Traceback" not in log.read_text()


@pytest.fixture(autouse=True)
def _no_leftover_faults(fake: FakeTelegram):
    yield
    fake.fault = None
