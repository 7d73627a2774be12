"""Who may do what: admins from the settings, teachers from the settings or the database.

Every teacher-only handler asks here on the server side, whatever buttons it showed.
"""

from __future__ import annotations

from bot.settings import Settings
from storage.db import Database
from storage.models import BankRow
from storage.roles import has_teacher_role


def is_admin(settings: Settings, user_id: int) -> bool:
    """An admin named in QUIZBOT_ADMINS."""
    return user_id in settings.admins


def is_teacher(settings: Settings, db: Database, user_id: int) -> bool:
    """A teacher: an admin, one named in QUIZBOT_TEACHERS, or one an admin made in chat."""
    if is_admin(settings, user_id) or user_id in settings.teachers:
        return True
    with db.session() as session:
        return has_teacher_role(session, user_id)


def owns(settings: Settings, bank: BankRow, user_id: int) -> bool:
    """The bank's owner or an admin: who may see its results, share, change or delete it."""
    return bank.uploaded_by == user_id or is_admin(settings, user_id)
