"""Passages of a 5,000-question bank without quotes over a source of the maximum size.

`python -m bench.passages` times `passages_for` (BM25 over the source's sentences, as an upload
or `/source` does it) on two generated banks and prints a digest of the passages found, so that
two versions of the code can be checked to find the same ones.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable

from bench.bankgen import bank_text
from quiz.bank import (
    MAX_QUESTIONS,
    MAX_SOURCE_CHARS,
    TRUE_FALSE_OPTIONS,
    Bank,
    Question,
    QuestionKind,
)
from quiz.explain import passages_for, split_sentences

SEED = 14
VOCABULARY = 20_000


def ledger() -> Bank:
    """bench.bankgen's questions without their quotes, over its source grown to the maximum."""
    yaml_text, source = bank_text("ledger", MAX_QUESTIONS)
    questions = _questions_of(yaml_text)
    # Records repeated further on, as in a long report: the first of equals ranks first.
    return _bank("ledger", (source * 2)[:MAX_SOURCE_CHARS], questions)


def prose() -> Bank:
    """Sentences of words drawn by Zipf's law; each question asks about words of one sentence."""
    rng = random.Random(SEED)
    words = [f"w{rank}" for rank in range(1, VOCABULARY + 1)]
    weights = [1 / rank for rank in range(1, VOCABULARY + 1)]
    sentences: list[str] = []
    length = 0
    while length < MAX_SOURCE_CHARS - 300:
        sentence = " ".join(rng.choices(words, weights, k=rng.randint(8, 30))).capitalize() + "."
        sentences.append(sentence)
        length += len(sentence) + 1
    questions = []
    for number in range(MAX_QUESTIONS):
        asked = rng.choice(sentences).rstrip(".").lower().split()
        answer = rng.choice(asked)
        text = " ".join(word for word in asked[: rng.randint(4, 12)] if word != answer) + "?"
        wrong = [word for word in rng.sample(words, 3) if word != answer]
        options = (answer, *wrong)
        questions.append(
            Question(
                f"q{number}", QuestionKind.CHOICE, text, options, frozenset({0}), None, None, ()
            )
        )
    return _bank("prose", " ".join(sentences), questions)


def _questions_of(yaml_text: str) -> list[Question]:
    """The questions of a bankgen bank, read from its lines, without their quotes."""
    questions = []
    for block in yaml_text.split("  - id: ")[1:]:
        lines = block.splitlines()
        fields = dict(line.strip().split(": ", 1) for line in lines[1:])
        if "options" in fields:
            options = tuple(fields["options"].strip("[]").split(", "))
            kind = QuestionKind.CHOICE
            correct = frozenset({options.index(fields["answer"])})
        else:
            options, kind = TRUE_FALSE_OPTIONS, QuestionKind.TRUE_FALSE
            correct = frozenset({0 if fields["answer"] == "true" else 1})
        questions.append(
            Question(lines[0], kind, fields["question"], options, correct, None, None, ())
        )
    return questions


def _bank(bank_id: str, source: str, questions: list[Question]) -> Bank:
    return Bank(bank_id, bank_id, "en", bank_id, None, source, tuple(questions))


def measure(make: Callable[[], Bank]) -> dict[str, object]:
    """Seconds of passages_for on the bank, its size, and a digest of the passages."""
    bank = make()
    started = time.perf_counter()
    passages = passages_for(bank)
    seconds = time.perf_counter() - started
    digest = hashlib.sha256(json.dumps(passages, sort_keys=True).encode()).hexdigest()[:16]
    return {
        "bank": bank.id,
        "questions": len(bank.questions),
        "source_chars": len(bank.source_text),
        "sentences": len(split_sentences(bank.source_text, bank.language)),
        "found": sum(passage is not None for passage in passages.values()),
        "seconds": round(seconds, 2),
        "digest": digest,
    }


def main() -> None:
    """Print one line of figures per generated bank."""
    for make in (ledger, prose):
        print(json.dumps(measure(make)))


if __name__ == "__main__":
    main()
