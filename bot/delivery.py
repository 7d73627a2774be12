"""Sending quiz questions, feedback and summaries to a chat."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy.orm import Session
from telegram import Bot, ForceReply, InputPollOption, LinkPreviewOptions, Poll
from telegram.constants import ParseMode, PollLimit

from bot import i18n, keyboards, texts
from bot.timers import RoundClock
from quiz.bank import QuestionKind
from quiz.explain import clip
from quiz.play import to_shown
from storage import inbox
from storage.banks import get_bank
from storage.db import Database
from storage.learning import Recall
from storage.models import QuizKind, QuizStatus
from storage.quizzes import (
    Answered,
    AnsweredQuestion,
    Delivery,
    ItemView,
    QuizState,
    feedback_owed,
    mark_delivered,
    mark_feedback_sent,
    mark_summary_sent,
    questions_owed,
    quiz_results,
    summaries_owed,
)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
POLL_EXPLANATION_LIMIT = 200
DESCRIPTION_LIMIT = 1024  # a poll's description, after entity parsing (sendPoll)
MIN_ROOM = 400  # characters: with less room beside a question, its preface goes on its own
MIN_PART = 40  # characters a clipped quote, explanation or answer keeps at least

# A text that goes above a question in the same message (the previous answer's feedback, a
# quiz's intro), given the room it may take in visible characters: one send instead of two.
Preface = Callable[[int], str]


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


async def send_question(
    bot: Bot, db: Database, view: ItemView, clock: RoundClock, preface: Preface | None = None
) -> None:
    """Ask a quiz item (under `preface`) and remember where and when it went: its answers are
    found by it, and timed from then."""
    message_id, poll_id = await ask(bot, view, preface)
    sent = Delivery(view.item.id, message_id, poll_id, clock.now())
    await db.run(lambda session: mark_delivered(session, [], [sent]))


async def ask(bot: Bot, view: ItemView, preface: Preface | None = None) -> tuple[int, str | None]:
    """Send a quiz item: a quiz poll when it fits (the preface as its description), else a
    message with a button per option; a typed question as a message that asks for a reply."""
    question, item, quiz = view.question, view.item, view.quiz
    position = item.position + 1
    if QuestionKind(question.kind).typed:
        numeric = question.kind == QuestionKind.NUMERIC
        body = texts.typed_question(position, quiz.total, question.text, numeric)
        sent = await bot.send_message(
            quiz.chat_id,
            await _prefaced(bot, quiz.chat_id, preface, body),
            link_preview_options=NO_PREVIEW,
            # The learner's client opens a reply to this message: the next text is the answer.
            reply_markup=ForceReply(input_field_placeholder=texts.typed_placeholder(numeric)),
        )
        return sent.message_id, None
    options = [question.options[i] for i in item.option_order]
    titled = texts.question_header(position, quiz.total) + question.text
    multiple = len(question.correct) > 1
    if fits_poll(titled, options):
        description = await _fitted(bot, quiz.chat_id, preface, DESCRIPTION_LIMIT)
        message = await bot.send_poll(
            quiz.chat_id,
            question=titled,
            # The bank's own words, as written: not HTML (Defaults' parse mode is for the texts).
            question_parse_mode=None,
            description=description,
            description_parse_mode=ParseMode.HTML if description else None,
            options=[InputPollOption(o, text_parse_mode=None) for o in options],
            is_anonymous=False,
            type=Poll.QUIZ,
            allows_multiple_answers=multiple,
            correct_option_ids=to_shown(item.option_order, question.correct),  # type: ignore[arg-type]  # PTB types ids as Literal[0..11]
            explanation=poll_explanation(question.explanation),
            explanation_parse_mode=None,
            open_period=quiz.open_period,  # a round's countdown; None for solo quizzes
        )
        poll_id = message.poll.id if message.poll else None
    else:
        markup = (
            keyboards.toggle_buttons(item.id, len(options), 0)
            if multiple
            else keyboards.answer_buttons(item.id, len(options))
        )
        body = texts.question_message(position, quiz.total, question.text, options, multiple)
        message = await bot.send_message(
            quiz.chat_id,
            await _prefaced(bot, quiz.chat_id, preface, body),
            reply_markup=markup,
            link_preview_options=NO_PREVIEW,
        )
        poll_id = None
    return message.message_id, poll_id


async def _prefaced(bot: Bot, chat_id: int, preface: Preface | None, body: str) -> str:
    """A question's message text with its preface above it, when that fits beside it."""
    room = texts.MESSAGE_LIMIT - texts.visible_length(body) - 2
    before = await _fitted(bot, chat_id, preface, room)
    return body if before is None else f"{before}\n\n{body}"


