"""Hostile and random input for the bank loader: a whole bank or a list of problems, nothing else.

Property-based tests (hypothesis) feed parse_bank arbitrary bytes, text, YAML and mostly-valid
banks; targeted tests cover the classic attacks and oddities, each timed to catch blow-ups.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.answertext import normalize_answer
from quiz.bank import (
    ID_PATTERN,
    MAX_BANK_BYTES,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    MIN_OPTIONS,
    TAG_PATTERN,
    TRUE_FALSE_OPTIONS,
    Bank,
    BankError,
    NumericRange,
    Problem,
    Question,
    QuestionKind,
    load_bank_file,
    normalize_text,
    parse_bank,
    quote_in_source,
)
from quiz.yamlsource import Yaml12Resolver
from tests.test_bank import BOMB, VALID, edit

FILENAME = "fuzz.yaml"
FAST = 5.0  # seconds: generous, to catch exponential blow-ups rather than to measure speed

# Small inputs: a deadline well above hypothesis' 200 ms default still catches blow-ups without
# failing on a busy machine. Inputs that may be large get no deadline.
SMALL = settings(deadline=timedelta(seconds=2), database=None)
LARGE = settings(deadline=None, database=None)

# YAML line breaks (PyYAML counts every one of them); a problem's line is never past the last.
YAML_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
# Characters a problem's text must not hold: they garble Telegram messages and terminals.
BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
ID = re.compile(ID_PATTERN)
TAG = re.compile(TAG_PATTERN)

SOURCE_FILE_TEXT = "The quick brown fox jumps over the lazy dog.\nIt was the best of times."
SOURCE_FILES = ["source.txt", "nul.txt", "latin1.txt", "blank.txt", "missing.txt", "sub", "../x"]


# --- checking an outcome ----------------------------------------------------------------------


def line_count(data: bytes | str) -> int:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return len(YAML_LINE_BREAK.findall(text)) + 1


def check_problems(error: BankError, data: bytes | str) -> None:
    """At least one problem, each on an existing line, each printable on one line."""
    assert error.problems
    last_line = line_count(data)
    for problem in error.problems:
        assert isinstance(problem, Problem)
        assert problem.file == FILENAME
        assert problem.line is None or 1 <= problem.line <= last_line, (problem, last_line)
        assert problem.message
        text = str(problem)
        text.encode("utf-8")  # no lone surrogates: the text can be sent
        assert not BREAKING.search(text), text
    assert str(error).count("\n") == len(error.problems) - 1


def check_bank(bank: Bank) -> None:
    """The invariants the rest of the bot relies on."""
    assert ID.fullmatch(bank.id)
    assert bank.language is None or bank.language
    texts = [bank.title]
    if bank.source_title is None:  # a bank without source material
        assert bank.source_text == "" and bank.source_url is None
        assert all(question.quote is None for question in bank.questions)
    else:
        texts += [bank.source_title, bank.source_text]
    assert 1 <= len(bank.questions) <= MAX_QUESTIONS
    assert len({question.id for question in bank.questions}) == len(bank.questions)
    for question in bank.questions:
        assert ID.fullmatch(question.id)
        assert bank.question(question.id) is question
        assert question.correct
        assert all(0 <= index < len(question.options) for index in question.correct)
        assert (question.numeric is not None) == (question.kind == QuestionKind.NUMERIC)
        if question.kind == QuestionKind.CHOICE:
            assert MIN_OPTIONS <= len(question.options) <= MAX_OPTIONS
            assert len({normalize_text(option) for option in question.options}) == len(
                question.options
            )
        elif question.kind == QuestionKind.SHORT_ANSWER:
            assert 1 <= len(question.options) <= MAX_OPTIONS
            assert question.correct == frozenset(range(len(question.options)))
            assert all(normalize_answer(option) for option in question.options)
        elif question.kind == QuestionKind.NUMERIC:
            assert question.numeric is not None
            assert question.numeric.low <= question.numeric.high
            assert len(question.options) == 1 and question.correct == {0}
        else:
            assert question.kind == QuestionKind.TRUE_FALSE
            assert question.options == TRUE_FALSE_OPTIONS
            assert len(question.correct) == 1
        if question.quote is not None:
            assert quote_in_source(question.quote, bank.source_text)
        assert all(TAG.fullmatch(tag) for tag in question.tags)
        texts += [question.text, *question.options]
        texts += [text for text in (question.explanation, question.quote) if text is not None]
    for text in texts:
        assert text
        assert text == text.strip()
        assert not CONTROL.search(text)
        text.encode("utf-8")


def outcome(data: bytes | str, base_dir: Path | None = None) -> Bank | BankError:
    """parse_bank's result, checked; any exception but BankError fails the test."""
    try:
        bank = parse_bank(data, filename=FILENAME, base_dir=base_dir)
    except BankError as error:
        check_problems(error, data)
        return error
    check_bank(bank)
    return bank


