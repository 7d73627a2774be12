"""/banks: what there is to be quizzed on."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import keyboards, texts
from bot.context import Context, QuizApplication
from bot.handlers.common import reply
from storage import banks


async def banks_command(update: Update, context: Context) -> None:
    """List every bank with its id, title and size, with a button to start each."""
    user = update.effective_user
    with context.db.session() as session:
        listed = banks.list_banks(session, user.id if user else None)
    markup = keyboards.bank_buttons(listed) if listed else None
    await reply(update, texts.bank_list(listed), markup)


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("banks", banks_command))
