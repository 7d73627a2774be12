"""Tests of quiz.bank: the question bank format, its validation and loading."""

from __future__ import annotations

import contextlib
import json
import pickle
import random
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from quiz import yamlsource
from quiz.bank import (
    MAX_BANK_BYTES,
    MAX_QUESTIONS,
    MAX_SOURCE_CHARS,
    Bank,
    BankError,
    NumericRange,
    Problem,
    Question,
    QuestionKind,
    bank_json_schema,
    load_bank_file,
    load_banks_dir,
    normalize_text,
    parse_bank,
    quote_in_source,
)

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "banks"

# Line numbers matter: the tests below expect problems on these lines.
VALID = """\
bank: 1
id: sample
title: Sample bank
language: en
source:
  title: The source
  url: https://example.org/article
  text: |
    Russia’s construction of Iran’s first nuclear power plant in Bushehr,
    which became operational in 2013. Khomeini called the U.S. the “Great Satan”
    and the Soviet Union the “Lesser Satan.”
questions:
  - id: bushehr
    question: Which plant became operational in 2013?
    options: [Bushehr nuclear power plant, Natanz enrichment site, Arak reactor]
    answer: Bushehr nuclear power plant
    explanation: Russia built Iran's first nuclear power plant.
    quote: "Russia's construction of Iran's first nuclear power plant in Bushehr"
    tags: [nuclear, history]
  - id: lesser-satan
    type: true_false
    question: Khomeini called the Soviet Union the "Great Satan".
    answer: false
    quote: the Soviet Union the "Lesser Satan."
  - id: satans
    question: Whom did Khomeini call a Satan?
    options: [the U.S., the Soviet Union, Britain]
    answer: [the Soviet Union, the U.S.]
"""
INLINE_TEXT = "\n".join(line.strip() for line in VALID.splitlines()[8:11])
SOURCE_FILE_LINE = 8  # where `file:` stands once the inline text block is replaced by it


