"""Small helpers shared by handlers: who is talking, and replying in HTML.

Database work runs through `context.db.run` (a database thread), never on the event loop;
the sync functions here take the caller's session, so one trip can do several things.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session
from telegram import Chat, InlineKeyboardMarkup, Message, Update

from bot import texts
from bot.access import is_teacher
from bot.context import Context
from storage import inbox
from storage.banks import BankSummary, list_banks
from storage.quizzes import upsert_chat, upsert_user

T = TypeVar("T")


async def with_update_handled(update: Update, context: Context, work: Callable[[Session], T]) -> T:
    """`work` in the transaction that marks the update handled: the crash-safety rule.

    After a crash the update is then either replayed (none of `work` was stored) or skipped
    (all of it was), never both: a /quiz replayed after its quiz was stored would start a
    second quiz and stop the first, whose question the learner may already have answered.
    Deliveries waiting to be marked are written in the same transaction (DeliveryMarks).
    """

    def run(session: Session) -> T:
        inbox.mark_handled(session, update.update_id)
        return work(session)

    # The application need not mark it again, even if this transaction fails: the update then
    # stays unhandled in the inbox, for a replay at the next start.
    context.bot_data.handled.add(update.update_id)
    return await context.db.run(run)


async def teacher_sender(update: Update, context: Context) -> int | None:
    """The sender's id if they are a teacher (remembered); otherwise they are told, and None."""
    user = update.effective_user
    if user is None:
        return None

    def check(session: Session) -> bool:
        note_sender(session, update)
        return is_teacher(context.settings, session, user.id)

    if not await context.db.run(check):
        await reply(update, texts.teachers_only())
        return None
    return user.id


async def teacher(context: Context, user_id: int) -> bool:
    """Whether this user is a teacher."""
    return await context.db.run(lambda session: is_teacher(context.settings, session, user_id))


def note_sender(session: Session, update: Update) -> None:
    """Record the user and chat of an update, so names on leaderboards stay current."""
    user, chat = update.effective_user, update.effective_chat
    if user is not None:
        upsert_user(session, user.id, user.first_name, user.username)
    if chat is not None:
        upsert_chat(session, chat.id, chat.type, chat.title)


async def remember(update: Update, context: Context) -> None:
    """`note_sender` in a transaction of its own."""
    await context.db.run(lambda session: note_sender(session, update))


async def reply(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Answer in the chat the update came from."""
    message = update.effective_message
    if message is None:
        return None
    return await message.reply_text(text, reply_markup=markup, do_quote=False)


def in_group(update: Update) -> bool:
    """Whether the update comes from a group (basic or super)."""
    chat = update.effective_chat
    return chat is not None and chat.type in (Chat.GROUP, Chat.SUPERGROUP)


def banks_here(session: Session, update: Update) -> list[BankSummary]:
    """The banks to list in this chat: in a group the group's, never a member's private ones."""
    user, chat = update.effective_user, update.effective_chat
    if chat is not None and in_group(update):
        return list_banks(session, group_id=chat.id)
    return list_banks(session, user.id if user is not None else None)


async def listed_here(update: Update, context: Context) -> list[BankSummary]:
    """`banks_here` in a transaction of its own."""
    return await context.db.run(lambda session: banks_here(session, update))
