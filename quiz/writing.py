"""Banks written back out: as the YAML bank file they came from, and as Moodle GIFT.

`parse_bank(bank_to_yaml(bank))` is the same bank again; `quiz.convert.convert` of
`bank_to_gift(bank)` gives back the same questions, within what GIFT can hold (see bank_to_gift).
"""

from __future__ import annotations

import html
import re
from typing import Any

from quiz.bank import TOLERANCE_SIGN, Bank, Question, QuestionKind
from quiz.convert import to_yaml

# --- YAML -------------------------------------------------------------------------------------


def bank_to_data(bank: Bank, *, source_file: str | None = None) -> dict[str, Any]:
    """The bank as the plain data of its file; `source_file` writes `source.file` instead of the
    text inline (a path relative to where the bank file goes, holding bank.source_text)."""
    data: dict[str, Any] = {"bank": 1, "id": bank.id, "title": bank.title}
    if bank.language is not None:
        data["language"] = bank.language
    if bank.visibility is not None:
        data["visibility"] = bank.visibility
    if bank.source_title is not None:
        source: dict[str, Any] = {"title": bank.source_title}
        if bank.source_url is not None:
            source["url"] = bank.source_url
        if source_file is None:
            source["text"] = bank.source_text
        else:
            source["file"] = source_file
        data["source"] = source
    data["questions"] = [question_data(question) for question in bank.questions]
    return data


def bank_to_yaml(bank: Bank, *, source_file: str | None = None) -> str:
    """The bank file: `parse_bank` reads it back as an equal bank (see bank_to_data)."""
    return to_yaml(bank_to_data(bank, source_file=source_file))


def question_data(question: Question) -> dict[str, Any]:
    """One question in the bank format, keys in the order our banks are written in."""
    data: dict[str, Any] = {"id": question.id}
    if question.kind is not QuestionKind.CHOICE:
        data["type"] = question.kind.value
    data["question"] = question.text
    if question.kind is QuestionKind.CHOICE:
        data["options"] = list(question.options)
    if question.kind is QuestionKind.NUMERIC:
        data.update(numeric_fields(question))
    else:
        data["answer"] = _answer(question)
    if question.explanation is not None:
        data["explanation"] = question.explanation
    if question.quote is not None:
        data["quote"] = question.quote
    if question.tags:
        data["tags"] = list(question.tags)
    return data


def _answer(question: Question) -> bool | str | list[str]:
    if question.kind is QuestionKind.TRUE_FALSE:
        return question.correct == {0}
    right = list(question.correct_texts)  # a short answer's options are its accepted answers
    return right[0] if len(right) == 1 else right


def numeric_fields(question: Question) -> dict[str, int | float]:
    """A numeric question's `answer` (and `tolerance`), or `min` and `max`.

    The answer and tolerance are read from the answer as shown ("2013 ± 1"): its range alone
    would give them back only up to rounding (0.1 ± 0.2 is -0.1 to 0.30000000000000004).
    """
    assert question.numeric is not None
    answer, sign, tolerance = question.options[0].partition(TOLERANCE_SIGN)
    if sign:
        return {"answer": _shown_number(answer), "tolerance": _shown_number(tolerance)}
    low, high = question.numeric.low, question.numeric.high
    return {"answer": low} if low == high else {"min": low, "max": high}


def _shown_number(text: str) -> int | float:
    """A number as quiz.bank shows it: an int when written as one (10**20 stays exact)."""
    return int(text) if re.fullmatch(r"-?[0-9]+", text) else float(text)


# --- GIFT -------------------------------------------------------------------------------------

_GIFT_SPECIAL = str.maketrans({char: "\\" + char for char in "~=#{}:\\"} | {"\n": "\\n"})
_CATEGORY_ROOT = "$course$/top"


