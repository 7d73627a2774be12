"""/weblink: a group's address on the web leaderboard, for its admins and teachers."""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import Chat, Update
from telegram.ext import CommandHandler

from bot import texts
from bot.access import is_group_admin, person
from bot.context import Context, QuizApplication
from bot.handlers.common import note_sender, reply, teacher
from storage.weblinks import web_token


async def may_link(update: Update, context: Context, renew: bool) -> bool:
    """A group admin; or a teacher, for the address only (renewing it is for the group's
    admins: the teacher role gives no power over a group where they are a plain member)."""
    someone = person(update)
    if not renew and someone is not None and await teacher(context, someone.id):
        return True
    return await is_group_admin(context.bot, update)


async def weblink_command(update: Update, context: Context) -> None:
    """/weblink [revoke]: the group's web leaderboard address; revoke replaces it."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    if chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        await reply(update, texts.weblink_in_groups_only())
        return
    argument = context.args[0].strip().lower() if context.args else None
    if argument not in (None, "revoke"):
        await reply(update, texts.weblink_usage())
        return
    renew = argument == "revoke"
    if not await may_link(update, context, renew):
        await reply(update, texts.weblink_not_allowed(renew))
        return
    base = context.settings.web_url
    if base is None:  # how to set it up is for the group's admins, not every member
        await reply(update, texts.weblink_not_configured())
        return

    def link(session: Session) -> str:
        note_sender(session, update)  # the chat row carries the token
        return web_token(session, chat.id, renew=renew)

    token = await context.db.run(link)
    await reply(update, texts.weblink(f"{base}/g/{token}", chat.title, renew))


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("weblink", weblink_command))