async def _fitted(bot: Bot, chat_id: int, preface: Preface | None, room: int) -> str | None:
    """The preface within `room`; when too little room is left (a long question), it goes
    first as a message of its own, in full, and None is returned."""
    if preface is None:
        return None
    if room >= MIN_ROOM and texts.visible_length(text := preface(room)) <= room:
        return text
    await _send_html(bot, chat_id, preface(texts.MESSAGE_LIMIT))
    return None


async def _send_html(bot: Bot, chat_id: int, text: str) -> None:
    await bot.send_message(chat_id, text, link_preview_options=NO_PREVIEW)


def feedback_text(
    view: ItemView,
    correct: bool,
    recall: Recall | None = None,
    note: str | None = None,
    room: int = texts.MESSAGE_LIMIT,
) -> str:
    """Verdict, the right answer in full, the explanation and the source passage; in a review,
    when the question comes back (`recall`: what the answer did to the learner's card); and
    any `note` (a typo forgiven). Within `room` visible characters: the longest of the quote,
    the explanation and the answers are clipped to one length (on a word boundary, with "…"),
    and the source is still named."""
    question, quiz, bank = view.question, view.quiz, view.bank
    answers = [question.options[i] for i in question.correct]
    full = {
        "passage": question.passage or "",
        "explanation": question.explanation or "",
        "answers": "; ".join(answers),
    }
    caps = {part: len(text) for part, text in full.items()}
    while True:
        text = texts.feedback(
            correct=correct,
            answers=answers,
            explanation=clip(full["explanation"], caps["explanation"]) or None,
            passage=clip(full["passage"], caps["passage"]) or None,
            source_title=bank.source_title,
            source_url=bank.source_url,
            score=quiz.score,
            answered=view.item.position + 1,
            typo=note,
            note=_review_note(quiz, correct, recall),
            answers_limit=caps["answers"],
            asked=question.text,
        )
        over = texts.visible_length(text) - room
        lowered = _lowered(caps, over)
        if over <= 0 or lowered == caps:  # fits, or nothing left to clip
            return text
        caps = lowered


def _lowered(caps: dict[str, int], over: int) -> dict[str, int]:
    """The caps with the longest brought down to one level that cuts `over` characters in all
    (each cut costs one more, for its "…"); never under MIN_PART."""
    low, high = MIN_PART, max(caps.values())
    while low < high:  # the highest level that cuts enough
        level = (low + high + 1) // 2
        cut = sum(cap - level + 1 for cap in caps.values() if cap > level)
        low, high = (level, high) if cut >= over else (low, level - 1)
    return {part: min(cap, low) for part, cap in caps.items()}


async def send_feedback(bot: Bot, view: ItemView, correct: bool) -> None:
    """An answer's feedback as a message of its own (when it was owed at a restart)."""
    await _send_html(bot, view.quiz.chat_id, feedback_text(view, correct))


def _review_note(quiz: QuizState, correct: bool, recall: Recall | None) -> str | None:
    if quiz.kind != QuizKind.REVIEW or recall is None:
        return None
    if not correct:
        return texts.asked_again_later()
    return texts.next_review(recall.due - recall.at)


class DeliveryMarks:
    """Feedback and questions that reached Telegram, waiting to be marked delivered.

    With polling they are written first by the next transaction of the database thread (a
    learner's next answer, or the next batch of updates stored: see Database.prelude): one
    transaction less per answer. A learner's answer to a question comes in a later update
    of that learner, handled after the one that asked it (each chat's updates in order), so
    the question's poll id is written before the answer looks it up. With a webhook another
    process may get that answer: they are written at once. Either way a crash before the
    write means at worst a message sent twice at the next start, never one missing. Updates
    shed in a flood wait here to be marked handled, the same way: after a crash before that,
    they are replayed through the same gate, and shed again as a flood.
    """

    def __init__(self) -> None:
        self.deferred = True
        self._feedback: list[int] = []
        self._sent: list[Delivery] = []
        self._shed: list[int] = []  # updates shed in a flood (bot.fairness): handled, unrun
        self._lock = threading.Lock()  # added to on the event loop, taken on the database thread

    @property
    def pending(self) -> bool:
        """Whether some mark is not written yet."""
        return bool(self._feedback or self._sent or self._shed)

    async def add(self, db: Database, answer_id: int, sent: Delivery | None) -> None:
        """An answer's feedback went out, and the next question if `sent`."""
        with self._lock:
            self._feedback.append(answer_id)
            if sent is not None:
                self._sent.append(sent)
        await self._write_now(db)

    async def add_shed(self, db: Database, update_id: int) -> None:
        """An update was shed: handled, so a restart does not replay it."""
        with self._lock:
            self._shed.append(update_id)
        await self._write_now(db)

    async def _write_now(self, db: Database) -> None:
        if not self.deferred:
            await db.run(lambda session: None)  # every transaction writes them first

    @contextmanager
    def taken(self) -> Iterator[Callable[[Session], None]]:
        """The pending marks, taken for a transaction that writes them (see Database.prelude);
        put back if it fails."""
        with self._lock:
            feedback, sent, shed = self._feedback, self._sent, self._shed
            self._feedback, self._sent, self._shed = [], [], []

        def write(session: Session) -> None:
            mark_delivered(session, feedback, sent)
            inbox.mark_all_handled(session, shed)

        try:
            yield write
        except BaseException:
            with self._lock:
                self._feedback[:0], self._sent[:0], self._shed[:0] = feedback, sent, shed
            raise


