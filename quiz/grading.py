"""Typed answers graded the way a teacher would: leniently, and saying what was forgiven.

A short answer is right when, compared in the form quiz.answertext gives it (case, accents,
punctuation, spaces and a leading article ignored), it is one of the accepted answers, or all but
a typo or two (optimal string alignment: an insertion, deletion, substitution, or swap of two
neighbouring letters): one in answers of 5 letters or more, two from 10 letters. The digits must
be the same, typo or not: "Apollo 12" is not "Apollo 11".

A numeric reply is read as one number, with words around it if any ("about 2013", "5 km"):

- a point is always a decimal point: 2013.0, -3.5, .5, 1e3;
- a comma followed by groups of exactly three digits separates thousands, when the number
  starts with 1 to 3 digits other than a lone 0: 2,013 and 1,234,567.5; but one such comma
  alone may be a decimal comma too, as Russian and Persian write it: 1,500 is right for 1500
  and for 1.5;
- any other comma is a decimal comma: 2,5 and 0,125 and 2,0135;
- spaces (and non-breaking or thin spaces) separate thousands the same way: 10 000, 1 234,5;
- digits of any script count (٢٠١٣, ２０１３).

It is right within the question's range, both ends included (with a relative slack of 1e-9,
so that 1.1 ± 0.1 takes 1.0 despite floating point).

Some replies are not answers, and count for nothing: empty once punctuation, symbols and emoji
are left out; longer than MAX_REPLY_CHARS (refused before any other work); for a numeric
question, no number or several; for a short answer, letters only in scripts none of the accepted
answers is written in (another keyboard layout or language).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rapidfuzz.distance import OSA

from quiz.answertext import normalize_answer, scripts
from quiz.bank import NumericRange, Question, QuestionKind

MAX_REPLY_CHARS = 200  # twice the longest short answer a bank accepts
# Typos forgiven by the number of letters of the accepted answer: (letters from, typos).
TYPO_STEPS = ((10, 2), (5, 1))
_SLACK = 1e-9


class Verdict(StrEnum):
    """What a typed reply was."""

    RIGHT = "right"
    WRONG = "wrong"
    NOT_AN_ANSWER = "not_an_answer"  # ask again; nothing is counted


class Refusal(StrEnum):
    """Why a reply is not an answer."""

    EMPTY = "empty"  # nothing left once spaces, punctuation, symbols and emoji are left out
    TOO_LONG = "too_long"  # over MAX_REPLY_CHARS
    NO_NUMBER = "no_number"  # a numeric question's reply without a number
    SEVERAL_NUMBERS = "several_numbers"  # ... with more than one
    WRONG_SCRIPT = "wrong_script"  # letters only in scripts no accepted answer is written in


@dataclass(frozen=True)
class TypedGrade:
    """The grade of one typed reply.

    `matched` is the accepted answer the reply was taken for, as the bank writes it (for a
    numeric question, its answer as shown); `typos` the typos forgiven to take it; `number` the
    number a numeric reply was read as.
    """

    verdict: Verdict
    refusal: Refusal | None = None  # set when verdict is NOT_AN_ANSWER
    matched: str | None = None  # set when verdict is RIGHT
    typos: int = 0
    number: float | None = None

    @property
    def correct(self) -> bool:
        """Whether the reply counts as right."""
        return self.verdict is Verdict.RIGHT

    @property
    def typo_forgiven(self) -> bool:
        """Right, but not as the accepted answer is spelled: the feedback shows the spelling."""
        return self.typos > 0


def grade_typed(question: Question, reply: str) -> TypedGrade:
    """Grade a reply to a short_answer or numeric question; ValueError for another kind."""
    kind = QuestionKind(question.kind)  # a plain str too, as a question read back from storage
    if not kind.typed:
        raise ValueError(f"question {question.id!r} is a {kind} question, not a typed one")
    text = reply.strip()
    if len(text) > MAX_REPLY_CHARS:
        return _not_an_answer(Refusal.TOO_LONG)
    key = normalize_answer(text)
    if not key:  # a number was asked for: say so, not "type words"
        return _not_an_answer(Refusal.NO_NUMBER if kind is QuestionKind.NUMERIC else Refusal.EMPTY)
    if kind is QuestionKind.SHORT_ANSWER:
        return _grade_text(question.options, key)
    if question.numeric is None:
        raise ValueError(f"numeric question {question.id!r} has no range")
    return _grade_number(question.numeric, question.options[0], text)


def _not_an_answer(refusal: Refusal) -> TypedGrade:
    return TypedGrade(Verdict.NOT_AN_ANSWER, refusal=refusal)


# --- short answers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Accepted:
    text: str  # as the bank writes it
    key: str  # normalized
    digits: str
    typos: int  # forgiven at most


@lru_cache(maxsize=1024)
def _accepted(answers: tuple[str, ...]) -> tuple[tuple[_Accepted, ...], frozenset[str]]:
    """The accepted answers ready to compare, and their scripts: the same for every reply."""
    accepted = tuple(
        _Accepted(text, key, _digits(key), typos_forgiven(sum(map(str.isalpha, key))))
        for text in answers
        if (key := normalize_answer(text))
    )
    return accepted, frozenset().union(*(scripts(answer.key) for answer in accepted))


def typos_forgiven(letters: int) -> int:
    """How many typos an accepted answer of this many letters forgives."""
    return next((typos for least, typos in TYPO_STEPS if letters >= least), 0)


def _digits(key: str) -> str:
    return "".join(filter(str.isdigit, key))


def _grade_text(answers: tuple[str, ...], key: str) -> TypedGrade:
    accepted, answer_scripts = _accepted(answers)
    for answer in accepted:
        if answer.key == key:
            return TypedGrade(Verdict.RIGHT, matched=answer.text)
    reply_scripts = scripts(key)
    if reply_scripts and answer_scripts and reply_scripts.isdisjoint(answer_scripts):
        return _not_an_answer(Refusal.WRONG_SCRIPT)
    digits = _digits(key)
    best: tuple[int, _Accepted] | None = None
    for answer in accepted:
        if answer.typos and answer.digits == digits:
            typos = OSA.distance(key, answer.key, score_cutoff=answer.typos)
            if typos <= answer.typos and (best is None or typos < best[0]):
                best = (typos, answer)
    if best is None:
        return TypedGrade(Verdict.WRONG)
    return TypedGrade(Verdict.RIGHT, matched=best[1].text, typos=best[0])


# --- numbers ----------------------------------------------------------------------------------

# The alternatives are tried in order, each with bounded repeats: a reply (at most
# MAX_REPLY_CHARS) is read in time linear in its length.
_NUMBER = re.compile(
    r"""
    (?P<sign>[-+\u2212])?
    (?:
        (?P<commas>[1-9]\d{0,2}(?:,\d{3})+)(?!\d|,\d)(?P<point>\.\d+)?
      | (?P<spaces>[1-9]\d{0,2}(?:[ \u00a0\u202f]\d{3})+)(?!\d)(?P<fraction>[.,]\d+)?
      | (?P<plain>\d+(?:[.,]\d+)?|\.\d+)
    )
    (?P<exponent>[eE][-+]?\d+)?
    """,
    re.VERBOSE,
)


def read_numbers(text: str, most: int = 2) -> list[float]:
    """The first `most` numbers in a reply, read as the module's docstring says."""
    return [_value(found) for found in itertools.islice(_NUMBER.finditer(text), most)]


