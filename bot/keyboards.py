"""Inline keyboards; their callback data is made by bot.callbacks (typed, size-checked)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks, texts
from bot.callbacks import Action
from bot.i18n import Language, nt
from bot.texts import option_label
from storage.banks import BankSummary

ROW_WIDTH = 6
ANSWERS = (Action.ANSWER, Action.TOGGLE, Action.DONE)  # the buttons of a question


@dataclass(frozen=True)
class AnswerData:
    """A pressed answer button: the quiz item and the shown options chosen (bit mask)."""

    action: Action
    item_id: int
    mask: int

    @property
    def shown(self) -> list[int]:
        """The shown option indices in the mask."""
        return [i for i in range(self.mask.bit_length()) if self.mask >> i & 1]


def parse_answer(data: str | None) -> AnswerData | None:
    """Decode answer/toggle/done data; None for anything we never issued."""
    pressed = callbacks.decode(data)
    if pressed is None or pressed.action not in ANSWERS or len(pressed.fields) != 2:
        return None
    item_id, mask = pressed.number(0), pressed.number(1)
    if item_id is None or mask is None or item_id <= 0 or mask >= 1 << 12:
        return None
    return AnswerData(pressed.action, item_id, mask)


def bank_buttons(banks: Sequence[BankSummary]) -> InlineKeyboardMarkup:
    """One button per bank that starts a quiz on it."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    nt(
                        "{title} ({n} question)",
                        "{title} ({n} questions)",
                        b.questions,
                        title=b.title,
                    ),
                    callback_data=callbacks.encode(Action.START_QUIZ, b.id),
                )
            ]
            for b in banks
        ]
    )


def review_now() -> InlineKeyboardMarkup:
    """One button that starts a review of the due questions."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.review_button(), callback_data=callbacks.encode(Action.START_REVIEW)
                )
            ]
        ]
    )


def confirm_delete(bank_id: str) -> InlineKeyboardMarkup:
    """Delete or keep a bank: nothing is hidden until the teacher presses Delete."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.delete_button(),
                    callback_data=callbacks.encode(Action.DELETE_BANK, "yes", bank_id),
                ),
                InlineKeyboardButton(
                    texts.keep_bank_button(),
                    callback_data=callbacks.encode(Action.DELETE_BANK, "no", bank_id),
                ),
            ]
        ]
    )


def answer_buttons(item_id: int, option_count: int) -> InlineKeyboardMarkup:
    """A, B, C… buttons for a single-answer question."""
    buttons = [
        InlineKeyboardButton(
            option_label(i), callback_data=callbacks.encode(Action.ANSWER, item_id, 1 << i)
        )
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
            callback_data=callbacks.encode(Action.TOGGLE, item_id, selected ^ (1 << i)),
        )
        for i in range(option_count)
    ]
    done = InlineKeyboardButton(
        texts.done_button(), callback_data=callbacks.encode(Action.DONE, item_id, selected)
    )
    return InlineKeyboardMarkup([*_rows(buttons), [done]])


def _rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + ROW_WIDTH] for i in range(0, len(buttons), ROW_WIDTH)]


def language_buttons(now: Language) -> InlineKeyboardMarkup:
    """One button per language, named in itself; the one spoken now is ticked."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"✓ {language.native_name}" if language is now else language.native_name,
                    callback_data=callbacks.encode(Action.LANGUAGE, language.value),
                )
                for language in Language
            ]
        ]
    )