def edit(old: str, new: str, text: str = VALID) -> str:
    """The text with `old`, which must occur exactly once, replaced by `new`."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def with_source_file(name: str) -> str:
    """VALID with its inline source text replaced by `file: name` (on SOURCE_FILE_LINE)."""
    block = "\n".join(VALID.splitlines()[7:11]) + "\n"
    return edit(block, f"  file: {json.dumps(name)}\n")


def problems(data: bytes | str, base_dir: Path | None = None) -> list[tuple[int | None, str, str]]:
    """(line, field, message) of every problem parse_bank reports."""
    with pytest.raises(BankError) as caught:
        parse_bank(data, filename="bank.yaml", base_dir=base_dir)
    return [(p.line, p.field, p.message) for p in caught.value.problems]


def one_problem(data: bytes | str, base_dir: Path | None = None) -> tuple[int | None, str, str]:
    found = problems(data, base_dir)
    assert len(found) == 1, found
    return found[0]


# --- valid banks ------------------------------------------------------------------------------


EXPECTED_QUESTIONS = (
    Question(
        id="bushehr",
        kind=QuestionKind.CHOICE,
        text="Which plant became operational in 2013?",
        options=("Bushehr nuclear power plant", "Natanz enrichment site", "Arak reactor"),
        correct=frozenset({0}),
        explanation="Russia built Iran's first nuclear power plant.",
        quote="Russia's construction of Iran's first nuclear power plant in Bushehr",
        tags=("nuclear", "history"),
    ),
    Question(
        id="lesser-satan",
        kind=QuestionKind.TRUE_FALSE,
        text='Khomeini called the Soviet Union the "Great Satan".',
        options=("True", "False"),
        correct=frozenset({1}),
        explanation=None,
        quote='the Soviet Union the "Lesser Satan."',
        tags=(),
    ),
    Question(
        id="satans",
        kind=QuestionKind.CHOICE,
        text="Whom did Khomeini call a Satan?",
        options=("the U.S.", "the Soviet Union", "Britain"),
        correct=frozenset({0, 1}),
        explanation=None,
        quote=None,
        tags=(),
    ),
)


def test_valid_inline_bank_loads() -> None:
    bank = parse_bank(VALID, filename="bank.yaml", base_dir=None)
    assert bank == Bank(
        id="sample",
        title="Sample bank",
        language="en",
        source_title="The source",
        source_url="https://example.org/article",
        source_text=INLINE_TEXT,
        questions=EXPECTED_QUESTIONS,
    )
    assert bank.question("satans").correct_texts == ("the U.S.", "the Soviet Union")
    assert bank.question("lesser-satan").correct_texts == ("False",)
    with pytest.raises(KeyError):
        bank.question("nope")


def test_bank_with_source_file_loads() -> None:
    bank = load_bank_file(DATA / "sample.yaml")
    assert bank.id == "sample"
    assert bank.source_text == (DATA / "sources" / "sample.txt").read_text("utf-8").strip()
    assert [q.id for q in bank.questions] == ["bushehr", "lesser-satan"]
    assert bank.question("bushehr").correct == frozenset({0})
    assert bank.question("lesser-satan").options == ("True", "False")


def test_true_false_true_answer_and_any_case_booleans() -> None:
    bank = parse_bank(edit("answer: false", "answer: TRUE"), filename="b.yaml", base_dir=None)
    assert bank.question("lesser-satan").correct == frozenset({0})


def test_text_fields_are_stripped() -> None:
    text = edit("title: Sample bank", "title: '  Sample bank  '")
    text = edit(
        "[the U.S., the Soviet Union, Britain]", "['the U.S.  ', the Soviet Union, Britain]", text
    )
    bank = parse_bank(text, filename="b.yaml", base_dir=None)
    assert bank.title == "Sample bank"
    assert bank.question("satans").options[0] == "the U.S."


def test_yaml_1_1_booleans_stay_strings() -> None:
    text = edit(
        "options: [the U.S., the Soviet Union, Britain]\n    answer: [the Soviet Union, the U.S.]",
        "options: [Yes, No, on, off]\n    answer: on",
    )
    question = parse_bank(text, filename="b.yaml", base_dir=None).question("satans")
    assert question.options == ("Yes", "No", "on", "off")
    assert question.correct_texts == ("on",)


def test_numbers_are_coerced_to_text() -> None:
    text = edit(
        "options: [the U.S., the Soviet Union, Britain]\n    answer: [the Soviet Union, the U.S.]",
        "options: [2013, 1979, 3.5, '12:30']\n    answer: 2013",
    )
    question = parse_bank(text, filename="b.yaml", base_dir=None).question("satans")
    assert question.options == ("2013", "1979", "3.5", "12:30")
    assert question.correct == frozenset({0})


def test_answer_matches_options_despite_typography() -> None:
    text = edit("answer: [the Soviet Union, the U.S.]", "answer: ['the  Soviet\u00a0Union']")
    assert parse_bank(text, filename="b.yaml", base_dir=None).question("satans").correct == {1}


@pytest.mark.parametrize(
    "quote",
    [
        "Russia’s construction of Iran’s first",  # typographic apostrophes as in the source
        "Russia's construction of Iran's first",  # plain apostrophes
        "Russia‘s construction of Iran′s first",  # other apostrophe-like marks
        "in Bushehr, which became operational",  # across a line break of the source
        "in  Bushehr,\u00a0which\tbecame   operational",  # other whitespace
        'the U.S. the "Great Satan"',  # plain double quotes for “ ”
        "the U.S. the „Great Satan″",
    ],
)
def test_quote_matching_ignores_typography_and_whitespace(quote: str) -> None:
    assert quote_in_source(quote, INLINE_TEXT)
    text = edit('quote: the Soviet Union the "Lesser Satan."', f"quote: {json.dumps(quote)}")
    parse_bank(text, filename="b.yaml", base_dir=None)


def test_normalize_text() -> None:
    assert normalize_text("  It’s\u00a0a  “test”\n\t„x″ ‚y′ ") == 'It\'s a "test" "x" \'y\''
    assert normalize_text("e\u0301") == "\u00e9"  # NFC
    assert not quote_in_source("Lesser Satan", "Great Satan")


def test_a_bom_is_accepted() -> None:
    assert (
        parse_bank(b"\xef\xbb\xbf" + VALID.encode(), filename="b.yaml", base_dir=None).id
        == "sample"
    )
    assert parse_bank("\ufeff" + VALID, filename="b.yaml", base_dir=None).id == "sample"


def test_a_bank_of_exactly_max_bytes_loads() -> None:
    padding = MAX_BANK_BYTES - len(VALID.encode()) - 2
    assert parse_bank(VALID + "#" + "x" * padding + "\n", filename="b.yaml", base_dir=None)


# --- problems in the bank's content -----------------------------------------------------------

OPTIONS = "options: [the U.S., the Soviet Union, Britain]"
THIRTEEN = "[" + ", ".join(f"o{i}" for i in range(13)) + "]"


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        # the top level
        ("bank: 1", "bank: 2", 1, "bank", "must be 1, the bank format version"),
        ("bank: 1", "bank: true", 1, "bank", "must be 1, the bank format version"),
        ("id: sample", "id: Sample_Bank", 2, "id", "must be 1 to 48 lowercase letters"),
        ("id: sample", "id: " + "a" * 49, 2, "id", "must be 1 to 48 lowercase letters"),
        (
            "title: Sample bank",
            "title: '  '",
            3,
            "title",
            "String should have at least 1 character",
        ),
        ("title: Sample bank", "title: " + "t" * 201, 3, "title", "at most 200 characters"),
        ("title: Sample bank", "title: [a, b]", 3, "title", "Input should be a valid string"),
        ("language: en", "language: english", 4, "language", "must be a language code"),
        ("language: en", "colour: red", 4, "colour", "unknown key"),
        ("title: Sample bank\n", "", 1, "title", "this required key is missing"),
        # the source
        ("url: https://", "url: ftp://", 7, "source.url", "must be an http:// or https:// URL"),
        ("  title: The source\n", "", 5, "source.title", "this required key is missing"),
        ("  text: |", "  file: x.txt\n  text: |", 5, "source", "give exactly one of text and file"),
        # a question
        ("id: satans", "id: Satans!", 25, "questions[2].id", "must be 1 to 48 lowercase"),
        (
            "id: satans",
            "id: bushehr",
            25,
            "questions[2].id",
            "'bushehr' is already used at line 13",
        ),
        (
            "    question: Whom did Khomeini call a Satan?\n",
            "",
            25,
            "questions[2].question",
            "this required key is missing",
        ),
        (
            "question: Whom did Khomeini call a Satan?",
            "question: " + "q" * 1001,
            26,
            "questions[2].question",
            "at most 1000 characters",
        ),
        ("Britain]", "Britain]\n    colour: red", 28, "questions[2].colour", "unknown key"),
        (
            "type: true_false",
            "type: multiple",
            21,
            "questions[1].type",
            "'choice', 'true_false', 'short_answer' or 'numeric'",
        ),
        ("tags: [nuclear, history]", "tags: [Nuclear]", 19, "questions[0].tags[0]", "lowercase"),
        ("tags: [nuclear, history]", "tags: nuclear", 19, "questions[0].tags", "valid list"),
        # options
        (OPTIONS, "options: [the U.S.]", 27, "questions[2].options", "at least 2 entries, not 1"),
        (OPTIONS, f"options: {THIRTEEN}", 27, "questions[2].options", "at most 12 entries, not 13"),
        (
            OPTIONS,
            "options: [the U.S., the Soviet Union, the U.S.]",
            27,
            "questions[2].options",
            "the option 'the U.S.' is given twice",
        ),
        (
            OPTIONS,
            'options: [the U.S., the Soviet Union, "the  U.S."]',
            27,
            "questions[2].options",
            "the option 'the  U.S.' is given twice",
        ),
        (
            "Britain]",
            "b" * 301 + "]",
            27,
            "questions[2].options[2]",
            "at most 300 characters",
        ),
        (
            "    " + OPTIONS + "\n",
            "",
            25,
            "questions[2].options",
            "a choice question needs options",
        ),
        (
            "answer: false",
            "options: [yes, no]\n    answer: false",
            23,
            "questions[1].options",
            "a true_false question has no options",
        ),
        # answers
        (
            "answer: [the Soviet Union, the U.S.]",
            "answer: [the Soviet Union, France]",
            28,
            "questions[2].answer",
            "'France' is not one of the options",
        ),
        (
            "answer: Bushehr nuclear power plant",
            "answer: Bushehr",
            16,
            "questions[0].answer",
            "'Bushehr' is not one of the options",
        ),
        (
            "answer: [the Soviet Union, the U.S.]",
            "answer: [the U.S., {a: 1}]",
            28,
            "questions[2].answer[1]",
            "Input should be a valid string",
        ),
        (
            "answer: [the Soviet Union, the U.S.]",
            "answer: {the Soviet Union: 1}",
            28,
            "questions[2].answer",
            "must be a text, a list of texts, a number, or true/false",
        ),
        (
            "answer: [the Soviet Union, the U.S.]",
            "answer: []",
            28,
            "questions[2].answer",
            "at least 1 entry, not 0",
        ),
        (
            "answer: [the Soviet Union, the U.S.]",
            "answer: true",
            28,
            "questions[2].answer",
            "type: true_false",
        ),
        ("answer: false", "answer: 'false'", 23, "questions[1].answer", "must be true or false"),
        ("answer: false", "answer: no", 23, "questions[1].answer", "must be true or false"),
        ("answer: false", "answer: [a]", 23, "questions[1].answer", "must be true or false"),
        # explanations and quotes
        (
            "explanation: Russia built",
            "explanation: " + "e" * 1001 + " Russia built",
            17,
            "questions[0].explanation",
            "at most 1000 characters",
        ),
        (
            'quote: the Soviet Union the "Lesser Satan."',
            "quote: the Soviet Union the Great Satan",
            24,
            "questions[1].quote",
            "the quote does not occur in the source text",
        ),
        (  # too long and not in the source: the first problem is reported, once
            'quote: the Soviet Union the "Lesser Satan."',
            "quote: " + "q" * 1001,
            24,
            "questions[1].quote",
            "at most 1000 characters",
        ),
    ],
)
def test_rule_violations(old: str, new: str, line: int, field: str, message: str) -> None:
    got_line, got_field, got_message = one_problem(edit(old, new))
    assert (got_line, got_field) == (line, field)
    assert message in got_message


# --- typed questions --------------------------------------------------------------------------

# Line numbers matter: the tests below expect problems on these lines.
TYPED = """\
bank: 1
id: typed
title: Typed answers
questions:
  - id: buried
    type: short_answer
    question: Who is buried in Grant's tomb?
    answer: [no one, nobody]
  - id: capital
    type: short_answer
    question: What is the capital of France?
    answer: Paris
  - id: born
    type: numeric
    question: When was Ulysses S. Grant born?
    answer: 1822
    tolerance: 1
  - id: pick
    type: numeric
    question: What is a number from 1 to 5?
    min: 1
    max: 5
  - id: half
    type: numeric
    question: What is half of five?
    answer: 2.5
