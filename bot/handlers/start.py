"""Greeting and help."""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import CommandHandler

from bot import keyboards, texts
from bot.access import is_admin, is_teacher
from bot.context import Context, QuizApplication
from bot.handlers import groups
from bot.handlers.common import banks_here, in_group, note_sender, remember, reply, teacher
from bot.handlers.quiz import begin_quiz
from bot.menus import set_user_menu
from storage import banks


async def start(update: Update, context: Context) -> None:
    """/start greets; /start <code or bank-id> (a share or deep link) starts that quiz at once.

    In a group the quiz is a live round, for the group's admins and teachers: a teacher's
    `?startgroup=<code>` link arrives as `/start <code>` in the group it picked, and opens the
    bank to that group. A group is shown only what the group may play.
    """
    user = update.effective_user
    group = in_group(update)
    if context.args and user is not None:
        argument = context.args[0]
        if group:
            await remember(update, context)
            wanted = groups.RoundArgs(argument, None, groups.DEFAULT_SECONDS)
            await groups.start_round(update, context, wanted, code=argument)
            return

        def join(session: Session) -> str:
            note_sender(session, update)
            shared = banks.join_by_code(session, argument, user.id)
            return shared.id if shared is not None else argument

        await begin_quiz(update, context, await context.db.run(join), None)
        return

    def greet(session: Session) -> tuple[bool, list[banks.BankSummary]]:
        note_sender(session, update)
        teaches = user is not None and not group and is_teacher(context.settings, session, user.id)
        return teaches, banks_here(session, update)

    teaches, listed = await context.db.run(greet)
    if teaches and user is not None:
        # Their chat with the bot may be new: its menu gets the teacher's commands now.
        await set_user_menu(context.bot, context.settings, context.db, user.id)
    markup = keyboards.bank_buttons(listed) if listed else None
    greeting = texts.group_hello() if group else texts.welcome(user.first_name if user else "")
    await reply(update, greeting, markup)


async def help_command(update: Update, context: Context) -> None:
    """/help: every command, plus the teacher's part for teachers; in a group, what works
    there."""
    if in_group(update):
        await reply(update, texts.group_help())
        return
    user = update.effective_user
    teaches = user is not None and await teacher(context, user.id)
    admin = user is not None and is_admin(context.settings, user.id)
    await reply(update, texts.help_text(teaches, admin))


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