def bank_to_gift(bank: Bank) -> str:
    """The bank's questions in Moodle GIFT, one question a line, ids as `::titles::`.

    GIFT has no place for the bank's id, title (written as a comment), language or source, nor for
    a question's quote: those are left out. A question's first tag is its `$CATEGORY`. Every
    GIFT special character is escaped. Read back, whitespace within a line comes back as one
    space, as GIFT readers collapse it, and an option's line breaks as spaces.
    """
    lines = [f"// {' '.join(bank.title.split())}", ""]
    category: str | None = None
    for question in bank.questions:
        tag = question.tags[0] if question.tags else None
        if tag != category:
            path = _CATEGORY_ROOT if tag is None else f"{_CATEGORY_ROOT}/{tag}"
            lines += [f"$CATEGORY: {path}", ""]
            category = tag
        lines += [f"::{question.id}::{_gift_text(question.text)} {{{_gift_answers(question)}}}", ""]
    return "\n".join(lines)


def _gift_answers(question: Question) -> str:
    """What goes between the braces."""
    feedback = "" if question.explanation is None else "#" + _gift_text(question.explanation)
    if question.kind is QuestionKind.TRUE_FALSE:
        value = "T" if question.correct == {0} else "F"
        # Moodle shows the first feedback to whoever answers wrong, the second to the others:
        # the bot shows the explanation to everyone.
        return value + feedback * 2
    if question.kind is QuestionKind.NUMERIC:
        fields = numeric_fields(question)
        if "min" in fields:
            value = f"{_gift_number(fields['min'])}..{_gift_number(fields['max'])}"
        else:
            value = _gift_number(fields["answer"])
            if "tolerance" in fields:
                value += f":{_gift_number(fields['tolerance'])}"
        return f"#{value}{feedback}"
    if question.kind is QuestionKind.SHORT_ANSWER:
        return " ".join(
            f"={_short_answer_text(text)}" + (_short_answer_feedback(question) if i == 0 else "")
            for i, text in enumerate(question.options)
        )
    return _gift_choice(question, feedback)


def _gift_choice(question: Question, feedback: str) -> str:
    """`=right ~wrong`; several right answers share the credit, `~%50%`, and wrong ones lose it."""
    several = len(question.correct) > 1
    weight = f"%{100 / len(question.correct):.5f}".rstrip("0").rstrip(".") + "%"
    parts: list[str] = []
    noted = False
    for index, option in enumerate(question.options):
        text = _gift_text(option)
        if index not in question.correct:
            parts.append(f"~%-100%{text}" if several else f"~{text}")
            continue
        parts.append((f"~{weight}{text}" if several else f"={text}") + ("" if noted else feedback))
        noted = True  # the explanation once, with the first right answer
    return " ".join(parts)


def _short_answer_feedback(question: Question) -> str:
    if question.explanation is None:
        return ""
    return "#" + _short_answer_text(question.explanation)


def _short_answer_text(text: str) -> str:
    """A short answer's text or feedback. With `->` in it, readers (Moodle's and ours) take the
    block for a matching question: written as HTML, `-&gt;` reads back as `->`."""
    if "->" not in text:
        return _gift_text(text)
    escaped = html.escape(text.replace("\r\n", "\n").replace("\r", "\n"), quote=False)
    return "[html]" + escaped.replace("\n", "<br>").translate(_GIFT_SPECIAL)


def _gift_text(text: str) -> str:
    """A text with GIFT's special characters escaped, its line breaks written `\\n`.

    A text starting with `[` or `%` could read as a format marker (`[html]`) or a weight
    (`%50%`): an explicit `[plain]` marker goes first.
    """
    escaped = text.replace("\r\n", "\n").replace("\r", "\n").translate(_GIFT_SPECIAL)
    return "[plain]" + escaped if escaped.startswith(("[", "%")) else escaped


def _gift_number(number: float) -> str:
    """A number as GIFT's numerical answers are written: 1822, 0.5, 1e+20."""
    return repr(number)
