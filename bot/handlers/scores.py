"""/score, /leaderboard and /privacy."""

from __future__ import annotations

from telegram import Chat, Update
from telegram.ext import CommandHandler

from bot import texts
from bot.context import Context, QuizApplication
from bot.handlers.common import remember, reply
from storage import banks, scores

PERIODS = {"week": True, "all": False}
SWITCHES = {"on": True, "off": False}


async def score_command(update: Update, context: Context) -> None:
    """The caller's points, accuracy, and the same per bank."""
    user = update.effective_user
    if user is None:
        return
    with context.db.session() as session:
        stats = scores.user_stats(session, user.id)
    await reply(update, texts.score_text(stats))


async def leaderboard_command(update: Update, context: Context) -> None:
    """/leaderboard [week|all] [bank-id]: a group's own table in groups, else the global one."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    remember(update, context)
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
    in_group = chat.type in (Chat.GROUP, Chat.SUPERGROUP) and bank_id is None
    with context.db.session() as session:
        bank = banks.playable_bank(session, bank_id, user.id) if bank_id else None
        board = None
        if bank is not None or bank_id is None:
            board = scores.leaderboard(
                session,
                bank_id=bank_id,
                user_id=user.id,
                week_of=now if weekly else None,
                chat_id=chat.id if in_group else None,
            )
    if board is None:
        await reply(update, texts.leaderboard_unknown(bank_id or ""))
        return
    scope = bank.title if bank else (chat.title if in_group else None)
    await reply(update, texts.leaderboard_text(board, scope, weekly, round_points=in_group))


async def privacy_command(update: Update, context: Context) -> None:
    """/privacy [on|off]: hide the caller's name from global, per-bank and web tables."""
    user = update.effective_user
    if user is None:
        return
    remember(update, context)
    argument = context.args[0].strip().lower() if context.args else None
    if argument is not None and argument not in SWITCHES:
        await reply(update, texts.privacy_usage())
        return
    with context.db.session() as session:
        hidden = scores.set_hidden(session, user.id, SWITCHES[argument] if argument else None)
    await reply(update, texts.privacy_state(hidden))


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("score", score_command))
    application.add_handler(CommandHandler("leaderboard", leaderboard_command))
    application.add_handler(CommandHandler("privacy", privacy_command))
