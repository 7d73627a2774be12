"""What the quiz code says to people, as data the bot translates: an English template and values.

quiz/ knows no language but English and imports nothing of the bot, so it cannot translate.
It says things as a `Message`: a str holding the English text, as the command line and the logs
print it and as the tests read it, which also carries the template it was made from and the
values that fill it. The bot says it again in the reader's language (bot/problems.py) with the
same template, which Babel extracts into the catalogs from here: a template is a string literal
marked with `N_`, or the two forms given to `nt`, and its `{placeholders}` are filled with
str.format (with values, literal braces are doubled; without, the template is the text).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def N_(message: str) -> str:  # gettext's own name for "translate later"
    """Mark a template for the catalogs; the bot translates it where it is shown."""
    return message


class Message(str):
    """An English text that knows how it was made: `template` filled from `values`.

    With `plural`, `template` is the singular form and `values["n"]` the number that picks the
    form (by the reader's language's rules once translated). A value may be a Message itself,
    said in the same language around it. Equal to any str with the same text.
    """

    template: str
    values: Mapping[str, Any]
    plural: str | None

    def __new__(
        cls, template: str, values: Mapping[str, Any] | None = None, plural: str | None = None
    ) -> Message:
        values = dict(values or {})
        if plural is not None:
            form = template if values["n"] == 1 else plural
            text = form.format(**values)
        else:
            text = template.format(**values) if values else template
        message = super().__new__(cls, text)
        message.template, message.values, message.plural = template, values, plural
        return message

    def __reduce__(self) -> tuple[type[Message], tuple[str, dict[str, Any], str | None]]:
        # Made again from its parts (problems come back from the worker that reads uploads).
        return type(self), (self.template, dict(self.values), self.plural)


def said(template: str, /, **values: Any) -> Message:
    """A message: `said(N_("'{answer}' is not one of the options"), answer=text)`."""
    return Message(template, values)


def nt(singular: str, plural: str, n: int, /, **values: Any) -> Message:
    """A message with plural forms, `{n}` being `n`: the signature of bot.i18n.nt, whose name it
    has so that Babel extracts both forms as one plural message (`-k nt:1,2`). It translates
    nothing: the bot does, when it shows the message."""
    return Message(singular, {"n": n, **values}, plural)