def timed_problems(data: bytes | str, base_dir: Path | None = None) -> list[Problem]:
    start = time.perf_counter()
    result = outcome(data, base_dir)
    elapsed = time.perf_counter() - start
    assert isinstance(result, BankError), "expected problems, got a bank"
    assert elapsed < FAST, f"took {elapsed:.1f} s"
    return result.problems


def the_problem(data: bytes | str, base_dir: Path | None = None) -> tuple[int | None, str, str]:
    problems = timed_problems(data, base_dir)
    assert len(problems) == 1, problems
    return problems[0].line, problems[0].field, problems[0].message


# --- writing banks ----------------------------------------------------------------------------


class BankDumper(yaml.SafeDumper):
    """Quotes every string the bank format (YAML 1.2 core) would read as something else.

    PyYAML writes YAML 1.1, where "1e5" or "0o17" are strings and need no quotes.
    """

    yaml_implicit_resolvers = Yaml12Resolver.yaml_implicit_resolvers


def dump(data: Any, style: int = 0) -> str:
    """YAML for the data in one of a few styles: block, flow, ASCII-only, unfolded."""
    return yaml.dump(
        data,
        Dumper=BankDumper,
        sort_keys=False,
        default_flow_style=style == 1,
        allow_unicode=style != 2,
        width=10**6 if style == 3 else 80,
    )


def as_data(bank: Bank) -> dict[str, Any]:
    """A bank as the data of a bank file with its source inline."""
    questions: list[dict[str, Any]] = []
    for question in bank.questions:
        data: dict[str, Any] = {
            "id": question.id,
            "type": question.kind.value,
            "question": question.text,
        }
        if question.kind == QuestionKind.TRUE_FALSE:
            data["answer"] = 0 in question.correct
        elif question.kind == QuestionKind.SHORT_ANSWER:
            data["answer"] = list(question.options)
        elif question.numeric is not None:
            data |= numeric_data(question.numeric, question.options[0])
        else:
            data["options"] = list(question.options)
            data["answer"] = list(question.correct_texts)
        optional = {"explanation": question.explanation, "quote": question.quote}
        data |= {key: value for key, value in optional.items() if value is not None}
        if question.tags:
            data["tags"] = list(question.tags)
        questions.append(data)
    source = {"title": bank.source_title, "url": bank.source_url, "text": bank.source_text}
    data = {"bank": 1, "id": bank.id, "title": bank.title, "language": bank.language}
    if bank.visibility is not None:
        data["visibility"] = bank.visibility
    if bank.source_title is not None:
        data["source"] = {key: value for key, value in source.items() if value is not None}
    return data | {"questions": questions}


def numeric_data(numeric: NumericRange, shown: str) -> dict[str, float]:
    """A numeric question's fields, from its range and its answer as shown; exact for the numbers
    mostly_valid_questions draws (halves of integers), whose midpoints and half-widths are."""
    low, high = numeric.low, numeric.high
    if " ± " in shown:
        return {"answer": (low + high) / 2, "tolerance": (high - low) / 2}
    return {"answer": low} if low == high else {"min": low, "max": high}


def check_round_trips(bank: Bank, data: dict[str, Any], style: int) -> None:
    """Other spellings of a bank that loaded give the same bank: the same data in another YAML
    style, the bank written back as data, and that with a BOM and CRLF line ends."""
    other_style = (style + 1) % 4
    assert parse_bank(dump(data, other_style), filename=FILENAME, base_dir=None) == bank
    text = dump(as_data(bank), style)
    assert parse_bank(text, filename=FILENAME, base_dir=None) == bank
    crlf = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
    assert parse_bank(crlf, filename=FILENAME, base_dir=None) == bank


