"""Quiz rules: question choice, option shuffling and grading."""

import random

import pytest

from quiz.play import DEFAULT_QUESTIONS, is_correct, plan_quiz, to_original, to_shown


def test_plan_defaults_to_ten_distinct_questions():
    plan = plan_quiz([4] * 30, rng=random.Random(1))
    assert len(plan) == DEFAULT_QUESTIONS == 10
    assert len({p.index for p in plan}) == 10


def test_plan_takes_the_whole_bank_when_it_is_smaller():
    plan = plan_quiz([3, 4, 2], 10, rng=random.Random(2))
    assert sorted(p.index for p in plan) == [0, 1, 2]


def test_plan_shuffles_order_and_options_but_keeps_every_option():
    plans = [plan_quiz([4] * 20, 20, rng=random.Random(seed)) for seed in range(5)]
    assert len({tuple(p.index for p in plan) for plan in plans}) > 1
    for plan in plans:
        for planned in plan:
            assert sorted(planned.option_order) == [0, 1, 2, 3]
    assert any(p.option_order != (0, 1, 2, 3) for plan in plans for p in plan)


def test_true_false_options_stay_in_place():
    plan = plan_quiz([2] * 8, 8, shuffle_options=[False] * 8, rng=random.Random(3))
    assert all(p.option_order == (0, 1) for p in plan)


def test_shown_and_original_indices_round_trip():
    order = (2, 0, 3, 1)
    assert to_original(order, [0]) == [2]
    assert to_original(order, [1, 3]) == [0, 1]
    assert to_shown(order, [2]) == [0]
    assert to_shown(order, to_original(order, [2, 3])) == [2, 3]


def test_out_of_range_choices_are_dropped():
    assert to_original((1, 0), [5, -1]) == []


@pytest.mark.parametrize(
    ("correct", "chosen", "expected"),
    [
        ([1], [1], True),
        ([1], [0], False),
        ([1], [], False),
        ([0, 2], [2, 0], True),
        ([0, 2], [0], False),
        ([0, 2], [0, 1, 2], False),
    ],
)
def test_grading_needs_exactly_the_correct_options(correct, chosen, expected):
    assert is_correct(correct, chosen) is expected
