"""Telegram's command menu: the learners' commands for everyone, more for teachers and admins.

Each teacher's menu is set for their private chat with the bot (BotCommandScopeChat), so
learners never see commands that would only answer "That is for teachers".
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden

from bot import texts
from bot.access import is_admin, is_teacher
from bot.settings import Settings
from storage.db import Database
from storage.roles import teacher_ids

log = logging.getLogger(__name__)


async def set_menus(bot: Bot, settings: Settings, db: Database) -> None:
    """Everyone's menu, then each known teacher's and admin's own."""
    await bot.set_my_commands(_commands(texts.COMMANDS))
    granted = await db.run(teacher_ids)
    for user_id in sorted({*settings.admins, *settings.teachers, *granted}):
        await set_user_menu(bot, settings, db, user_id)


async def set_user_menu(bot: Bot, settings: Settings, db: Database, user_id: int) -> None:
    """A teacher's or admin's menu in their chat with the bot; a learner's is the default one."""
    scope = BotCommandScopeChat(user_id)
    listed = list(texts.COMMANDS)
    if await db.run(lambda session: is_teacher(settings, session, user_id)):
        listed += texts.TEACHER_COMMANDS
    if is_admin(settings, user_id):
        listed += texts.ADMIN_COMMANDS
    try:
        if len(listed) > len(texts.COMMANDS):
            await bot.set_my_commands(_commands(listed), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except (BadRequest, Forbidden) as error:  # no chat with the bot yet, or it was blocked
        log.info("no command menu for user %d yet: %s", user_id, error)


def _commands(listed: list[tuple[str, str]]) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in listed]
