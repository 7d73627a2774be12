"""Quiz rules: which questions, in which order, with which option order, and grading."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass

DEFAULT_QUESTIONS = 10
# Longer quizzes are a bank to export, not to play: each question is a row and a message.
MAX_QUESTIONS = 100


@dataclass(frozen=True)
class PlannedQuestion:
    """A question of a quiz and the order its options are shown in."""

    index: int  # the question's position in its bank
    option_order: tuple[int, ...]  # shown option i is the question's option option_order[i]


def plan_quiz(
    option_counts: Sequence[int],
    count: int | None = None,
    *,
    shuffle_options: Sequence[bool] | None = None,
    rng: random.Random | None = None,
) -> list[PlannedQuestion]:
    """Draw `count` distinct questions in random order, each with shuffled options.

    `option_counts[i]` is how many options question i has; `shuffle_options[i]` False keeps
    them in place (True/False reads oddly as False/True). At most MAX_QUESTIONS.
    """
    rng = rng or random.Random()
    total = len(option_counts)
    wanted = min(count if count is not None else DEFAULT_QUESTIONS, total, MAX_QUESTIONS)
    chosen = rng.sample(range(total), wanted)
    plan = []
    for index in chosen:
        order = list(range(option_counts[index]))
        if shuffle_options is None or shuffle_options[index]:
            rng.shuffle(order)
        plan.append(PlannedQuestion(index, tuple(order)))
    return plan


def to_original(option_order: Sequence[int], shown: Sequence[int]) -> list[int]:
    """Map indices of shown options back to the question's own option indices."""
    return sorted({option_order[i] for i in shown if 0 <= i < len(option_order)})


def to_shown(option_order: Sequence[int], original: Sequence[int]) -> list[int]:
    """Map the question's own option indices to their shown positions, ascending."""
    return sorted(option_order.index(i) for i in original)


def is_correct(correct: Collection[int], chosen: Collection[int]) -> bool:
    """Right only when exactly the correct options were chosen."""
    return bool(chosen) and set(chosen) == set(correct)
