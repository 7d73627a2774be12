"""Round points: speed, the deadline clamp and streak bonuses, without Telegram or a database."""

from __future__ import annotations

import pytest

from quiz.scoring import answer_points, speed_points, streak_before, streak_bonus


@pytest.mark.parametrize(
    ("elapsed", "period", "points"),
    [
        (0, 20, 1000),
        (2, 20, 950),
        (10, 20, 750),
        (20, 20, 500),
        (25, 20, 500),  # late (a clock skew): never below the deadline's points
        (-1, 20, 1000),  # before the question was marked sent
        (1, 15, 967),  # 966.67 rounds up
        (0.5, 5, 950),
    ],
)
def test_speed_points_fall_linearly_from_1000_to_500(elapsed: float, period: float, points: int):
    assert speed_points(elapsed, period) == points


@pytest.mark.parametrize(
    ("streak", "bonus"), [(0, 0), (1, 0), (2, 100), (3, 200), (6, 500), (7, 500), (50, 500)]
)
def test_streak_bonus_grows_by_100_and_stops_at_500(streak: int, bonus: int):
    assert streak_bonus(streak) == bonus


def test_streak_before_counts_right_answers_in_a_row():
    assert streak_before({}, 0) == 0
    assert streak_before({0: True, 1: True}, 2) == 2
    assert streak_before({0: True, 1: False, 2: True}, 3) == 1  # a wrong answer resets it
    assert streak_before({0: True, 2: True}, 3) == 1  # a missed question resets it too
    assert streak_before({0: True, 1: True, 2: True}, 2) == 2  # later answers don't count


def test_answer_points_add_the_bonus_to_right_answers_only():
    assert answer_points(correct=False, elapsed=0, period=20, streak=4) == 0
    assert answer_points(correct=True, elapsed=2, period=20, streak=0) == 950
    assert answer_points(correct=True, elapsed=2, period=20, streak=1) == 1050
    assert answer_points(correct=True, elapsed=20, period=20, streak=2) == 700
    assert answer_points(correct=True, elapsed=0, period=20, streak=9) == 1500
