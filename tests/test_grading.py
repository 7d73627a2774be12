"""Typed answers graded like a teacher would: what is forgiven, what is wrong, what is no answer."""

from __future__ import annotations

import json
import math
import unicodedata
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from quiz.answertext import normalize_answer
from quiz.bank import MAX_SHORT_ANSWER_CHARS, Question, QuestionKind, parse_bank
from quiz.grading import (
    MAX_REPLY_CHARS,
    Refusal,
    TypedGrade,
    Verdict,
    grade_typed,
    read_numbers,
    typos_forgiven,
)
from tests.growth import fastest


def question(fields: str) -> Question:
    """One question of a bank, read by the real loader from its YAML fields."""
    text = f"bank: 1\nid: t\ntitle: T\nquestions:\n  - {{id: q, question: Q?, {fields}}}\n"
    return parse_bank(text, filename="t.yaml", base_dir=None).questions[0]


def short(*answers: str) -> Question:
    return question(f"type: short_answer, answer: {json.dumps(list(answers))}")


PARIS = short("Paris")
BURIED = short("no one", "nobody")  # Moodle's own example
CAPITAL = short("Washington, D.C.")
HAGUE = short("The Hague")
SAO_PAULO = short("São Paulo")
ROOSEVELT = short("Franklin Delano Roosevelt")  # 23 letters: two typos forgiven
APOLLO = short("Apollo 11")
MOSCOW = short("Москва")
TEHRAN = short("تهران")
TOKYO = short("東京", "とうきょう")
BUSHEHR = question("type: numeric, answer: 2013")  # the README's example question
GRANT = question("type: numeric, answer: 1822, tolerance: 1")
ONE_TO_FIVE = question("type: numeric, min: 1, max: 5")
TENTH = question("type: numeric, answer: 1.1, tolerance: 0.1")
HALF = question("type: numeric, answer: 2.5")
FROST = question("type: numeric, answer: -3.5")
THOUSAND = question("type: numeric, answer: 1000")
ONE_AND_A_HALF = question("type: numeric, answer: 1.5")


def right(matched: str, typos: int = 0, number: float | None = None) -> TypedGrade:
    return TypedGrade(Verdict.RIGHT, matched=matched, typos=typos, number=number)


def wrong(number: float | None = None) -> TypedGrade:
    return TypedGrade(Verdict.WRONG, number=number)


def refused(refusal: Refusal) -> TypedGrade:
    return TypedGrade(Verdict.NOT_AN_ANSWER, refusal=refusal)


