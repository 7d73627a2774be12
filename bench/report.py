"""Figures as a plain-text table for the terminal and as Markdown for the README."""

from __future__ import annotations

import math
import os
import platform
import resource
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy
import telegram


@dataclass(frozen=True)
class Row:
    """One figure: what, how much, and the target or comparison it is read against."""

    label: str
    value: str
    against: str = ""


@dataclass
class Section:
    """A titled group of rows, with notes printed under it."""

    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, label: str, value: str, against: str = "") -> None:
        """Append a row."""
        self.rows.append(Row(label, value, against))


def number(value: float | None, digits: int = 1, unit: str = "") -> str:
    """A figure with its unit; "n/a" when missing."""
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:,.{digits}f}{unit}"


def verdict(value: float | None, target: float, unit: str, *, higher: bool = False) -> str:
    """ "target ≤ X: met" or "MISSED" (`higher`: "target ≥ X")."""
    sign = "≥" if higher else "≤"
    if value is None or math.isnan(value):
        return f"target {sign} {target:g}{unit}"
    met = value >= target if higher else value <= target
    return f"target {sign} {target:g}{unit}: {'met' if met else 'MISSED'}"


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine(others: float | None = None) -> list[tuple[str, str]]:
    """What the figures were measured on; `others`: cores other processes kept busy meanwhile."""
    facts = [
        ("CPU", cpu_model()),
        ("cores", str(os.cpu_count())),
        ("Python", platform.python_version()),
        ("python-telegram-bot", telegram.__version__),
        ("SQLAlchemy / SQLite", f"{sqlalchemy.__version__} / {sqlite3.sqlite_version}"),
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]
    if others is not None:
        facts.append(("other processes' CPU during the run", f"{others:.2f} cores on average"))
    return facts


def text(sections: list[Section], command: str, seconds: float, others: float) -> str:
    """Aligned plain text."""
    lines: list[str] = []
    for section in sections:
        lines += ["", section.title, "-" * len(section.title)]
        width = max((len(r.label) for r in section.rows), default=0)
        value_width = max((len(r.value) for r in section.rows), default=0)
        for row in section.rows:
            line = f"  {row.label:<{width}}  {row.value:>{value_width}}  {row.against}"
            lines.append(line.rstrip())
        lines += [f"  note: {n}" for n in section.notes]
    info = ", ".join(f"{k}: {v}" for k, v in machine(others))
    lines += ["", f"{info}", f"command: {command}  (ran {seconds:.0f} s)"]
    return "\n".join(lines)


def markdown(sections: list[Section], command: str, seconds: float, others: float) -> str:
    """Markdown tables, with the machine and the command, ready for the README."""
    lines = ["# Benchmark results", ""]
    lines += ["| Machine | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in machine(others)]
    lines += ["", f"Command: `{command}` (the whole run took {seconds:.0f} s).", ""]
    for section in sections:
        lines += [f"## {section.title}", "", "| Measure | Value | Target / comparison |"]
        lines.append("|---|---:|---|")
        lines += [f"| {r.label} | {r.value} | {r.against} |" for r in section.rows]
        if section.notes:
            lines.append("")
            lines += [f"- {_one_line(n)}" for n in section.notes]
        lines.append("")
    return "\n".join(lines)


def _one_line(note: str) -> str:
    return " ".join(note.split())


@dataclass
class Busy:
    """CPU used by processes other than this one and its children, over a stretch of time."""

    started: float = field(default_factory=lambda: _clock())
    machine: float = field(default_factory=lambda: _machine_busy())
    ours: float = field(default_factory=lambda: _ours())

    def others(self) -> float:
        """Cores' worth of CPU that other processes used since this was made."""
        elapsed = _clock() - self.started
        other = (_machine_busy() - self.machine) - (_ours() - self.ours)
        return max(0.0, other / elapsed) if elapsed > 0 else 0.0


def _clock() -> float:
    return time.monotonic()


def _machine_busy() -> float:
    """Busy CPU seconds of the whole machine since boot, from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _ours() -> float:
    """CPU seconds of this process and of its children that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
