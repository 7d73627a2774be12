"""The real `quizbot` console script run as its own process, as users and operators run it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.fakebot import FakeTelegram

QUIZBOT = str(Path(sys.executable).with_name("quizbot"))
ROOT = Path(__file__).resolve().parent.parent


def bot_env(fake: FakeTelegram, database_url: str, questions: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot process pointed at the fake server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZBOT_")}
    return {
        **env,
        "PYTHONPATH": str(ROOT),
        "QUIZBOT_TOKEN": fake.token,
        "QUIZBOT_API_URL": fake.api_url,
        "QUIZBOT_FILE_URL": fake.file_url,
        "QUIZBOT_DATABASE_URL": database_url,
        "QUIZBOT_QUESTIONS_DIR": str(questions),
        **extra,
    }


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def quizbot_process(
    env: dict[str, str], log: Path, *args: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`quizbot run ARGS` in the background, logging to `log`; stopped with SIGINT at the end."""
    with log.open("a") as sink:
        process = await asyncio.create_subprocess_exec(
            QUIZBOT, "run", *args, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


def children(parent: int | None = None) -> set[int]:
    """The ids of the child processes of `parent` (this process by default), zombies included."""
    me = str(os.getpid() if parent is None else parent)
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # gone meanwhile
                continue
            # The parent's id is the second field after the command, which is in parentheses.
            if stat.rsplit(")", 1)[1].split()[1] == me:
                found.add(int(entry.name))
    return found


def running(pids: set[int]) -> set[int]:
    """Those of the processes that still exist (as zombies too)."""
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()}
