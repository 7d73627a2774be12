"""/teacher: admins make and unmake teachers, by user id or by replying to their message."""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import Update
from telegram.constants import ChatID
from telegram.ext import CommandHandler

from bot import texts
from bot.access import is_admin, is_pseudo_user
from bot.context import Context, QuizApplication
from bot.handlers.common import remember, reply
from bot.menus import set_user_menu
from storage import roles


async def teacher_command(update: Update, context: Context) -> None:
    """/teacher add|remove <user id> (or as a reply to their message); /teacher lists them."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    await remember(update, context)
    if not is_admin(context.settings, user.id):
        await reply(update, texts.admins_only())
        return
    args = context.args or []
    action = args[0].lower() if args else "list"
    if action == "list":
        granted = await context.db.run(roles.teacher_ids)
        await reply(update, texts.teacher_list(granted, sorted(context.settings.teachers)))
        return
    target = _target(update, args[1:])
    if action not in ("add", "remove") or target is None:
        await reply(update, texts.teacher_usage())
        return
    if is_pseudo_user(target):  # shared by every anonymous admin, or every channel
        await reply(update, texts.teacher_not_a_person())
        return

    def change(session: Session) -> bool:
        if action == "add":
            return roles.grant_teacher(session, target, granted_by=user.id)
        return roles.revoke_teacher(session, target)

    changed = await context.db.run(change)
    configured = target in context.settings.teachers or is_admin(context.settings, target)
    await set_user_menu(context.bot, context.settings, context.db, target)
    await reply(update, texts.teacher_changed(target, action == "add", changed, configured))


def _target(update: Update, args: list[str]) -> int | None:
    """The user id given as an argument, else the author of the replied-to message."""
    if args:
        try:
            user_id = int(args[0])
        except ValueError:
            return None
        return user_id if user_id > 0 else None
    message = update.effective_message
    replied = message.reply_to_message if message is not None else None
    if replied is not None and replied.sender_chat is not None:
        return ChatID.ANONYMOUS_ADMIN  # sent as a chat: no person to name
    author = replied.from_user if replied is not None else None
    return author.id if author is not None and not author.is_bot else None


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("teacher", teacher_command))