@pytest.fixture(scope="module")
def bank_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with source files, good and bad, next to banks read from disk."""
    folder = tmp_path_factory.mktemp("banks")
    (folder / "source.txt").write_text(SOURCE_FILE_TEXT, "utf-8")
    (folder / "nul.txt").write_text("a\x00b", "utf-8")
    (folder / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (folder / "blank.txt").write_text("\n \n", "utf-8")
    (folder / "sub").mkdir()
    return folder


# --- strategies -------------------------------------------------------------------------------

# Characters that are hard for YAML, for terminals or for Telegram.
SPECIAL = [
    *"\x00\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\x9b\t\n\r",
    *"\u200f\u202e\u200b\u200d\ufeff\u2028\u2029\xa0\u3000\ufffe\U0010ffff",
    *"😀é’“\\'\"#:-&*!%@`{}[],?|>~",
    "e\u0301",
    "👩\u200d👩\u200d👧",
    "- ",
    ": ",
    " #",
    "\n- ",
    "\n  ",
]
plain = st.from_regex(r"[A-Za-z][A-Za-z0-9 ]{0,15}", fullmatch=True)
texts = st.lists(
    st.one_of(plain, plain, st.sampled_from(SPECIAL), st.text(max_size=10)), max_size=5
).map("".join)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), texts
)
# Anything a text field may be given: mostly text.
values = st.one_of(texts, texts, texts, plain, st.integers(), scalars, st.lists(texts, max_size=2))
ids = st.one_of(
    st.from_regex(ID_PATTERN, fullmatch=True),
    st.sampled_from(["q1", "q2", "a-b", "-x", "Q1", ""]),
    st.integers(0, 20),
    values,
)


# Text a valid bank may hold: anything but surrogates, controls and whitespace inside words (so
# RTL marks, emoji, combining marks, private use and unassigned code points all occur).
words = st.text(
    st.characters(exclude_categories=["Cs", "Cc", "Zs", "Zl", "Zp"]), min_size=1, max_size=10
)
separators = st.sampled_from([" ", "  ", "\t", "\n", "\xa0", "\u3000", "\u2028"])


@st.composite
def valid_texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(separators, words), min_size=1, max_size=4))
    text = "".join(separator + word for separator, word in parts)
    return text if draw(st.booleans()) else text.strip()


# Up to this percentage of a mostly valid bank's values are drawn from anything at all.
chaos_levels = st.sampled_from([0, 2, 5, 20])
Pick = Callable[..., Any]


def chooser(draw: st.DrawFn, chaos: int) -> Pick:
    """pick(good, bad): a value drawn from bad with a chance of chaos percent, else from good."""

    def pick(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any] = values) -> Any:
        return draw(bad if draw(st.integers(0, 99)) >= 100 - chaos else good)

    return pick


@st.composite
def mostly_valid_questions(draw: st.DrawFn, source_text: str, chaos: int) -> dict[str, Any]:
    """A question with the right keys and mostly right values; keys dropped or added at times."""
    pick = chooser(draw, chaos)
    kind = pick(
        st.sampled_from(["choice", "true_false", "short_answer", "numeric", None]),
        st.sampled_from(["multi", 1]),
    )
    question: dict[str, Any] = {
        "id": pick(st.from_regex(ID_PATTERN, fullmatch=True), ids),
        "type": kind,
        "question": pick(valid_texts()),
    }
    if kind in ("short_answer", "numeric"):
        question |= draw(typed_answer(kind, pick))
    options = pick(
        st.lists(
            valid_texts(), min_size=MIN_OPTIONS, max_size=MAX_OPTIONS, unique_by=normalize_text
        ),
        st.lists(st.one_of(plain, texts, scalars), max_size=20),
    )
    if kind in ("choice", None) or pick(st.just(False), st.just(True)):
        question["options"] = options
    if kind in ("short_answer", "numeric"):
        pass
    elif kind == "true_false":
        question["answer"] = pick(st.booleans(), st.one_of(values, st.sampled_from(["true", 1])))
    else:
        named = st.sampled_from(options) if isinstance(options, list) and options else values
        question["answer"] = pick(
            st.one_of(named, st.lists(named, min_size=1, max_size=4)),
            st.one_of(st.booleans(), values, st.lists(values, max_size=3), st.just([])),
        )
    source_words = source_text.split()
    quoted = draw(st.booleans())
    if source_words and quoted:
        start = draw(st.integers(0, len(source_words) - 1))
        end = draw(st.integers(start + 1, min(len(source_words), start + 8)))
        question["quote"] = pick(st.just(" ".join(source_words[start:end])))
    question["explanation"] = pick(st.none() | valid_texts())
    question["tags"] = pick(st.lists(st.from_regex(TAG_PATTERN, fullmatch=True), max_size=3))
    if kind is None:
        del question["type"]
    dropped = pick(st.just(()), st.sets(st.sampled_from(sorted(question)), max_size=2))
    question = {key: value for key, value in question.items() if key not in dropped}
    if pick(st.just(False), st.just(True)):
        question[draw(st.sampled_from(["colour", "Answer", "1"]))] = draw(values)
    return question


# Halves of integers: exact in binary, and so are their midpoints and half-widths (numeric_data).
halves = st.integers(-(10**6), 10**6).map(lambda n: n / 2) | st.integers(-(10**9), 10**9)


@st.composite
def typed_answer(draw: st.DrawFn, kind: str, pick: Pick) -> dict[str, Any]:
    """The answer of a short_answer or numeric question: mostly right, with the usual mistakes."""
    if kind == "short_answer":
        answer = st.lists(valid_texts(), min_size=1, max_size=3, unique_by=normalize_text)
        bad = st.one_of(values, st.sampled_from(["", "!!", "the", []]), st.booleans())
        return {
            "answer": pick(answer.map(lambda texts: texts[0] if len(texts) == 1 else texts), bad)
        }
    fields: dict[str, Any] = {}
    if pick(st.booleans(), st.just(False)):
        fields["answer"] = pick(halves, st.one_of(values, st.just(float("nan"))))
        if draw(st.booleans()):
            fields["tolerance"] = pick(halves.map(abs), st.one_of(halves, values))
    else:
        low = draw(halves)
        fields |= {"min": low, "max": pick(st.just(low) | halves.map(lambda d: low + abs(d)))}
    return fields


@st.composite
def mostly_valid_banks(draw: st.DrawFn) -> dict[str, Any]:
    """A bank with the right keys and mostly right values: random option lists 0-20 long, answers
    in and out of the options, duplicate ids, wrong types, control characters in text..."""
    chaos = draw(chaos_levels)
    pick = chooser(draw, chaos)
    source: dict[str, Any] = {"title": pick(valid_texts())}
    if pick(st.just(False), st.just(True)):
        source["file"] = draw(st.sampled_from(SOURCE_FILES))
        source_text: Any = SOURCE_FILE_TEXT
    else:
        source_text = pick(st.lists(words, min_size=1, max_size=20).map(" ".join), texts)
        source["text"] = source_text
    if draw(st.booleans()):
        source["url"] = pick(st.just("https://example.org/a"))
    question = mostly_valid_questions(source_text if isinstance(source_text, str) else "", chaos)
    bank: dict[str, Any] = {
        "bank": pick(st.just(1), st.sampled_from([0, 2, "1", 1.0, True, None])),
        "id": pick(st.from_regex(ID_PATTERN, fullmatch=True), ids),
        "title": pick(valid_texts()),
        "language": pick(st.sampled_from(["en", "pt-BR", None]), st.sampled_from(["english", 5])),
        "source": source,
        "questions": pick(
            st.lists(question, min_size=1, max_size=5), st.one_of(st.just([]), values)
        ),
    }
    dropped = pick(st.just(()), st.sets(st.sampled_from(sorted(bank)), max_size=2))
    return {key: value for key, value in bank.items() if key not in dropped}


@st.composite
def valid_banks(draw: st.DrawFn) -> tuple[dict[str, Any], Bank]:
    """A valid bank's data, with the Bank it must load as."""
    source_words = draw(st.lists(words, min_size=1, max_size=30))
    source_text = " ".join(source_words)
    question_ids = draw(
        st.lists(st.from_regex(ID_PATTERN, fullmatch=True), min_size=1, max_size=4, unique=True)
    )
    questions: list[dict[str, Any]] = []
    expected: list[Question] = []
    for question_id in question_ids:
        text = draw(valid_texts())
        data: dict[str, Any] = {"id": question_id, "question": text}
        if draw(st.booleans()):
            kind = QuestionKind.TRUE_FALSE
            answer = draw(st.booleans())
            options: tuple[str, ...] = TRUE_FALSE_OPTIONS
            correct = frozenset({0 if answer else 1})
            data |= {"type": kind.value, "answer": answer}
        else:
            kind = QuestionKind.CHOICE
            option_data = draw(
                st.lists(
                    st.one_of(valid_texts(), valid_texts(), st.integers(-(10**30), 10**30)),
                    min_size=MIN_OPTIONS,
                    max_size=MAX_OPTIONS,
                    unique_by=lambda option: normalize_text(str(option)),
                )
            )
            options = tuple(str(option).strip() for option in option_data)
            chosen = draw(st.sets(st.integers(0, len(options) - 1), min_size=1))
            correct = frozenset(chosen)
            answers = [option_data[index] for index in sorted(chosen)]
            single = len(answers) == 1 and draw(st.booleans())
            data |= {"options": option_data, "answer": answers[0] if single else answers}
            if draw(st.booleans()):
                data["type"] = kind.value
        explanation = draw(st.none() | valid_texts())
        start = draw(st.integers(0, len(source_words) - 1))
        end = draw(st.integers(start + 1, min(len(source_words), start + 10)))
        quote = draw(st.none() | st.just(" ".join(source_words[start:end])))
        tags = draw(st.lists(st.from_regex(TAG_PATTERN, fullmatch=True), max_size=3))
        optional = {"explanation": explanation, "quote": quote, "tags": tags or None}
        data |= {key: value for key, value in optional.items() if value is not None}
        questions.append(data)
        expected.append(
            Question(
                id=question_id,
                kind=kind,
                text=text.strip(),
                options=options,
                correct=correct,
                explanation=explanation and explanation.strip(),
                quote=quote,
                tags=tuple(tags),
            )
        )
    bank_id = draw(st.from_regex(ID_PATTERN, fullmatch=True))
    title, source_title = draw(valid_texts()), draw(valid_texts())
    language = draw(st.sampled_from([None, "en", "de", "pt-BR", "fil"]))
    url = draw(st.none() | st.just("https://example.org/a?b=c#d"))
    source: dict[str, Any] = {"title": source_title, "text": source_text}
    if url:
        source["url"] = url
    data = {"bank": 1, "id": bank_id, "title": title, "language": language, "source": source}
    data["questions"] = questions
    bank = Bank(
        id=bank_id,
        title=title.strip(),
        language=language,
        source_title=source_title.strip(),
        source_url=url,
        source_text=source_text,
        questions=tuple(expected),
    )
    return data, bank


