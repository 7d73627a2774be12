"""Generated question banks: a YAML file and its source text, every question quoting it."""

from __future__ import annotations

from pathlib import Path

ADJECTIVES = ("northern", "archived", "annual", "coastal", "revised", "private", "early", "final")
NOUNS = ("harbour", "tariff", "census", "survey", "treaty", "budget", "charter", "registry")


def _code(i: int, letter: str) -> str:
    return f"c{i}{letter}"


def _sentence(i: int, answer: str) -> str:
    """The source sentence that question `i` quotes."""
    adjective, noun = ADJECTIVES[i % len(ADJECTIVES)], NOUNS[(i // 3) % len(NOUNS)]
    return f"The {adjective} {noun} record {i} lists {answer} as its entry."


def _choice(i: int) -> tuple[list[str], str]:
    options = [_code(i, letter) for letter in "abcd"]
    answer = options[i % 4]
    lines = [
        f"  - id: q{i}",
        f"    question: Which code does the {NOUNS[(i // 3) % len(NOUNS)]} record {i} list?",
        f"    options: [{', '.join(options)}]",
        f"    answer: {answer}",
        f"    quote: record {i} lists {answer}",
    ]
    if i % 5 == 0:  # some questions carry an explanation, as real banks do
        lines.append(f"    explanation: Record {i} was checked against the {NOUNS[i % 8]}.")
    return lines, answer


def _true_false(i: int) -> tuple[list[str], str]:
    answer = _code(i, "b")
    claimed = answer if i % 2 else _code(i, "a")
    lines = [
        f"  - id: q{i}",
        "    type: true_false",
        f"    question: Record {i} lists {claimed}.",
        f"    answer: {'true' if claimed == answer else 'false'}",
        f"    quote: record {i} lists {answer}",
    ]
    return lines, answer


def bank_text(bank_id: str, count: int) -> tuple[str, str]:
    """(YAML of a bank of `count` questions, its source text); one in four is true_false."""
    lines = [
        "bank: 1",
        f"id: {bank_id}",
        f"title: Benchmark bank {bank_id}",
        "language: en",
        "source:",
        f"  title: Generated ledger for {bank_id}",
        f"  file: sources/{bank_id}.txt",
        "questions:",
    ]
    sentences = []
    for i in range(1, count + 1):
        question, answer = _true_false(i) if i % 4 == 0 else _choice(i)
        lines += question
        sentences.append(_sentence(i, answer))
    # Paragraphs of ten sentences, so the source reads like prose to the sentence splitter.
    paragraphs = [" ".join(sentences[k : k + 10]) for k in range(0, len(sentences), 10)]
    return "\n".join(lines) + "\n", "\n\n".join(paragraphs) + "\n"


def write_bank(folder: Path, bank_id: str, count: int) -> Path:
    """Write `<folder>/<bank_id>.yaml` and its source file; returns the bank file's path."""
    yaml_text, source = bank_text(bank_id, count)
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    (folder / "sources" / f"{bank_id}.txt").write_text(source, encoding="utf-8")
    path = folder / f"{bank_id}.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    return path
