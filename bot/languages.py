"""The language each update is handled in, and /language to choose it.

Before any handler runs, `speak_to` sets the update's language (bot/i18n.py): in a group the
one its admins chose, else English; elsewhere the one the user chose, else their Telegram
app's (`language_code`), else English. Choices are read once per chat and kept in memory, so
an answer costs no statement for its language.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, TypeHandler

from bot import callbacks, i18n, keyboards, menus, texts
from bot.access import is_group_admin, person
from bot.callbacks import Action
from bot.context import Context, QuizApplication
from bot.handlers.common import in_group, reply
from bot.i18n import Language
from storage import languages

# Runs before every other handler group.
GROUP = -100


async def language_of_update(update: Update, context: Context) -> Language:
    """The language to handle `update` in (see the module's docstring)."""
    choices = context.bot_data.languages
    chat = update.effective_chat
    if chat is not None and in_group(update):
        return await choices.of(context.db, chat.id) or i18n.DEFAULT
    user = update.effective_user
    if user is None:
        return i18n.DEFAULT
    chosen = await choices.of(context.db, user.id)
    return chosen or i18n.language_of(user.language_code) or i18n.DEFAULT


async def speak_to(update: Update, context: Context) -> None:
    """Handle the rest of this update in its language."""
    i18n.use(await language_of_update(update, context))


async def language_command(update: Update, context: Context) -> None:
    """/language: the languages as buttons; /language ru chooses at once."""
    wanted = i18n.language_of(context.args[0]) if context.args else None
    if wanted is not None:
        await _choose(update, context, wanted)
        return
    now = i18n.current()
    menu = texts.language_menu(now, in_group(update))
    if context.args:
        menu = texts.language_not_spoken(" ".join(context.args), menu)
    await reply(update, menu, keyboards.language_buttons(now))


async def language_pressed(update: Update, context: Context) -> None:
    """A language button: choose it, and say so in it."""
    query = update.callback_query
    assert query is not None  # the handler's pattern matched its data
    pressed = callbacks.decode(query.data)
    asked = (pressed.text(0) if pressed is not None else None) or ""
    wanted = i18n.language_of(asked)
    if wanted is None:  # forged: ours carry a language we speak
        await query.answer(texts.language_not_spoken(asked, ""), show_alert=True)
        return
    if await _choose(update, context, wanted):
        await query.answer()


async def _choose(update: Update, context: Context, language: Language) -> bool:
    """Store the chat's language and say so in it; False when the sender may not choose."""
    chat = update.effective_chat
    if chat is None:
        return False
    group = in_group(update)
    if group and not await is_group_admin(context.bot, update):
        if update.callback_query is not None:
            await update.callback_query.answer(texts.language_admins_only(), show_alert=True)
        else:
            await reply(update, texts.language_admins_only())
        return False
    if not group and person(update) is None:
        return False
    now = context.bot_data.clock.now()

    def store(session: Session) -> None:
        languages.choose_language(session, chat.id, language.value, now)

    await context.db.run(store)
    context.bot_data.languages.remember(chat.id, language)
    i18n.use(language)
    if update.callback_query is not None:  # the menu becomes the answer: no stale tick left
        await update.callback_query.edit_message_text(texts.language_chosen(group))
    else:
        await reply(update, texts.language_chosen(group))
    await menus.set_chat_menu(context.bot, context.settings, context.db, chat.id, language)
    return True


def register(application: QuizApplication) -> None:
    """Set every update's language first; add /language and its buttons."""
    application.add_handler(TypeHandler(Update, speak_to), group=GROUP)
    application.add_handler(CommandHandler("language", language_command))
    application.add_handler(
        CallbackQueryHandler(language_pressed, pattern=callbacks.pattern(Action.LANGUAGE))
    )
