"""The bot's languages: GNU gettext catalogs (managed with Babel) and the language in use.

The language of the update being handled lives in a context variable, as in aiogram's i18n
middleware: the update processor sets it once per update (bot/languages.py), every text in
bot/texts.py reads it, and code that speaks without an update (reminders, round timers, the web)
sets it with `speaking(language)`. Each asyncio task has its own context, so concurrent updates
in different languages never see each other's.

Texts are whole sentences with named placeholders: `t("Hi {name}!", name=...)`, and
`nt("{n} question", "{n} questions", count)` for plurals, which follow each language's rules
(Russian has three forms). In a right-to-left language every placeholder's value is wrapped in
Unicode isolation marks, so a bank id, a number or a `<code>` span keeps its own direction
inside Persian text.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any
from unicodedata import bidirectional

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"


class Language(StrEnum):
    """The languages the bot speaks; English is the source of every text."""

    EN = "en"
    RU = "ru"
    FA = "fa"

    @property
    def native_name(self) -> str:
        """The language's name in itself: what its speakers look for on a button."""
        return _NATIVE_NAMES[self]

    @property
    def right_to_left(self) -> bool:
        """Persian is written right to left."""
        return self is Language.FA


_NATIVE_NAMES = {Language.EN: "English", Language.RU: "Русский", Language.FA: "فارسی"}
DEFAULT = Language.EN
_current: ContextVar[Language] = ContextVar("language", default=DEFAULT)

# First strong isolate and pop directional isolate (Unicode TR9): the value between them is laid
# out on its own, whatever the direction of the sentence around it.
FSI, PDI = "\u2068", "\u2069"


def language_of(code: str | None) -> Language | None:
    """The bot's language for a code such as Telegram's `language_code` ("ru", "pt-BR"), if any."""
    if not code:
        return None
    try:
        return Language(code.replace("_", "-").split("-")[0].lower())
    except ValueError:
        return None


def current() -> Language:
    """The language of what is being said now."""
    return _current.get()


@contextmanager
def speaking(language: Language) -> Iterator[None]:
    """Speak `language` inside the block (texts made outside an update: timers, the web)."""
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


def use(language: Language) -> None:
    """Speak `language` for the rest of this task's context (one update's handling)."""
    _current.set(language)


@cache
def translations(language: Language) -> _gettext.NullTranslations:
    """The compiled catalog of a language (English needs none: the source texts are English)."""
    if language is DEFAULT:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALES, languages=[language.value])


def gettext(message: str) -> str:
    """`message` in the current language."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the number `n`, by the current language's plural rule."""
    return translations(current()).ngettext(singular, plural, n)


def isolate(value: object) -> str:
    """`value` as text, isolated from the sentence's direction: every value in a right-to-left
    language, and a right-to-left one (a Persian name) in a left-to-right language."""
    return _isolated(str(value), current().right_to_left)


def _isolated(text: str, always: bool) -> str:
    if text and (always or _right_to_left(text)):
        return f"{FSI}{text}{PDI}"
    return text


def _right_to_left(text: str) -> bool:
    """Whether `text` has a letter written right to left (Arabic script, Hebrew)."""
    return not text.isascii() and any(bidirectional(char) in ("R", "AL") for char in text)


def _filled(text: str, values: dict[str, Any]) -> str:
    """`text` with its `{placeholders}` filled, each value isolated (see `isolate`)."""
    if not values:
        return text
    always = current().right_to_left  # read once: texts fill several values on an answer's path
    return text.format(**{key: _isolated(str(value), always) for key, value in values.items()})


def t(message: str, /, **values: Any) -> str:
    """`message` translated, with its `{placeholders}` filled (isolated where right to left)."""
    return _filled(gettext(message), values)


def nt(singular: str, plural: str, n: int, /, **values: Any) -> str:
    """The plural form for `n`, translated and filled; `{n}` is `n` unless given."""
    values.setdefault("n", n)
    return _filled(ngettext(singular, plural, n), values)


def N_(message: str) -> str:  # gettext's own name for "translate later"
    """Mark a text for the catalogs where it is defined; `t(...)` translates it where shown."""
    return message
