"""/banks: what there is to be quizzed on."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import keyboards, texts
from bot.context import Context, QuizApplication
from bot.handlers.common import listed_here, reply


async def banks_command(update: Update, context: Context) -> None:
    """List every bank with its id, title and size, with a button to start each."""
    listed = await listed_here(update, context)
    markup = keyboards.bank_buttons(listed) if listed else None
    await reply(update, texts.bank_list(listed), markup)


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("banks", banks_command))
