"""English sentences of the bot found where another language was expected."""

from __future__ import annotations

import re
from functools import cache

from babel.messages.pofile import read_po

from bot import i18n
from tests.conftest import QUESTIONS
from tests.fakebot import Call

# The fields of the bot's calls that carry its own words.
WORDS = ("text", "description", "caption")
_CUT = re.compile(r"\{\w+\}|%\(\w+\)[sd]|<[^>]+>|&\w+;|/\w+|https?://\S+|[\n•:;()\[\]\"“”«»—–-]")
_WORD = re.compile(r"[A-Za-z']+")


_CODE = re.compile(r"<code>.*?</code>", re.S)  # names and examples to type as they are


def _words(text: str) -> str:
    return " ".join(_WORD.findall(_CODE.sub(" ", text))).lower()


@cache
def english_runs() -> frozenset[str]:
    """Every run of three or more English words of the bot's messages that the shipped bank
    does not contain as well (its questions, quotes and article are English)."""
    with (i18n.LOCALES / "messages.pot").open("rb") as pot:
        catalog = read_po(pot)
    content = _words(" ".join(path.read_text(encoding="utf-8") for path in QUESTIONS.rglob("*.*")))
    runs = set()
    for message in catalog:
        for source in message.id if isinstance(message.id, tuple | list) else [message.id]:
            for piece in _CUT.split(source):
                words = _words(piece)
                if words.count(" ") >= 2 and words not in content:
                    runs.add(words)
    return frozenset(runs)


def leaks(calls: list[Call]) -> list[tuple[str, str]]:
    """(run, message) for every English run found in the calls' words."""
    found = []
    for call in calls:
        for field in WORDS:
            value = call.params.get(field)
            if isinstance(value, str):
                words = f" {_words(value)} "
                found += [(run, value) for run in english_runs() if f" {run} " in words]
    return found
