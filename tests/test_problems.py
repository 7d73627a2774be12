"""Tests of the problems of banks and questions as data (quiz.messages) and as the bot says them
(bot.problems): English as before, every template in the catalogs, translated with its values."""

from __future__ import annotations

import gettext
import pickle
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from _pytest.mark.structures import ParameterSet
from babel.messages.extract import extract_from_dir
from pydantic_core import PydanticKnownError

from bot import i18n
from bot.i18n import FSI, PDI, Language
from bot.problems import said, shown
from quiz import bank as quiz_bank
from quiz.bank import MAX_SOURCE_CHARS, BankError, Problem, parse_bank, read_source_text
from quiz.convert import convert_aiken, convert_gift
from quiz.messages import N_, Message, nt
from quiz.polls import PollData, question_from_poll, questions_from_aiken
from tests import test_bank
from tests.test_bank import TYPED, edit

REPO = Path(__file__).resolve().parent.parent
CONVERT = Path(__file__).resolve().parent / "data" / "convert"
# As the Makefile extracts the catalogs (BABEL_KEYWORDS): t, nt(singular, plural, n), N_.
KEYWORDS: dict[str, Any] = {"t": None, "nt": (1, 2), "N_": None}


def cases(test: Callable[..., None]) -> list[tuple[Any, ...]]:
    """The arguments of a parametrized test of tests/test_bank.py: its broken banks."""
    marks = getattr(test, "pytestmark", [])
    mark = next(mark for mark in marks if mark.name == "parametrize")
    return [tuple(case.values) if isinstance(case, ParameterSet) else case for case in mark.args[1]]


def problems_of(data: bytes | str, base_dir: Path | None = None) -> list[Problem]:
    with pytest.raises(BankError) as caught:
        parse_bank(data, filename="bank.yaml", base_dir=base_dir)
    return caught.value.problems


def bank_problems() -> Iterator[Problem]:
    """The problems of every broken bank the bank's tests try, and a few more."""
    for old, new, *_ in cases(test_bank.test_rule_violations):
        yield from problems_of(edit(old, new))
    for old, new, *_ in cases(test_bank.test_hostile_values):
        yield from problems_of(edit(old, new))
    for old, new, *_ in cases(test_bank.test_typed_rule_violations):
        yield from problems_of(edit(old, new, TYPED))
    for data, *_ in cases(test_bank.test_unreadable_files):
        yield from problems_of(data)
    yield from problems_of(test_bank.with_source_file("notes.txt"))  # uploaded: no files
    yield from problems_of(edit("  - id: satans", "  - id: bushehr"))  # an id twice
    yield from problems_of(edit("id: sample\n", "id: sample\nextra: 1\n"))  # an unknown key
    yield from problems_of(edit("title: Sample bank\n", ""))  # a required key missing
    yield from problems_of(edit("language: en", "language: [en]"))
    yield from problems_of(edit("  - id: satans", "  - id: satans\n    type: essay"))
    yield from problems_of(edit("  - id: satans", "  - 5"))  # not a mapping
    yield from problems_of(edit("  - id: satans", "  - id: satans\n    tags: nuclear"))
    yield from problems_of(edit("    answer: false", "    answer: {a: 1}"))
    yield from problems_of(edit("questions:", "visibility: open\nquestions:"))


def source_problems() -> Iterator[Problem]:
    for data in (b"\xff", b"  \n", b"a\x01b", b"x" * (MAX_SOURCE_CHARS + 1)):
        text, problem = read_source_text(data, "notes.txt")
        assert text is None and problem is not None
        yield Problem("", None, "", problem)


def chat_problems() -> Iterator[Problem]:
    """What Aiken text, GIFT and quiz polls sent in chat make, as the bot shows it."""
    for name in ("aiken-malformed.txt",):
        text = (CONVERT / name).read_text(encoding="utf-8")
        yield from questions_from_aiken(text, set()).problems
        for item in convert_aiken(text, bank_id="b", title="B").unsupported:
            yield Problem("", None, "", item.said())
    for name in ("unsupported.gift", "choice.gift", "typed.gift", "truefalse.gift"):
        text = (CONVERT / name).read_text(encoding="utf-8")
        for item in convert_gift(text, bank_id="b", title="B").unsupported:
            yield Problem("", None, "", item.said())
    poll = PollData("Which?", ["Same", "Same"], quiz=True, correct=[0], explanation=None)
    made = question_from_poll(poll, set())
    assert not isinstance(made, str)
    yield from made.problems


@cache
def every_problem() -> tuple[Problem, ...]:
    found = (*bank_problems(), *source_problems(), *chat_problems())
    assert len(found) > 100
    return found


def messages(message: str) -> Iterator[Message]:
    """A message and the messages in its values."""
    if isinstance(message, Message):
        yield message
        for value in message.values.values():
            if isinstance(value, str):
                yield from messages(value)