@pytest.mark.parametrize(
    ("asked", "reply", "grade"),
    [
        # case, surrounding spaces, punctuation, accents, a leading article
        (PARIS, "Paris", right("Paris")),
        (PARIS, "  pARIS \n", right("Paris")),
        (PARIS, "Paris!", right("Paris")),
        (PARIS, "the paris", right("Paris")),
        (PARIS, "A Paris.", right("Paris")),
        (PARIS, "Pàrïs", right("Paris")),
        (SAO_PAULO, "sao paulo", right("São Paulo")),
        (SAO_PAULO, "SÃO PAULO", right("São Paulo")),
        (HAGUE, "Hague", right("The Hague")),
        (HAGUE, "the hague", right("The Hague")),
        (HAGUE, "an Hague", right("The Hague")),
        (CAPITAL, "washington dc", right("Washington, D.C.")),
        (CAPITAL, "Washington D. C.", right("Washington, D.C.")),
        (BURIED, "No one", right("no one")),
        (BURIED, "no-one", right("no one")),
        (BURIED, "NOBODY", right("nobody")),
        (MOSCOW, "москва", right("Москва")),
        (TEHRAN, " تهران ", right("تهران")),
        # Arabic kaf and yeh, as Arabic keyboards type them, are the Persian letters
        (short("مسکو"), "مسكو", right("مسکو")),
        (short("ایران"), "ايران", right("ایران")),
        (TOKYO, "とうきょう", right("とうきょう")),
        # one typo from 5 letters: an edit, or two neighbouring letters swapped
        (PARIS, "Pariss", right("Paris", 1)),
        (PARIS, "Pais", right("Paris", 1)),
        (PARIS, "Paros", right("Paris", 1)),
        (PARIS, "Pairs", right("Paris", 1)),
        (BURIED, "nobdoy", right("nobody", 1)),
        (BURIED, "noone", right("no one", 0)),  # spaces are not typos
        (MOSCOW, "Моска", right("Москва", 1)),
        (PARIS, "Prais", right("Paris", 1)),
        (PARIS, "Piras", wrong()),  # two swaps are two typos
        (PARIS, "Pxrxs", wrong()),
        (short("Rome"), "Rom", wrong()),  # 4 letters: none forgiven
        (short("Rome"), "rome", right("Rome")),
        # two typos from 10 letters
        (ROOSEVELT, "Franklin Delano Rosevelt", right("Franklin Delano Roosevelt", 1)),
        (ROOSEVELT, "Franklin Delano Rosvelt", right("Franklin Delano Roosevelt", 2)),
        (ROOSEVELT, "Frnklin Delano Rosvelt", wrong()),
        (short("Alexandria"), "Alexandira", right("Alexandria", 1)),
        (short("Alexandria"), "Alxandira", right("Alexandria", 2)),
        (short("Greenland"), "Grenlnd", wrong()),  # 9 letters: one typo only
        # digits are never a typo
        (APOLLO, "apollo 11", right("Apollo 11")),
        (APOLLO, "Apolo 11", right("Apollo 11", 1)),
        (APOLLO, "Apollo 12", wrong()),
        (APOLLO, "Apollo 1", wrong()),
        # the closest accepted spelling is the one shown
        (short("colour", "color"), "colr", right("color", 1)),
        (short("colour", "color"), "coluor", right("colour", 1)),
        (PARIS, "London", wrong()),
        (PARIS, "2013", wrong()),  # no letters: nothing to say about the script
        (PARIS, "Paris Париж", wrong()),  # some Latin: graded, and wrong
        # numbers, as the issue writes them
        (BUSHEHR, "2013", right("2013", number=2013)),
        (BUSHEHR, "2,013", right("2013", number=2013)),
        (BUSHEHR, "2013.0", right("2013", number=2013)),
        (BUSHEHR, " 2013 ", right("2013", number=2013)),
        (BUSHEHR, "in 2013.", right("2013", number=2013)),
        (BUSHEHR, "2 013", right("2013", number=2013)),
        (BUSHEHR, "2\u202f013", right("2013", number=2013)),
        (BUSHEHR, "٢٠١٣", right("2013", number=2013)),
        (BUSHEHR, "２０１３", right("2013", number=2013)),
        (BUSHEHR, "2.013e3", right("2013", number=2013)),
        (BUSHEHR, "2012", wrong(2012)),
        (BUSHEHR, "2,0130", wrong(2.013)),  # not groups of three: a decimal comma
        (BUSHEHR, "2.013", wrong(2.013)),  # a point is always a decimal point
        (THOUSAND, "1e3", right("1000", number=1000)),
        (THOUSAND, "1,000", right("1000", number=1000)),
        (THOUSAND, "1 000", right("1000", number=1000)),
        (THOUSAND, "+1000", right("1000", number=1000)),
        (THOUSAND, "0,100", wrong(0.1)),  # a lone 0 before the comma: a decimal comma
        # one comma before three digits: thousands, or a decimal comma as Russian writes it
        (ONE_AND_A_HALF, "1,500", right("1.5", number=1.5)),
        (ONE_AND_A_HALF, "1.500", right("1.5", number=1.5)),
        (ONE_AND_A_HALF, "1,5", right("1.5", number=1.5)),
        (ONE_AND_A_HALF, "1,500,000", wrong(1_500_000)),  # two commas: thousands only
        (ONE_AND_A_HALF, "-1,500", wrong(-1500)),
        (THOUSAND, "1,000.5", wrong(1000.5)),  # a point after it: the comma is thousands
        (FROST, "-3.5", right("-3.5", number=-3.5)),
        (FROST, "\u22123,5", right("-3.5", number=-3.5)),
        (FROST, "−3.5 °C", right("-3.5", number=-3.5)),
        (FROST, "3.5", wrong(3.5)),
        (HALF, "2,5", right("2.5", number=2.5)),
        (HALF, ".25e1", right("2.5", number=2.5)),
        (HALF, "2.50", right("2.5", number=2.5)),
        # a tolerance or a range, both ends included
        (GRANT, "1821", right("1822 ± 1", number=1821)),
        (GRANT, "1823", right("1822 ± 1", number=1823)),
        (GRANT, "1823.5", wrong(1823.5)),
        (GRANT, "1,820", wrong(1820)),
        (ONE_TO_FIVE, "1", right("1–5", number=1)),
        (ONE_TO_FIVE, "3.7", right("1–5", number=3.7)),
        (ONE_TO_FIVE, "5", right("1–5", number=5)),
        (ONE_TO_FIVE, "5.001", wrong(5.001)),
        (ONE_TO_FIVE, "-1", wrong(-1)),
        (TENTH, "1", right("1.1 ± 0.1", number=1)),  # 1.1 - 0.1 is 1.0000000000000002
        (TENTH, "1.2", right("1.1 ± 0.1", number=1.2)),
        (TENTH, "0.99", wrong(0.99)),
        (BUSHEHR, "1e999", wrong(math.inf)),
    ],
)
def test_replies(asked: Question, reply: str, grade: TypedGrade) -> None:
    assert grade_typed(asked, reply) == grade


