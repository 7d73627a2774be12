"""Groups: live rounds (/quiz, bank buttons, /stop) and a hello when the bot is added."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session
from telegram import Chat, ChatMember, Update
from telegram.constants import PollLimit
from telegram.ext import CallbackQueryHandler, ChatMemberHandler, CommandHandler, filters

from bot import callbacks, delivery, rounds, texts
from bot.access import is_group_admin, person
from bot.callbacks import Action
from bot.context import Context, QuizApplication
from bot.handlers import quiz
from bot.handlers.common import remember, reply, teacher, with_update_handled
from storage import banks, quizzes
from storage.models import QuizKind, QuizStatus
from storage.rounds import Step, abandon, current_step

DEFAULT_SECONDS = 20
# Telegram's open_period starts at 5 seconds; past 10 minutes a round is no longer live.
SHORTEST, LONGEST = PollLimit.MIN_OPEN_PERIOD, 600
PRESENT = {ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER}
GROUPS = {Chat.GROUP, Chat.SUPERGROUP}


@dataclass(frozen=True)
class RoundArgs:
    """What `/quiz <bank-id> [n] [Ns]` asks for."""

    bank_id: str
    count: int | None
    seconds: int


def parse_round_args(args: Sequence[str]) -> RoundArgs | str:
    """The bank, number of questions and seconds each (in either order); else the reply."""
    if not args or len(args) > 3:
        return texts.round_usage()
    count, seconds = None, DEFAULT_SECONDS
    for argument in args[1:]:
        word = argument.strip().lower()
        if word.endswith("s") and word[:-1].isdigit():  # "15s"
            seconds = int(word[:-1])
            if not SHORTEST <= seconds <= LONGEST:
                return texts.bad_round_seconds(argument, SHORTEST, LONGEST)
        elif (count := quiz.parse_count(word)) is None:
            return texts.bad_count(argument)
    return RoundArgs(args[0], count, seconds)


async def round_command(update: Update, context: Context) -> None:
    """/quiz <bank-id> [n] [Ns] in a group: a live round, for its admins and teachers."""
    if update.effective_user is None:
        return
    await remember(update, context)
    parsed = parse_round_args(context.args or [])
    if isinstance(parsed, str):
        await reply(update, parsed)
        return
    await start_round(update, context, parsed)


async def bank_button(update: Update, context: Context) -> None:
    """A bank button: a round with the defaults in a group, a solo quiz in private."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or query.data is None or chat is None:
        return
    if chat.type not in GROUPS:
        await quiz.bank_button(update, context)
        return
    await query.answer()
    await remember(update, context)
    pressed = callbacks.decode(query.data)
    bank_id = (pressed.text(0) if pressed is not None else None) or ""
    await start_round(update, context, RoundArgs(bank_id, None, DEFAULT_SECONDS))


async def start_round(
    update: Update, context: Context, wanted: RoundArgs, code: str | None = None
) -> None:
    """Start the round if the sender may and nothing runs here, and time its first question.

    `code`: a share code brought here (a `?startgroup=` link); the bank it names is opened to
    this group, never to the sender (an anonymous admin is every group's anonymous admin).
    """
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if not await _leads(update, context):
        await reply(update, texts.round_leaders_only())
        return
    someone = person(update)
    by = someone.id if someone is not None else None

    def begin(session: Session) -> quiz.Started | str:
        shared = banks.bank_by_code(session, code) if code is not None else None
        if shared is not None:
            banks.open_to_group(session, shared.id, chat.id, granted_by=by)
        if quizzes.active_quiz(session, chat.id) is not None:
            return texts.round_already_running()
        return quiz.plan_and_start(
            session,
            chat_id=chat.id,
            user_id=user.id,
            bank_id=shared.id if shared is not None else wanted.bank_id,
            count=wanted.count,
            open_period=wanted.seconds,
            player=quiz.Player(by, chat.id),
            now=context.bot_data.clock.now(),
        )

    started = await with_update_handled(update, context, begin)
    if isinstance(started, str):
        await reply(update, started)
        return
    await reply(update, started.intro)
    if started.first is not None:
        context.bot_data.rounds.start(context.bot, context.db, started.first.quiz)


async def stop_command(update: Update, context: Context) -> None:
    """/stop in a group: its admins, teachers or the round's starter end it with its table."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    running = await context.db.run(lambda session: quizzes.active_state(session, chat.id))
    if running is None:
        await reply(update, texts.nothing_to_stop(in_group=True))
        return
    starter = running.user_id
    # The teacher role gives no power in a group: another's round is for its admins to stop.
    someone = person(update)
    own = someone is not None and someone.id == starter
    if not own and not await is_group_admin(context.bot, update):
        await reply(update, texts.round_stop_refused())
        return
    context.bot_data.rounds.cancel(chat.id)

    def stop(session: Session) -> tuple[quizzes.QuizState, Step | None] | None:
        stopped = quizzes.active_quiz(session, chat.id)
        if stopped is None:
            return None  # it ended while we asked who may stop it, and posted its own table
        step = current_step(session, stopped.id) if stopped.kind == QuizKind.ROUND else None
        quizzes.finish_quiz(stopped, status=QuizStatus.STOPPED)
        return quizzes.QuizState.of(stopped), step

    ended = await context.db.run(stop)
    if ended is None:
        return
    state, step = ended
    if step is not None and step.sent is not None:  # votes after /stop would count for nothing
        await rounds.stop_poll(context.bot, chat.id, step.sent.message_id)
    if state.kind == QuizKind.ROUND:
        await rounds.post_table(context.bot, context.db, state.id)
    else:  # a solo quiz started here before groups played rounds
        await delivery.send_summary(context.bot, context.db, state)


async def membership_changed(update: Update, context: Context) -> None:
    """Added to a group: say how a round starts. Removed: drop its round without a word."""
    change = update.my_chat_member
    if change is None or change.chat.type not in GROUPS:
        return
    was_in = change.old_chat_member.status in PRESENT
    is_in = change.new_chat_member.status in PRESENT
    if is_in and not was_in:
        await remember(update, context)
        await context.bot.send_message(change.chat.id, texts.group_hello())
    elif was_in and not is_in:
        context.bot_data.rounds.cancel(change.chat.id)
        await context.db.run(lambda session: abandon(session, change.chat.id))


async def _leads(update: Update, context: Context) -> bool:
    """May start a round here: an admin of the group, or a teacher."""
    someone = person(update)
    if someone is not None and await teacher(context, someone.id):
        return True
    return await is_group_admin(context.bot, update)


def register(application: QuizApplication) -> None:
    """Add this module's handlers; before quiz's, whose /quiz and /stop serve private chats."""
    groups = filters.ChatType.GROUPS
    application.add_handler(CommandHandler("quiz", round_command, filters=groups))
    application.add_handler(CommandHandler("stop", stop_command, filters=groups))
    application.add_handler(
        CallbackQueryHandler(bank_button, pattern=callbacks.pattern(Action.START_QUIZ))
    )
    application.add_handler(ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER))
