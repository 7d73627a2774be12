"""Quiz rules: which questions, in which order, with which option order, and grading."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

DEFAULT_QUESTIONS = 10
# Longer quizzes are a bank to export, not to play: each question is a row and a message.
MAX_QUESTIONS = 100


@dataclass(frozen=True)
class PlannedQuestion:
    """A question of a quiz and the order its options are shown in."""

    index: int  # the question's position in its bank
    option_order: tuple[int, ...]  # shown option i is the question's option option_order[i]


class Familiarity(IntEnum):
    """How well a learner knows a question, as far as choosing a quiz's questions goes."""

    UNSEEN = 0  # never answered: asked first, so that repeated quizzes cover the whole bank
    DUE = 1  # due for review
    KNOWN = 2  # answered, and not due yet: asked last


def familiarity(due: datetime | None, now: datetime) -> Familiarity:
    """How well a learner knows a question whose card is due then (None: no card yet)."""
    if due is None:
        return Familiarity.UNSEEN
    return Familiarity.DUE if due <= now else Familiarity.KNOWN


def plan_quiz(
    option_counts: Sequence[int],
    count: int | None = None,
    *,
    shuffle_options: Sequence[bool] | None = None,
    familiarity: Sequence[Familiarity] | None = None,
    rng: random.Random | None = None,
) -> list[PlannedQuestion]:
    """Draw `count` distinct questions in random order, each with shuffled options.

    `option_counts[i]` is how many options question i has; `shuffle_options[i]` False keeps
    them in place (True/False reads oddly as False/True). With `familiarity`, unseen questions
    are drawn first, then due ones, then the rest. At most MAX_QUESTIONS.
    """
    rng = rng or random.Random()
    total = len(option_counts)
    wanted = min(count if count is not None else DEFAULT_QUESTIONS, total, MAX_QUESTIONS)
    drawn = rng.sample(range(total), total)  # every question, in a random order
    if familiarity is not None:
        drawn.sort(key=lambda index: familiarity[index])  # stable: random within each kind
    return [
        PlannedQuestion(
            index, option_order(option_counts[index], _shuffled(shuffle_options, index), rng)
        )
        for index in rng.sample(drawn[:wanted], wanted)  # the chosen ones in a random order
    ]


def _shuffled(shuffle_options: Sequence[bool] | None, index: int) -> bool:
    return shuffle_options is None or shuffle_options[index]


def option_order(count: int, shuffle: bool, rng: random.Random | None = None) -> tuple[int, ...]:
    """The order to show `count` options in: shuffled, or as written."""
    order = list(range(count))
    if shuffle:
        (rng or random.Random()).shuffle(order)
    return tuple(order)


def to_original(option_order: Sequence[int], shown: Sequence[int]) -> list[int]:
    """Map indices of shown options back to the question's own option indices."""
    return sorted({option_order[i] for i in shown if 0 <= i < len(option_order)})


def to_shown(option_order: Sequence[int], original: Sequence[int]) -> list[int]:
    """Map the question's own option indices to their shown positions, ascending."""
    return sorted(option_order.index(i) for i in original)


def is_correct(correct: Collection[int], chosen: Collection[int]) -> bool:
    """Right only when exactly the correct options were chosen."""
    return bool(chosen) and set(chosen) == set(correct)
