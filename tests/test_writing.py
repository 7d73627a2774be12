"""Tests of quiz.writing: banks written back as YAML and as GIFT, and read back the same."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from quiz.answertext import normalize_answer
from quiz.bank import (
    ID_PATTERN,
    MAX_OPTIONS,
    MIN_OPTIONS,
    TAG_PATTERN,
    Bank,
    BankError,
    Question,
    load_bank_file,
    normalize_text,
    parse_bank,
)
from quiz.convert import convert, to_yaml, written_in
from quiz.writing import bank_to_gift, bank_to_yaml
from tests.conftest import QUESTIONS
from tests.test_bank_fuzz import bank_dir, mostly_valid_banks, words

__all__ = ["bank_dir"]  # the fixture, for the fuzzed banks' source files

SHIPPED = QUESTIONS / "russia-iran-partnership.yaml"


def parse(text: str) -> Bank:
    return parse_bank(text, filename="x.yaml", base_dir=None)


def from_gift(bank: Bank) -> Bank:
    """The bank written as GIFT, converted back with the bank's own id, title and source."""
    source = None
    if bank.source_title is not None:
        source = {"title": bank.source_title, "text": bank.source_text}
    conversion = convert(
        "bank.gift", bank_to_gift(bank), bank_id=bank.id, title=bank.title, source=source
    )
    assert conversion.unsupported == ()
    return parse(to_yaml(conversion.bank))


def gift_kept(question: Question) -> Question:
    """What GIFT keeps of a question: no quote, one tag (its category)."""
    return dataclasses.replace(question, quote=None, tags=question.tags[:1])


# --- YAML -------------------------------------------------------------------------------------


def test_the_shipped_bank_round_trips_through_yaml_with_its_source_inline() -> None:
    bank = load_bank_file(SHIPPED)
    text = bank_to_yaml(bank)
    assert parse(text) == bank
    assert "  text: |-\n    Russian President Vladimir Putin" in text


def test_a_source_file_is_written_as_a_path(tmp_path: Path) -> None:
    bank = load_bank_file(SHIPPED)
    (tmp_path / "article.txt").write_text(bank.source_text, encoding="utf-8")
    (tmp_path / "bank.yaml").write_text(bank_to_yaml(bank, source_file="article.txt"), "utf-8")
    assert "  file: article.txt\n" in (tmp_path / "bank.yaml").read_text("utf-8")
    assert load_bank_file(tmp_path / "bank.yaml") == bank


EVERY_KIND = """\
bank: 1
id: kinds
title: Every kind
language: en
visibility: private
source:
  title: Notes
  url: https://example.org/notes
  text: Grant was born in 1822. Nobody is buried in his tomb.
questions:
  - id: tomb
    question: Who lies in Grant's tomb?
    options: [Grant, 'yes', '1e3', Nobody]
    answer: [Grant, Nobody]
    explanation: |-
      Two lines
      of explanation.
    quote: Nobody is buried in his tomb.
    tags: [tomb, grant]
  - id: born
    type: numeric
    question: When was Grant born?
    answer: 1822
    tolerance: 0.5
  - id: range
    type: numeric
    question: A number from 1 to 5?
    min: 1
    max: 5.5
  - id: exact
    type: numeric
    question: How many?
    answer: 100000000000000000000
  - id: buried
    type: short_answer
    question: Who is buried there?
    answer: [no one, nobody]
  - id: sky
    type: true_false
    question: The sky is green.
    answer: false
"""


