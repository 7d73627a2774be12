"""/score and /leaderboard."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.context import Context, QuizApplication
from bot.handlers.common import remember, reply
from storage import banks, scores


async def score_command(update: Update, context: Context) -> None:
    """The caller's points, accuracy, and the same per bank."""
    user = update.effective_user
    if user is None:
        return
    with context.db.session() as session:
        stats = scores.user_stats(session, user.id)
    await reply(update, texts.score_text(stats))


async def leaderboard_command(update: Update, context: Context) -> None:
    """/leaderboard [bank-id]: the top 10 and the caller's own rank."""
    user = update.effective_user
    if user is None:
        return
    remember(update, context)
    bank_id = context.args[0].strip().lower() if context.args else None
    with context.db.session() as session:
        bank = banks.get_bank(session, bank_id) if bank_id else None
        board = None
        if bank is not None or bank_id is None:
            board = scores.leaderboard(session, bank_id=bank_id, user_id=user.id)
    if board is None:
        await reply(update, texts.unknown_bank(bank_id or ""))
        return
    await reply(update, texts.leaderboard_text(board, bank.title if bank else None))


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("score", score_command))
    application.add_handler(CommandHandler("leaderboard", leaderboard_command))