@cache
def catalog() -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """The messages and plural messages Babel extracts from quiz/, as `make locales` does."""
    singular: set[str] = set()
    plural: set[tuple[str, str]] = set()
    for _, _, message, _, _ in extract_from_dir(
        str(REPO / "quiz"), [("**.py", "python")], keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            plural.add((message[0], message[1]))
        else:
            singular.add(message)
    return frozenset(singular), frozenset(plural)


def test_every_problem_is_said_with_a_template_in_the_catalog() -> None:
    singular, plural = catalog()
    for problem in every_problem():
        assert isinstance(problem.message, Message), problem
        for message in messages(problem.message):
            if message.plural is None:
                assert message.template in singular, (message.template, problem)
            else:
                assert (message.template, message.plural) in plural, (message.template, problem)


def test_english_is_the_problems_own_text() -> None:
    with i18n.speaking(Language.EN):
        for problem in every_problem():
            assert shown(problem) == str(problem)


def test_the_problems_read_as_before() -> None:
    kinds = {str(problem) for problem in every_problem()}
    assert (
        "bank.yaml:2: id: must be 1 to 48 lowercase letters, digits and hyphens, not starting"
        " with a hyphen" in kinds
    )
    assert "bank.yaml: the file is larger than 1,000,000 bytes" in kinds
    assert (
        "bank.yaml:8: source.file: an uploaded bank must carry its source inline as"
        " source.text" in kinds
    )
    assert (
        "line 1: malformed question (no option lines such as 'A. text'): A question without"
        " options" in kinds
    )
    assert "options: the option 'Same' is given twice" in kinds  # a poll: no file, no line
    assert f"'notes.txt' is longer than {MAX_SOURCE_CHARS:,} characters" in kinds


class Marking(gettext.NullTranslations):
    """A language whose every text is the English one marked, each lookup recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.looked_up: list[str] = []

    def gettext(self, message: str) -> str:
        self.looked_up.append(message)
        return "‹" + message + "›"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        self.looked_up.append(msgid1)
        return "‹" + (msgid1 if n == 1 else msgid2) + "›"


def test_problems_are_translated_with_their_values(monkeypatch: pytest.MonkeyPatch) -> None:
    marking = Marking()
    monkeypatch.setattr(i18n, "translations", lambda language: marking)
    with i18n.speaking(Language.RU):
        for problem in every_problem():
            marking.looked_up.clear()
            text = shown(problem)
            templates = [message.template for message in messages(problem.message)]
            assert sorted(marking.looked_up) == sorted(templates)
            assert text.startswith(str(problem).removesuffix(problem.message))
            assert text.endswith("›")
    # The place and the field as they are, the message translated around its values.
    problem = problems_of(edit("answer: Bushehr nuclear power plant", "answer: Minsk"))[0]
    with i18n.speaking(Language.RU):
        assert shown(problem) == (
            "bank.yaml:16: questions[0].answer: ‹'Minsk' is not one of the options›"
        )
    with i18n.speaking(Language.FA):  # right to left: values isolated
        assert shown(problem) == (
            f"bank.yaml:16: questions[0].answer: ‹'{FSI}Minsk{PDI}' is not one of the options›"
        )


class Russian(gettext.NullTranslations):
    """Three plural forms, as Russian has; what is asked is recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[str, str, int]] = []

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        self.asked.append((msgid1, msgid2, n))
        if n % 10 == 1 and n % 100 != 11:
            return "не меньше {n} записи, а не {actual}"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "не меньше {n} записей (2-4), а не {actual}"
        return "не меньше {n} записей, а не {actual}"


def test_plural_forms_are_the_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    russian = Russian()
    monkeypatch.setattr(i18n, "translations", lambda language: russian)
    singular, plural = (
        "needs at least {n} entry, not {actual}",
        "needs at least {n} entries, not {actual}",
    )
    message = nt(singular, plural, 5, actual=1)
    assert message == "needs at least 5 entries, not 1"
    assert nt(singular, plural, 1, actual=0) == "needs at least 1 entry, not 0"
    with i18n.speaking(Language.RU):
        assert said(message) == "не меньше 5 записей, а не 1"
        assert said(nt(singular, plural, 22, actual=1)) == "не меньше 22 записей (2-4), а не 1"
    assert russian.asked == [(singular, plural, 5), (singular, plural, 22)]


def test_a_plain_text_is_shown_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "translations", lambda language: Marking())
    with i18n.speaking(Language.RU):
        assert said("Input should be something rare") == "Input should be something rare"
        assert shown(Problem("b.yaml", 3, "x", "bad {thing}")) == "b.yaml:3: x: bad {thing}"


def test_messages_travel_whole() -> None:
    # Uploads are read in another process: their problems come back with their templates.
    with pytest.raises(BankError) as caught:
        parse_bank(
            edit("answer: Bushehr nuclear power plant", "answer: Minsk"),
            filename="b",
            base_dir=None,
        )
    copy = pickle.loads(pickle.dumps(caught.value))
    message = copy.problems[0].message
    assert isinstance(message, Message)
    assert message.template == "'{answer}' is not one of the options"
    assert message.values == {"answer": "Minsk"}
    skipped = convert_gift("Write.{}", bank_id="b", title="B").unsupported[0].said()
    again = pickle.loads(pickle.dumps(skipped))
    assert isinstance(again, Message) and again == skipped
    assert isinstance(again.values["problem"], Message)


def test_braces_are_literal_without_values() -> None:
    assert Message(N_("the { has no closing }")) == "the { has no closing }"
    assert Message("{x} and {{y}}", {"x": 1}) == "1 and {y}"


@pytest.mark.parametrize(("kind", "template"), sorted(quiz_bank._PYDANTIC_MESSAGES.items()))
def test_pydantic_messages_are_pydantics_own_words(kind: str, template: str) -> None:
    context = {"class_name": "QuestionSpec", "ge": 0, "le": 5, "expected": "'public' or 'private'"}
    expected = PydanticKnownError(kind, context).message()  # type: ignore[arg-type]
    values = {key: context[key] for key in quiz_bank._placeholders(template)}
    assert str(Message(template, values)) == expected
