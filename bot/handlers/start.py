"""Greeting and help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import keyboards, texts
from bot.context import Context, QuizApplication
from bot.handlers.common import remember, reply
from bot.handlers.quiz import begin_quiz
from storage import banks


async def start(update: Update, context: Context) -> None:
    """/start greets; /start <bank-id> (a deep link) starts that bank's quiz at once."""
    remember(update, context)
    user = update.effective_user
    if context.args:
        await begin_quiz(update, context, context.args[0], None)
        return
    with context.db.session() as session:
        listed = banks.list_banks(session)
    markup = keyboards.bank_buttons(listed) if listed else None
    await reply(update, texts.welcome(user.first_name if user else ""), markup)


async def help_command(update: Update, context: Context) -> None:
    """/help: every command, plus the teacher's part for teachers."""
    user = update.effective_user
    is_teacher = user is not None and user.id in context.settings.teachers
    await reply(update, texts.help_text(is_teacher))


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
