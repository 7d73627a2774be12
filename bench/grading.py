"""Grading typed answers (`python -m bench --only grading`): the time of one grade_typed call.

A generated bank of short_answer and numeric questions (accented, Cyrillic and several-word
answers, accepted variants; answers with a tolerance, ranges) and replies as learners type them:
exact, in another case or with an article, with one or two typos, wrong, in another keyboard
layout, emoji only, numbers written several ways, and 4,096-character messages (Telegram's
longest). Every call is timed on its own.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field, replace

from quiz.bank import Question, parse_bank
from quiz.grading import grade_typed

QUESTIONS = 400
REPLIES = 6_000
LONG_CHARS = 4_096

# Answers as teachers write them: one word or several, accents, another script, variants.
SHORT_ANSWERS = [
    ["Paris"],
    ["São Paulo"],
    ["no one", "nobody"],
    ["Franklin Delano Roosevelt", "F. D. Roosevelt", "FDR"],
    ["The Hague"],
    ["photosynthesis"],
    ["Москва"],
    ["Washington, D.C."],
    ["mitochondrion", "mitochondria"],
    ["Apollo 11"],
    ["the Treaty of Westphalia", "Peace of Westphalia"],
    ["Bushehr nuclear power plant", "Bushehr"],
]
NUMERIC = [
    "answer: 2013",
    "answer: 1822, tolerance: 1",
    "min: 1, max: 5",
    "answer: -3.5",
    "answer: 3.14159, tolerance: 0.001",
    "answer: 1000000",
]
EMOJI = ["🙂", "👍🏽", "🤷‍♀️", "❤️❤️", "🎉 🎉"]
OTHER_SCRIPT = ["Зфкшы", "Париж", "باريس", "パリ", "Moskva"]


@dataclass
class GradingFigures:
    """Microseconds per call, by the kind of reply."""

    questions: int
    us: dict[str, list[float]] = field(default_factory=dict)


def run(seed: int = 11) -> GradingFigures:
    """Grade REPLIES generated replies, each call timed; then the short answers cold."""
    rng = random.Random(seed)
    questions = _bank(QUESTIONS)
    figures = GradingFigures(len(questions))
    replies = [_reply(rng, rng.choice(questions)) for _ in range(REPLIES)]
    for question, reply, _ in replies:  # warm-up: caches, the CPU's clock
        grade_typed(question, reply)
    for question, reply, label in replies:
        elapsed = _timed(question, reply)
        figures.us.setdefault("all replies", []).append(elapsed)
        figures.us.setdefault(label, []).append(elapsed)
    cold = figures.us.setdefault("short answer, first grade of its question", [])
    for number, (question, reply, label) in enumerate(replies):
        if label.startswith("short answer"):
            # Other accepted answers: not in the cache, normalized again as on a first grade.
            unseen = replace(question, options=(*question.options, f"unseen {number}"))
            cold.append(_timed(unseen, reply))
    return figures


def _timed(question: Question, reply: str) -> float:
    """Microseconds of one grade."""
    started = time.perf_counter_ns()
    grade_typed(question, reply)
    return (time.perf_counter_ns() - started) / 1000


def _bank(count: int) -> list[Question]:
    lines = ["bank: 1", "id: grading", "title: Grading", "questions:"]
    for i in range(count):
        if i % 3:
            answer = json.dumps(SHORT_ANSWERS[i % len(SHORT_ANSWERS)] + [f"variant {i}"])
            fields = f"type: short_answer, answer: {answer}"
        else:
            fields = f"type: numeric, {NUMERIC[i % len(NUMERIC)]}"
        lines.append(f"  - {{id: q{i}, question: Question {i}?, {fields}}}")
    return list(parse_bank("\n".join(lines), filename="grading.yaml", base_dir=None).questions)


def _reply(rng: random.Random, question: Question) -> tuple[Question, str, str]:
    """A reply to the question, and the kind of reply it is."""
    if rng.random() < 0.05:
        return question, _long(rng), "4,096-character messages"
    if question.numeric is not None:
        return question, _number_reply(rng, question), "numeric"
    answer = rng.choice(question.options)
    roll = rng.random()
    if roll < 0.3:
        reply = answer
    elif roll < 0.45:
        reply = rng.choice(["the ", "A ", "  "]) + rng.choice([str.upper, str.lower])(answer) + "!"
    elif roll < 0.65:
        return question, _typos(rng, answer, rng.choice([1, 2])), "short answer, with typos"
    elif roll < 0.85:
        reply = rng.choice([a for row in SHORT_ANSWERS for a in row])
    elif roll < 0.93:
        reply = rng.choice(OTHER_SCRIPT)
    else:
        reply = rng.choice(EMOJI)
    return question, reply, "short answer"


def _typos(rng: random.Random, text: str, count: int) -> str:
    letters = list(text)
    for _ in range(count):
        at = rng.randrange(len(letters))
        edit = rng.choice(["insert", "delete", "replace", "swap"])
        if edit == "insert":
            letters.insert(at, rng.choice("aeiost"))
        elif edit == "delete" and len(letters) > 1:
            del letters[at]
        elif edit == "swap" and at + 1 < len(letters):
            letters[at], letters[at + 1] = letters[at + 1], letters[at]
        else:
            letters[at] = rng.choice("aeiost")
    return "".join(letters)


def _number_reply(rng: random.Random, question: Question) -> str:
    assert question.numeric is not None
    value = rng.choice([question.numeric.low, question.numeric.high, rng.uniform(-10, 3000)])
    return rng.choice(
        [
            f"{value:g}",
            f" {value:,.2f} ",
            f"{value:.1f}".replace(".", ","),
            f"about {value:.0f}",
            f"{value:e}",
            "two thousand",
            f"{value:.0f} or {value + 1:.0f}",
        ]
    )


def _long(rng: random.Random) -> str:
    words = [a for row in SHORT_ANSWERS for a in row] + EMOJI
    text = ""
    while len(text) < LONG_CHARS:
        text += rng.choice(words) + " "
    return text[:LONG_CHARS]


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of them lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