@pytest.mark.parametrize(
    ("asked", "reply", "refusal"),
    [
        (PARIS, "", Refusal.EMPTY),
        (PARIS, "   \n\t", Refusal.EMPTY),
        (PARIS, "?!", Refusal.EMPTY),
        (PARIS, "🙂🙂🙂", Refusal.EMPTY),
        (PARIS, "👍🏽 ❤️", Refusal.EMPTY),
        (PARIS, "\u200f\u200b", Refusal.EMPTY),  # a right-to-left mark, a zero-width space
        (BUSHEHR, "🤷", Refusal.NO_NUMBER),  # a number was asked for: said so
        (BUSHEHR, "-", Refusal.NO_NUMBER),
        (PARIS, "P" * (MAX_REPLY_CHARS + 1), Refusal.TOO_LONG),
        (PARIS, "Paris " * 683, Refusal.TOO_LONG),  # 4,098 characters
        (BUSHEHR, "2" * 4096, Refusal.TOO_LONG),
        # another keyboard layout or language than the answer's
        (PARIS, "Зфкшы", Refusal.WRONG_SCRIPT),  # "Paris" typed on a Russian layout
        (PARIS, "Париж", Refusal.WRONG_SCRIPT),
        (PARIS, "باريس", Refusal.WRONG_SCRIPT),  # right-to-left text
        (PARIS, "פריז", Refusal.WRONG_SCRIPT),
        (PARIS, "パリ", Refusal.WRONG_SCRIPT),
        (MOSCOW, "Moskva", Refusal.WRONG_SCRIPT),
        (TEHRAN, "Tehran", Refusal.WRONG_SCRIPT),
        (TOKYO, "Tokyo", Refusal.WRONG_SCRIPT),
        # numbers
        (BUSHEHR, "two thousand thirteen", Refusal.NO_NUMBER),
        (BUSHEHR, "две тысячи", Refusal.NO_NUMBER),
        (BUSHEHR, "2012 or 2013", Refusal.SEVERAL_NUMBERS),
        (ONE_TO_FIVE, "1-5", Refusal.SEVERAL_NUMBERS),
        (BUSHEHR, "1.000,5", Refusal.SEVERAL_NUMBERS),  # a point is not a thousands separator
    ],
)
def test_replies_that_are_not_answers(asked: Question, reply: str, refusal: Refusal) -> None:
    grade = grade_typed(asked, reply)
    assert grade == refused(refusal)
    assert not grade.correct and not grade.typo_forgiven


def test_grade_properties() -> None:
    assert grade_typed(PARIS, "paris").correct and not grade_typed(PARIS, "paris").typo_forgiven
    assert grade_typed(PARIS, "pariss").typo_forgiven
    assert not grade_typed(PARIS, "rome").correct


@pytest.mark.parametrize(("letters", "typos"), [(1, 0), (4, 0), (5, 1), (9, 1), (10, 2), (99, 2)])
def test_typos_forgiven(letters: int, typos: int) -> None:
    assert typos_forgiven(letters) == typos


def test_only_typed_questions_are_graded() -> None:
    choice = question("options: [a, b], answer: a")
    with pytest.raises(ValueError, match="choice question, not a typed one"):
        grade_typed(choice, "a")


