"""Editing a saved bank in chat: /edit (delete or replace a question), /bankfile (its file).

Each change is a new version of the bank, stored the way a re-upload is (bot.library), so
learners' history is kept: an unchanged question keeps its statistics and its learners' cards.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks, texts
from bot.access import is_admin, owns, person
from bot.callbacks import Action
from bot.context import Context, QuizApplication
from bot.handlers.common import reply, teacher_sender
from bot.library import import_bank
from bot.problems import shown
from quiz.bank import Bank, parse_bank
from quiz.convert import to_yaml
from quiz.polls import Made, Refusal
from quiz.writing import bank_to_gift, bank_to_yaml
from storage import banks, drafts
from storage.banks import SaveResult
from storage.drafts import Waiting, WaitState
from storage.models import QuestionRow

PAGE = 8  # questions a page of /edit lists


async def edit_command(update: Update, context: Context) -> None:
    """/edit <bank-id>: the bank's questions, a page at a time, with Delete and Replace."""
    user = await teacher_sender(update, context)
    if user is None:
        return
    if not context.args:
        await reply(update, texts.edit_usage())
        return
    bank_id = context.args[0].strip().lower()
    page = await context.db.run(lambda session: _page(session, context, user, bank_id, 0))
    if page is None:
        await reply(update, texts.not_your_bank(bank_id))
        return
    await reply(update, *page)


