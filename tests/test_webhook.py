"""Webhook mode, end to end: real `quizbot run --webhook` processes receiving posted updates."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import QUESTIONS
from tests.databases import BACKENDS, fresh_database
from tests.fakebot import FakeTelegram, FakeUser
from tests.harness import SHOWN, text_of
from tests.processes import bot_env, free_port, quizbot_process

SECRET = "s3cret-for-tests_only"
PUBLIC_URL = "https://quiz.example.org/telegram/hook"


async def wait_healthy(session: aiohttp.ClientSession, port: int) -> None:
    """Poll the health endpoint until the process answers (bounded)."""
    for _ in range(300):
        try:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                if response.status == 200 and (await response.json())["ok"]:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError(f"webhook on port {port} never became healthy")


async def post(
    session: aiohttp.ClientSession, port: int, update: dict[str, Any], secret: str = SECRET
) -> int:
    async with session.post(
        f"http://127.0.0.1:{port}/telegram/hook",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {},
    ) as response:
        return response.status


def message_update(fake: FakeTelegram, user: FakeUser, text: str, update_id: int) -> dict[str, Any]:
    """A message update as Telegram would post it (the user's message, not queued for polling)."""
    message = user.send(text)
    fake.drop_pending_updates()  # posted to the webhook instead of served by getUpdates
    return {"update_id": update_id, "message": message}


async def test_webhook_takes_updates_with_the_secret_only(fake: FakeTelegram, tmp_path: Path):
    port = free_port()
    env = bot_env(
        fake, f"sqlite:///{tmp_path / 'bot.db'}", QUESTIONS, QUIZBOT_WEBHOOK_SECRET=SECRET
    )
    async with (
        quizbot_process(env, tmp_path / "bot.log", *webhook_args(port)),
        aiohttp.ClientSession() as http,
    ):
        await wait_healthy(http, port)
        registered = fake.calls_to("setWebhook")[-1].params
        assert registered["url"] == PUBLIC_URL and registered["secret_token"] == SECRET
        ann = fake.user(101, "Ann")
        update = message_update(fake, ann, "/help", 1)
        assert await post(http, port, update, secret="") == 403
        assert await post(http, port, update, secret="wrong") == 403
        await asyncio.sleep(0.3)
        assert not fake.calls_to("sendMessage"), "a refused request must change nothing"
        assert await post(http, port, update) == 200
        reply = await fake.wait_for("sendMessage", chat_id=ann.id)
        assert "/leaderboard" in text_of(reply)
        assert await post(http, port, update) == 200  # the same update again: handled once
        assert await post(http, port, {"nonsense": True}) == 400
        # An update PTB cannot read (a poll answer as Bot API 9.5 sent it) is skipped and
        # confirmed, so that Telegram does not send it again; the next one is answered.
        old = {"update_id": 2, "poll_answer": {"poll_id": "1", "user": ann.to_dict()}}
        assert await post(http, port, {**old, "option_ids": [0]}) == 200
        await asyncio.sleep(0.3)
        assert len(fake.calls_to("sendMessage")) == 1
        assert await post(http, port, message_update(fake, ann, "/help", 3)) == 200
        await fake.wait_for("sendMessage", chat_id=ann.id, since=fake.calls.index(reply) + 1)
    assert "Traceback" not in (tmp_path / "bot.log").read_text()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_two_processes_on_one_database_count_an_answer_once(
    fake: FakeTelegram, tmp_path: Path, backend: str
):
    if backend == "sqlite":
        pytest.skip("several bot processes share a database server, not a SQLite file")
    with fresh_database(backend, tmp_path) as url:
        ports = [free_port(), free_port()]
        env = bot_env(fake, url, QUESTIONS, QUIZBOT_WEBHOOK_SECRET=SECRET)
        # One process first, so the schema exists before the second starts.
        async with (
            aiohttp.ClientSession() as http,
            quizbot_process(env, tmp_path / "a.log", *webhook_args(ports[0])),
        ):
            await wait_healthy(http, ports[0])
            async with quizbot_process(env, tmp_path / "b.log", *webhook_args(ports[1])):
                await wait_healthy(http, ports[1])
                await play_through_both(fake, http, ports)


def webhook_args(port: int) -> tuple[str, ...]:
    """`quizbot run` arguments for webhook mode on a local port."""
    return ("--webhook", PUBLIC_URL, "--listen", "127.0.0.1", "--port", str(port))


async def play_through_both(fake: FakeTelegram, http: aiohttp.ClientSession, ports: list[int]):
    ann = fake.user(101, "Ann")
    start = message_update(fake, ann, "/quiz russia-iran-partnership 2", 10)
    assert await post(http, ports[0], start) == 200
    poll = await fake.wait_for("sendPoll", chat_id=ann.id)
    ann.answer_poll(poll.result["poll"]["id"], poll.params["correct_option_ids"])
    answer = fake.drop_pending_updates()[0]
    # The balancer delivers the same update to both processes at once...
    statuses = await asyncio.gather(
        post(http, ports[0], {**answer, "update_id": 11}),
        post(http, ports[1], {**answer, "update_id": 11}),
    )
    assert list(statuses) == [200, 200]
    # ...and Telegram later sends the same answer under a new update id to the other one.
    assert await post(http, ports[1], {**answer, "update_id": 12}) == 200
    await fake.wait_for("sendPoll", chat_id=ann.id, since=fake.calls.index(poll) + 1)
    await asyncio.sleep(0.5)
    feedback = [c for c in fake.calls_to(SHOWN, ann.id) if "Answer" in text_of(c)]
    assert len(feedback) == 1
    score = message_update(fake, ann, "/score", 13)
    mark = fake.mark()
    assert await post(http, ports[1], score) == 200
    reply = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
    assert "Points: <b>1</b>" in text_of(reply)
