"""`quizbot import` of a generated 5,000-question bank: wall time and where it goes."""

from __future__ import annotations

import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field

import quiz.bank
from bench import procs
from bench.bankgen import write_bank
from bot.library import fingerprint
from quiz.bank import load_bank_file
from quiz.explain import passages_for
from quiz.yamlsource import read_yaml
from storage.banks import save_bank
from storage.db import Database

WANTED = 5_000
RUNS = 3
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Split:
    """In-process seconds of each step of one import."""

    questions: int
    yaml: float = 0.0  # reading the YAML alone (part of parse_validate, timed on its own)
    parse_validate: float = 0.0  # load_bank_file: YAML, models, quotes, source file
    passages: float = 0.0
    fingerprint: float = 0.0
    schema: float = 0.0  # Database.open on a fresh file
    write: float = 0.0  # save_bank and the commit

    @property
    def total(self) -> float:
        """Everything but the separate YAML timing (already inside parse_validate)."""
        return self.parse_validate + self.passages + self.fingerprint + self.schema + self.write


@dataclass
class ImportFigures:
    """Wall times of the real command and the in-process splits."""

    questions: int
    cap: int
    bank_bytes: int
    wall: list[float] = field(default_factory=list)
    # `quizbot import` of a 1-question bank into a fresh file: interpreter, imports, new schema
    startup: list[float] = field(default_factory=list)
    split: Split | None = None
    uncapped: Split | None = None  # 5,000 questions with the cap lifted in this process only
    notes: list[str] = field(default_factory=list)


def run(workdir: Path) -> ImportFigures:
    """Time the real `quizbot import` on fresh SQLite files, then the in-process split."""
    cap = quiz.bank.MAX_QUESTIONS
    count = min(WANTED, cap)
    folder = workdir / "import"
    path = write_bank(folder, f"import-{count}", count)
    tiny = write_bank(folder, "import-1", 1)
    figures = ImportFigures(count, cap, path.stat().st_size)
    for n in range(RUNS):
        figures.wall.append(_command(workdir, ["import", str(path)], workdir / f"import-{n}.db"))
        fixed = workdir / f"import-tiny-{n}.db"
        figures.startup.append(_command(workdir, ["import", str(tiny)], fixed))
    figures.split = _fresh_split(workdir, path, workdir / "split.db", None)
    if count < WANTED:
        big = write_bank(workdir / "import-uncapped", f"import-{WANTED}", WANTED)
        figures.uncapped = _fresh_split(workdir, big, workdir / "split-uncapped.db", WANTED)
    return figures


def _fresh_split(workdir: Path, path: Path, database: Path, uncap: int | None) -> Split:
    """`split` in a new process, as `quizbot import` runs: not in this one's big heap."""
    argv = [sys.executable, "-m", "bench.importing", str(path), str(database)]
    argv += [str(uncap)] if uncap else []
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZBOT_")}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(argv, env=env, cwd=workdir, capture_output=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"timing the import steps failed:\n{result.stderr.decode()}")
    return Split(**json.loads(result.stdout))


def _command(workdir: Path, args: list[str], database: Path) -> float:
    """Wall seconds of one `quizbot` process; fails loudly if it does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZBOT_")}
    env["QUIZBOT_DATABASE_URL"] = f"sqlite:///{database}"
    started = time.perf_counter()
    result = subprocess.run(
        [procs.script("quizbot"), *args], env=env, cwd=workdir, capture_output=True, timeout=120
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"quizbot {' '.join(args)} failed:\n{result.stdout.decode()}")
    return elapsed


def split(path: Path, database: Path) -> Split:
    """The steps `quizbot import` takes, each timed."""
    result = Split(0)
    started = time.perf_counter()
    bank = load_bank_file(path)
    result.parse_validate = _lap(started)
    started = time.perf_counter()
    read_yaml(path.read_text(encoding="utf-8"))
    result.yaml = _lap(started)
    result.questions = len(bank.questions)
    started = time.perf_counter()
    passages = passages_for(bank)
    result.passages = _lap(started)
    started = time.perf_counter()
    content_hash = fingerprint(bank)
    result.fingerprint = _lap(started)
    started = time.perf_counter()
    db = Database.open(f"sqlite:///{database}")
    result.schema = _lap(started)
    try:
        started = time.perf_counter()
        with db.session() as session:
            save_bank(session, bank, passages=passages, content_hash=content_hash)
        result.write = _lap(started)
    finally:
        db.dispose()
    return result


def _lap(started: float) -> float:
    return time.perf_counter() - started


@contextmanager
def uncapped(count: int) -> Iterator[None]:
    """Let this process load banks of `count` questions (the bank format's cap lifted)."""
    # The cap is baked into BankSpec's field when the class is made, so patching the
    # constant alone changes nothing: swap in a subclass with a wider field, then restore.
    saved_cap, saved_spec = quiz.bank.MAX_QUESTIONS, quiz.bank.BankSpec

    class UncappedBankSpec(saved_spec):  # type: ignore[valid-type, misc]
        questions: list[quiz.bank.QuestionSpec] = Field(min_length=1, max_length=count)

    quiz.bank.MAX_QUESTIONS = count
    setattr(quiz.bank, "BankSpec", UncappedBankSpec)  # noqa: B010 - mypy refuses assigning a class
    try:
        yield
    finally:
        quiz.bank.MAX_QUESTIONS = saved_cap
        setattr(quiz.bank, "BankSpec", saved_spec)  # noqa: B010


def median(values: list[float]) -> float:
    """The median, NaN when empty."""
    return statistics.median(values) if values else float("nan")


def _main(argv: list[str]) -> None:
    """python -m bench.importing BANK DATABASE [UNCAP]: print the split as JSON."""
    path, database, *rest = argv
    if rest:
        with uncapped(int(rest[0])):
            result = split(Path(path), Path(database))
    else:
        result = split(Path(path), Path(database))
    print(json.dumps(dataclasses.asdict(result)))


if __name__ == "__main__":
    _main(sys.argv[1:])
