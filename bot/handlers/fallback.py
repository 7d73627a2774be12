"""Clear answers to anything no other handler took; registered last."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot import callbacks, texts
from bot.context import Context, QuizApplication
from bot.handlers.common import reply
from storage import quizzes

log = logging.getLogger(__name__)


async def unknown_command(update: Update, context: Context) -> None:
    """A command we don't have: say so in private, or in a group when addressed to us."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or message.text is None or chat is None:
        return
    command = message.text.split()[0]
    addressed = command.lower().endswith(f"@{context.bot.username}".lower())
    if chat.type == ChatType.PRIVATE or addressed:
        await reply(update, texts.unknown_command(command))


async def anything_else(update: Update, context: Context) -> None:
    """Text, stickers and the like in a private chat: say what to do next."""
    chat = update.effective_chat
    if chat is None:
        return
    running = await context.db.run(lambda session: quizzes.active_quiz(session, chat.id))
    await reply(update, texts.answer_with_buttons() if running else texts.idle_hint())


async def unknown_button(update: Update, context: Context) -> None:
    """Callback data this bot did not make: an older release's button, or forged data."""
    query = update.callback_query
    if query is None or query.data is None:  # a game's button: nothing of ours
        return
    try:
        await query.answer(texts.stale_question())
    except BadRequest as error:  # pressed long ago: Telegram no longer takes an answer
        log.info("could not answer an unknown button: %s", error)


def register(application: QuizApplication) -> None:
    """Add the catch-all handlers; call after every other module registered."""
    application.add_handler(CallbackQueryHandler(unknown_button, pattern=callbacks.not_ours))
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & ~filters.COMMAND
            & ~filters.StatusUpdate.ALL
            & (filters.UpdateType.MESSAGE),
            anything_else,
        )
    )