def yaml_values() -> st.SearchStrategy[Any]:
    keys = st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.none(), st.floats())
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
        ),
        max_leaves=20,
    )


# Pieces of YAML syntax, to get past the scanner more often than random text does.
TOKENS = [
    *["- ", ": ", "? ", ", ", "[", "]", "{", "}", "\n", "\n  ", "\n    ", "  ", "\t", "\r", "\r\n"],
    *['"', "'", "\\", "\\U", "\\x", "\\u", "\\0", "\\N", "\\e", "FFFFFFFF", "110000", "d800"],
    *["&a ", "*a", "!!int ", "!!str ", "!!binary ", "!!set ", "!!omap ", "!x ", "!<tag:x> "],
    *["---\n", "...\n", "%YAML 1.1\n", "%YAML 1.", "9" * 50, "%TAG !e! tag:yaml.org,2002:\n"],
    *["|\n  ", ">-\n  ", "|2\n", "#", " #", "~", "null", "true", "0x", "0o", "1e309", ".nan"],
    *["bank", "id", "questions", "options", "answer", "source", "text", "a", "1", "\ufeff"],
    *["\x85", "\u2028", "\x00", "\x1b", "😀", "\u202e", "9" * 5000, "0x" + "f" * 4000],
]
ESCAPE = r'\\(U[0-9A-F]{8}|u[0-9a-fA-F]{4}|x[0-9a-f]{2}|[0abtnvfre "/\\N_LP])'
NUMBER = r"[-+]?(0x[0-9a-f]+|0o[0-7]+|[0-9]+(\.[0-9]*)?(e[-+]?[0-9]+)?|\.inf|\.nan)"
yaml_tokens = st.one_of(
    st.sampled_from(TOKENS),
    st.from_regex(f'"({ESCAPE}|[a ])*"', fullmatch=True),  # a double-quoted string
    st.from_regex(NUMBER, fullmatch=True),
    st.from_regex(r"%YAML [0-9]{1,6}\.[0-9]{1,6}\n---\n", fullmatch=True),
)
yaml_like_text = st.lists(yaml_tokens, max_size=40).map("".join)