def test_every_kind_of_question_is_written_as_a_teacher_would() -> None:
    bank = parse(EVERY_KIND)
    assert bank_to_yaml(bank) == (
        "bank: 1\n"
        "id: kinds\n"
        "title: Every kind\n"
        "language: en\n"
        "visibility: private\n"
        "source:\n"
        "  title: Notes\n"
        "  url: https://example.org/notes\n"
        "  text: Grant was born in 1822. Nobody is buried in his tomb.\n"
        "questions:\n"
        "  - id: tomb\n"
        "    question: Who lies in Grant's tomb?\n"
        "    options:\n"
        "      - Grant\n"
        "      - 'yes'\n"
        "      - '1e3'\n"
        "      - Nobody\n"
        "    answer:\n"
        "      - Grant\n"
        "      - Nobody\n"
        "    explanation: |-\n"
        "      Two lines\n"
        "      of explanation.\n"
        "    quote: Nobody is buried in his tomb.\n"
        "    tags:\n"
        "      - tomb\n"
        "      - grant\n"
        "  - id: born\n"
        "    type: numeric\n"
        "    question: When was Grant born?\n"
        "    answer: 1822\n"
        "    tolerance: 0.5\n"
        "  - id: range\n"
        "    type: numeric\n"
        "    question: A number from 1 to 5?\n"
        "    min: 1\n"
        "    max: 5.5\n"
        "  - id: exact\n"
        "    type: numeric\n"
        "    question: How many?\n"
        "    answer: 100000000000000000000\n"
        "  - id: buried\n"
        "    type: short_answer\n"
        "    question: Who is buried there?\n"
        "    answer:\n"
        "      - no one\n"
        "      - nobody\n"
        "  - id: sky\n"
        "    type: true_false\n"
        "    question: The sky is green.\n"
        "    answer: false\n"
    )
    assert parse(bank_to_yaml(bank)) == bank


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ("answer: 0.1, tolerance: 0.2", "0.1 ± 0.2"),  # -0.1 to 0.30000000000000004
        ("answer: 1e20, tolerance: 1", "1e+20 ± 1"),
        ("answer: 2013.0", "2013"),
        ("min: -3, max: -3", "-3"),
        ("min: 0.5, max: 1e300", "0.5–1e+300"),
        ("answer: 123456789012345678901234567890", "123456789012345678901234567890"),
    ],
)
def test_numeric_answers_are_written_exactly(fields: str, shown: str) -> None:
    bank = parse(
        f"bank: 1\nid: n\ntitle: N\nquestions:\n  - {{id: q, type: numeric, question: Q, {fields}}}"
    )
    assert bank.questions[0].options == (shown,)
    assert parse(bank_to_yaml(bank)) == bank


@settings(deadline=None, database=None, max_examples=300)
@given(mostly_valid_banks())
def test_any_valid_bank_round_trips_through_yaml(bank_dir: Path, data: dict[str, Any]) -> None:
    try:
        bank = parse_bank(to_yaml(data), filename="x.yaml", base_dir=bank_dir)
    except BankError:
        return  # the fuzzer's invalid banks: nothing to write
    assert parse(bank_to_yaml(bank)) == bank  # a source file's text comes inline


# --- GIFT -------------------------------------------------------------------------------------


def test_the_shipped_bank_round_trips_through_gift_but_for_quotes_and_extra_tags() -> None:
    bank = load_bank_file(SHIPPED)
    back = from_gift(bank)
    assert back.questions == tuple(map(gift_kept, bank.questions))


def test_every_kind_of_question_in_gift() -> None:
    bank = parse(EVERY_KIND)
    assert bank_to_gift(bank) == (
        "// Every kind\n"
        "\n"
        "$CATEGORY: $course$/top/tomb\n"
        "\n"
        "::tomb::Who lies in Grant's tomb? {~%50%Grant#Two lines\\nof explanation. ~%-100%yes"
        " ~%-100%1e3 ~%50%Nobody}\n"
        "\n"
        "$CATEGORY: $course$/top\n"
        "\n"
        "::born::When was Grant born? {#1822:0.5}\n"
        "\n"
        "::range::A number from 1 to 5? {#1..5.5}\n"
        "\n"
        "::exact::How many? {#100000000000000000000}\n"
        "\n"
        "::buried::Who is buried there? {=no one =nobody}\n"
        "\n"
        "::sky::The sky is green. {F}\n"
    )
    assert from_gift(bank).questions == tuple(map(gift_kept, bank.questions))


def test_gift_special_characters_are_escaped() -> None:
    bank = parse(
        "bank: 1\nid: s\ntitle: S\nquestions:\n"
        r"""  - id: c
    question: "What do ~ = # { } : \\ and [html] mean?\nTwo lines."
    options: ["[html]<b>", "%50%", "a -> b", '=x#y']
    answer: "%50%"
    explanation: "Weights: %50%; a #note; a \\n is no line break."
  - id: s-a
    type: short_answer
    question: Where does -> point?
    answer: [a -> b, "<b> & c"]
    explanation: "-> means\nto"
  - id: t
    type: true_false
    question: "{T} is true."
    answer: true
    explanation: "#1: a -> b"
"""
    )
    gift = bank_to_gift(bank)
    assert gift.splitlines()[2] == (
        r"::c::What do \~ \= \# \{ \} \: \\ and [html] mean?\nTwo lines. "
        r"{~[plain][html]<b> =[plain]%50%#Weights\: %50%; a \#note; a \\n is no line break."
        r" ~a -> b ~\=x\#y}"
    )
    assert gift.splitlines()[4] == (
        r"::s-a::Where does -> point? {=[html]a -&gt; b#[html]-&gt; means<br>to"
        r" =<b> & c}"
    )
    assert gift.splitlines()[6] == r"::t::\{T\} is true. {T#\#1\: a -> b#\#1\: a -> b}"
    assert from_gift(bank) == bank


