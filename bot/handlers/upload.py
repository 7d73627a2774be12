"""Teachers add or replace a bank by sending its YAML file."""

from __future__ import annotations

import asyncio
from pathlib import PurePath

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import MessageHandler, filters

from bot import texts
from bot.context import Context, QuizApplication
from bot.handlers.common import remember, reply
from bot.library import import_bank
from quiz.bank import MAX_BANK_BYTES, BankError, parse_bank

BANK_SUFFIXES = (".yaml", ".yml")
MAX_PROBLEMS_SHOWN = 40


async def document(update: Update, context: Context) -> None:
    """Validate an uploaded bank and store it whole, or list its problems."""
    message, user = update.effective_message, update.effective_user
    if message is None or message.document is None or user is None:
        return
    remember(update, context)
    doc = message.document
    name = doc.file_name or "file"
    if PurePath(name).suffix.lower() not in BANK_SUFFIXES:
        await reply(update, texts.upload_wrong_type(name))
        return
    if user.id not in context.settings.teachers:
        await reply(update, texts.upload_not_teacher())
        return
    # The declared size is checked before anything is downloaded.
    if doc.file_size is not None and doc.file_size > MAX_BANK_BYTES:
        await reply(update, texts.upload_too_large(doc.file_size, MAX_BANK_BYTES))
        return
    await message.reply_chat_action(ChatAction.TYPING)
    data = bytes(await (await doc.get_file()).download_as_bytearray())
    if len(data) > MAX_BANK_BYTES:
        await reply(update, texts.upload_too_large(len(data), MAX_BANK_BYTES))
        return
    try:
        # Parsing a large bank takes a moment: keep the bot answering others meanwhile.
        bank = await asyncio.to_thread(parse_bank, data, filename=name, base_dir=None)
    except BankError as error:
        problems = [str(p) for p in error.problems]
        shown = problems[:MAX_PROBLEMS_SHOWN]
        if len(problems) > len(shown):
            shown.append(f"… and {len(problems) - len(shown)} more")
        for chunk in texts.split_message(texts.upload_problems(name, shown).split("\n")):
            await reply(update, chunk)
        return
    result = await asyncio.to_thread(import_bank, context.db, bank, uploaded_by=user.id)
    await reply(
        update,
        texts.upload_loaded(
            result.bank_id,
            result.questions,
            result.added,
            result.updated,
            result.retired,
            result.unchanged_bank,
        ),
    )


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(MessageHandler(filters.Document.ALL, document))
