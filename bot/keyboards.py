"""Inline keyboards and the callback data they carry (always well under 64 bytes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.texts import option_label, plural
from storage.banks import BankSummary

# Callback data prefixes: q = start quiz on a bank, a = answer, t = toggle (multi), d = done,
# x = delete a bank (confirmed or not), r = start a review.
START_QUIZ = "q"
START_REVIEW = "r"
DELETE_BANK = "x"
ANSWER = "a"
TOGGLE = "t"
DONE = "d"
ROW_WIDTH = 6


@dataclass(frozen=True)
class AnswerData:
    """A pressed answer button: the quiz item and the shown options chosen (bit mask)."""

    action: str
    item_id: int
    mask: int

    @property
    def shown(self) -> list[int]:
        """The shown option indices in the mask."""
        return [i for i in range(self.mask.bit_length()) if self.mask >> i & 1]


def parse_answer(data: str) -> AnswerData | None:
    """Decode answer/toggle/done data; None for anything we never issued."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] not in (ANSWER, TOGGLE, DONE):
        return None
    try:
        item_id, mask = int(parts[1]), int(parts[2])
    except ValueError:
        return None
    if item_id <= 0 or not 0 <= mask < 1 << 12:
        return None
    return AnswerData(parts[0], item_id, mask)


def bank_buttons(banks: Sequence[BankSummary]) -> InlineKeyboardMarkup:
    """One button per bank that starts a quiz on it."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{b.title} ({plural(b.questions, 'question')})",
                    callback_data=f"{START_QUIZ}:{b.id}",
                )
            ]
            for b in banks
        ]
    )


def review_now() -> InlineKeyboardMarkup:
    """One button that starts a review of the due questions."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.review_button(), callback_data=f"{START_REVIEW}:")]]
    )


def confirm_delete(bank_id: str) -> InlineKeyboardMarkup:
    """Delete or keep a bank: nothing is hidden until the teacher presses Delete."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("🗑 Delete", callback_data=f"{DELETE_BANK}:yes:{bank_id}"),
                InlineKeyboardButton("Keep it", callback_data=f"{DELETE_BANK}:no:{bank_id}"),
            ]
        ]
    )


def answer_buttons(item_id: int, option_count: int) -> InlineKeyboardMarkup:
    """A, B, C… buttons for a single-answer question."""
    buttons = [
        InlineKeyboardButton(option_label(i), callback_data=f"{ANSWER}:{item_id}:{1 << i}")
        for i in range(option_count)
    ]
    return InlineKeyboardMarkup(_rows(buttons))


def toggle_buttons(item_id: int, option_count: int, selected: int) -> InlineKeyboardMarkup:
    """Tick boxes for a question with several right answers, then Done.

    The selection lives in the buttons' data, so no state is kept between presses.
    """
    buttons = [
        InlineKeyboardButton(
            ("☑️ " if selected >> i & 1 else "") + option_label(i),
            callback_data=f"{TOGGLE}:{item_id}:{selected ^ (1 << i)}",
        )
        for i in range(option_count)
    ]
    done = InlineKeyboardButton("Done", callback_data=f"{DONE}:{item_id}:{selected}")
    return InlineKeyboardMarkup([*_rows(buttons), [done]])


def _rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + ROW_WIDTH] for i in range(0, len(buttons), ROW_WIDTH)]
