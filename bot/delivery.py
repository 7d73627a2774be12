"""Sending quiz questions, feedback and summaries to a chat."""

from __future__ import annotations

from telegram import Bot, InputPollOption, LinkPreviewOptions, Poll
from telegram.constants import ParseMode, PollLimit

from bot import keyboards, texts
from quiz.explain import clip
from quiz.play import to_shown
from storage.banks import get_bank
from storage.db import Database
from storage.quizzes import (
    Answered,
    AnsweredQuestion,
    ItemView,
    QuizState,
    feedback_owed,
    mark_feedback_sent,
    mark_sent,
    mark_summary_sent,
    questions_owed,
    quiz_results,
    summaries_owed,
)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
POLL_EXPLANATION_LIMIT = 200


def fits_poll(question: str, options: list[str]) -> bool:
    """Whether a question can be a native quiz poll under Telegram's size limits."""
    return (
        len(question) <= PollLimit.MAX_QUESTION_LENGTH
        and len(options) <= PollLimit.MAX_OPTION_NUMBER
        and all(len(o) <= PollLimit.MAX_OPTION_LENGTH for o in options)
    )


def poll_explanation(explanation: str | None) -> str | None:
    """The explanation as a poll allows it: 200 characters and at most 2 line feeds."""
    if not explanation:
        return None
    return clip(" ".join(explanation.split()), POLL_EXPLANATION_LIMIT)


async def send_question(bot: Bot, db: Database, view: ItemView) -> None:
    """Ask a quiz item and remember where it went, so answers to it can be found."""
    message_id, poll_id = await ask(bot, view)
    with db.session() as session:
        mark_sent(session, view.item.id, message_id=message_id, poll_id=poll_id)


async def ask(bot: Bot, view: ItemView) -> tuple[int, str | None]:
    """Send a quiz item: a quiz poll when it fits, else a message with a button per option."""
    question, item, quiz = view.question, view.item, view.quiz
    options = [question.options[i] for i in item.option_order]
    position = item.position + 1
    titled = texts.question_header(position, quiz.total) + question.text
    multiple = len(question.correct) > 1
    if fits_poll(titled, options):
        message = await bot.send_poll(
            quiz.chat_id,
            question=titled,
            options=[InputPollOption(o) for o in options],
            is_anonymous=False,
            type=Poll.QUIZ,
            allows_multiple_answers=multiple,
            correct_option_ids=to_shown(item.option_order, question.correct),  # type: ignore[arg-type]  # PTB types ids as Literal[0..11]
            explanation=poll_explanation(question.explanation),
            open_period=quiz.open_period,  # a round's countdown; None for solo quizzes
        )
        poll_id = message.poll.id if message.poll else None
    else:
        markup = (
            keyboards.toggle_buttons(item.id, len(options), 0)
            if multiple
            else keyboards.answer_buttons(item.id, len(options))
        )
        message = await bot.send_message(
            quiz.chat_id,
            texts.question_message(position, quiz.total, question.text, options, multiple),
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
        poll_id = None
    return message.message_id, poll_id


async def send_feedback(bot: Bot, view: ItemView, correct: bool) -> None:
    """Verdict, the right answer in full, the explanation and the source passage."""
    question, quiz, bank = view.question, view.quiz, view.bank
    await bot.send_message(
        quiz.chat_id,
        texts.feedback(
            correct=correct,
            answers=[question.options[i] for i in question.correct],
            explanation=question.explanation,
            passage=question.passage,
            source_title=bank.source_title,
            source_url=bank.source_url,
            score=quiz.score,
            answered=view.item.position + 1,
        ),
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
    )


async def follow_up(bot: Bot, db: Database, answered: Answered) -> None:
    """Feedback for a recorded answer, then the next question or the summary.

    Both are marked delivered in one transaction at the end: after a crash in between, the
    start-up redelivery may send one of them twice, but never loses one.
    """
    view, quiz = answered.view, answered.view.quiz
    await send_feedback(bot, view, answered.correct)
    if answered.following is not None:
        message_id, poll_id = await ask(bot, answered.following)
    else:
        await _send_summary_text(bot, quiz, view.bank.title, answered.results)
    with db.session() as session:
        mark_feedback_sent(session, answered.answer_id)
        if answered.following is not None:
            item_id = answered.following.item.id
            mark_sent(session, item_id, message_id=message_id, poll_id=poll_id)
        else:
            mark_summary_sent(session, quiz.id)


async def send_summary(bot: Bot, db: Database, quiz: QuizState) -> None:
    """The score and a right/wrong line per question."""
    with db.session() as session:
        results = quiz_results(session, quiz)
        bank = get_bank(session, quiz.bank_id)
    await _send_summary(bot, db, quiz, bank.title if bank else quiz.bank_id, results)


async def _send_summary(
    bot: Bot, db: Database, quiz: QuizState, title: str, results: list[AnsweredQuestion]
) -> None:
    await _send_summary_text(bot, quiz, title, results)
    with db.session() as session:
        mark_summary_sent(session, quiz.id)


async def _send_summary_text(
    bot: Bot, quiz: QuizState, title: str, results: list[AnsweredQuestion]
) -> None:
    text = texts.summary(title, quiz.score, results, quiz.status == "stopped")
    for chunk in texts.split_message(text.split("\n")):
        await bot.send_message(quiz.chat_id, chunk, parse_mode=ParseMode.HTML)


async def deliver_owed(bot: Bot, db: Database) -> int:
    """Send what a stopped bot still owed: feedback, summaries, then unasked questions.

    Each is marked once Telegram accepted it, so a crash at any point means at worst a
    message sent twice, never one missing.
    """
    with db.session() as session:
        feedback = feedback_owed(session)
    for owed in feedback:
        await send_feedback(bot, owed.view, owed.correct)
        with db.session() as session:
            mark_feedback_sent(session, owed.answer_id)
    with db.session() as session:
        summaries = summaries_owed(session)
        questions = questions_owed(session)
    for quiz in summaries:
        await send_summary(bot, db, quiz)
    for view in questions:
        await send_question(bot, db, view)
    return len(feedback) + len(summaries) + len(questions)
