"""Typed answers: plain text in a private chat answers the typed question waiting there."""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot import delivery, texts
from bot.access import person
from bot.context import Context, QuizApplication
from bot.handlers import drafts
from bot.handlers.common import reply
from bot.handlers.quiz import Typed, take_answer
from quiz.bank import NumericRange, Question, QuestionKind
from quiz.grading import TypedGrade, Verdict, grade_typed
from storage import quizzes
from storage.quizzes import Answered, AskedQuestion


async def typed_reply(update: Update, context: Context) -> None:
    """The answer to the typed question waiting in this chat; anything else gets the usual
    hint. A reply that is no answer (emoji, another keyboard, no number) is asked again."""
    message, chat, learner = update.effective_message, update.effective_chat, person(update)
    if message is None or message.text is None or chat is None or learner is None:
        return
    waiting = await context.db.run(
        lambda session: quizzes.waiting_typed(session, chat.id, learner.id)
    )
    if waiting is None:  # a pasted source, questions for a draft, or the usual hint
        await drafts.text_received(update, context)
        return
    question = as_question(waiting.question)
    grade = grade_typed(question, message.text)  # pure and quick: before the transaction
    if grade.verdict is Verdict.NOT_AN_ANSWER:
        assert grade.refusal is not None
        await reply(update, texts.not_an_answer(grade.refusal))
        return
    item_id = waiting.item.id
    taken = await take_answer(
        context,
        update,
        lambda session: quizzes.item_by_id(session, item_id),
        learner,
        Typed(message.text, grade),
    )
    if isinstance(taken, str):
        await reply(update, taken)
    elif isinstance(taken, Answered):
        await delivery.follow_up(
            context.bot,
            context.db,
            context.bot_data.marks,
            taken,
            context.bot_data.clock,
            note=_forgiven(grade),
        )


def _forgiven(grade: TypedGrade) -> str | None:
    if grade.correct and grade.typo_forgiven and grade.matched is not None:
        return texts.typo_forgiven(grade.matched, grade.typos)
    return None


def as_question(asked: AskedQuestion) -> Question:
    """A stored question as grading reads it."""
    numeric = None
    if asked.numeric_low is not None and asked.numeric_high is not None:
        numeric = NumericRange(asked.numeric_low, asked.numeric_high)
    return Question(
        id=str(asked.id),
        kind=QuestionKind(asked.kind),
        text=asked.text,
        options=tuple(asked.options),
        correct=frozenset(asked.correct),
        explanation=asked.explanation,
        quote=None,
        tags=(),
        numeric=numeric,
    )


def register(application: QuizApplication) -> None:
    """Add this module's handlers; before the fallback's, which gets what is no answer."""
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, typed_reply)
    )