def test_several_right_answers_share_the_credit() -> None:
    options = [f"o{i}" for i in range(12)]
    bank = parse(
        "bank: 1\nid: w\ntitle: W\nquestions:\n"
        f"  - {{id: q, question: Q, options: {options}, answer: {options[:3]}}}\n"
    )
    assert "{~%33.33333%o0 ~%33.33333%o1 ~%33.33333%o2 ~%-100%o3" in bank_to_gift(bank)
    assert from_gift(bank) == bank


def test_ids_and_tags_come_back_as_written() -> None:
    bank = parse(
        "bank: 1\nid: i\ntitle: I\nquestions:\n"
        "  - {id: a--b-, question: Q, answer: true, type: true_false, tags: [x--y]}\n"
        "  - {id: '1', question: R, answer: false, type: true_false}\n"
        "  - {id: top, question: S, answer: false, type: true_false, tags: [top]}\n"
    )
    assert from_gift(bank) == bank


# Texts as GIFT keeps them: words (any character but spaces and controls, GIFT's specials often)
# between single spaces; questions and explanations may have several lines.
gift_words = st.one_of(
    words, st.sampled_from([*"~=#{}:\\[]%<>&;-", "->", "%50%", "[html]", "&amp;"])
)


@st.composite
def gift_texts(draw: st.DrawFn, lines: bool = False) -> str:
    line = st.lists(gift_words, min_size=1, max_size=6).map(" ".join)
    return "\n".join(draw(st.lists(line, min_size=1, max_size=3 if lines else 1))).strip()


numbers = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**30), 10**30)


@st.composite
def gift_questions(draw: st.DrawFn, question_id: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["choice", "true_false", "short_answer", "numeric"]))
    data: dict[str, Any] = {"id": question_id, "type": kind, "question": draw(gift_texts(True))}
    if kind == "choice":
        options = draw(
            st.lists(
                gift_texts(), min_size=MIN_OPTIONS, max_size=MAX_OPTIONS, unique_by=normalize_text
            )
        )
        right = draw(st.sets(st.sampled_from(options), min_size=1))
        data |= {"options": options, "answer": sorted(right)}
    elif kind == "true_false":
        data["answer"] = draw(st.booleans())
    elif kind == "short_answer":
        answers = st.lists(
            gift_texts().filter(lambda text: len(text) <= 100),
            min_size=1,
            max_size=3,
            unique_by=normalize_text,
        )
        data["answer"] = draw(answers.filter(lambda texts: all(map(normalize_answer, texts))))
    elif draw(st.booleans()):
        data["answer"] = draw(numbers)
        if draw(st.booleans()):
            data["tolerance"] = abs(draw(numbers))
    else:
        low, high = sorted([draw(numbers), draw(numbers)])
        data |= {"min": low, "max": high}
    if draw(st.booleans()):
        data["explanation"] = draw(gift_texts(True))
    if draw(st.booleans()):
        data["tags"] = [draw(st.from_regex(TAG_PATTERN, fullmatch=True))]
    return data


@settings(deadline=None, database=None, max_examples=300)
@given(
    st.lists(
        st.from_regex(ID_PATTERN, fullmatch=True), min_size=1, max_size=4, unique=True
    ).flatmap(lambda ids: st.tuples(*map(gift_questions, ids)))
)
@example(
    # Found by hypothesis: a float answer with a tolerance past 2**53 came back off by one.
    ({"id": "n", "type": "numeric", "question": "0", "answer": 0.0, "tolerance": 2**53 + 1},)
)
@example(
    # Found by hypothesis: a question in Cyrillic comes back from GIFT as a Russian bank's.
    ({"id": "0", "type": "true_false", "question": "Ѐ", "answer": False},)
)
def test_any_bank_gift_can_hold_round_trips_through_gift(questions: tuple[dict[str, Any]]) -> None:
    data = {"bank": 1, "id": "g", "title": "G", "questions": list(questions)}
    # GIFT has no language field: the reader takes it from the questions' letters, so the
    # bank GIFT can hold is one whose language is the one its letters show.
    language = written_in(" ".join(str(question["question"]) for question in questions))
    bank = parse(to_yaml(data | ({"language": language} if language else {})))
    assert from_gift(bank) == bank
