"""Banks built in chat, and what a teacher's next message is for, kept in the database.

A draft holds its questions as the bank file writes them (plain dicts), so that saving it
validates the whole bank the way an upload is validated; until then, nothing of it reaches
learners.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage.models import Draft, Wait, utcnow


class Waiting(StrEnum):
    """What a teacher's next message is for."""

    SOURCE = "source"  # the source text of a bank (bank_id) or of their draft (no bank_id)
    REPLACE = "replace"  # a question replacing one of a saved bank (bank_id, question_key)


@dataclass(frozen=True)
class DraftState:
    """A teacher's draft as handlers read it."""

    title: str
    language: str | None  # the bank's, from the teacher's when they opened it
    source_title: str | None
    source_text: str
    questions: list[dict[str, Any]]
    proposals: list[dict[str, Any]]  # from /draft, waiting for Keep or Drop


@dataclass(frozen=True)
class WaitState:
    """What the teacher's next message is for."""

    what: Waiting
    bank_id: str | None
    question_key: str | None


def draft_of(session: Session, user_id: int) -> DraftState | None:
    """The teacher's open draft, if any."""
    draft = session.get(Draft, user_id)
    if draft is None:
        return None
    return DraftState(
        draft.title,
        draft.language,
        draft.source_title,
        draft.source_text,
        list(draft.questions),
        list(draft.proposals),
    )


def open_draft(session: Session, user_id: int, title: str, language: str | None) -> bool:
    """Open a draft of a bank in `language`; False when one is open already (it is left as
    it is)."""
    if session.get(Draft, user_id) is not None:
        return False
    session.add(
        Draft(
            user_id=user_id,
            title=title,
            language=language,
            questions=[],
            proposals=[],
            created_at=utcnow(),
        )
    )
    return True


def add_questions(session: Session, user_id: int, questions: list[dict[str, Any]]) -> int | None:
    """Append questions to the draft; how many it then has, None when there is no draft."""
    draft = session.get(Draft, user_id)
    if draft is None:
        return None
    draft.questions = [*draft.questions, *questions]  # a new list: JSON changes are assigned
    return len(draft.questions)


def remove_question(session: Session, user_id: int, question_id: str) -> str | None:
    """Take the question with this id out of the draft; its text, None when it is not there."""
    draft = session.get(Draft, user_id)
    if draft is None:
        return None
    kept = [q for q in draft.questions if q.get("id") != question_id]
    if len(kept) == len(draft.questions):
        return None
    removed = next(q for q in draft.questions if q.get("id") == question_id)
    draft.questions = kept
    return str(removed.get("question", ""))


def propose(session: Session, user_id: int, proposals: list[dict[str, Any]]) -> bool:
    """Offer these questions for Keep or Drop (in place of any offered before)."""
    draft = session.get(Draft, user_id)
    if draft is None:
        return False
    draft.proposals = proposals
    return True


@dataclass(frozen=True)
class Settled:
    """A proposal kept or dropped, and what is left to decide."""

    question: dict[str, Any]
    following: dict[str, Any] | None  # the next proposal, if any
    left: int  # proposals still waiting, `following` included
    questions: int  # the draft's questions now


def settle_proposal(session: Session, user_id: int, question_id: str, keep: bool) -> Settled | None:
    """Keep a proposed question (it joins the draft) or drop it; None when it is not offered."""
    draft = session.get(Draft, user_id)
    if draft is None:
        return None
    offered = next((q for q in draft.proposals if q.get("id") == question_id), None)
    if offered is None:
        return None
    draft.proposals = [q for q in draft.proposals if q is not offered]
    if keep:
        draft.questions = [*draft.questions, offered]
    following = draft.proposals[0] if draft.proposals else None
    return Settled(offered, following, len(draft.proposals), len(draft.questions))


def set_draft_source(session: Session, user_id: int, title: str, text: str) -> bool:
    """Make `text` the draft's source; False when there is no draft."""
    draft = session.get(Draft, user_id)
    if draft is None:
        return False
    draft.source_title, draft.source_text = title, text
    return True


def drop_draft(session: Session, user_id: int) -> DraftState | None:
    """Delete the draft (and what the teacher's next message was for); what it was."""
    state = draft_of(session, user_id)
    session.execute(delete(Draft).where(Draft.user_id == user_id))
    clear_wait(session, user_id)
    return state


def wait_for(
    session: Session,
    user_id: int,
    what: Waiting,
    bank_id: str | None = None,
    question_key: str | None = None,
) -> None:
    """The teacher's next message is for this (in place of whatever it was for before)."""
    wait = session.get(Wait, user_id) or Wait(user_id=user_id)
    wait.what, wait.bank_id, wait.question_key, wait.since = what, bank_id, question_key, utcnow()
    session.add(wait)


def waiting(session: Session, user_id: int) -> WaitState | None:
    """What the teacher's next message is for, if anything."""
    wait = session.get(Wait, user_id)
    if wait is None:
        return None
    return WaitState(Waiting(wait.what), wait.bank_id, wait.question_key)


def clear_wait(session: Session, user_id: int) -> None:
    """The teacher's next message is for nothing in particular."""
    session.execute(delete(Wait).where(Wait.user_id == user_id))
