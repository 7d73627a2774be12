"""A teacher's banks: /mybanks, /share, /publish, /unpublish, /deletebank (with confirmation)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks, keyboards, texts
from bot.access import is_admin, is_teacher, owns
from bot.callbacks import Action
from bot.context import Context, QuizApplication
from bot.handlers.common import in_group, reply, teacher_sender
from storage import banks
from storage.db import Database
from storage.models import BankRow
from storage.reports import BankStats, bank_stats


async def mybanks_command(update: Update, context: Context) -> None:
    """/mybanks: the teacher's banks (an admin's: every bank) with version, size and results."""
    user = await teacher_sender(update, context)
    if user is None:
        return
    if in_group(update):  # the list names private banks: not for the whole group
        await reply(update, texts.mybanks_in_private())
        return
    owner = None if is_admin(context.settings, user) else user
    # Counting every answer to every bank takes a while: keep the bot answering others.
    owned, stats = await context.db.call_aside(_banks_with_stats, context.db, owner)
    for chunk in texts.split_message(texts.my_banks(owned, stats).split("\n")):
        await reply(update, chunk)


def _banks_with_stats(
    db: Database, owner: int | None
) -> tuple[list[BankRow], dict[str, BankStats]]:
    with db.session() as session:
        owned = banks.owned_banks(session, owner)
        return owned, bank_stats(session, [bank.id for bank in owned])


async def share_command(update: Update, context: Context) -> None:
    """/share <bank-id> [revoke]: the bank's share link; `revoke` replaces it."""
    args = context.args or []
    revoke = len(args) > 1 and args[1].lower() == "revoke"

    def share(session: Session, bank: BankRow) -> str:
        code = banks.share_code(session, bank, renew=revoke)
        return texts.share_link(bank.id, bank.title, _links(context, code), revoke, bank.visibility)

    await _on_own_bank(update, context, texts.share_usage(), share)


async def publish_command(update: Update, context: Context) -> None:
    """/publish <bank-id>: list the bank in /banks for everyone."""
    await _set_visibility(update, context, "public")


async def unpublish_command(update: Update, context: Context) -> None:
    """/unpublish <bank-id>: only its share link reaches the bank from now on."""
    await _set_visibility(update, context, "private")


async def _set_visibility(update: Update, context: Context, visibility: banks.Visibility) -> None:
    def switch(session: Session, bank: BankRow) -> str:
        changed = banks.set_visibility(session, bank, visibility)
        return texts.visibility_set(bank.id, visibility, changed)

    await _on_own_bank(update, context, texts.visibility_usage(visibility), switch)


async def deletebank_command(update: Update, context: Context) -> None:
    """/deletebank <bank-id>: ask for confirmation with buttons; nothing changes yet."""

    def confirm(session: Session, bank: BankRow) -> str:
        return texts.confirm_delete(bank.id, bank.title)

    def markup(bank_id: str) -> InlineKeyboardMarkup:
        return keyboards.confirm_delete(bank_id)

    await _on_own_bank(update, context, texts.delete_usage(), confirm, markup)


async def delete_button(update: Update, context: Context) -> None:
    """Delete or Keep under /deletebank: the role and ownership are checked again here."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    pressed = callbacks.decode(query.data)
    choice, bank_id = (pressed.text(0), pressed.text(1)) if pressed is not None else (None, None)
    if bank_id is None:  # matched the pattern, not data we made
        await query.answer(texts.not_yours_alert())
        return
    user_id = query.from_user.id

    def decide(session: Session) -> str | None:
        bank = banks.get_bank(session, bank_id)
        if bank is None or not _may_manage(context, session, bank, user_id):
            return None
        if choice == "yes" and bank.deleted_at is None:
            banks.delete_bank(session, bank)
            return texts.bank_deleted(bank.id, bank.title)
        if bank.deleted_at is not None:  # a second tap, or an old message's button
            return texts.bank_already_deleted(bank.id)
        return texts.bank_kept(bank_id)

    done = await context.db.run(decide)
    if done is None:  # a forged or stale button: the message stays as it is
        await query.answer(texts.not_yours_alert())
        return
    await query.answer()
    await query.edit_message_text(done)


def _may_manage(context: Context, session: Session, bank: BankRow | None, user_id: int) -> bool:
    return (
        bank is not None
        and is_teacher(context.settings, session, user_id)
        and owns(context.settings, bank, user_id)
    )


async def _on_own_bank(
    update: Update,
    context: Context,
    usage: str,
    act: Callable[[Session, BankRow], str],
    markup: Callable[[str], InlineKeyboardMarkup] | None = None,
) -> None:
    """Run `act` on the bank named by the first argument, if the sender may manage it."""
    user = await teacher_sender(update, context)
    if user is None:
        return
    if not context.args:
        await reply(update, usage)
        return
    bank_id = context.args[0].strip().lower()

    def on_bank(session: Session) -> tuple[str, InlineKeyboardMarkup | None]:
        bank = banks.get_bank(session, bank_id)
        if bank is None or bank.deleted_at is not None:
            return texts.not_your_bank(bank_id), None
        if not _may_manage(context, session, bank, user):
            return texts.not_your_bank(bank_id), None
        return act(session, bank), markup(bank.id) if markup else None

    await reply(update, *await context.db.run(on_bank))


def _links(context: Context, code: str) -> tuple[str, str]:
    """A learner's deep link, and the one that adds the bot to a group with the same code."""
    base = f"https://t.me/{context.bot.username}"
    return f"{base}?start={code}", f"{base}?startgroup={code}"


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("mybanks", mybanks_command))
    application.add_handler(CommandHandler("share", share_command))
    application.add_handler(CommandHandler("publish", publish_command))
    application.add_handler(CommandHandler("unpublish", unpublish_command))
    application.add_handler(CommandHandler("deletebank", deletebank_command))
    application.add_handler(
        CallbackQueryHandler(delete_button, pattern=callbacks.pattern(Action.DELETE_BANK))
    )
