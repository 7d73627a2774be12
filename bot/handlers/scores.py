"""/score, /leaderboard and /privacy."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.access import person
from bot.context import Context, QuizApplication
from bot.handlers.common import in_group, note_sender, remember, reply
from storage import banks, scores
from storage.models import BankRow

PERIODS = {"week": True, "all": False}
SWITCHES = {"on": True, "off": False}


async def score_command(update: Update, context: Context) -> None:
    """The caller's points, accuracy, and the same per bank."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    if person(update) is None:
        await reply(update, texts.nobody_named())
        return

    def read(session: Session) -> scores.UserStats | None:
        stats = scores.user_stats(session, user.id)
        if stats is not None and in_group(update):  # the group sees only the group's banks
            shown = {bank.id for bank in banks.list_banks(session, group_id=chat.id)}
            stats = replace(stats, banks=[b for b in stats.banks if b.bank_id in shown])
        return stats

    await reply(update, texts.score_text(await context.db.run(read)))


async def leaderboard_command(update: Update, context: Context) -> None:
    """/leaderboard [week|all] [bank-id]: a group's own table in groups, else the global one."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    await remember(update, context)
    weekly, bank_id = False, None
    for argument in context.args or []:
        word = argument.strip().lower()
        if word in PERIODS:
            weekly = PERIODS[word]
        elif bank_id is None:
            bank_id = word
        else:
            await reply(update, texts.leaderboard_usage(argument))
            return
    now = context.bot_data.rounds.clock.now()  # the rounds' clock: tests move it across weeks
    group, me = in_group(update), person(update)
    # In a group, the banks the group may play; elsewhere the caller's.
    player, group_id = (None, chat.id) if group else (user.id, None)

    def read(session: Session) -> tuple[BankRow | None, scores.Leaderboard | None]:
        bank = banks.playable_bank(session, bank_id, player, group_id=group_id) if bank_id else None
        if bank is None and bank_id is not None:
            return None, None
        board = scores.leaderboard(
            session,
            bank_id=bank_id,
            user_id=me.id if me is not None else None,
            week_of=now if weekly else None,
            chat_id=chat.id if group and bank_id is None else None,
        )
        return bank, board

    bank, board = await context.db.run(read)
    if board is None:
        await reply(update, texts.leaderboard_unknown(bank_id or ""))
        return
    group_table = group and bank_id is None
    scope = bank.title if bank else (chat.title if group_table else None)
    await reply(update, texts.leaderboard_text(board, scope, weekly, round_points=group_table))


async def privacy_command(update: Update, context: Context) -> None:
    """/privacy [on|off]: hide the caller's name from global, per-bank and web tables."""
    user = update.effective_user
    if user is None:
        return
    if person(update) is None:
        await reply(update, texts.nobody_named())
        return
    argument = context.args[0].strip().lower() if context.args else None
    if argument is not None and argument not in SWITCHES:
        await reply(update, texts.privacy_usage())
        return
    wanted = SWITCHES[argument] if argument else None

    def switch(session: Session) -> bool:
        note_sender(session, update)
        return scores.set_hidden(session, user.id, wanted)

    await reply(update, texts.privacy_state(await context.db.run(switch)))


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("score", score_command))
    application.add_handler(CommandHandler("leaderboard", leaderboard_command))
    application.add_handler(CommandHandler("privacy", privacy_command))