def _decimal_comma(found: re.Match[str]) -> float | None:
    """The other reading of a number with one thousands comma and nothing after its three
    digits (1,500 as 1.5), if it has one."""
    commas = found["commas"]
    if not commas or commas.count(",") != 1 or found["point"] or found["exponent"]:
        return None
    sign = "-" if found["sign"] in ("-", "\u2212") else ""
    return float(sign + commas.replace(",", "."))


def _value(found: re.Match[str]) -> float:
    if found["commas"]:
        digits = found["commas"].replace(",", "") + (found["point"] or "")
    elif found["spaces"]:
        digits = "".join(found["spaces"].split()) + (found["fraction"] or "").replace(",", ".")
    else:
        digits = found["plain"].replace(",", ".")
    sign = "-" if found["sign"] in ("-", "\u2212") else ""
    return float(sign + digits + (found["exponent"] or ""))


def _grade_number(numeric: NumericRange, shown: str, text: str) -> TypedGrade:
    found = list(itertools.islice(_NUMBER.finditer(text), 2))
    if not found:
        return _not_an_answer(Refusal.NO_NUMBER)
    if len(found) > 1:
        return _not_an_answer(Refusal.SEVERAL_NUMBERS)
    number = _value(found[0])
    slack = _SLACK * max(1.0, abs(numeric.low), abs(numeric.high))
    for reading in (number, _decimal_comma(found[0])):
        if reading is not None and numeric.low - slack <= reading <= numeric.high + slack:
            return TypedGrade(Verdict.RIGHT, matched=shown, number=reading)
    return TypedGrade(Verdict.WRONG, number=number)