def mutations_of(text: str) -> st.SearchStrategy[bytes]:
    """The text as UTF-8 with a few slices replaced by random bytes."""

    @st.composite
    def mutated(draw: st.DrawFn) -> bytes:
        data = bytearray(text.encode())
        for _ in range(draw(st.integers(1, 4))):
            start = draw(st.integers(0, len(data)))
            end = draw(st.integers(start, min(len(data), start + 8)))
            data[start:end] = draw(st.binary(max_size=8))
        return bytes(data)

    return mutated()


# --- properties -------------------------------------------------------------------------------


@settings(SMALL, max_examples=250)
@given(st.binary(max_size=400))
def test_any_bytes(data: bytes) -> None:
    outcome(data)


@settings(SMALL, max_examples=250)
@given(st.text(max_size=400))
def test_any_text(text: str) -> None:
    outcome(text)
    outcome(text.encode("utf-8", "surrogatepass"))


@settings(SMALL, max_examples=400)
@given(yaml_like_text)
def test_any_yaml_like_text(text: str) -> None:
    outcome(text)


@settings(SMALL, max_examples=150)
@given(mutations_of(VALID))
def test_a_valid_bank_with_random_bytes_spliced_in(data: bytes) -> None:
    outcome(data)


@settings(SMALL, max_examples=150)
@given(yaml_values(), st.integers(0, 3))
def test_any_yaml_data(value: Any, style: int) -> None:
    outcome(dump(value, style))
    outcome(yaml.safe_dump(value, sort_keys=False))  # YAML 1.1 as other tools write it


@settings(LARGE, max_examples=150)
@given(mostly_valid_banks(), st.integers(0, 3), st.booleans())
def test_mostly_valid_banks(
    bank_dir: Path, data: dict[str, Any], style: int, on_disk: bool
) -> None:
    text = dump(data, style)
    result = outcome(text, bank_dir if on_disk else None)
    if isinstance(result, Bank):
        on_file = "file" in data.get("source", {})
        check_round_trips(result, as_data(result) if on_file else data, style)


@settings(LARGE, max_examples=80)
@given(valid_banks(), st.integers(0, 3))
def test_valid_banks_load_as_written(case: tuple[dict[str, Any], Bank], style: int) -> None:
    data, expected = case
    result = outcome(dump(data, style))
    assert result == expected
    assert isinstance(result, Bank)
    check_round_trips(result, data, style)


# --- hostile files ----------------------------------------------------------------------------