def _page(
    session: Session, context: Context, user_id: int, bank_id: str, number: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    """A page of the bank's questions with their buttons; None when it is not the user's."""
    bank = banks.get_bank(session, bank_id)
    if bank is None or bank.deleted_at is not None or not owns(context.settings, bank, user_id):
        return None
    questions = banks.active_questions(session, bank_id)
    pages = max(1, -(-len(questions) // PAGE))
    number = min(max(number, 0), pages - 1)
    shown = list(enumerate(questions, 1))[number * PAGE : (number + 1) * PAGE]
    text = texts.edit_page(bank.id, bank.title, bank.version, [(n, q.text) for n, q in shown])
    rows = [
        [
            InlineKeyboardButton(
                texts.delete_question_button(n),
                callback_data=callbacks.encode(Action.EDIT_DELETE, q.id),
            ),
            InlineKeyboardButton(
                texts.replace_question_button(n),
                callback_data=callbacks.encode(Action.EDIT_REPLACE, q.id),
            ),
        ]
        for n, q in shown
    ]
    turns = [
        InlineKeyboardButton(label, callback_data=callbacks.encode(Action.EDIT_PAGE, to, bank.id))
        for label, to in (("◀️", number - 1), ("▶️", number + 1))
        if 0 <= to < pages
    ]
    if turns:
        rows.append(turns)
    return text, InlineKeyboardMarkup(rows)


async def edit_button(update: Update, context: Context) -> None:
    """Delete, Replace or a page turn under /edit; ownership is checked again here."""
    query = update.callback_query
    if query is None or query.data is None or not isinstance(query.message, Message):
        return
    user, pressed = query.from_user.id, callbacks.decode(query.data)
    if pressed is None:  # matched the pattern, not data we made
        await query.answer(texts.not_yours_alert())
        return
    if pressed.action is Action.EDIT_PAGE:
        to, bank_id = pressed.number(0) or 0, pressed.text(1) or ""  # forged: the first page
        page = await context.db.run(lambda session: _page(session, context, user, bank_id, to))
        await query.answer(None if page is not None else texts.not_yours_alert())
        if page is not None:
            await query.edit_message_text(page[0], reply_markup=page[1])
        return
    rest = pressed.text(0) or ""
    row = await context.db.run(lambda session: _own_question(session, context, user, rest))
    if row is None:
        await query.answer(texts.not_yours_alert())
        return
    await query.answer()
    if pressed.action is Action.EDIT_REPLACE:
        await context.db.run(
            lambda session: drafts.wait_for(session, user, Waiting.REPLACE, row.bank_id, row.key)
        )
        await reply(update, texts.replace_waiting(row.text))
        return
    done = await _save_edit(context, user, row.bank_id, lambda bank: _without(bank, row.key))
    await reply(update, done)


def _own_question(session: Session, context: Context, user_id: int, row: str) -> QuestionRow | None:
    """The current question of this row id in a bank of the user's (admins: any bank)."""
    question = session.get(QuestionRow, int(row)) if row.isdigit() else None
    if question is None or question.retired:
        return None
    bank = banks.get_bank(session, question.bank_id)
    if bank is None or bank.deleted_at is not None or not owns(context.settings, bank, user_id):
        return None
    return question


def _without(bank: Bank, key: str) -> Bank | str:
    kept = tuple(q for q in bank.questions if q.id != key)
    if not kept:
        return texts.edit_last_question()
    return replace(bank, questions=kept)


async def replace_question(
    update: Update, context: Context, wait: WaitState, made: Made | Refusal
) -> None:
    """The question a teacher sent after Replace takes the place of the one waiting."""
    user = person(update)
    if user is None or wait.bank_id is None or wait.question_key is None:
        return
    if not isinstance(made, Made):
        await reply(
            update,
            texts.poll_not_a_quiz() if made is Refusal.NOT_A_QUIZ else texts.poll_answer_hidden(),
        )
        return
    if made.problems or len(made.questions) != 1:
        await reply(update, texts.replacement_refused([shown(p) for p in made.problems]))
        return
    new = {**made.questions[0], "id": wait.question_key}
    key = wait.question_key
    done = await _save_edit(context, user.id, wait.bank_id, lambda bank: _replaced(bank, key, new))
    await context.db.run(lambda session: drafts.clear_wait(session, user.id))
    await reply(update, done)


def _replaced(bank: Bank, key: str, new: dict[str, Any]) -> Bank | str:
    one = {"bank": 1, "id": bank.id, "title": bank.title, "questions": [new]}
    question = parse_bank(to_yaml(one), filename="question", base_dir=None).questions[0]
    if not any(q.id == key for q in bank.questions):
        return texts.edit_question_gone()
    return replace(bank, questions=tuple(question if q.id == key else q for q in bank.questions))


async def _save_edit(
    context: Context, user_id: int, bank_id: str, change: Callable[[Bank], Bank | str]
) -> str:
    """A new version of the bank with `change` made; what the teacher is told."""
    bank = await context.db.run(lambda session: banks.load_bank(session, bank_id))
    if bank is None:
        return texts.not_your_bank(bank_id)
    changed = change(bank)
    if isinstance(changed, str):
        return changed
    result: SaveResult = await context.db.call_aside(
        functools.partial(
            import_bank,
            context.db,
            changed,
            uploaded_by=user_id,
            replace_others=is_admin(context.settings, user_id),
        )
    )
    return texts.edit_saved(result)


async def bankfile_command(update: Update, context: Context) -> None:
    """/bankfile <bank-id> [gift]: the bank's current file, to edit offline and send back."""
    user = await teacher_sender(update, context)
    message = update.effective_message
    if user is None or message is None:
        return
    args = [a.strip().lower() for a in context.args or []]
    if not args or len(args) > 2 or (len(args) == 2 and args[1] not in ("gift", "yaml")):
        await reply(update, texts.bankfile_usage())
        return
    bank_id, gift = args[0], len(args) == 2 and args[1] == "gift"

    def load(session: Session) -> Bank | None:
        row = banks.get_bank(session, bank_id)
        if row is None or not owns(context.settings, row, user):
            return None
        return banks.load_bank(session, bank_id)

    bank = await context.db.run(load)
    if bank is None:
        await reply(update, texts.not_your_bank(bank_id))
        return
    text = bank_to_gift(bank) if gift else bank_to_yaml(bank)
    await message.reply_document(
        text.encode(),
        filename=f"{bank.id}.{'gift' if gift else 'yaml'}",
        caption=texts.bankfile_caption(bank.id, len(bank.questions), gift),
    )


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("edit", edit_command))
    application.add_handler(CommandHandler("bankfile", bankfile_command))
    edits = callbacks.pattern(Action.EDIT_DELETE, Action.EDIT_REPLACE, Action.EDIT_PAGE)
    application.add_handler(CallbackQueryHandler(edit_button, pattern=edits))