async def follow_up(
    bot: Bot,
    db: Database,
    marks: DeliveryMarks,
    answered: Answered,
    clock: RoundClock,
    note: str | None = None,
) -> None:
    """Feedback for a recorded answer with the next question (a poll's description, or above
    the question in its message), or with the summary: one send per answer.

    Both are marked delivered once it went out (see DeliveryMarks): after a crash before that,
    the start-up redelivery may send them again, but never loses one.
    """
    view, quiz = answered.view, answered.view.quiz

    def feedback(room: int) -> str:
        return feedback_text(view, answered.correct, answered.recall, note, room)

    if answered.following is None:
        title = _title(quiz, view.bank.title)
        await _send_summary_text(bot, quiz, title, answered.results, feedback(texts.MESSAGE_LIMIT))

        def finished(session: Session) -> None:
            mark_feedback_sent(session, answered.answer_id)
            mark_summary_sent(session, quiz.id)

        await db.run(finished)
        return
    message_id, poll_id = await ask(bot, answered.following, feedback)
    sent = Delivery(answered.following.item.id, message_id, poll_id, clock.now())
    await marks.add(db, answered.answer_id, sent)


async def send_summary(bot: Bot, db: Database, quiz: QuizState) -> None:
    """The score and a right/wrong line per question."""

    def read(session: Session) -> tuple[str, list[AnsweredQuestion]]:
        bank = get_bank(session, quiz.bank_id) if quiz.bank_id is not None else None
        title = _title(quiz, bank.title if bank is not None else quiz.bank_id)
        return title, quiz_results(session, quiz)

    title, results = await db.run(read)
    await _send_summary_text(bot, quiz, title, results)
    await db.run(lambda session: mark_summary_sent(session, quiz.id))


def _title(quiz: QuizState, bank_title: str | None) -> str:
    """What a quiz's summary is called: its bank's title, or a review's own."""
    if quiz.kind == QuizKind.REVIEW or bank_title is None:
        return texts.review_title()
    return bank_title


async def _send_summary_text(
    bot: Bot,
    quiz: QuizState,
    title: str,
    results: list[AnsweredQuestion],
    feedback: str | None = None,
) -> None:
    """The summary, under the last answer's `feedback` in one message when that leaves room
    (a long quiz's summary lists only the questions to go over again: see texts.summary)."""
    stopped = quiz.status == QuizStatus.STOPPED
    if feedback is not None:
        room = texts.MESSAGE_LIMIT - texts.visible_length(feedback) - 2
        both = f"{feedback}\n\n{texts.summary(title, quiz.score, results, stopped, room)}"
        if texts.visible_length(both) <= texts.MESSAGE_LIMIT:
            await _send_html(bot, quiz.chat_id, both)
            return
        await _send_html(bot, quiz.chat_id, feedback)
    await _send_html(bot, quiz.chat_id, texts.summary(title, quiz.score, results, stopped))


async def deliver_owed(bot: Bot, db: Database, clock: RoundClock) -> int:
    """Send what a stopped bot still owed: feedback, summaries, then unasked questions.

    Each is marked once Telegram accepted it, so a crash at any point means at worst a
    message sent twice, never one missing.
    """
    feedback = await db.run(feedback_owed)
    for owed in feedback:
        with _speaking_as(owed.view.quiz):
            await send_feedback(bot, owed.view, owed.correct)
        await db.run(functools.partial(mark_feedback_sent, answer_id=owed.answer_id))
    summaries = await db.run(summaries_owed)
    questions = await db.run(questions_owed)
    for quiz in summaries:
        with _speaking_as(quiz):
            await send_summary(bot, db, quiz)
    for view in questions:
        with _speaking_as(view.quiz):
            await send_question(bot, db, view, clock)
    return len(feedback) + len(summaries) + len(questions)


def _speaking_as(quiz: QuizState) -> AbstractContextManager[None]:
    """In the language the quiz was started in."""
    return i18n.speaking(i18n.language_of(quiz.language) or i18n.DEFAULT)