def test_billion_laughs() -> None:
    """Nine levels of nine aliases: a billion "lol"s if expanded; refused at the first anchor."""
    assert BOMB.count("&") == 9
    assert the_problem(BOMB) == (1, "", "anchors and aliases are not allowed")
    assert the_problem(VALID + BOMB + "z: [*i, *i]\n") == (
        29,
        "",
        "anchors and aliases are not allowed",
    )
    merge = VALID + "x: &x {a: 1}\ny:\n  <<: *x\n"  # a merge key is an alias too
    assert the_problem(merge) == (29, "", "anchors and aliases are not allowed")


@pytest.mark.parametrize("kind", [bytes, str])
def test_a_10_mb_file_is_refused_by_its_size(kind: type) -> None:
    data = (VALID + "#" * 10_000_000).encode()
    assert the_problem(data if kind is bytes else data.decode()) == (
        None,
        "",
        f"the file is larger than {MAX_BANK_BYTES:,} bytes",
    )


def test_a_10_mb_file_on_disk_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as stream:
        stream.truncate(10_000_000)  # sparse: only the first megabyte is ever read
    start = time.perf_counter()
    with pytest.raises(BankError, match="larger than 1,000,000 bytes"):
        load_bank_file(path)
    assert time.perf_counter() - start < FAST


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("[" * 5000 + "]" * 5000, id="flow-lists"),
        pytest.param("{a: " * 5000 + "1" + "}" * 5000, id="flow-mappings"),
        pytest.param("- " * 5000 + "x\n", id="block-lists"),
        # Block mappings indent each level: 1,400 levels are as many as fit in the size limit.
        pytest.param("".join(" " * i + "a:\n" for i in range(1400)), id="block-mappings"),
        pytest.param(edit("options: [the U.S.", "options: [" + "[" * 5000 + "the U.S."), id="bank"),
    ],
)
def test_5000_levels_of_nesting(data: str) -> None:
    assert the_problem(data) == (
        {"b": 27, "a": 32}.get(data[0], 1),
        "",
        "data is nested too deeply (more than 32 levels)",
    )


def test_nesting_at_the_limit_is_fine() -> None:
    problems = timed_problems("a: " + "[" * 31 + "]" * 31 + "\n")
    assert [problem.field for problem in problems][-1] == "a"  # an unknown key, not too deep


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (random.Random(1).randbytes(100_000), 1, "not valid UTF-8 (byte 0x"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), 1, "not valid UTF-8"),
        (b"\x7fELF\x02\x01\x01" + bytes(64), 1, "the character U+007F is not allowed"),
        (VALID.encode("utf-16"), 1, "not valid UTF-8 (byte 0xff)"),
        (VALID.encode("utf-16-be"), 1, "the character U+0000 is not allowed"),
        (VALID.encode("utf-32"), 1, "not valid UTF-8 (byte 0xff)"),
        (VALID.encode().replace(b"Sample bank", b"Sample \xc3\x28 bank"), 3, "(byte 0xc3)"),
        (VALID.encode().replace(b"Britain]", b"Britain\xed\xa0\x80]"), 27, "(byte 0xed)"),
        (VALID.encode() + b"#\xe2\x82", 29, "not valid UTF-8 (byte 0xe2)"),  # cut off
        (VALID.encode("cp1252"), 9, "not valid UTF-8 (byte 0x92)"),  # the ’ in Russia’s
    ],
)
def test_binary_and_non_utf8_data(data: bytes, line: int, message: str) -> None:
    got_line, field, got_message = the_problem(data)
    assert (got_line, field) == (line, "")
    assert message in got_message


def test_utf8_bom_is_fine() -> None:
    assert parse_bank(b"\xef\xbb\xbf" + VALID.encode(), filename=FILENAME, base_dir=None)


def test_10000_options() -> None:
    options = ", ".join(f"o{i}" for i in range(10_000))
    text = edit("[the U.S., the Soviet Union, Britain]", f"[{options}]")
    text = edit("answer: [the Soviet Union, the U.S.]", "answer: o9999", text)
    assert the_problem(text) == (
        27,
        "questions[2].options",
        "may have at most 12 entries, not 10000",
    )


def test_one_question_over_the_maximum() -> None:
    question = "  - {id: q%d, type: true_false, question: Q, answer: true}\n"
    text = VALID + "".join(question % i for i in range(MAX_QUESTIONS - 2))  # VALID has 3
    assert the_problem(text) == (
        12,
        "questions",
        f"may have at most {MAX_QUESTIONS} entries, not {MAX_QUESTIONS + 1}",
    )


