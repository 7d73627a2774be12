"""Taking quizzes: /quiz, /stop, bank buttons, and answers by poll or by button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session
from telegram import CallbackQuery, Update, User
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, PollAnswerHandler

from bot import callbacks, delivery, i18n, keyboards, rounds, texts
from bot.access import person
from bot.callbacks import Action
from bot.context import Context, QuizApplication
from bot.handlers.common import listed_here, remember, reply, with_update_handled
from quiz.bank import QuestionKind
from quiz.grading import TypedGrade
from quiz.play import (
    MAX_QUESTIONS,
    Familiarity,
    familiarity,
    is_correct,
    option_order,
    plan_quiz,
    to_original,
)
from storage import banks, learning, quizzes
from storage.banks import Playable
from storage.models import QuizKind, QuizStatus
from storage.quizzes import Answered, ItemView

MAX_QUESTIONS_ARG = 10_000


async def quiz_command(update: Update, context: Context) -> None:
    """/quiz [bank-id] [n]: start a quiz, or offer the banks as buttons."""
    if update.effective_user is None:
        return  # sent on behalf of a channel or an anonymous admin: nobody to quiz
    await remember(update, context)
    args = context.args or []
    if not args:
        await offer_banks(update, context)
        return
    if len(args) > 2:  # seconds per question belong to group rounds
        await reply(update, texts.quiz_usage())
        return
    count = None
    if len(args) > 1:
        count = parse_count(args[1])
        if count is None:
            await reply(update, texts.bad_count(args[1]))
            return
    await begin_quiz(update, context, args[0], count)


def parse_count(text: str) -> int | None:
    """A number of questions, or None when the text is not one."""
    try:
        count = int(text)
    except ValueError:
        return None
    return count if 1 <= count <= MAX_QUESTIONS_ARG else None


async def offer_banks(update: Update, context: Context) -> None:
    """Ask which bank to play, with a button for each."""
    listed = await listed_here(update, context)
    if not listed:
        await reply(update, texts.no_banks())
        return
    await reply(update, texts.choose_bank(), keyboards.bank_buttons(listed))


@dataclass(frozen=True)
class Player:
    """Who asks to play, for bank access: a person (None: an anonymous admin or a channel
    speaking) and, for a group's round, the group."""

    person: int | None
    group_id: int | None = None


@dataclass(frozen=True)
class Started:
    """A quiz that was just planned, and what to tell the learner."""

    intro: str
    first: ItemView | None


def plan_and_start(
    session: Session,
    *,
    chat_id: int,
    user_id: int,
    bank_id: str,
    count: int | None,
    player: Player,
    now: datetime,
    open_period: int | None = None,
) -> Started | str:
    """Plan a quiz on the bank in this chat; the reason as text when there is none to play.

    A learner's own quiz asks what they have not seen first, then what is due for review. With
    `open_period` it is a group's live round: timed polls only, so only questions that fit a
    poll. A private bank played in a group is open to that group from then on.
    """
    bank = banks.playable_bank(
        session, bank_id.strip().lower(), player.person, group_id=player.group_id
    )
    if bank is None:
        return texts.unknown_bank(bank_id)
    if player.group_id is not None and bank.visibility != "public":
        banks.open_to_group(session, bank.id, player.group_id, granted_by=player.person)
    questions = banks.playable_questions(session, bank.id, with_text=open_period is not None)
    in_bank, typed = len(questions), 0
    if open_period is not None:  # a round asks polls only: no typed answers, nothing too long
        typed = sum(QuestionKind(q.kind).typed for q in questions)
        questions = [
            q
            for q in questions
            if not QuestionKind(q.kind).typed and rounds.fits_round(q.text or "", q.options or [])
        ]
    if not questions:
        return texts.bank_empty(bank.title, no_polls=in_bank > 0)
    plan = plan_quiz(
        [q.option_count for q in questions],
        count,
        shuffle_options=[q.kind == "choice" for q in questions],
        familiarity=_familiarity(session, player, bank.id, questions, now),
    )
    replaced = quizzes.running_progress(session, chat_id)
    quiz = quizzes.start_quiz(
        session,
        chat_id=chat_id,
        user_id=user_id,
        bank_id=bank.id,
        items=[(questions[p.index].id, p.option_order) for p in plan],
        open_period=open_period,
        language=i18n.current().value,
    )
    if open_period is None:
        intro = texts.quiz_started(bank.title, quiz.total, len(questions), replaced)
    else:
        intro = texts.round_started(bank.title, quiz.total, open_period)
    if typed:
        intro += "\n" + texts.round_skips_typed(typed)
    if count is not None and count > len(questions) and len(questions) <= MAX_QUESTIONS:
        too_long = in_bank - typed - len(questions)
        intro += "\n" + texts.count_capped(len(questions), too_long=too_long)
    elif count is not None and count > MAX_QUESTIONS:
        intro += "\n" + texts.length_capped(MAX_QUESTIONS)
    return Started(intro, quizzes.current_item(session, quiz))