"""


def typed(old: str = "", new: str = "") -> Bank:
    return parse_bank(edit(old, new, TYPED) if old else TYPED, filename="t.yaml", base_dir=None)


def test_typed_questions_load() -> None:
    def question(id: str, kind: QuestionKind, text: str, options: tuple[str, ...], **more: Any):
        correct = frozenset(range(len(options)))
        return Question(id, kind, text, options, correct, None, None, (), **more)

    short, numeric = QuestionKind.SHORT_ANSWER, QuestionKind.NUMERIC
    assert typed().questions == (
        question("buried", short, "Who is buried in Grant's tomb?", ("no one", "nobody")),
        question("capital", short, "What is the capital of France?", ("Paris",)),
        question(
            "born",
            numeric,
            "When was Ulysses S. Grant born?",
            ("1822 ± 1",),
            numeric=NumericRange(1821, 1823),
        ),
        question(
            "pick", numeric, "What is a number from 1 to 5?", ("1–5",), numeric=NumericRange(1, 5)
        ),
        question(
            "half", numeric, "What is half of five?", ("2.5",), numeric=NumericRange(2.5, 2.5)
        ),
    )
    assert typed().question("buried").correct_texts == ("no one", "nobody")
    assert typed().question("born").correct_texts == ("1822 ± 1",)
    assert all(question.kind.typed for question in typed().questions)
    assert not QuestionKind.CHOICE.typed and not QuestionKind.TRUE_FALSE.typed
    assert typed().question("born").kind == "numeric"  # compares with the stored text


@pytest.mark.parametrize(
    ("old", "new", "shown", "numeric"),
    [
        ("answer: 2.5", "answer: 2013.0", "2013", (2013, 2013)),
        ("answer: 2.5", "answer: -3.5\n    tolerance: 0", "-3.5", (-3.5, -3.5)),
        ("answer: 2.5", "answer: 1e20", "1e+20", (1e20, 1e20)),
        ("answer: 2.5", "answer: 0.5\n    tolerance: 0.25", "0.5 ± 0.25", (0.25, 0.75)),
        ("min: 1\n    max: 5", "min: 3\n    max: 3.0", "3", (3, 3)),
        ("min: 1\n    max: 5", "min: -1.5\n    max: 1e3", "-1.5–1000", (-1.5, 1000)),
    ],
)
def test_numeric_answers_as_shown(
    old: str, new: str, shown: str, numeric: tuple[float, float]
) -> None:
    question = typed(old, new).question("pick" if "min" in old else "half")
    assert (question.options, question.numeric) == ((shown,), NumericRange(*numeric))


def test_a_short_answer_may_be_a_number_and_keeps_its_spelling() -> None:
    assert typed("answer: Paris", "answer: 42").question("capital").options == ("42",)
    answers = "answer: ['  The U.S.A. ', 'États-Unis']"
    assert typed("answer: Paris", answers).question("capital").options == (
        "The U.S.A.",
        "États-Unis",
    )


THIRTEEN_ANSWERS = "[" + ", ".join(f"a{i}" for i in range(13)) + "]"


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        # numeric answers
        ("answer: 1822", "answer: about 1822", 16, "questions[2].answer", "must be a number"),
        ("answer: 1822", "answer: '1822'", 16, "questions[2].answer", "must be a number"),
        ("answer: 1822", "answer: true", 16, "questions[2].answer", "must be a number"),
        ("answer: 1822", "answer: [1822]", 16, "questions[2].answer", "must be a number"),
        ("answer: 1822", "answer: .nan", 16, "questions[2].answer", "must be a finite number"),
        ("answer: 1822", "answer: " + "9" * 400, 16, "questions[2].answer", "finite number"),
        ("tolerance: 1", "tolerance: -1", 17, "questions[2].tolerance", "must be 0 or more"),
        ("tolerance: 1", "tolerance: one", 17, "questions[2].tolerance", "must be a number"),
        ("max: 5", "max: 0", 22, "questions[3].max", "is below min (1)"),
        ("min: 1", "min: .inf", 21, "questions[3].min", "must be a finite number"),
        (
            "tolerance: 1",
            "tolerance: 1\n    min: 1821\n    max: 1823",
            16,
            "questions[2].answer",
            "give either answer (and tolerance) or min and max, not both",
        ),
        (
            "    min: 1\n    max: 5\n",
            "",
            18,
            "questions[3].answer",
            "is missing: a numeric question needs answer, or min and max",
        ),
        ("    max: 5\n", "", 18, "questions[3].max", "is missing: a range needs min and max"),
        ("    min: 1\n", "", 21, "questions[3].max", "a range needs min as well"),
        (
            "max: 5",
            "max: 5\n    tolerance: 1",
            23,
            "questions[3].tolerance",
            "goes with answer; a range (min and max) has none",
        ),
        # short answers
        ("answer: Paris", "answer: ''", 12, "questions[1].answer", "at least 1 character"),
        ("answer: Paris", "answer: []", 12, "questions[1].answer", "at least 1 entry, not 0"),
        ("answer: Paris", "answer: null", 12, "questions[1].answer", "this required key is"),
        (
            "answer: [no one, nobody]",
            "answer: [no one, '  ']",
            8,
            "questions[0].answer[1]",
            "at least 1 character",
        ),
        (
            "answer: Paris",
            "answer: '?!…'",
            12,
            "questions[1].answer",
            "'?!…' has nothing left to compare once case, punctuation and a leading article",
        ),
        (
            "answer: Paris",
            "answer: " + "p" * 101,
            12,
            "questions[1].answer",
            "is longer than 100 characters: a short answer is typed",
        ),
        (
            "answer: Paris",
            f"answer: {THIRTEEN_ANSWERS}",
            12,
            "questions[1].answer",
            "may have at most 12 accepted answers, not 13",
        ),
        (
            "answer: [no one, nobody]",
            "answer: [no one, 'no  one']",
            8,
            "questions[0].answer",
            "the answer 'no  one' is given twice",
        ),
        ("answer: Paris", "answer: true", 12, "questions[1].answer", "needs type: true_false"),
        # fields of another kind
        (
            "answer: Paris",
            "options: [Paris, Lyon]\n    answer: Paris",
            12,
            "questions[1].options",
            "a short_answer question has no options",
        ),
        (
            "answer: 2.5",
            "options: [a, b]\n    answer: 2.5",
            26,
            "questions[4].options",
            "a numeric question has no options",
        ),
        (
            "answer: Paris",
            "answer: Paris\n    tolerance: 1",
            13,
            "questions[1].tolerance",
            "only a numeric question has tolerance",
        ),
        (
            "answer: Paris",
            "answer: Paris\n    min: 1",
            13,
            "questions[1].min",
            "only a numeric question has min",
        ),
    ],
)
def test_typed_rule_violations(old: str, new: str, line: int, field: str, message: str) -> None:
    got_line, got_field, got_message = one_problem(edit(old, new, TYPED))
    assert (got_line, got_field) == (line, field)
    assert message in got_message


def test_choice_questions_have_no_tolerance_or_range() -> None:
    text = edit(
        "answer: Bushehr nuclear power plant", "answer: Bushehr nuclear power plant\n    max: 3"
    )
    assert one_problem(text) == (17, "questions[0].max", "only a numeric question has max")


def test_every_problem_of_a_typed_question_is_reported() -> None:
    text = edit("answer: Paris", "options: [a, b]\n    answer: '!'\n    tolerance: -1", TYPED)
    text = edit("max: 5", "max: 0", text)
    assert problems(text) == [
        (12, "questions[1].options", "a short_answer question has no options"),
        (
            13,
            "questions[1].answer",
            "'!' has nothing left to compare once case, punctuation"
            " and a leading article are ignored",
        ),
        (14, "questions[1].tolerance", "only a numeric question has tolerance"),
        (24, "questions[3].max", "is below min (1)"),
    ]


def test_quotes_are_found_in_any_order_and_missing_ones_anywhere() -> None:
    sentences = [f"Sentence {n} names the colour {n * 7}." for n in range(40)]
    questions = "".join(
        f"  - {{id: q{n}, type: true_false, question: Q{n}, answer: true, quote: '{quote}'}}\n"
        for n, quote in enumerate(
            # forwards, backwards, repeated, across two sentences, a tail; then two that are absent
            [
                *(sentences[5], sentences[30], sentences[2], sentences[2], sentences[39]),
                *(f"{sentences[11]} {sentences[12][:12]}", "colour 35."),
                *("Sentence 41 names", f"{sentences[3]} {sentences[5]}"),
            ]
        )
    )
    text = (
        "bank: 1\nid: order\ntitle: Order\nlanguage: en\nsource:\n  title: S\n  text: |\n"
        + "".join(f"    {sentence}\n" for sentence in sentences)
        + f"questions:\n{questions}"
    )
    assert [(field, message) for _, field, message in problems(text)] == [
        ("questions[7].quote", "the quote does not occur in the source text"),
        ("questions[8].quote", "the quote does not occur in the source text"),
    ]


def test_every_problem_is_reported_in_line_order() -> None:
    text = edit("id: sample", "id: Sample")
    text = edit("  url: https://example.org/article\n", "  colour: red\n", text)
    text = edit("answer: Bushehr nuclear power plant", "answer: Bushehr", text)
    text = edit("quote: the Soviet Union the", "quote: the USSR the", text)
    text = edit("id: satans", "id: bushehr", text)
    text = edit("answer: [the Soviet Union, the U.S.]", "answer: maybe", text)
    assert problems(text) == [
        (
            2,
            "id",
            "must be 1 to 48 lowercase letters, digits and hyphens, not starting with a hyphen",
        ),
        (7, "source.colour", "unknown key"),
        (16, "questions[0].answer", "'Bushehr' is not one of the options"),
        (24, "questions[1].quote", "the quote does not occur in the source text"),
        (25, "questions[2].id", "the question id 'bushehr' is already used at line 13"),
        (28, "questions[2].answer", "'maybe' is not one of the options"),
    ]


def test_bank_level_checks_run_even_when_a_question_is_invalid() -> None:
    text = edit("    question: Which plant became operational in 2013?\n", "")
    text = edit("id: satans", "id: bushehr", text)
    assert problems(text) == [
        (13, "questions[0].question", "this required key is missing"),
        (24, "questions[2].id", "the question id 'bushehr' is already used at line 13"),
    ]


def test_question_count_limits() -> None:
    assert one_problem(VALID.split("questions:")[0] + "questions: []\n") == (
        12,
        "questions",
        "needs at least 1 entry, not 0",
    )
    question = "  - {id: q%d, type: true_false, question: Q, answer: true}\n"
    text = VALID + "".join(question % i for i in range(MAX_QUESTIONS - 3))  # VALID has 3
    assert parse_bank(text, filename="b.yaml", base_dir=None)
    assert one_problem(text + question % MAX_QUESTIONS) == (
        12,
        "questions",
        f"may have at most {MAX_QUESTIONS} entries, not {MAX_QUESTIONS + 1}",
    )


# --- the source file --------------------------------------------------------------------------


def write_bank(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bank.yaml"
    path.write_text(text, "utf-8")
    return path


def test_source_file_in_a_subfolder_and_via_an_inner_symlink(tmp_path: Path) -> None:
    banks = tmp_path / "banks"
    (banks / "sources").mkdir(parents=True)
    (banks / "sources" / "src.txt").write_text("\ufeff" + INLINE_TEXT + "\n", "utf-8")
    (banks / "link.txt").symlink_to(banks / "sources" / "src.txt")
    for name in ("sources/src.txt", "sources/../sources/src.txt", "link.txt"):
        bank = load_bank_file(write_bank(banks, with_source_file(name)))
        assert bank.source_text == INLINE_TEXT
        assert bank.questions == EXPECTED_QUESTIONS


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../outside.txt", "'../outside.txt' is outside the bank's folder"),
        ("sources/../../outside.txt", "is outside the bank's folder"),
        ("escape.txt", "'escape.txt' is outside the bank's folder"),  # a symlink
        ("escape-dir/outside.txt", "is outside the bank's folder"),  # a symlinked folder
        ("{outside}", "must be a path relative to the bank file"),  # absolute
        ("missing.txt", "'missing.txt' does not exist or is not a regular file"),
        ("folder", "'folder' does not exist or is not a regular file"),
        ("latin1.txt", "'latin1.txt' is not valid UTF-8 text"),
        ("blank.txt", "'blank.txt' is empty"),
        ("huge.txt", f"'huge.txt' is longer than {MAX_SOURCE_CHARS:,} characters"),
        ("loop.txt", "cannot read 'loop.txt'"),
        ("nul\x00.txt", "cannot read"),
    ],
)
def test_source_file_problems(tmp_path: Path, name: str, message: str) -> None:
    banks = tmp_path / "banks"
    (banks / "folder").mkdir(parents=True)
    outside = tmp_path / "outside.txt"
    outside.write_text(INLINE_TEXT, "utf-8")
    (banks / "escape.txt").symlink_to(outside)
    (banks / "escape-dir").symlink_to(tmp_path)
    (banks / "loop.txt").symlink_to(banks / "loop.txt")
    (banks / "latin1.txt").write_bytes("Khomeini’s".encode("cp1252"))
    (banks / "blank.txt").write_text(" \n", "utf-8")
    (banks / "huge.txt").write_text("x" * (MAX_SOURCE_CHARS + 1), "utf-8")
    line, field, got_message = one_problem(with_source_file(name.format(outside=outside)), banks)
    assert (line, field) == (SOURCE_FILE_LINE, "source.file")
    assert message in got_message


def test_source_file_of_an_uploaded_bank() -> None:
    assert one_problem(with_source_file("sources/sample.txt")) == (
        SOURCE_FILE_LINE,
        "source.file",
        "an uploaded bank must carry its source inline as source.text",
    )


def test_quotes_are_checked_against_the_source_file(tmp_path: Path) -> None:
    (tmp_path / "src.txt").write_text("Something else entirely.", "utf-8")
    found = problems(with_source_file("src.txt"), tmp_path)
    assert [(line, field) for line, field, _ in found] == [
        (15, "questions[0].quote"),
        (21, "questions[1].quote"),
    ]


# --- hostile and broken files -----------------------------------------------------------------

BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        pytest.param(b"", None, "the file is empty", id="empty"),
        pytest.param(b"# nothing\n", None, "the file is empty", id="only-comment"),
        pytest.param(b"- bank: 1\n", 1, "the top level must be a mapping", id="list"),
        pytest.param(b"\n\nhello\n", 3, "the top level must be a mapping", id="scalar"),
        pytest.param(BOMB, 1, "anchors and aliases are not allowed", id="billion-laughs"),
        pytest.param(
            edit("- id: satans", "- &x id: satans"), 25, "anchors and aliases", id="anchor"
        ),
        pytest.param(VALID + "  - *x\n", 29, "anchors and aliases are not allowed", id="alias"),
        pytest.param(b"bank: 1\nid: caf\xe9\n", 2, "not valid UTF-8 (byte 0xe9)", id="latin-1"),
        pytest.param("bank: 1\nid: \ud800\n", 2, "not valid UTF-8", id="lone-surrogate"),
        pytest.param("bank: 1\n\nid: a\x00b\n", 3, "the character U+0000 is not allowed", id="nul"),
        pytest.param(
            edit("title: Sample bank", "title: [Sample"),
            4,
            "invalid YAML: expected ',' or ']', but got ':'",
            id="syntax",
        ),
        pytest.param(
            VALID + '  - id: "x\n',
            30,
            "invalid YAML: found unexpected end of stream (while scanning a quoted scalar)",
            id="unclosed-quote",
        ),
        pytest.param(
            b"bank: 1\n---\nbank: 1\n", 2, "expected a single document", id="two-documents"
        ),
        pytest.param(b"[" * 10_000 + b"]" * 10_000, 1, "nested too deeply", id="deep-flow"),
        pytest.param(
            "".join(" " * i + "a:\n" for i in range(1000)), 32, "nested too deeply", id="deep-block"
        ),
        pytest.param(
            b"x" * (MAX_BANK_BYTES + 1), None, "larger than 1,000,000 bytes", id="too-big"
        ),
    ],
)
def test_unreadable_files(data: bytes | str, line: int | None, message: str) -> None:
    got_line, got_field, got_message = one_problem(data)
    assert (got_line, got_field) == (line, "")
    assert message in got_message


def test_a_billion_laughs_bomb_is_refused_fast() -> None:
    start = time.perf_counter()
    assert one_problem(BOMB + "j: [*i,*i,*i,*i,*i,*i,*i,*i,*i]\n") == (
        1,
        "",
        "anchors and aliases are not allowed",
    )
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        (
            "title: Sample bank",
            "title: !!python/object/apply:os.system ['echo pwned']",
            3,
            "title",
            "the tag !!python/object/apply:os.system is not allowed",
        ),
        (
            "title: Sample bank",
            "title: !!binary aGk=",
            3,
            "title",
            "the tag !!binary is not allowed",
        ),
        ("title: Sample bank", "title: !custom x", 3, "title", "the tag !custom is not allowed"),
        (
            "title: Sample bank",
            "title: " + "9" * 5000,
            3,
            "title",
            "is not an integer of at most 4300 digits",
        ),
        ("title: Sample bank", "title: !!int many", 3, "title", "'many' is not an integer"),
        ("title: Sample bank", "title: !!bool yes", 3, "title", "'yes' is not true or false"),
        (
            "title: Sample bank",
            "title: Sample\ntitle: Other",
            4,
            "title",
            "duplicate key 'title' (first at line 3)",
        ),
        (
            "    type: true_false\n",
            "    type: true_false\n    answer: true\n",
            24,
            "questions[1].answer",
            "duplicate key 'answer' (first at line 22)",
        ),
        (
            "title: Sample bank",
            "title: Sample bank\n[a, b]: c",
            4,
            "",
            "mapping keys must be plain text",
        ),
    ],
)
def test_hostile_values(old: str, new: str, line: int, field: str, message: str) -> None:
    got_line, got_field, got_message = one_problem(edit(old, new))
    assert (got_line, got_field) == (line, field)
    assert message in got_message


def test_huge_float_is_just_a_number() -> None:
    text = edit("options: [the U.S., the Soviet Union, Britain]", "options: [1e999, -1e999, 2]")
    text = edit("answer: [the Soviet Union, the U.S.]", "answer: 2", text)
    assert parse_bank(text, filename="b.yaml", base_dir=None).question("satans").options == (
        "inf",
        "-inf",
        "2",
    )


def test_only_bank_errors_escape_whatever_the_bytes() -> None:
    rng = random.Random(20240601)
    data = VALID.encode()
    samples = [data[:cut] for cut in range(0, len(data), 7)]
    for _ in range(300):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            mutated[rng.randrange(len(mutated))] = rng.choice(b"[]{}:&*!|>-#'\"\n\t ?%@`,\x00\xff")
        samples.append(bytes(mutated))
    for sample in samples:
        with contextlib.suppress(BankError):  # anything else fails the test
            parse_bank(sample, filename="fuzz.yaml", base_dir=None)


# --- files and folders ------------------------------------------------------------------------


def test_load_bank_file_refuses_a_file_one_byte_too_big(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_BANK_BYTES + 1))
    with pytest.raises(BankError) as caught:
        load_bank_file(path)
    assert str(caught.value) == "big.yaml: the file is larger than 1,000,000 bytes"


def test_load_bank_file_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(BankError) as caught:
        load_bank_file(tmp_path / "missing.yaml")
    assert str(caught.value) == "missing.yaml: cannot read: No such file or directory"


def test_load_banks_dir_loads_the_good_and_reports_the_bad(tmp_path: Path) -> None:
    (tmp_path / "a-good.yaml").write_text(VALID, "utf-8")
    (tmp_path / "b-bad.yml").write_text(edit("answer: false", "answer: maybe"), "utf-8")
    (tmp_path / "c-same-id.yaml").write_text(VALID, "utf-8")
    (tmp_path / "d-other.yml").write_text(edit("id: sample", "id: other"), "utf-8")
    (tmp_path / "notes.txt").write_text("not a bank", "utf-8")
    (tmp_path / "folder.yaml").mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "nested.yaml").write_text(edit("id: sample", "id: nested"), "utf-8")

    banks, errors = load_banks_dir(tmp_path)

    assert [bank.id for bank in banks] == ["sample", "other"]
    assert [str(error) for error in errors] == [
        "b-bad.yml:23: questions[1].answer: a true_false answer must be true or false",
        "c-same-id.yaml:2: id: the bank id 'sample' is already used by a-good.yaml",
    ]


def test_load_banks_dir_of_a_missing_folder(tmp_path: Path) -> None:
    banks, errors = load_banks_dir(tmp_path / "nowhere")
    assert banks == []
    assert [p.message for error in errors for p in error.problems] == [
        "cannot list the folder: No such file or directory"
    ]


# --- problems and errors ----------------------------------------------------------------------


def test_problem_and_error_text() -> None:
    assert (
        str(Problem("b.yaml", 3, "questions[0].answer", "bad"))
        == "b.yaml:3: questions[0].answer: bad"
    )
    assert str(Problem("b.yaml", None, "", "empty")) == "b.yaml: empty"
    error = BankError([Problem("b.yaml", 9, "x", "later"), Problem("b.yaml", 2, "y", "earlier")])
    assert [p.line for p in error.problems] == [2, 9]
    assert str(error) == "b.yaml:2: y: earlier\nb.yaml:9: x: later"


# --- JSON Schema ------------------------------------------------------------------------------


def test_committed_schema_is_up_to_date() -> None:
    committed = (REPO / "questions" / "bank.schema.json").read_text("utf-8")
    assert committed == json.dumps(bank_json_schema(), indent=2) + "\n", (
        "regenerate questions/bank.schema.json from quiz.bank.bank_json_schema()"
    )


def test_banks_validate_against_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(bank_json_schema())
    validator.check_schema(bank_json_schema())
    for text in (VALID, (DATA / "sample.yaml").read_text("utf-8")):
        validator.validate(yaml.safe_load(text))
    invalid = yaml.safe_load(edit("answer: false", "options: [a, b]\n    answer: false"))
    assert not validator.is_valid(invalid)
    assert not validator.is_valid(yaml.safe_load(edit("language: en", "colour: red")))


def test_typed_banks_validate_against_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(bank_json_schema())
    validator.validate(yaml.safe_load(TYPED))
    for old, new in [
        ("answer: 1822", "answer: about 1822"),
        ("answer: Paris", "options: [Paris, Lyon]\n    answer: Paris"),
        ("answer: Paris", "answer: Paris\n    tolerance: 1"),
        ("answer: Paris", "answer: true"),
        ("answer: 2.5", "options: [a, b]\n    answer: 2.5"),
        ("tolerance: 1", "tolerance: -1"),
        ("tolerance: 1", "tolerance: 1\n    min: 1821\n    max: 1823"),
        ("    min: 1\n    max: 5\n", ""),
        ("    max: 5\n", ""),
        ("max: 5", "max: 5\n    tolerance: 1"),
    ]:
        assert not validator.is_valid(yaml.safe_load(edit(old, new, TYPED))), new
    choice = yaml.safe_load(edit("answer: Bushehr nuclear power plant", "answer: A\n    min: 1"))
    assert not validator.is_valid(choice)
    numbers = "options: ['2013', '1979']\n    answer: 2013"
    old = f"{OPTIONS}\n    answer: [the Soviet Union, the U.S.]"
    assert validator.is_valid(yaml.safe_load(edit(old, numbers)))
    assert validator.is_valid(yaml.safe_load(edit("answer: Paris", "answer: 42", TYPED)))


@pytest.mark.skipif(yamlsource.FAST_PARSER is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize("name", ["shipped", "valid"])
def test_libyaml_and_pure_python_read_a_bank_the_same(name: str) -> None:
    shipped = Path(__file__).parent.parent / "questions" / "russia-iran-partnership.yaml"
    text = shipped.read_text() if name == "shipped" else VALID
    assert yamlsource.FAST_PARSER is not None
    fast = yamlsource._read_with(yamlsource.FAST_PARSER, text)
    assert fast == yamlsource._read_with(yamlsource.PurePythonParser, text)
    assert fast.lines and not fast.issues


def test_a_bank_error_pickles_whole() -> None:
    # Uploads are read in another process: what is wrong with them must come back whole.
    error = BankError(
        [Problem("b.yaml", 12, "questions[1].id", "taken"), Problem("b.yaml", 3, "", "x")]
    )
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, BankError)
    assert copy.problems == error.problems and str(copy) == str(error)


@pytest.mark.parametrize(
    ("language", "options"),
    [(None, ("True", "False")), ("ru", ("Верно", "Неверно")), ("fa-IR", ("درست", "نادرست"))],
)
def test_a_true_false_question_reads_in_its_banks_language(
    language: str | None, options: tuple[str, ...]
) -> None:
    head = f"language: {language}\n" if language else ""
    bank = parse_bank(
        "bank: 1\nid: tf\ntitle: T\n" + head + "questions:\n"
        "  - {id: q1, type: true_false, question: Is it?, answer: false}\n",
        filename="tf.yaml",
        base_dir=None,
    )
    question = bank.questions[0]
    assert question.options == options
    assert [question.options[i] for i in question.correct] == [options[1]]
