"""Telegram's command menu, in each language: the learners' commands for everyone, more for
teachers and admins.

The default menus are set once per language (`language_code`): Telegram shows each user the
one of their app's language. A chat whose language was chosen with /language, and each
teacher's private chat, gets a menu of its own (BotCommandScopeChat), which Telegram shows
before any default: learners never see commands that would only answer "That is for teachers".
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden

from bot import i18n, texts
from bot.access import is_admin, is_teacher
from bot.i18n import Language
from bot.settings import Settings
from storage.db import Database
from storage.languages import chosen_language
from storage.roles import teacher_ids

log = logging.getLogger(__name__)


async def set_menus(bot: Bot, settings: Settings, db: Database) -> None:
    """Everyone's menu in each language (in groups, the groups' commands), then each known
    teacher's and admin's own."""
    for language in Language:
        code = _code(language)
        await bot.set_my_commands(_commands(texts.COMMANDS, language), language_code=code)
        in_groups = _commands(texts.GROUP_COMMANDS, language)
        await bot.set_my_commands(
            in_groups, scope=BotCommandScopeAllGroupChats(), language_code=code
        )
    granted = await db.run(teacher_ids)
    for user_id in sorted({*settings.admins, *settings.teachers, *granted}):
        await set_user_menu(bot, settings, db, user_id)


async def set_user_menu(bot: Bot, settings: Settings, db: Database, user_id: int) -> None:
    """A user's menu in their chat with the bot, in the language they chose, if any."""
    code = await db.run(lambda session: chosen_language(session, user_id))
    await set_chat_menu(bot, settings, db, user_id, i18n.language_of(code))


async def set_chat_menu(
    bot: Bot, settings: Settings, db: Database, chat_id: int, chosen: Language | None
) -> None:
    """The chat's own menu: a teacher's or admin's commands, and the chat's chosen language.

    Neither: the default menus serve it. A teacher who chose no language gets their commands
    in every language, as the defaults are.
    """
    if chat_id < 0:  # a group's id is negative: the groups' commands, in its language
        listed = list(texts.GROUP_COMMANDS)
    else:
        listed = list(texts.COMMANDS)
        if await db.run(lambda session: is_teacher(settings, session, chat_id)):
            listed += texts.TEACHER_COMMANDS
        if is_admin(settings, chat_id):
            listed += texts.ADMIN_COMMANDS
    scope = BotCommandScopeChat(chat_id)
    try:
        if chosen is not None:
            await bot.set_my_commands(_commands(listed, chosen), scope=scope)
        elif chat_id > 0 and len(listed) > len(texts.COMMANDS):
            for language in Language:
                await bot.set_my_commands(
                    _commands(listed, language), scope=scope, language_code=_code(language)
                )
        else:
            for language in Language:
                await bot.delete_my_commands(scope=scope, language_code=_code(language))
    except (BadRequest, Forbidden) as error:  # no chat with the bot yet, or it was blocked
        log.info("no command menu for chat %d yet: %s", chat_id, error)


def _code(language: Language) -> str | None:
    """English is the default menu, for every app language without a menu of its own."""
    return None if language is i18n.DEFAULT else language.value


def _commands(listed: list[tuple[str, str]], language: Language) -> list[BotCommand]:
    with i18n.speaking(language):
        return [BotCommand(name, i18n.t(description)) for name, description in listed]
