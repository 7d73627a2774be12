"""Child processes: the quiz bot and the floor bot, started, watched and always stopped."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from bench.fake import BenchTelegram

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


@dataclass
class Child:
    """A running bot process and its log file."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    def log_tail(self, lines: int = 20) -> str:
        """The end of its log, for error messages."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def script(name: str) -> str:
    """A console script installed next to this interpreter (the venv's bin folder)."""
    return str(Path(sys.executable).with_name(name))


def bot_env(fake: BenchTelegram, extra: Mapping[str, str]) -> dict[str, str]:
    """The environment of a bot process: ours, pointed at the fake server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZBOT_")}
    env.update(
        QUIZBOT_TOKEN=fake.token,
        QUIZBOT_API_URL=fake.api_url,
        QUIZBOT_FILE_URL=fake.file_url,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


async def start(
    name: str, argv: Sequence[str], env: Mapping[str, str], workdir: Path, fake: BenchTelegram
) -> Child:
    """Start a bot process and return once its first getUpdates reached the server."""
    fake.polling.clear()
    child = _spawn(name, argv, env, workdir)
    try:
        await _wait_polling(child, fake)
    except BaseException:
        kill(child)
        raise
    return child


async def start_quizbot(
    fake: BenchTelegram, workdir: Path, name: str, database: Path, questions: Path, *, limits: bool
) -> Child:
    """`quizbot run` on a SQLite file and a banks folder; `limits`: Telegram's send limits on."""
    env = bot_env(
        fake,
        {
            "QUIZBOT_DATABASE_URL": f"sqlite:///{database}",
            "QUIZBOT_QUESTIONS_DIR": str(questions),
            "QUIZBOT_RATE_LIMIT": str(limits).lower(),
        },
    )
    return await start(name, [script("quizbot"), "run"], env, workdir, fake)


def _spawn(name: str, argv: Sequence[str], env: Mapping[str, str], workdir: Path) -> Child:
    """Start the process (fork and exec: quick), its output going to a log file."""
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        # The work folder as cwd: the repo's own .env must not leak into the benchmark.
        process = subprocess.Popen(
            list(argv), env=dict(env), cwd=workdir, stdout=out, stderr=subprocess.STDOUT
        )
    return Child(name, process, log)


async def _wait_polling(child: Child, fake: BenchTelegram) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_TIMEOUT
    while not fake.polling.is_set():
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} exited at start:\n{child.log_tail()}")
        if loop.time() > deadline:
            raise RuntimeError(f"{child.name} did not poll within {STARTUP_TIMEOUT:.0f} s")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(fake.polling.wait(), 0.2)


def stop(child: Child) -> int | None:
    """SIGINT (a clean PTB shutdown), then SIGKILL if it hangs; returns the exit status."""
    process = child.process
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def kill(child: Child) -> None:
    """End it at once (error paths: no clean shutdown needed)."""
    if child.process.poll() is None:
        child.process.kill()
        child.process.wait()


async def stop_async(child: Child) -> int | None:
    """`stop` without blocking the event loop that serves the bot's last requests."""
    return await asyncio.to_thread(stop, child)


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM (peak resident set size) of a live process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a live process used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14 and 15)


@contextlib.contextmanager
def postgres_schema(url: str, name: str) -> Iterator[str]:
    """The URL of a new, empty schema of that PostgreSQL database, dropped afterwards."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={name}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()