def _familiarity(
    session: Session, player: Player, bank_id: str, questions: list[Playable], now: datetime
) -> list[Familiarity] | None:
    """How well the learner knows each question; None for a group's round."""
    if player.group_id is not None or player.person is None:
        return None
    dues = learning.card_dues(session, player.person, bank_id)
    return [familiarity(dues.get(q.id), now) for q in questions]


async def begin_quiz(update: Update, context: Context, bank_id: str, count: int | None) -> None:
    """Start a quiz on `bank_id` in this chat and ask its first question at once."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    # The transaction ends before anything is sent: no lock is held across network waits.
    started = await with_update_handled(
        update,
        context,
        lambda session: plan_and_start(
            session,
            chat_id=chat.id,
            user_id=user.id,
            bank_id=bank_id,
            count=count,
            player=Player(user.id),
            now=context.bot_data.clock.now(),
        ),
    )
    await ask_first(update, context, started)


async def ask_first(update: Update, context: Context, started: Started | str) -> None:
    """The first question of a quiz or review just started, with its intro as the question's
    preface (one send to start), or why none started."""
    if isinstance(started, str):
        await reply(update, started)
        return
    if started.first is None:
        await reply(update, started.intro)
        return
    intro = started.intro
    await delivery.send_question(
        context.bot, context.db, started.first, context.bot_data.clock, lambda room: intro
    )


async def stop_command(update: Update, context: Context) -> None:
    """/stop: end the quiz in this chat and show how it went."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return

    def stop(session: Session) -> tuple[quizzes.QuizState | None, int | None]:
        """The quiz here, stopped if it is the sender's, and its open poll's message."""
        quiz = quizzes.active_quiz(session, chat.id)
        if quiz is None or quiz.user_id != user.id:
            return (quizzes.QuizState.of(quiz) if quiz is not None else None), None
        poll_message = quizzes.open_poll(session, quiz)
        quizzes.finish_quiz(quiz, status=QuizStatus.STOPPED)
        return quizzes.QuizState.of(quiz), poll_message

    state, poll_message = await context.db.run(stop)
    if state is None:
        await reply(update, texts.nothing_to_stop())
    elif state.user_id != user.id:
        await reply(update, texts.not_your_quiz_to_stop())
    else:
        if poll_message is not None:  # a vote after /stop would count for nothing
            await rounds.stop_poll(context.bot, chat.id, poll_message)
        await delivery.send_summary(context.bot, context.db, state)