QUESTION = "question: Which plant became operational in 2013?"


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        (QUESTION, r'question: "Which\0 plant?"', 14, "questions[0].question"),
        (QUESTION, r'question: "Which\e[31m plant?"', 14, "questions[0].question"),
        (QUESTION, r'question: "Which\x7f plant?"', 14, "questions[0].question"),
        (QUESTION, r'question: "Which\x9b plant?"', 14, "questions[0].question"),
        (QUESTION, r'question: "Which\N plant?"', 14, "questions[0].question"),
        (QUESTION, r'question: "Which\v plant?"', 14, "questions[0].question"),
        ("title: Sample bank", r'title: "Sample\b bank"', 3, "title"),
        ("  title: The source", r'  title: "The\x01 source"', 6, "source.title"),
        ("  text: |", r'  text: "\u0000"' + "\n  colour: |", 8, "source.text"),
        ("Britain]", r'"Brit\u0000ain"]', 27, "questions[2].options[2]"),
        ("answer: [the Soviet", r'answer: ["the\0 U.S.", the Soviet', 28, "questions[2].answer[0]"),
        ("explanation: Russia", r'explanation: "\aRussia" #', 17, "questions[0].explanation"),
        ("quote: the Soviet", r'quote: "\x1fthe Soviet" #', 24, "questions[1].quote"),
    ],
)
def test_control_characters_in_text(old: str, new: str, line: int, field: str) -> None:
    problems = {(p.line, p.field): p.message for p in timed_problems(edit(old, new))}
    assert re.fullmatch(
        r"contains the control character U\+00[0-9A-F]{2}; only tabs and line breaks are allowed",
        problems[line, field],
    )


def test_raw_control_characters_are_refused_by_yaml() -> None:
    text = edit(QUESTION, "question: Which\x07 plant?")
    assert the_problem(text) == (14, "", "the character U+0007 is not allowed")


def test_a_control_character_in_the_source_file(bank_dir: Path) -> None:
    block = "\n".join(VALID.splitlines()[7:11]) + "\n"
    text = edit(block, "  file: nul.txt\n")
    assert the_problem(text, bank_dir) == (
        8,
        "source.file",
        "'nul.txt' contains the control character U+0000",
    )


def test_rtl_marks_emoji_tabs_and_line_breaks_are_kept() -> None:
    question = "Which \u200fplant\u202e became 👩\u200d👩\u200d👧 operational\tin\n2013?"
    option = "\u05d1\u05d5\u05e9\u05d4\u05e8 \u200f😀"  # Hebrew, a right-to-left mark, an emoji
    text = edit(QUESTION, f"question: {json.dumps(question, ensure_ascii=False)}")
    text = edit("Bushehr nuclear power plant,", f"{option},", text)
    text = edit("answer: Bushehr nuclear power plant", f"answer: {option}", text)
    bank = parse_bank(text, filename=FILENAME, base_dir=None)
    assert bank.question("bushehr").text == question
    assert bank.question("bushehr").correct_texts == (option,)


def test_problems_quoting_control_characters_stay_on_one_line() -> None:
    text = edit("Britain]", r'"the U.S.\0\n", "the U.S.\0\n"]')
    problems = timed_problems(text)
    assert [(p.line, p.field) for p in problems] == [
        (27, "questions[2].options"),
        (27, "questions[2].options[2]"),
        (27, "questions[2].options[3]"),
    ]
    assert problems[0].message == r"the option 'the U.S.\x00' is given twice"


def test_a_long_single_line() -> None:
    long_title = "a" * (MAX_BANK_BYTES - len(VALID) - 10)
    assert the_problem(edit("title: Sample bank", "title: " + long_title)) == (
        3,
        "title",
        "String should have at most 200 characters",
    )
    assert the_problem("a" * (MAX_BANK_BYTES - 1) + "\n") == (
        1,
        "",
        "the top level must be a mapping (bank, id, title, ...)",
    )
    assert the_problem("a" * (MAX_BANK_BYTES - 10) + ": 1\n")[2].startswith("invalid YAML")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1e309", "must be 1, the bank format version"),
        ("-1e309", "must be 1, the bank format version"),
        ("9" * 5000, "is not an integer of at most 4300 digits"),
        ("-" + "9" * 5000, "is not an integer of at most 4300 digits"),
        ("0x" + "f" * 5000, "is not an integer of at most 4300 digits"),
        ("0o" + "7" * 5000, "is not an integer of at most 4300 digits"),
        ("1" + "0" * 4299, "must be 1, the bank format version"),  # 4300 digits are fine
        ("1." + "0" * 100_000, "must be 1, the bank format version"),
        ("!!float " + "9" * 100_000, "must be 1, the bank format version"),
    ],
)
def test_huge_numbers(value: str, message: str) -> None:
    line, field, got = the_problem(edit("bank: 1", f"bank: {value}"))
    assert (line, field) == (1, "bank")
    assert message in got


