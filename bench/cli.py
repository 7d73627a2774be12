"""`python -m bench`: the quiz bot against its floor, the leaderboard, import and memory."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bench import bots, fairness, grading, importing, leaderboard, procs, reminders, reviews
from bench.bankgen import write_bank
from bench.fake import BenchTelegram
from bench.load import Latency
from bench.report import Busy, Section, markdown, number, text, verdict
from bot.reminders import SENDING

SECTIONS = (
    "throughput",
    "throttled",
    "latency",
    "rss",
    "leaderboard",
    "import",
    "fairness",
    "reviews",
    "grading",
    "reminders",
)
RSS_TARGET_MB = 150
THROTTLED_USERS = 50
THROTTLED_TARGET = 27  # answers a second: 90 % of Telegram's 30 sends a second
LEADERBOARD_TARGET_MS = 20
IMPORT_TARGET_S = 2
FAIRNESS_TARGET_MS = 1000
REVIEW_TARGET_MS = 10
GRADING_TARGET_MS = 1
REMINDERS_TARGET_MS = 2000  # database work per minute of schedule
TELEGRAM_PER_SECOND = 30


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen sections, print the table, optionally write it as Markdown."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.profile and not Path(procs.script("py-spy")).exists():
        parser.error("--profile needs py-spy in this venv: pip install py-spy")
    only = set(args.only or SECTIONS)
    command = shlex.join(["python", "-m", "bench", *(sys.argv[1:] if argv is None else argv)])
    started, busy = time.monotonic(), Busy()
    sections, violations = asyncio.run(_run(args, only))
    elapsed, others = time.monotonic() - started, busy.others()
    print(text(sections, command, elapsed, others))
    if args.markdown:
        args.markdown.write_text(markdown(sections, command, elapsed, others), encoding="utf-8")
    return 1 if violations else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--users", type=int, default=50, help="closed-loop users (default 50)")
    parser.add_argument("--seconds", type=float, default=15, help="throughput window (15)")
    parser.add_argument("--warmup", type=float, default=3, help="skipped before the window (3)")
    parser.add_argument(
        "--pairs", type=int, default=3, help="quiz-then-floor throughput pairs; median (3)"
    )
    parser.add_argument("--rate", type=float, default=10, help="open-loop answers/s (10)")
    parser.add_argument("--latency-seconds", type=float, default=30, help="open loop (30)")
    parser.add_argument(
        "--leaderboard-users", type=int, default=leaderboard.USERS, help="(100000; 20 answers each)"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("QUIZBOT_TEST_DATABASE_URL"),
        help="also time reviews on this PostgreSQL database, in a schema of their own"
        " (default: $QUIZBOT_TEST_DATABASE_URL)",
    )
    parser.add_argument(
        "--reminder-users", type=int, default=reminders.USERS, help="(100000, 10 cards each)"
    )
    parser.add_argument(
        "--reminder-minutes", type=int, default=24 * 60, help="minutes of a day swept (1440)"
    )
    parser.add_argument("--only", action="append", choices=SECTIONS, help="repeatable")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="also write Markdown")
    parser.add_argument(
        "--profile", type=Path, metavar="FILE", help="py-spy the quiz bot over the window (raw)"
    )
    return parser


async def _run(args: argparse.Namespace, only: set[str]) -> tuple[list[Section], list[str]]:
    fake = BenchTelegram()
    await fake.start()
    sections: list[Section] = []
    try:
        with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as tmp:
            workdir = Path(tmp)
            if only & {"throughput", "latency", "rss"} or args.profile:
                sections += await _bots(fake, workdir, args, only)
            if "throttled" in only:
                sections.append(await _throttled(fake, workdir / "throttled", args))
            if "leaderboard" in only:
                sections.append(await _leaderboard(fake, workdir, args.leaderboard_users))
            if "import" in only:
                sections.append(await asyncio.to_thread(_import, workdir))
            if "fairness" in only:
                sections.append(await _fairness(fake, workdir))
            if "reviews" in only:
                sections.append(await asyncio.to_thread(_reviews, workdir, args.postgres))
            if "grading" in only:
                sections.append(_grading())
            if "reminders" in only:
                sections += await _reminders(fake, workdir, args)
    finally:
        await fake.stop()
    sections.append(_server(fake))
    return sections, fake.violations


async def _bots(
    fake: BenchTelegram, workdir: Path, args: argparse.Namespace, only: set[str]
) -> list[Section]:
    load = bots.Load(
        users=args.users,
        warmup=args.warmup,
        seconds=args.seconds,
        rate=args.rate,
        latency_seconds=args.latency_seconds,
        throughput="throughput" in only,
        latency="latency" in only,
        rss="rss" in only,
        profile=args.profile,
    )
    concurrency, how = bots.quiz_concurrency()
    quiz = await bots.run_quiz(fake, workdir, load)
    floor, lean = bots.BotFigures(), bots.BotFigures()
    if load.throughput or load.latency:
        floor = await bots.run_floor(fake, workdir, load, concurrency, "httpx")
        lean = await bots.run_floor(fake, workdir, load, concurrency, "aiohttp")
    pairs = [Pair(quiz, floor, lean)]
    # This machine's speed drifts from minute to minute: a ratio from one pair of back-to-back
    # runs moves by ±15 %, so more pairs are run (throughput only) and the median reported.
    again = replace(load, latency=False, rss=False, profile=None)
    for _ in range(args.pairs - 1 if load.throughput else 0):
        quiz_again = await bots.run_quiz(fake, workdir / f"pair-{len(pairs)}", again)
        floor_again = await bots.run_floor(fake, workdir, again, concurrency, "httpx")
        lean_again = await bots.run_floor(fake, workdir, again, concurrency, "aiohttp")
        pairs.append(Pair(quiz_again, floor_again, lean_again))
    shared = (
        f"The bots handle up to {concurrency} updates at once ({how}; the floors get"
        f" concurrent_updates({concurrency})). The floor is python-telegram-bot as it comes"
        " (its requests through httpx); the lean floor sends through the quiz bot's own"
        " transport (bot.transport: aiohttp, the same pool size), so it pays no more for a"
        " request than the quiz bot does."
    )
    sections = []
    if load.throughput:
        sections.append(_throughput(pairs, load, shared))
    if load.latency:
        sections.append(_latency(quiz, floor, lean, load))
    if load.rss or load.throughput:
        sections.append(_memory(quiz, floor))
    for figures in (quiz, floor, lean):
        if figures.notes:
            sections[-1].notes += figures.notes
    return sections


@dataclass(frozen=True)
class Pair:
    """One round of throughput runs: the quiz bot, then the two floors."""

    quiz: bots.BotFigures
    floor: bots.BotFigures  # python-telegram-bot as it comes
    lean: bots.BotFigures  # the same, sending through the quiz bot's transport


def _throughput(pairs: list[Pair], load: bots.Load, shared: str) -> Section:
    section = Section(
        f"Throughput: {load.users} users answering as soon as asked, "
        f"{load.seconds:g} s after {load.warmup:g} s warm-up, {len(pairs)} round(s) of runs"
    )
    first = pairs[0]
    q = first.quiz.throughput
    section.add(
        "quiz bot: answers per second",
        number(_median([_rate(p.quiz) for p in pairs])),
        f"one send each ({number(_sends(pairs), 2)} per answer); median of the rounds",
    )
    for name, floor, target in (("floor", "floor", "target ≥ 0.8"), ("lean floor", "lean", "")):
        rates = [(_rate(p.quiz), _rate(getattr(p, floor))) for p in pairs]
        ratios = [qps / fps for qps, fps in rates if qps and fps]
        section.add(
            f"{name}: updates per second",
            number(_median([fps for _, fps in rates])),
            "one sendPoll each, as the quiz; median of the rounds",
        )
        section.add(
            f"quiz / {name}",
            number(statistics.median(ratios) if ratios else None, 2),
            f"{target or 'for comparison'}: median of the rounds' ratios"
            f" ({', '.join(number(r, 2) for r in ratios)})",
        )
    section.add(
        "CPU per answer: quiz bot / floor / lean floor",
        " / ".join(
            number(_median([_cpu_ms(getattr(p, bot)) for p in pairs]), 2, " ms")
            for bot in ("quiz", "floor", "lean")
        ),
        "each bot's CPU share ÷ its rate, median of the rounds",
    )
    section.add(
        "CPU: quiz bot / floor / lean floor",
        " / ".join(
            number(_pct(figures.bot_cpu), 0, " %")
            for figures in (first.quiz, first.floor, first.lean)
        ),
        "of one core, in the window (first round)",
    )
    section.add(
        "fake server + users CPU",
        " / ".join(
            number(_pct(figures.bench_cpu), 0, " %")
            for figures in (first.quiz, first.floor, first.lean)
        ),
        "this process, during each run (first round)",
    )
    if q is not None:
        section.add("answers without feedback", str(q.lost), f"quizzes finished: {q.finished}")
    section.notes.append(shared)
    section.notes.append(
        "Rounds (quiz, floor, lean floor): "
        + "; ".join(
            ", ".join(
                f"{number(_rate(figures))}/s at {number(_cpu_ms(figures), 2, ' ms')}"
                for figures in (p.quiz, p.floor, p.lean)
            )
            for p in pairs
        )
        + "."
    )
    section.notes.append(
        "Each quiz answer reaches the bot as one poll_answer update (the bot does not ask for"
        " the poll-state updates Telegram also sends); each floor round trip is one message."
    )
    return section


async def _throttled(fake: BenchTelegram, workdir: Path, args: argparse.Namespace) -> Section:
    """The quiz bot with the production rate limiter: what Telegram's limits leave."""
    load = bots.Load(
        users=THROTTLED_USERS,
        warmup=args.warmup,
        seconds=args.seconds,
        rate=args.rate,
        latency_seconds=args.latency_seconds,
        throughput=True,
        latency=False,
        rss=False,
        limits=True,
    )
    figures = await bots.run_quiz(fake, workdir, load)
    section = Section(
        f"Throttled: {THROTTLED_USERS} learners answering as fast as they can, Telegram's send"
        f" limits on (production settings), {load.seconds:g} s after {load.warmup:g} s warm-up"
    )
    t = figures.throughput
    rate = t.per_second if t else None
    section.add(
        "answers per second",
        number(rate),
        verdict(rate, THROTTLED_TARGET, "/s", higher=True) + " (Telegram: ~30 sends/s a bot)",
    )
    section.add(
        "sends per answer",
        number(t.sends_per_answer if t else None, 2),
        "target ≤ 1.0: the feedback rides with the next question",
    )
    section.add("quiz bot CPU", number(_pct(figures.bot_cpu), 0, " %"), "of one core")
    if t is not None:
        section.add("answers without feedback", str(t.lost), f"quizzes finished: {t.finished}")
    section.notes += figures.notes
    section.notes.append(
        "The bot's limiter keeps about 30 sends a second overall and about one a second per"
        " private chat (bursts of 3): with two sends per answer this was at most 15 answers/s."
    )
    return section


