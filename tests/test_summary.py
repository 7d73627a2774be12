"""A quiz's summary: a line per question, or, when that would not fit its message, only the
questions to go over again, as many as fit."""

from __future__ import annotations

from bot import texts
from storage.quizzes import AnsweredQuestion

LONG = "Which of these codes does the ledger give for the fact numbered {i} in its list?"


def results(count: int, wrong_every: int | None) -> list[AnsweredQuestion]:
    return [
        AnsweredQuestion(LONG.format(i=i), not (wrong_every and i % wrong_every == 0))
        for i in range(1, count + 1)
    ]


def test_a_short_quiz_lists_every_question():
    text = texts.summary("Ledger", 2, results(3, 3), stopped=False)
    marked = [line[:4] for line in text.split("\n") if line.startswith(("✅", "❌"))]
    assert marked == ["✅ 1.", "✅ 2.", "❌ 3."]


def test_too_many_to_go_over_are_cut_with_how_many_more():
    text = texts.summary("Ledger", 0, results(100, 1), stopped=False, room=1500)
    listed = [line for line in text.split("\n") if line.startswith("❌ ")]
    assert 5 < len(listed) < 100 and listed[0].startswith("❌ 1.")
    assert f"… and {100 - len(listed)} more" in text
    assert "100 questions to go over again" in text
    assert texts.visible_length(text) <= 1500


def test_a_long_quiz_all_right_says_so_in_one_line():
    text = texts.summary("Ledger", 100, results(100, None), stopped=False, room=2000)
    assert "Every answer right." in text and "✅" not in text
    assert "Score: <b>100/100</b>" in text


def test_a_stopped_quiz_counts_the_unanswered_as_to_go_over():
    stopped = results(60, None)[:30] + [AnsweredQuestion(LONG.format(i=i), None) for i in range(30)]
    text = texts.summary("Ledger", 30, stopped, stopped=True, room=2000)
    assert "Quiz stopped" in text and "Score: <b>30/30</b>" in text
    assert "30 questions to go over again" in text and "▫️ 31." in text
