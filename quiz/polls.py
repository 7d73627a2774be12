"""Questions a teacher makes in chat: a quiz poll sent to the bot, or questions pasted as Aiken.

Each becomes a question as the bank file writes it (a plain dict), checked by the bank format
itself: what is added to a draft is what the bank, once saved, will hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from quiz.bank import BankError, Problem, parse_bank
from quiz.convert import MAX_ID_CHARS, convert_aiken, slug, to_yaml

# Aiken, recognised as the converter does: a line "ANSWER: X" after the options.
_AIKEN_ANSWER = re.compile(r"^[ \t]*ANSWER[ \t]*:", re.MULTILINE)


@dataclass(frozen=True)
class PollData:
    """A poll as Telegram delivers it to the bot."""

    question: str
    options: Sequence[str]
    quiz: bool
    correct: Sequence[int]  # empty when Telegram does not reveal it (a forwarded quiz)
    explanation: str | None


class Refusal(StrEnum):
    """Why a poll cannot be a question."""

    NOT_A_QUIZ = "not_a_quiz"  # a regular poll: nothing is right in it
    ANSWER_HIDDEN = "answer_hidden"  # a forwarded quiz: Telegram tells bots no right answer


@dataclass(frozen=True)
class Made:
    """Questions made from what the teacher sent, or the problems that kept them out.

    The problems have no file nor line (the teacher sent none): a question's field, such as
    "options[1]", or nothing but what Aiken text could not make ("line 3: …").
    """

    questions: list[dict[str, Any]]
    problems: list[Problem]


def question_from_poll(poll: PollData, taken: set[str]) -> Made | Refusal:
    """The question a quiz poll makes, with an id not in `taken`; why not, when it makes none."""
    if not poll.quiz:
        return Refusal.NOT_A_QUIZ
    if not poll.correct:
        return Refusal.ANSWER_HIDDEN
    right = [poll.options[i] for i in sorted(set(poll.correct)) if 0 <= i < len(poll.options)]
    question: dict[str, Any] = {
        "id": unique_id(poll.question, taken),
        "question": poll.question,
        "options": list(poll.options),
        "answer": right[0] if len(right) == 1 else right,
    }
    if poll.explanation:
        question["explanation"] = poll.explanation
    return checked([question])


def looks_like_aiken(text: str) -> bool:
    """Whether pasted text is Aiken (an ANSWER: line), to be read as questions."""
    return _AIKEN_ANSWER.search(text) is not None


def questions_from_aiken(text: str, taken: set[str]) -> Made:
    """The questions of pasted Aiken text, with ids not in `taken`; the ones left out, why."""
    conversion = convert_aiken(text, bank_id="draft", title="Draft")
    made: list[dict[str, Any]] = []
    for question in conversion.bank.get("questions", []):
        question["id"] = unique_id(question["question"], taken)
        made.append(question)
    problems = [Problem("", None, "", u.said()) for u in conversion.unsupported]
    result = checked(made)
    return Made(result.questions, problems + result.problems)


def checked(questions: list[dict[str, Any]]) -> Made:
    """The questions if the bank format takes them all, else none and every problem."""
    if not questions:
        return Made([], [])
    bank = {"bank": 1, "id": "draft", "title": "Draft", "questions": questions}
    try:
        parse_bank(to_yaml(bank), filename="draft", base_dir=None)
    except BankError as error:
        return Made([], [_said(p) for p in error.problems])
    return Made(questions, [])


def _said(problem: Problem) -> Problem:
    """A problem without the file and its line numbers: the teacher sent no file."""
    where = problem.field.split(".", 1)[1] if "." in problem.field else problem.field
    return Problem("", None, where, problem.message)


def unique_id(text: str, taken: set[str]) -> str:
    """A question id made from its text, not in `taken` (and then taken)."""
    made = first_free(slug(text, MAX_ID_CHARS - 4) or "question", taken.__contains__)
    taken.add(made)
    return made


def bank_id_for(title: str, exists: Callable[[str], bool]) -> str:
    """A new bank's id made from its title, one that does not exist yet."""
    return first_free(slug(title, MAX_ID_CHARS - 4) or "bank", exists)


def first_free(base: str, used: Callable[[str], bool]) -> str:
    """`base`, or the first of base-2, base-3, … that is not used."""
    candidate, number = base, 1
    while used(candidate):
        number += 1
        candidate = f"{base}-{number}"
    return candidate