def test_a_question_read_back_with_its_kind_as_text_is_graded() -> None:
    kind: Any = "short_answer"  # as a database row holds it
    stored = Question("q", kind, "Q?", ("Paris",), frozenset({0}), None, None, ())
    assert grade_typed(stored, "paris") == right("Paris")


def test_a_long_reply_is_refused_before_any_work() -> None:
    # 4,096 characters, Telegram's longest message: cheaper to refuse than a short reply to grade.
    long, normal = "Franklin Delano Rosvelt " * 171, "Franklin Delano Rosvelt"
    assert grade_typed(ROOSEVELT, long).refusal is Refusal.TOO_LONG
    refusing = fastest(lambda: [grade_typed(ROOSEVELT, long) for _ in range(2000)])
    grading = fastest(lambda: [grade_typed(ROOSEVELT, normal) for _ in range(2000)])
    assert refusing < grading


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("2,013", [2013]),
        ("1,234,567.5", [1234567.5]),
        ("2,013, I think", [2013]),
        ("2,5", [2.5]),
        ("0,125", [0.125]),
        ("10 000", [10000]),
        ("1 234,5", [1234.5]),
        ("1e3 and -2E-1", [1000, -0.2]),
        ("no digits", []),
        ("1, 2, 3", [1, 2]),
    ],
)
def test_read_numbers(text: str, numbers: list[float]) -> None:
    assert read_numbers(text) == numbers


# --- properties -------------------------------------------------------------------------------

ARTICLES = st.sampled_from(["", "the ", "The ", "a ", "A ", "an ", "AN "])
CASES = st.sampled_from([str, str.upper, str.lower, str.title, str.swapcase, str.casefold])
# Letters of several scripts, digits, spaces and punctuation: what answers are written with.
ANSWER_CHARS = st.characters(categories=["L", "M", "Nd", "Zs", "P"])
answers = st.text(ANSWER_CHARS, min_size=1, max_size=MAX_SHORT_ANSWER_CHARS).filter(
    lambda text: normalize_answer(text) != "" and text.strip() == text
)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def add_accents(text: str) -> str:
    return "".join(c + "\u0301" if c.isalpha() else c for c in text)


ACCENTS = st.sampled_from([str, strip_accents, add_accents])


@settings(max_examples=500, deadline=None)
@given(st.text())
@example("ǰ")  # folds to j and a combining caron
@example("ß İ ı ﬁ ǅ")
@example("the the")
def test_normalizing_is_idempotent(text: str) -> None:
    once = normalize_answer(text)
    assert normalize_answer(once) == once


@settings(max_examples=500, deadline=None)
@given(answers, ARTICLES, CASES, ACCENTS, st.sampled_from(["", " ", "  ", "!", "."]))
@example("a b", "The ", str, str, "")  # an answer that starts with an article itself
@example("İstanbul", "", str.lower, str, "")
@example("Straße", "", str.upper, str, "")
def test_an_answer_matches_itself_however_it_is_written(
    answer: str, article: str, case: object, accents: object, around: str
) -> None:
    assert callable(case) and callable(accents)
    asked = Question(
        "q", QuestionKind.SHORT_ANSWER, "Q?", (answer,), frozenset({0}), None, None, ()
    )
    reply = around + article + accents(case(answer)) + around
    assert grade_typed(asked, reply) == right(answer)


@settings(max_examples=300, deadline=None)
@given(st.integers(-(10**12), 10**12))
def test_integers_with_thousands_separators_read_back(number: int) -> None:
    assert read_numbers(f"{number:,}") == [number]
    assert read_numbers(f"{number:_}".replace("_", " ")) == [number]


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_read_back_as_python_writes_them(number: float) -> None:
    assert read_numbers(repr(number)) == [number]


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=300) | st.text(max_size=5000), st.sampled_from([PARIS, TOKYO, GRANT]))
@example("1" * 200, GRANT)
@example("9" * 200 + "e9999", GRANT)
@example("," * 200, GRANT)
@example("1,000," * 33, GRANT)
def test_any_reply_gets_a_grade(reply: str, asked: Question) -> None:
    grade = grade_typed(asked, reply)
    assert (grade.refusal is not None) == (grade.verdict is Verdict.NOT_AN_ANSWER)
    assert (grade.matched is not None) == grade.correct
    assert 0 <= grade.typos <= 2
    assert grade.matched is None or grade.matched in asked.options
