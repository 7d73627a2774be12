"""The quiz bot and the floor under the same load, over the same fake server."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench import procs
from bench.bankgen import write_bank
from bench.fake import BenchTelegram
from bench.load import (
    Answered,
    FloorPlayer,
    Latency,
    Player,
    QuizPlayer,
    Throughput,
    closed_loop,
    open_loop,
    players_needed,
    wait_ready,
)
from bot.app import build_application
from bot.settings import Settings
from storage.db import Database

BANK_ID = "bench-200"
BANK_QUESTIONS = 200
ANSWER_SPACING = 3.0  # no latency user answers more often than this (seconds)
THROUGHPUT_IDS = 10_000_000  # user id ranges, so no two phases share a chat
THROTTLED_IDS = 15_000_000
LATENCY_IDS = 20_000_000
FLOOR_IDS = 30_000_000
FLOOR_LATENCY_IDS = 40_000_000


@dataclass(frozen=True)
class Load:
    """What the run asks for."""

    users: int
    warmup: float
    seconds: float
    rate: float
    latency_seconds: float
    throughput: bool  # both bots, closed loop
    latency: bool  # both bots, open loop
    rss: bool  # the quiz bot's closed loop, for its peak RSS
    profile: Path | None = None
    limits: bool = False  # Telegram's send limits on (the production rate limiter)


@dataclass
class BotFigures:
    """Everything measured on one bot process."""

    throughput: Throughput | None = None
    latency: Latency | None = None
    peak_rss_mb: float | None = None
    bot_cpu: float | None = None  # share of one core the bot used in the window
    bench_cpu: float | None = None  # same for this process: fake server and simulated users
    notes: list[str] = field(default_factory=list)


def quiz_concurrency() -> tuple[int, str]:
    """How many updates the quiz bot's Application handles at once, read from bot.app."""
    db = Database.open("sqlite://")
    try:
        settings = Settings(_env_file=None, token="1:x", database_url="sqlite://")
        application = build_application(settings, db)
        return application.update_processor.max_concurrent_updates, "read from bot.app"
    except Exception as error:  # the factory changed shape: say so rather than guess silently
        return 1, f"could not build the quiz Application ({error!r}); assumed sequential"
    finally:
        db.dispose()


async def run_quiz(fake: BenchTelegram, workdir: Path, load: Load) -> BotFigures:
    """Start `quizbot run`, measure throughput, peak RSS and latency, stop it."""
    questions = workdir / "questions"
    write_bank(questions, BANK_ID, BANK_QUESTIONS)
    # No send limits unless asked: else Telegram's 30 messages a second cap the figure.
    child = await procs.start_quizbot(
        fake, workdir, "quizbot", workdir / "bench.db", questions, limits=load.limits
    )
    figures = BotFigures()
    try:
        if load.throughput or load.rss or load.profile:
            rng = random.Random(1)
            first = THROTTLED_IDS if load.limits else THROUGHPUT_IDS
            players = [QuizPlayer(fake, first + i, [], rng=rng) for i in range(load.users)]
            await _throughput(child, players, load, figures, _quiz_kick, load.profile)
            figures.peak_rss_mb = procs.peak_rss_mb(child.pid)
        if load.latency:
            rng = random.Random(2)
            count = players_needed(load.rate, ANSWER_SPACING)
            log: list[Answered] = []
            latency_players = [
                QuizPlayer(fake, LATENCY_IDS + i, log, rng=rng) for i in range(count)
            ]
            for player in latency_players:
                player.start(BANK_ID, BANK_QUESTIONS)
            await wait_ready(latency_players)
            figures.latency = await open_loop(
                fake, latency_players, log, load.rate, load.latency_seconds
            )
    finally:
        status = await procs.stop_async(child)
    if status not in (0, 130, -2):
        figures.notes.append(f"quizbot exited with status {status}:\n{child.log_tail()}")
    return figures


async def run_floor(
    fake: BenchTelegram, workdir: Path, load: Load, concurrency: int, transport: str
) -> BotFigures:
    """Start the floor bot, sending through `transport` (see floor_bot), under the same load."""
    script = str(Path(__file__).with_name("floor_bot.py"))
    argv = [sys.executable, script, fake.token, fake.api_url, fake.file_url, str(concurrency)]
    argv.append(transport)
    child = await procs.start("floor", argv, procs.bot_env(fake, {}), workdir, fake)
    figures = BotFigures()
    try:
        if load.throughput:
            players = [FloorPlayer(fake, FLOOR_IDS + i, []) for i in range(load.users)]
            await _throughput(child, players, load, figures, _floor_kick, None)
            figures.peak_rss_mb = procs.peak_rss_mb(child.pid)
        if load.latency:
            log: list[Answered] = []
            count = players_needed(load.rate, ANSWER_SPACING)
            latency_players = [FloorPlayer(fake, FLOOR_LATENCY_IDS + i, log) for i in range(count)]
            figures.latency = await open_loop(
                fake, latency_players, log, load.rate, load.latency_seconds
            )
    finally:
        status = await procs.stop_async(child)
    if status not in (0, 130, -2):
        figures.notes.append(f"floor exited with status {status}:\n{child.log_tail()}")
    return figures


def _quiz_kick(player: Player) -> None:
    assert isinstance(player, QuizPlayer)
    player.start(BANK_ID, BANK_QUESTIONS)


def _floor_kick(player: Player) -> None:
    player.act()


async def _throughput(
    child: procs.Child,
    players: Sequence[Player],
    load: Load,
    figures: BotFigures,
    kick: Callable[[Player], None],
    profile: Path | None,
) -> None:
    """Closed loop over all players, with CPU shares (and a profile) over the window."""
    log: list[Answered] = []
    for player in players:
        player.log = log
    marks: list[tuple[float, float, float]] = []
    spies: list[subprocess.Popen[bytes]] = []

    def edge() -> None:
        bench = sum(os.times()[:2])
        marks.append((time.monotonic(), procs.cpu_seconds(child.pid), bench))
        if profile is not None and len(marks) == 1:
            spies.append(_profile(child.pid, load.seconds, profile))

    try:
        figures.throughput = await closed_loop(
            players, log, warmup=load.warmup, seconds=load.seconds, kick=kick, edges=edge
        )
        for spy in spies:  # py-spy writes its file when its --duration is over
            await asyncio.to_thread(spy.wait, 30)
    finally:
        for spy in spies:
            if spy.poll() is None:
                spy.kill()
                spy.wait()
    if len(marks) == 2:
        (t0, bot0, bench0), (t1, bot1, bench1) = marks
        figures.bot_cpu, figures.bench_cpu = (
            (bot1 - bot0) / (t1 - t0),
            (bench1 - bench0) / (t1 - t0),
        )


def _profile(pid: int, seconds: float, output: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling the bot from outside the process, over the measuring window only."""
    command = [procs.script("py-spy"), "record", "--pid", str(pid), "--duration"]
    command += [str(int(seconds)), "--rate", "100", "--format", "raw", "--output", str(output)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
