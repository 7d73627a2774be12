"""Summarise a py-spy raw profile of the quiz bot: time by layer, and the top functions.

python -m bench --only throughput --profile prof.txt && python -m bench.profile prof.txt
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

# The first package found walking from the sampled frame towards the root owns the sample:
# the standard library (json, asyncio, ...) counts for whoever called it.
LAYERS = (
    ("SQLAlchemy + sqlite3", ("sqlalchemy/", "sqlite3/")),
    ("HTTP client (httpx, httpcore, h11, anyio)", ("httpx/", "httpcore/", "h11/", "anyio/")),
    ("python-telegram-bot", ("telegram/",)),
    ("our code (bot, storage, quiz)", ("bot/", "storage/", "quiz/")),
    ("pydantic", ("pydantic",)),
    ("alembic", ("alembic/",)),
)
EVENT_LOOP = "event loop and standard library only"
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^:()]+)(?::\d+)?\)$")
OURS = ("bot/", "storage/", "quiz/")
# Frames worth a line of their own: (label, function, file prefix); inclusive samples.
MARKERS = (
    ("a Bot API call (PTB request + httpx)", "Bot._post", "telegram/"),
    ("httpx client request", "AsyncClient.request", "httpx/"),
    ("httpcore pool: has_expired checks", "AsyncHTTPConnection.has_expired", "httpcore/"),
    ("httpcore: current_async_library", "current_async_library", "httpcore/"),
    ("SQLite itself: execute", "DefaultDialect.do_execute", "sqlalchemy/"),
    ("SQLite itself: commit", "DefaultDialect.do_commit", "sqlalchemy/"),
    ("PTB: Update.de_json", "Update.de_json", "telegram/"),
)


def parse(path: Path) -> list[tuple[list[tuple[str, str]], int]]:
    """(frames root first as (function, file), sample count) per line of a raw profile."""
    stacks = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = []
        for part in stack.split(";"):
            match = FRAME.match(part)
            frames.append((match["function"], match["file"]) if match else (part, ""))
        stacks.append((frames, int(count)))
    return stacks


def layer(frames: list[tuple[str, str]]) -> str:
    """The layer a sample's time belongs to."""
    for _, file in reversed(frames):
        for name, prefixes in LAYERS:
            if file.startswith(prefixes):
                return name
    return EVENT_LOOP


def summarise(path: Path, top: int = 15) -> str:
    """Markdown: samples by layer, our functions by inclusive time, hottest leaf functions."""
    stacks = parse(path)
    total = sum(count for _, count in stacks) or 1
    layers: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for frames, count in stacks:
        layers[layer(frames)] += count
        seen = {f"{function} ({file})" for function, file in frames if file.startswith(OURS)}
        for name in seen:
            inclusive[name] += count
        if frames:
            leaves[f"{frames[-1][0]} ({frames[-1][1]})"] += count
    lines = [f"{total:,} samples (CPU only: py-spy leaves idle threads out)", ""]
    lines += _table("Layer", layers.most_common(), total)
    lines += _table("Marker (inclusive)", _markers(stacks), total)
    lines += _table("Our function (inclusive)", inclusive.most_common(top), total)
    lines += _table("Leaf function (self)", leaves.most_common(top), total)
    return "\n".join(lines)


def _markers(stacks: list[tuple[list[tuple[str, str]], int]]) -> list[tuple[str, int]]:
    rows = []
    for label, function, prefix in MARKERS:
        hits = sum(
            count
            for frames, count in stacks
            if any(f == function and file.startswith(prefix) for f, file in frames)
        )
        rows.append((f"{function} — {label}", hits))
    return rows


def _table(title: str, rows: list[tuple[str, int]], total: int) -> list[str]:
    lines = [f"| {title} | samples | share |", "|---|---:|---:|"]
    lines += [f"| `{name}` | {count:,} | {100 * count / total:.1f} % |" for name, count in rows]
    return [*lines, ""]


if __name__ == "__main__":
    print(summarise(Path(sys.argv[1])))
