"""/progress [bank-id]: per bank, what the learner has learned, is learning, is due, not seen."""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.access import person
from bot.context import Context, QuizApplication
from bot.handlers.common import reply
from storage import banks, learning


async def progress_command(update: Update, context: Context) -> None:
    """The learner's progress per bank they played (or the one named), and their day streak."""
    learner = person(update)
    if learner is None:
        await reply(update, texts.nobody_named())
        return
    bank_id = context.args[0].strip().lower() if context.args else None
    now = context.bot_data.clock.now()

    def read(session: Session) -> str:
        if bank_id is not None and banks.playable_bank(session, bank_id, learner.id) is None:
            return texts.unknown_bank(bank_id)
        shown = learning.progress(session, learner.id, now, bank_id)
        return texts.progress_text(shown, learning.streak_of(session, learner.id, now))

    await reply(update, await context.db.run(read))


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("progress", progress_command))