HEX = "0x" + "f" * 4000  # 4,817 decimal digits


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("id: sample", f"id: {HEX}", 2, "id"),
        ("title: Sample bank", f"title: {HEX}", 3, "title"),
        ("Britain]", f"{HEX}]", 27, "questions[2].options[2]"),
        ("answer: [the Soviet Union, the U.S.]", f"answer: {HEX}", 28, "questions[2].answer"),
    ],
)
def test_huge_hexadecimal_numbers_as_text(old: str, new: str, line: int, field: str) -> None:
    """Every number is text to a bank; one too long to be written in decimal is a problem."""
    assert the_problem(edit(old, new)) == (
        line,
        field,
        "'0xffffffffffffffffffffffffffffffffffffff' is not an integer of at most 4300 digits",
    )


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        pytest.param('title: "\\UFFFFFFFF"', 3, "escape sequence", id="escape-too-big"),
        pytest.param('title: "\\U00110000"', 3, "escape sequence", id="escape-past-unicode"),
        pytest.param("%YAML 1." + "1" * 5000 + "\n---\n", 1, "version number", id="yaml-version"),
    ],
)
def test_numbers_out_of_range_in_yaml_syntax(data: str, line: int, message: str) -> None:
    text = data + VALID if data.startswith("%") else edit("title: Sample bank", data)
    got_line, field, got = the_problem(text)
    assert (got_line, field) == (line, "")
    assert got.startswith("invalid YAML: ") and message in got


@pytest.mark.parametrize(
    ("key", "line", "field", "message"),
    [
        ("1: x", 29, "1", "unknown key"),
        ("null: y", 29, "null", "unknown key"),
        ("~: y", 29, "~", "unknown key"),
        ("true: y", 29, "true", "unknown key"),
        ('"": y', 29, "''", "unknown key"),
        ('"a\\0b": y', 29, "'a\\x00b'", "unknown key"),
        ('"\\u202e": y', 29, "'\\u202e'", "unknown key"),
        ("[a]: b", 29, "", "mapping keys must be plain text"),
        ("{a: 1}: b", 29, "", "mapping keys must be plain text"),
        ("? [a, b]\n: c", 29, "", "mapping keys must be plain text"),
        ("!!binary aGk=: x", 29, "", "mapping keys must be plain text"),
        ("!!int 2: x", 29, "2", "unknown key"),
    ],
)
def test_keys_that_are_not_text(key: str, line: int, field: str, message: str) -> None:
    assert the_problem(VALID + key + "\n") == (line, field, message)


@pytest.mark.parametrize(
    ("tag", "shown"),
    [
        ("!!python/object/apply:os.system ['echo pwned']", "!!python/object/apply:os.system"),
        ("!!python/name:os.system ''", "!!python/name:os.system"),
        ("!!binary aGk=", "!!binary"),
        ("!!set {a, b}", "!!set"),
        ("!!omap [a: 1, b: 2]", "!!omap"),
        ("!!timestamp 2001-12-14", "!!timestamp"),
        ("!<tag:yaml.org,2002:python/object:object> {}", "!!python/object:object"),
    ],
)
def test_yaml_tags(tag: str, shown: str) -> None:
    assert the_problem(edit("title: Sample bank", f"title: {tag}")) == (
        3,
        "title",
        f"the tag {shown} is not allowed",
    )
    assert the_problem(f"--- {tag}\n") == (1, "", f"the tag {shown} is not allowed")


def test_a_whole_bank_tagged_omap() -> None:
    assert the_problem("--- !!omap\n" + VALID) == (1, "", "the tag !!omap is not allowed")


@pytest.mark.parametrize(
    ("data", "line"),
    [
        pytest.param("---\n" + VALID + "---\n" + VALID, 30, id="two-banks"),
        pytest.param(VALID + "---\n", 29, id="an-empty-second-document"),
        pytest.param(VALID + "...\n---\nbank: 2\n", 30, id="after-an-end-marker"),
        pytest.param("---\n---\n", 2, id="two-empty-documents"),
    ],
)
def test_several_documents(data: str, line: int) -> None:
    assert the_problem(data) == (
        line,
        "",
        "invalid YAML: but found another document (expected a single document in the stream)",
    )


@pytest.mark.parametrize(
    "data",
    [
        "",
        "\n\n",
        "   ",
        "---\n",
        "---\n...\n",
        "# only a comment\n",
        "\ufeff",
        b"\xef\xbb\xbf",
    ],
)
def test_empty_documents(data: str | bytes) -> None:
    assert the_problem(data) == (
        None,
        "",
        "the file is empty; a bank is a mapping with bank, id, title, ...",
    )


def test_tabs_for_indentation() -> None:
    text = edit("  title: The source", "\ttitle: The source")
    line, field, message = the_problem(text)
    assert (line, field) == (6, "")
    assert message.startswith("invalid YAML: ") and "'\\t'" in message
    assert the_problem(VALID.replace("  ", "\t"))[0] == 6


def test_mostly_valid_banks_are_often_valid() -> None:
    """Guards the strategy: the bank properties must see valid banks as well as problems."""

    @settings(LARGE, max_examples=40, derandomize=True)  # the same examples every time
    @given(mostly_valid_banks())
    def sample(data: dict[str, Any]) -> None:
        outcomes.append(isinstance(outcome(dump(data)), Bank))

    outcomes: list[bool] = []
    sample()
    assert 10 <= sum(outcomes) <= 35, f"{sum(outcomes)} valid banks in {len(outcomes)} examples"