def _sends(pairs: list[Pair]) -> float | None:
    """The quiz bot's sends per answer, over its closed-loop runs."""
    return _mean([p.quiz.throughput.sends_per_answer for p in pairs if p.quiz.throughput])


def _cpu_ms(figures: bots.BotFigures) -> float | None:
    """CPU milliseconds per answer (or per update) in the throughput window."""
    rate = _rate(figures)
    return 1000 * figures.bot_cpu / rate if figures.bot_cpu is not None and rate else None


def _rate(figures: bots.BotFigures) -> float | None:
    return figures.throughput.per_second if figures.throughput else None


def _median(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return statistics.median(known) if known else None


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _pct(share: float | None) -> float | None:
    return None if share is None else 100 * share


def _latency(
    quiz: bots.BotFigures, floor: bots.BotFigures, lean: bots.BotFigures, load: bots.Load
) -> Section:
    section = Section(
        f"Latency: {load.rate:g} answers/s for {load.latency_seconds:g} s, open loop"
        f" (each user at most once every {bots.ANSWER_SPACING:g} s)"
    )
    q, f, n = quiz.latency, floor.latency, lean.latency
    section.add("quiz bot p50", _ms(q, 0.5), "served by getUpdates -> the verdict's send")
    section.add("quiz bot p99", _ms(q, 0.99))
    section.add("floor p50", _ms(f, 0.5), "served by getUpdates -> its sendPoll")
    section.add("floor p99", _ms(f, 0.99))
    section.add("lean floor p50 / p99", f"{_ms(n, 0.5)} / {_ms(n, 0.99)}", "for comparison")
    diff = q.percentile(0.99) - f.percentile(0.99) if q and f else None
    section.add("p99 quiz - floor", number(diff, 1, " ms"), "target ≤ 20 ms")
    for name, lat in (("quiz bot", q), ("floor", f), ("lean floor", n)):
        if lat is not None:
            section.add(
                f"{name}: timed / sent",
                f"{len(lat.samples)} / {lat.sent}",
                f"lost {lat.lost}, ticks with nobody ready {lat.skipped}",
            )
    return section


def _ms(latency: Latency | None, q: float) -> str:
    return number(latency.percentile(q) if latency else None, 1, " ms")


def _memory(quiz: bots.BotFigures, floor: bots.BotFigures) -> Section:
    section = Section("Memory: peak RSS (VmHWM) after the throughput run")
    section.add(
        "quiz bot",
        number(quiz.peak_rss_mb, 0, " MiB"),
        verdict(quiz.peak_rss_mb, RSS_TARGET_MB, " MB"),
    )
    if floor.peak_rss_mb is not None:
        section.add("floor", number(floor.peak_rss_mb, 0, " MiB"), "for comparison")
    return section


async def _leaderboard(fake: BenchTelegram, workdir: Path, users: int) -> Section:
    path, questions = workdir / "leaderboard.db", workdir / "leaderboard-banks"
    figures = await asyncio.to_thread(leaderboard.fill, path, questions, users)
    rng = random.Random(7)
    await asyncio.to_thread(leaderboard.time_calls, path, figures, users, rng)
    await leaderboard.through_bot(fake, workdir, path, questions, users, figures)
    section = Section(
        f"/leaderboard: {figures.rows.get('users', 0):,} users,"
        f" {figures.rows.get('answers', 0):,} answers"
    )
    rows = ", ".join(f"{k} {v:,}" for k, v in figures.rows.items())
    section.add("database fill", number(figures.fill_seconds, 1, " s"), rows)
    for label, values in figures.ms.items():
        mean, p99 = leaderboard.summary(values)
        section.add(
            f"leaderboard() {label}: mean", number(mean, 2, " ms"), f"{len(values)} callers"
        )
        section.add(
            f"leaderboard() {label}: p99",
            number(p99, 2, " ms"),
            verdict(p99, LEADERBOARD_TARGET_MS, " ms"),
        )
    for period, values in figures.bot_ms.items():
        ordered = sorted(values)
        section.add(
            f"through the bot, {period}: median / max",
            f"{ordered[len(ordered) // 2]:.1f} / {ordered[-1]:.1f} ms",
            f"{len(ordered)} commands, overall and per bank, served -> sendMessage",
        )
    section.notes += figures.notes
    section.notes.append(
        "leaderboard() is timed in-process, one session per call as the bot does, after "
        f"{leaderboard.WARM_UP_CALLS} warm-up calls, for up to {leaderboard.CALLERS} callers"
        f" or {leaderboard.BUDGET_SECONDS:g} s per table; no ANALYZE was run, as in production."
    )
    section.notes.append(
        "Every answer is in the current week (the worst case for weekly tables); the group's"
        f" rounds are every {leaderboard.GROUP_EVERY}th learner's second quiz, and its table"
        " is timed for its members."
    )
    return section


async def _fairness(fake: BenchTelegram, workdir: Path) -> Section:
    questions = workdir / "fairness-banks"
    write_bank(questions, bots.BANK_ID, bots.BANK_QUESTIONS)
    scenarios = await fairness.run(fake, workdir, questions)
    section = Section(
        f"Fairness: {fairness.OTHERS} other users' commands (10 a second) during a flood,"
        " production rate limiter on"
    )
    for scenario in scenarios:
        p99 = scenario.percentile(0.99)
        section.add(
            f"{scenario.name}: p50 / p99 / max",
            f"{number(scenario.percentile(0.5), 0)} / {number(p99, 0)} /"
            f" {number(max(scenario.waits_ms, default=None), 0, ' ms')}",
            verdict(p99, FAIRNESS_TARGET_MS, " ms (p99)")
            + f"; {len(scenario.waits_ms)} timed, {scenario.unanswered} unanswered",
        )
        replies = (
            f"; the flooded chat got {scenario.flood_replies} message(s)"
            if scenario.flood_replies is not None
            else ""
        )
        section.add(
            "  bot CPU over the scenario",
            number(scenario.cpu_seconds, 2, " s"),
            f"{len(scenario.waits_ms) + scenario.unanswered} commands{replies}",
        )
    section.notes.append(
        "Each command is timed from the moment the user sent it to the bot's first message in"
        " that user's chat; the flood is sent all at once, just before the first command."
    )
    return section


def _reviews(workdir: Path, postgres: str | None) -> Section:
    section = Section(
        f"/review: {reviews.LEARNERS:,} learners with {reviews.CARDS_EACH} cards each,"
        " the next due questions and the due count"
    )
    runs = [reviews.run(f"sqlite:///{workdir / 'reviews.db'}", workdir / "review-banks")]
    if postgres:
        with procs.postgres_schema(postgres, "bench_reviews") as url:
            runs.append(reviews.run(url, workdir / "review-banks"))
    else:
        section.notes.append("No PostgreSQL URL (--postgres): SQLite only.")
    for figures in runs:
        name = figures.database
        section.add(
            f"{name}: fill", number(figures.fill_seconds, 1, " s"), f"{figures.cards:,} cards"
        )
        for label, values in (("next 20 due", figures.next_ms), ("due count", figures.summary_ms)):
            mean, p99 = reviews.summary(values)
            section.add(
                f"{name}: {label}, mean / p99",
                f"{number(mean, 2)} / {number(p99, 2, ' ms')}",
                verdict(p99, REVIEW_TARGET_MS, " ms") + f"; {len(values)} callers",
            )
    section.notes.append(
        "learning.due_questions (what /review asks) and learning.due_summary, one session per"
        f" call as the bot does, after {reviews.WARM_UP} warm-up calls; about half of the cards"
        " are due."
    )
    return section


async def _reminders(fake: BenchTelegram, workdir: Path, args: argparse.Namespace) -> list[Section]:
    users, minutes = args.reminder_users, args.reminder_minutes
    path = workdir / "reminders.db"
    days = [await reminders.run_day(fake, workdir, f"sqlite:///{path}", users, minutes)]
    if args.postgres:
        with procs.postgres_schema(args.postgres, "bench_reminders") as url:
            days.append(await reminders.run_day(fake, workdir, url, users, minutes))
    sections = [_reminder_day(day, users, minutes) for day in days]
    if not args.postgres:
        sections[-1].notes.append("No PostgreSQL URL (--postgres): SQLite only.")
    start = reminders.StartFigures()
    banks = workdir / "reminder-banks-sqlite"
    await reminders.through_bot(fake, workdir, path, banks, users, start)
    sections.append(_reminders_at_start(start))
    return sections


def _reminder_day(day: reminders.DayFigures, users: int, minutes: int) -> Section:
    section = Section(
        f"Reminder sweep on {day.backend}: {users:,} learners' reminders over"
        f" {minutes:,} minutes, {day.rows.get('cards', 0):,} cards"
    )
    rows = ", ".join(f"{k} {v:,}" for k, v in day.rows.items())
    section.add("database fill", number(day.fill_seconds, 1, " s"), rows)
    indexed = any("ix_reminders_next_at" in line for line in day.plan)
    section.add(
        "the claim reads", "next_at index" if indexed else "NO INDEX", "; ".join(day.plan)[:200]
    )
    section.add(
        "first minute: reminders due / sent",
        f"{day.due[0]} / {day.sent[0]}" if day.due else "n/a",
        "sent: those with questions due",
    )
    first = day.wall_ms[0] if day.wall_ms else None
    section.add(
        "first minute: database time",
        number(first, 1, " ms"),
        verdict(first, REMINDERS_TARGET_MS, " ms")
        + f" (its thread's CPU: {number(day.cpu_ms[0] if day.cpu_ms else None, 1, ' ms')})",
    )
    section.add(
        f"all {len(day.due):,} minutes: reminders due / sent",
        f"{sum(day.due):,} / {sum(day.sent):,}",
    )
    worst = max(day.wall_ms, default=None)
    section.add(
        "per minute: database time mean / p99 / max",
        f"{number(_mean(day.wall_ms), 1)} / "
        f"{number(reminders.percentile(day.wall_ms, 0.99), 1)} / {number(worst, 1, ' ms')}",
        verdict(worst, REMINDERS_TARGET_MS, " ms (max)"),
    )
    due = sum(day.due)
    section.add(
        "per reminder: database time",
        number(sum(day.wall_ms) / due if due else None, 2, " ms"),
        f"all minutes: {number(sum(day.wall_ms) / 1000, 1, ' s')} in all",
    )
    section.add(
        "per minute: whole sweep, sends included, mean / max",
        f"{number(_mean(day.sweep_ms), 1)} / {number(max(day.sweep_ms, default=None), 1, ' ms')}",
        "no rate limiter: the fake server answers at once",
    )
    section.notes.append(
        "Database time is the wall time of the sweep's transactions on the bot's database"
        " thread (claim and read a batch; record each send), while the sends run on the event"
        " loop of the same process: an upper bound of the database's part."
    )
    return section


def _reminders_at_start(start: reminders.StartFigures) -> Section:
    section = Section(
        f"Reminders through `quizbot run`: {start.due} due as it starts, production rate limiter on"
    )
    times = sorted(start.sent_at)
    spread = times[-1] - times[0] if len(times) > 1 else None
    section.add(
        "reminders sent / due",
        f"{len(times)} / {start.due}",
        f"in {number(spread, 1, ' s')} ({number(len(times) / spread if spread else None, 1)}/s)",
    )
    second, ten = start.busiest(1.0), start.busiest(10.0)
    bound = TELEGRAM_PER_SECOND + 10 * TELEGRAM_PER_SECOND
    within = "met" if ten <= bound else "MISSED"
    section.add(
        "bot's messages in the busiest 1 s / 10 s",
        f"{second} / {ten}",
        f"reminders and replies; the rate limiter lets {TELEGRAM_PER_SECOND} go at once, then"
        f" {TELEGRAM_PER_SECOND} a second: ≤ {bound} in 10 s: {within}",
    )
    p99 = reminders.percentile(start.waits_ms, 0.99)
    section.add(
        "other users' /help meanwhile: p50 / p99 / max",
        f"{number(reminders.percentile(start.waits_ms, 0.5), 0)} / {number(p99, 0)} / "
        f"{number(max(start.waits_ms, default=None), 0, ' ms')}",
        verdict(p99, FAIRNESS_TARGET_MS, " ms (p99)")
        + f"; {len(start.waits_ms)} timed, {start.unanswered} unanswered",
    )
    section.add("bot CPU meanwhile", number(start.cpu_seconds, 2, " s"))
    section.notes += start.notes
    section.notes.append(
        "The reminders are the database of the sweep above (SQLite), with"
        f" {start.due} learners' reminders made due just before the start: the start's sweep"
        f" sends them, {SENDING} at a time, paced by the rate limiter."
    )
    return section


def _import(workdir: Path) -> Section:
    figures = importing.run(workdir)
    section = Section(f"quizbot import: a generated {figures.questions:,}-question bank")
    wall = importing.median(figures.wall)
    section.add(
        f"`quizbot import` wall ({figures.questions:,} questions)",
        number(wall, 2, " s"),
        verdict(wall, IMPORT_TARGET_S, " s") + f"; median of {len(figures.wall)}, fresh file each",
    )
    section.add(
        "of which fixed cost (a 1-question bank)",
        number(importing.median(figures.startup), 2, " s"),
        "interpreter, imports, new schema",
    )
    if figures.split is not None:
        _split_rows(section, figures.split, "")
    if figures.uncapped is not None:
        section.notes.append(
            f"The bank format caps banks at MAX_QUESTIONS = {figures.cap:,}, so the real command"
            f" imported {figures.questions:,} questions. The rows marked [5,000, cap lifted] load"
            " 5,000 questions in this process with the cap lifted for the measurement only."
        )
        _split_rows(section, figures.uncapped, " [5,000, cap lifted]")
        estimate = importing.median(figures.startup) + figures.uncapped.total
        section.add(
            "estimated wall for 5,000 [cap lifted]",
            number(estimate, 2, " s"),
            verdict(estimate, IMPORT_TARGET_S, " s") + "; fixed cost + in-process total",
        )
    section.notes.append(
        f"The {figures.questions:,}-question file is {figures.bank_bytes:,} bytes."
    )
    return section


def _split_rows(section: Section, split: importing.Split, label: str) -> None:
    section.add(f"parse + validate{label}", number(split.parse_validate, 3, " s"), "load_bank_file")
    section.add(f"  of which YAML reading{label}", number(split.yaml, 3, " s"), "read_yaml alone")
    section.add(f"passages{label}", number(split.passages, 3, " s"), "passages_for")
    section.add(f"fingerprint{label}", number(split.fingerprint, 3, " s"))
    section.add(f"schema on a fresh file{label}", number(split.schema, 3, " s"), "Database.open")
    section.add(f"database write{label}", number(split.write, 3, " s"), "save_bank + commit")
    section.add(f"in-process total{label}", number(split.total, 3, " s"))


def _grading() -> Section:
    figures = grading.run()
    section = Section(
        f"Grading typed answers: {grading.REPLIES:,} replies to {figures.questions} questions"
    )
    for label, values in figures.us.items():
        p99 = grading.percentile(values, 0.99) / 1000
        section.add(
            f"{label}: p50 / p99 / max",
            f"{number(grading.percentile(values, 0.5), 1)} / {number(p99 * 1000, 1)} /"
            f" {number(max(values), 1, ' µs')}",
            verdict(p99, GRADING_TARGET_MS, " ms (p99)") + f"; {len(values):,} replies",
        )
    section.notes.append(
        "grade_typed timed call by call in this process, after one warm-up pass; a question's"
        " first grade also normalizes its accepted answers (cached for the next replies)."
    )
    return section


def _server(fake: BenchTelegram) -> Section:
    section = Section("Fake Bot API server")
    section.add("calls", f"{len(fake.calls):,}")
    section.add("violations (calls Telegram would refuse)", str(len(fake.violations)), "must be 0")
    refused = [c for c in fake.refused() if c.method != "getUpdates"]
    section.add("other refused calls", str(len(refused)), "state errors, e.g. a stale poll")
    section.notes += fake.violations[:10]
    return section
