"""Who may do what: admins from the settings, teachers from the settings or the database.

Every teacher-only handler asks here on the server side, whatever buttons it showed. Telegram
stands some updates in for a person who is not named: every anonymous admin of every group
writes as one shared account (@GroupAnonymousBot), and so does every "send as channel"
(@Channel_Bot) and every channel post forwarded to a discussion group (Telegram's service
account). Those accounts are shared by strangers, so they are never anybody: no role, no
bank access, no score.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import Bot, Update, User
from telegram.constants import ChatID, ChatMemberStatus

from bot.settings import Settings
from storage.models import BankRow
from storage.roles import has_teacher_role

PSEUDO_USERS = frozenset({ChatID.ANONYMOUS_ADMIN, ChatID.FAKE_CHANNEL, ChatID.SERVICE_CHAT})
GROUP_LEADERS = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})


def is_pseudo_user(user_id: int) -> bool:
    """One of the accounts Telegram shows in place of an unnamed sender."""
    return user_id in PSEUDO_USERS


def person(update: Update) -> User | None:
    """The person behind an update; None when Telegram names nobody (a chat spoke)."""
    user = update.effective_user
    if user is None or is_pseudo_user(user.id) or user.is_bot:
        return None
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        return None
    if update.poll_answer is not None and update.poll_answer.voter_chat is not None:
        return None
    return user


async def is_group_admin(bot: Bot, update: Update) -> bool:
    """An admin of the update's group, as Telegram says now, not as the update claims.

    Anonymous admins speak as the group itself: only its own admins can.
    """
    chat, message = update.effective_chat, update.effective_message
    if chat is None:
        return False
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    someone = person(update)
    if someone is None:
        return False
    member = await bot.get_chat_member(chat.id, someone.id)
    return member.status in GROUP_LEADERS


def is_admin(settings: Settings, user_id: int) -> bool:
    """An admin named in QUIZBOT_ADMINS."""
    return user_id in settings.admins and not is_pseudo_user(user_id)


def is_teacher(settings: Settings, session: Session, user_id: int) -> bool:
    """A teacher: an admin, one named in QUIZBOT_TEACHERS, or one an admin made in chat."""
    if is_pseudo_user(user_id):
        return False
    if is_admin(settings, user_id) or user_id in settings.teachers:
        return True
    return has_teacher_role(session, user_id)


def owns(settings: Settings, bank: BankRow, user_id: int) -> bool:
    """The bank's owner or an admin: who may see its results, share, change or delete it."""
    if is_pseudo_user(user_id):
        return False
    return bank.uploaded_by == user_id or is_admin(settings, user_id)
