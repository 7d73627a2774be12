"""/review [bank-id]: the learner's due questions, most overdue first, until each is right."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks, i18n, texts
from bot.access import person
from bot.callbacks import Action
from bot.context import Context, QuizApplication
from bot.handlers.common import in_group, note_sender, reply, with_update_handled
from bot.handlers.quiz import Started, ask_first
from quiz.play import option_order
from storage import banks, learning, quizzes

# A review asks this many due questions at most; more wait for the next /review. Short
# sessions, often, are what spacing asks of a learner.
REVIEW_LENGTH = 20


async def review_command(update: Update, context: Context) -> None:
    """/review [bank-id]: start a review of what is due, or say when something will be."""
    bank_id = context.args[0].strip().lower() if context.args else None
    await start_review(update, context, bank_id)


async def review_button(update: Update, context: Context) -> None:
    """The button under a reminder: a review of every bank."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    await start_review(update, context, None)


async def start_review(update: Update, context: Context, bank_id: str | None) -> None:
    """Plan and start the review in this private chat, and ask its first question."""
    chat, learner = update.effective_chat, person(update)
    if chat is None or learner is None:
        return
    if in_group(update):
        await reply(update, texts.review_in_private())
        return
    now = context.bot_data.clock.now()

    def begin(session: Session) -> Started | str:
        note_sender(session, update)
        return plan_review(session, chat.id, learner.id, bank_id, now)

    await ask_first(update, context, await with_update_handled(update, context, begin))


def plan_review(
    session: Session, chat_id: int, user_id: int, bank_id: str | None, now: datetime
) -> Started | str:
    """Start a review of the learner's due questions (of one bank, or all); else why not."""
    if bank_id is not None and banks.playable_bank(session, bank_id, user_id) is None:
        return texts.unknown_bank(bank_id)
    due = learning.due_questions(session, user_id, now, REVIEW_LENGTH, bank_id)
    summary = learning.due_summary(session, user_id, now, bank_id)
    if not due:
        return _nothing_due(summary, now)
    shapes = {q.id: q for q in banks.questions_by_id(session, due)}
    replaced = quizzes.running_progress(session, chat_id)
    quiz = quizzes.start_quiz(
        session,
        chat_id=chat_id,
        user_id=user_id,
        bank_id=bank_id,
        items=[
            (qid, option_order(shapes[qid].option_count, shapes[qid].kind == "choice"))
            for qid in due
        ],
        review=True,
        language=i18n.current().value,
    )
    intro = texts.review_started(len(due), summary.due - len(due), replaced)
    return Started(intro, quizzes.current_item(session, quiz))


def _nothing_due(summary: learning.DueSummary, now: datetime) -> str:
    if not summary.seen:
        return texts.review_never_answered()
    next_in: timedelta | None = summary.next_due - now if summary.next_due else None
    return texts.nothing_due(next_in)


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("review", review_command))
    application.add_handler(
        CallbackQueryHandler(review_button, pattern=callbacks.pattern(Action.START_REVIEW))
    )
