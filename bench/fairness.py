"""Fairness: other users' commands while one user, or one group, floods the bot.

The quiz bot runs as in production, Telegram's send limits on (QUIZBOT_RATE_LIMIT=true). A
flooder sends FLOOD messages at once; meanwhile other users, each in their own chat, send a
command every COMMAND_SPACING seconds, and each is timed from the moment it was sent to the
bot's first reply in that user's chat. The same commands are timed with no flood, as the
baseline.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import procs
from bench.fake import BenchTelegram
from tests.fakebot import Call

FLOOD = 100
OTHERS = 20  # users, each with a chat of their own
COMMANDS = ("/help", "/score", "/banks", "/leaderboard")
COMMAND_SPACING = 0.1  # seconds between two other users' commands: 10 a second
ROUNDS = 5  # commands per other user in a scenario: 100 timed, so p99 is not the maximum
FLOODER, OTHERS_FROM, GROUP = 900_000, 910_000, -1_009_000
REPLY_TIMEOUT = 120.0


@dataclass
class Scenario:
    """One flood (or none), and how long the others waited."""

    name: str
    waits_ms: list[float] = field(default_factory=list)
    unanswered: int = 0
    flood_replies: int | None = None  # the bot's messages into the flooded chat
    cpu_seconds: float = 0.0  # the bot's CPU over the scenario

    def percentile(self, q: float) -> float | None:
        """The q-quantile (nearest rank) in ms; None without samples."""
        if not self.waits_ms:
            return None
        ordered = sorted(self.waits_ms)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


async def run(fake: BenchTelegram, workdir: Path, questions: Path) -> list[Scenario]:
    """The three scenarios against one bot process with the production rate limiter."""
    database = workdir / "fairness.db"
    child = await procs.start_quizbot(
        fake, workdir, "quizbot-fairness", database, questions, limits=True
    )
    try:
        flooder = fake.user(FLOODER, "Flooder")
        group = fake.group(GROUP, "Flooded group")
        fake.chat_creators[GROUP] = FLOODER
        scenarios = [
            await _scenario(fake, child, "no flood (baseline)", None, None),
            await _scenario(
                fake,
                child,
                f"one user floods in private ({FLOOD} messages)",
                lambda: [flooder.send(f"spam {i}") for i in range(FLOOD)],
                FLOODER,
            ),
            await _scenario(
                fake,
                child,
                f"one group floods ({FLOOD} /help@bot)",
                lambda: [
                    flooder.send(f"/help@{fake.bot_username}", chat=group) for _ in range(FLOOD)
                ],
                GROUP,
            ),
        ]
    finally:
        await procs.stop_async(child)
    return scenarios


async def _scenario(
    fake: BenchTelegram,
    child: procs.Child,
    name: str,
    flood: Callable[[], object] | None,
    flooded_chat: int | None,
) -> Scenario:
    scenario = Scenario(name)
    before = len(fake.calls_to("sendMessage", flooded_chat)) if flooded_chat else 0
    cpu = procs.cpu_seconds(child.pid)
    if flood is not None:
        flood()
    pending = []
    for n in range(OTHERS * ROUNDS):
        user_id = OTHERS_FROM + n % OTHERS
        pending.append(asyncio.create_task(timed_reply(fake, user_id, COMMANDS[n % len(COMMANDS)])))
        await asyncio.sleep(COMMAND_SPACING)
        if n % OTHERS == OTHERS - 1:
            await asyncio.gather(*pending[-OTHERS:])  # one command per user in flight
    for waited in await asyncio.gather(*pending):
        if waited is None:
            scenario.unanswered += 1
        else:
            scenario.waits_ms.append(waited)
    if flooded_chat is not None:
        await asyncio.sleep(5)  # what the bot still sends to the flooded chat
        scenario.flood_replies = len(fake.calls_to("sendMessage", flooded_chat)) - before
    scenario.cpu_seconds = procs.cpu_seconds(child.pid) - cpu
    return scenario


async def timed_reply(
    fake: BenchTelegram, user_id: int, command: str, patience: float = REPLY_TIMEOUT
) -> float | None:
    """Milliseconds from sending the command to the bot's first message in that chat; None
    when none came within `patience` seconds."""
    user = fake.user(user_id, f"User {user_id}")
    replied: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    def on_call(call: Call) -> None:
        if call.method == "sendMessage" and not replied.done():
            replied.set_result(call.at)

    fake.listeners[user_id] = on_call
    sent = time.monotonic()
    user.send(command)
    try:
        return 1000 * (await asyncio.wait_for(replied, patience) - sent)
    except TimeoutError:
        return None
    finally:
        del fake.listeners[user_id]
