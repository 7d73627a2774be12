"""One codec for the callback data of every button the bot sends: typed, versioned and
size-checked, with the pattern each CallbackQueryHandler registers.

Data is `<version><action>:<field>:<field>…`: the version lets a later release tell its own
buttons from older ones (an old message's button then gets a clear "this button is old"), the
action picks the one handler that takes it, and Telegram's 64-byte limit is checked when the
button is made, not when Telegram refuses the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

VERSION = "1"
MAX_BYTES = 64  # Telegram's limit for callback_data
SEPARATOR = ":"


class Action(StrEnum):
    """What a button does; each value is the data's prefix after the version."""

    START_QUIZ = "q"  # bank id
    START_REVIEW = "r"  # (nothing)
    DELETE_BANK = "x"  # "yes" or "no", bank id
    ANSWER = "a"  # quiz item id, shown options chosen (bit mask)
    TOGGLE = "t"  # quiz item id, bit mask after the toggle
    DONE = "d"  # quiz item id, bit mask
    UNDO = "u"  # draft question id
    KEEP = "k"  # proposed question id
    DROP = "y"  # proposed question id
    EDIT_DELETE = "ed"  # question row id
    EDIT_REPLACE = "er"  # question row id
    EDIT_PAGE = "ep"  # page number, bank id
    LANGUAGE = "l"  # language code


@dataclass(frozen=True)
class Pressed:
    """Decoded callback data: the action and its fields, as strings."""

    action: Action
    fields: tuple[str, ...]

    def number(self, index: int) -> int | None:
        """Field `index` as a non-negative integer; None when it is not one (forged data)."""
        field = self.fields[index] if index < len(self.fields) else ""
        if not (field.isascii() and field.isdigit()):  # "²" is a digit int() refuses
            return None
        return int(field)

    def text(self, index: int) -> str | None:
        """Field `index`, or None when missing."""
        return self.fields[index] if index < len(self.fields) else None


def encode(action: Action, *fields: object) -> str:
    """The callback data of a button; ValueError when it would not fit or not decode."""
    parts = [str(f) for f in fields]
    if any(SEPARATOR in part for part in parts):
        raise ValueError(f"a callback field holds {SEPARATOR!r}: {parts!r}")
    data = SEPARATOR.join([VERSION + action.value, *parts])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Pressed | None:
    """The action and fields of data this bot made; None for anything else."""
    if not data or not data.startswith(VERSION):
        return None
    head, *fields = data[len(VERSION) :].split(SEPARATOR)
    try:
        action = Action(head)
    except ValueError:
        return None
    return Pressed(action, tuple(fields))


def not_ours(data: object) -> bool:
    """Data this bot did not make (an older release's button, or forged): the pattern of the
    handler that answers it, so that no other handler takes what is not its own."""
    return not isinstance(data, str) or decode(data) is None


def pattern(*actions: Action) -> re.Pattern[str]:
    """What a CallbackQueryHandler for these actions takes, and nothing else."""
    heads = "|".join(re.escape(a.value) for a in actions)
    return re.compile(rf"^{re.escape(VERSION)}(?:{heads})(?:{SEPARATOR}|$)")
