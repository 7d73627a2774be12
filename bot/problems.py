"""What is wrong with a teacher's bank or question, said in the reader's language.

The quiz code says it in English as data (quiz.messages.Message: a template and its values);
here it is said again through the catalogs, with the same template. The place (file, line) and
the field ("questions[3].answer") are the bank's own words and stay as they are.
"""

from __future__ import annotations

from bot.i18n import nt, t
from quiz.bank import Problem
from quiz.messages import Message


def said(message: str) -> str:
    """A message of the quiz code in the current language (plain text, not escaped).

    A plain str (pydantic's own words for a rare error, an operating system's) is shown as it is.
    """
    if not isinstance(message, Message):
        return message
    values = {
        key: said(value) if isinstance(value, Message) else value
        for key, value in message.values.items()
    }
    if message.plural is not None:
        return nt(message.template, message.plural, int(values["n"]), **values)
    return t(message.template, **values)


def shown(problem: Problem) -> str:
    """ "file:line: field: message" with the message in the current language (plain text)."""
    where = problem.file if problem.line is None else f"{problem.file}:{problem.line}"
    return ": ".join(part for part in (where, problem.field, said(problem.message)) if part)
