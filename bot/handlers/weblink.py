"""/weblink: a group's address on the web leaderboard, for its admins and teachers."""

from __future__ import annotations

from telegram import Chat, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import CommandHandler

from bot import texts
from bot.access import is_teacher
from bot.context import Context, QuizApplication
from bot.handlers.common import remember, reply
from storage.weblinks import web_token

MANAGERS = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def may_link(context: Context, chat_id: int, user_id: int) -> bool:
    """A teacher, or an admin of this group (Telegram is asked, not trusted from the update)."""
    if is_teacher(context.settings, context.db, user_id):
        return True
    member = await context.bot.get_chat_member(chat_id, user_id)
    return member.status in MANAGERS


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
    if not await may_link(context, chat.id, user.id):
        await reply(update, texts.weblink_not_allowed())
        return
    base = context.settings.web_url
    if base is None:  # how to set it up is for the group's admins, not every member
        await reply(update, texts.weblink_not_configured())
        return
    remember(update, context)  # the chat row carries the token
    renew = argument == "revoke"
    with context.db.session() as session:
        token = web_token(session, chat.id, renew=renew)
    await reply(update, texts.weblink(f"{base}/g/{token}", chat.title, renew))


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("weblink", weblink_command))
