"""The token never reaches a log line or a reply, even when everything goes wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import QUESTIONS
from tests.fakebot import FakeTelegram, FaultReply
from tests.harness import text_of
from tests.processes import bot_env, quizbot_process

TOKEN = "987654:RECOGNISABLE-secret-token-xyz"


async def test_the_token_is_in_no_log_line_through_errors(tmp_path: Path):
    fake = FakeTelegram(token=TOKEN, bot_id=987654)
    await fake.start()
    failures = {"getUpdates": 1, "sendMessage": 2}

    def trouble(method: str, params: dict[str, Any]) -> FaultReply | None:
        if failures.get(method, 0) > 0:
            failures[method] -= 1
            if method == "getUpdates":
                return FaultReply(502, "Bad Gateway")
            return FaultReply(400, "Bad Request: chat not found")
        return None

    fake.fault = trouble
    log = tmp_path / "bot.log"
    env = bot_env(fake, f"sqlite:///{tmp_path / 'bot.db'}", QUESTIONS, QUIZBOT_LOG_LEVEL="DEBUG")
    try:
        async with quizbot_process(env, log):
            ann = fake.user(101, "Ann")
            ann.send("/help")  # its reply fails, and so does the apology
            ann.send("/banks")
            reply = await fake.wait_for(
                "sendMessage", predicate=lambda c: c.error is None, timeout=30
            )
            assert "russia-iran-partnership" in text_of(reply)
    finally:
        await fake.stop()
    output = log.read_text()
    assert "error while handling an update" in output, "the failure was not logged"
    assert "DEBUG" in output
    secret = TOKEN.split(":")[1]
    leaks = [line for line in output.splitlines() if secret in line]
    assert not leaks, leaks[:3]
    sent = " ".join(str(c.params) for c in fake.calls)
    assert secret not in sent