async def bank_button(update: Update, context: Context) -> None:
    """A bank button under /quiz or /banks in a private chat (see groups.bank_button)."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    await query.answer()
    await remember(update, context)
    pressed = callbacks.decode(query.data)
    bank_id = pressed.text(0) if pressed is not None else None
    await begin_quiz(update, context, bank_id or "", None)


KNOWN_NAMES = 100_000  # users whose stored name this process remembers (about 20 MB at most)


@dataclass(frozen=True)
class Typed:
    """A typed reply to a typed question, and its grade (made before the transaction)."""

    text: str
    grade: TypedGrade


async def take_answer(
    context: Context,
    update: Update,
    find: Callable[[Session], ItemView | None],
    user: User,
    given: Sequence[int] | Typed,
) -> Answered | str | None:
    """Grade and record an answer in one transaction: what follows it, a reason text when it
    doesn't count, or None (a round's vote: its results come when time is up).

    The update is marked handled in that same transaction, so after a crash it is either
    replayed (nothing was recorded) or skipped (everything was).
    """
    now = context.bot_data.clock.now()  # a round's speed points count to here
    names, name = context.bot_data.names, (user.first_name, user.username)
    renamed = names.get(user.id) != name

    def record(session: Session) -> Answered | str | None:
        if renamed:
            quizzes.upsert_user(session, user.id, user.first_name, user.username)
        view = find(session)
        if view is None:
            return texts.stale_question()
        return _grade(session, update, view, user.id, given, now)

    taken = await with_update_handled(update, context, record)
    if renamed:  # stored: the transaction committed
        if len(names) >= KNOWN_NAMES:
            names.clear()
        names[user.id] = name
    return taken


def _grade(
    session: Session,
    update: Update,
    view: ItemView,
    user_id: int,
    given: Sequence[int] | Typed,
    now: datetime,
) -> Answered | str | None:
    if view.quiz.kind == QuizKind.ROUND:  # a group's live round: anyone answers, scored by time
        if update.poll_answer is None or isinstance(given, Typed):  # its questions are polls
            return texts.stale_question()
        rounds.take_answer(session, view, user_id, given, now)
        return None
    if view.quiz.user_id != user_id:
        return texts.not_your_quiz()
    if update.callback_query is not None and _chat_id(update) != view.quiz.chat_id:
        return texts.stale_question()  # its buttons are in its own chat: forged data
    typed = QuestionKind(view.question.kind).typed
    if isinstance(given, Typed):
        chosen, correct, text = [], given.grade.correct, given.text
    else:
        chosen, text = to_original(view.item.option_order, given), None
        correct = is_correct(view.question.correct, chosen)
    if not view.is_current or typed != (text is not None) or (not typed and not chosen):
        return texts.stale_question()
    answered = quizzes.record_answer(
        session,
        view,
        user_id=user_id,
        chosen=chosen,
        correct=correct,
        typed=text,
        now=now,
        retry_order=option_order(len(view.item.option_order), view.question.kind == "choice"),
    )
    # None: the same answer, delivered again.
    return texts.stale_question() if answered is None else answered


def _chat_id(update: Update) -> int | None:
    chat = update.effective_chat
    return chat.id if chat is not None else None


async def poll_answer(update: Update, context: Context) -> None:
    """An answer to one of our quiz polls."""
    answer, voter = update.poll_answer, person(update)
    if answer is None or voter is None:
        return  # a vote on behalf of a channel: nobody to score
    taken = await take_answer(
        context,
        update,
        lambda s: quizzes.item_by_poll(s, answer.poll_id),
        voter,
        answer.option_ids,
    )
    if isinstance(taken, Answered):
        await delivery.follow_up(
            context.bot, context.db, context.bot_data.marks, taken, context.bot_data.clock
        )


async def answer_button(update: Update, context: Context) -> None:
    """A pressed option button (single answer), tick box or Done (several answers)."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    data = keyboards.parse_answer(query.data)
    if data is None:  # matched the pattern, but not data we made: forged
        await query.answer(texts.stale_question())
        return
    if data.action == Action.TOGGLE:
        await _toggle(context, query, data)
        return
    if not data.mask:
        await query.answer(texts.tick_something())
        return
    taken = await take_answer(
        context,
        update,
        lambda s: quizzes.item_by_id(s, data.item_id),
        query.from_user,
        data.shown,
    )
    if not isinstance(taken, Answered):  # never None: rounds take no buttons
        await query.answer(taken)
        return
    await query.answer()
    await _ignore_not_modified(query.edit_message_reply_markup(reply_markup=None))
    await delivery.follow_up(
        context.bot, context.db, context.bot_data.marks, taken, context.bot_data.clock
    )


async def _toggle(context: Context, query: CallbackQuery, data: keyboards.AnswerData) -> None:
    view = await context.db.run(lambda session: quizzes.item_by_id(session, data.item_id))
    if view is None or not view.is_current:
        await query.answer(texts.stale_question())
    elif view.quiz.user_id != query.from_user.id:
        await query.answer(texts.not_your_quiz())
    else:
        await query.answer()
        markup = keyboards.toggle_buttons(data.item_id, len(view.item.option_order), data.mask)
        await _ignore_not_modified(query.edit_message_reply_markup(reply_markup=markup))


async def _ignore_not_modified(edit: Awaitable[object]) -> None:
    # A button pressed twice in a row asks for the same edit twice; Telegram refuses the second.
    try:
        await edit
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("quiz", quiz_command))
    application.add_handler(CommandHandler("stop", stop_command))
    answers = callbacks.pattern(*keyboards.ANSWERS)
    application.add_handler(CallbackQueryHandler(answer_button, pattern=answers))
    application.add_handler(PollAnswerHandler(poll_answer))
