"""Roles given in chat: teachers made by admins (admins themselves are configured)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.db import insert_ignore
from storage.models import Role, utcnow

TEACHER = "teacher"


def grant_teacher(session: Session, user_id: int, *, granted_by: int) -> bool:
    """Make the user a teacher; False if they already were."""
    row = {"user_id": user_id, "role": TEACHER, "granted_by": granted_by, "granted_at": utcnow()}
    return insert_ignore(session, Role, row) is not None


def revoke_teacher(session: Session, user_id: int) -> bool:
    """Take the teacher role away; False if the user had none."""
    result = session.execute(delete(Role).where(Role.user_id == user_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def has_teacher_role(session: Session, user_id: int) -> bool:
    """Whether an admin made this user a teacher in chat."""
    return session.get(Role, user_id) is not None


def teacher_ids(session: Session) -> list[int]:
    """Everyone made a teacher in chat, by id."""
    return list(session.scalars(select(Role.user_id).order_by(Role.user_id)))
