"""Reading and writing banks: versions, owners, visibility, share codes and learners' access."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import ColumnElement, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from quiz.bank import Bank, NumericRange, Question, QuestionKind
from storage.db import insert_ignore, table_of
from storage.models import BankAccess, BankRow, Card, GroupAccess, QuestionRow, utcnow

Visibility = Literal["public", "private"]


class BankOwnedElsewhere(Exception):
    """The bank id is taken by a bank its uploader does not own."""


@dataclass(frozen=True)
class SaveResult:
    """What saving a bank changed: its questions added, changed, kept as they were, retired."""

    bank_id: str
    version: int
    questions: int
    added: int
    changed: int
    kept: int
    retired: int
    unchanged_bank: bool  # the same content was already stored
    visibility: str


def save_bank(
    session: Session,
    bank: Bank,
    *,
    passages: Mapping[str, str | None],
    content_hash: str,
    uploaded_by: int | None = None,
    replace_others: bool = False,
    default_visibility: Visibility = "public",
) -> SaveResult:
    """Insert a bank or store a new version of it.

    Questions whose id, text, options and answer stay keep their row, so their statistics go
    on; changed ones get a new row and the old one retires; removed ones retire. Nothing is
    deleted: answers already given stay in history and scores. Raises BankOwnedElsewhere
    when a teacher's upload would replace someone else's bank (admins may: replace_others).
    """
    row = session.get(BankRow, bank.id)
    others = row is not None and uploaded_by is not None and row.uploaded_by != uploaded_by
    if others and not replace_others:  # the command line (uploaded_by None) may replace any
        raise BankOwnedElsewhere(bank.id)
    if row is not None and row.content_hash == content_hash and row.deleted_at is None:
        return SaveResult(
            bank.id, row.version, len(bank.questions), 0, 0, 0, 0, True, row.visibility
        )
    if row is None:
        row = BankRow(
            id=bank.id,
            created_at=utcnow(),
            version=0,
            visibility=bank.visibility or default_visibility,
            uploaded_by=uploaded_by,
        )
        session.add(row)
    elif bank.visibility is not None:
        row.visibility = bank.visibility
    row.version += 1
    row.deleted_at = None  # uploading a deleted bank again brings it back
    row.title = bank.title
    row.language = bank.language
    row.source_title = bank.source_title
    row.source_url = bank.source_url
    row.source_text = bank.source_text
    row.content_hash = content_hash
    row.question_count = len(bank.questions)
    row.updated_at = utcnow()
    if uploaded_by is not None and row.uploaded_by is None:
        row.uploaded_by = uploaded_by

    current = {
        q.key: q
        for q in session.scalars(select(QuestionRow).filter_by(bank_id=bank.id, retired=False))
    }
    added = changed = kept = 0
    retired: list[int] = []  # row ids of the questions this version retires
    fresh: list[dict[str, object]] = []  # new rows, inserted in one statement at the end
    for position, question in enumerate(bank.questions):
        stored = current.pop(question.id, None)
        details = {
            "position": position,
            "explanation": question.explanation,
            "passage": passages.get(question.id),
            "quote": question.quote,
            "tags": list(question.tags),
        }
        if stored is not None and _same_question(stored, question):
            kept += 1
            for name, value in details.items():
                setattr(stored, name, value)
            continue
        if stored is None:
            added += 1
        else:
            changed += 1
            stored.retired = True
            retired.append(stored.id)
        fresh.append(
            {
                "bank_id": bank.id,
                "key": question.id,
                "version": row.version,
                "kind": str(question.kind),
                "text": question.text,
                "options": list(question.options),
                "correct": sorted(question.correct),
                "numeric_low": _range(question)[0],
                "numeric_high": _range(question)[1],
                **details,
            }
        )
    for stale in current.values():
        stale.retired = True
        retired.append(stale.id)
    session.flush()  # retired rows leave the one-current-row-per-id index before their successors
    if retired:  # their cards leave the review queue; an unchanged question keeps its card
        session.execute(
            update(Card).where(Card.question_id.in_(retired)).values(active=False),
            execution_options={"synchronize_session": False},
        )
    if fresh:
        # Core, not the ORM's bulk insert: that splits the rows into a statement for each run
        # of rows with the same optional fields left empty, a thousand statements on a big bank.
        session.connection().execute(insert(table_of(QuestionRow)), fresh)
    return SaveResult(
        bank.id,
        row.version,
        len(bank.questions),
        added,
        changed,
        kept,
        len(current),
        False,
        row.visibility,
    )


def _same_question(stored: QuestionRow, question: Question) -> bool:
    """Unchanged where it matters to statistics: kind, text, options and answer."""
    return (
        stored.kind == question.kind
        and stored.text == question.text
        and stored.options == list(question.options)
        and stored.correct == sorted(question.correct)
        and (stored.numeric_low, stored.numeric_high) == _range(question)
    )


def _range(question: Question) -> tuple[float | None, float | None]:
    """A numeric question's accepted range, as stored; (None, None) for the other kinds."""
    if question.numeric is None:
        return None, None
    return question.numeric.low, question.numeric.high


@dataclass(frozen=True)
class BankSummary:
    """A bank as listed to users."""

    id: str
    title: str
    questions: int
    visibility: str


def list_banks(
    session: Session, user_id: int | None = None, *, group_id: int | None = None
) -> list[BankSummary]:
    """Banks to list, by title: public ones, and those this user or group may play.

    In a group pass the group alone: a member's own private banks are not for the group to see.
    """
    columns = (BankRow.id, BankRow.title, BankRow.question_count, BankRow.visibility)
    query = select(*columns).where(BankRow.deleted_at.is_(None), reachable_by(user_id, group_id))
    rows = session.execute(query.order_by(BankRow.title, BankRow.id))
    return [BankSummary(*row) for row in rows]


def reachable_by(user_id: int | None, group_id: int | None) -> ColumnElement[bool]:
    """Banks (rows of BankRow) that are public, the user's own or shared with them, or shared
    with the group."""
    reachable: list[ColumnElement[bool]] = [BankRow.visibility == "public"]
    if user_id is not None:
        shared = exists().where(BankAccess.bank_id == BankRow.id, BankAccess.user_id == user_id)
        reachable += [BankRow.uploaded_by == user_id, shared]
    if group_id is not None:
        reachable.append(
            exists().where(GroupAccess.bank_id == BankRow.id, GroupAccess.chat_id == group_id)
        )
    return or_(*reachable)


def get_bank(session: Session, bank_id: str) -> BankRow | None:
    """The bank with this id, deleted or not, if any."""
    return session.get(BankRow, bank_id)


def playable_bank(
    session: Session, bank_id: str, user_id: int | None, *, group_id: int | None = None
) -> BankRow | None:
    """The bank if this user (None: nobody named) or group may play it, and not deleted."""
    query = select(BankRow).where(
        BankRow.id == bank_id, BankRow.deleted_at.is_(None), reachable_by(user_id, group_id)
    )
    return session.scalar(query)


def owned_banks(session: Session, owner_id: int | None) -> list[BankRow]:
    """A teacher's banks (None: every bank, for admins), deleted ones left out, by title."""
    query = select(BankRow).where(BankRow.deleted_at.is_(None))
    if owner_id is not None:
        query = query.where(BankRow.uploaded_by == owner_id)
    return list(session.scalars(query.order_by(BankRow.title, BankRow.id)))


def set_visibility(session: Session, bank: BankRow, visibility: Visibility) -> bool:
    """Make a bank public or private; False if it already was."""
    if bank.visibility == visibility:
        return False
    bank.visibility = visibility
    return True


def share_code(session: Session, bank: BankRow, *, renew: bool = False) -> str:
    """The bank's share code, made on first use; `renew` replaces it (the old link stops)."""
    if bank.share_code is None or renew:
        bank.share_code = secrets.token_urlsafe(12)  # 96 random bits, URL- and deep-link-safe
        session.flush()
    return bank.share_code


def join_by_code(session: Session, code: str, user_id: int) -> BankRow | None:
    """The bank behind a share code, now open to this user; None for an unknown code."""
    bank = bank_by_code(session, code)
    if bank is not None:
        insert_ignore(
            session, BankAccess, {"user_id": user_id, "bank_id": bank.id, "granted_at": utcnow()}
        )
    return bank


def bank_by_code(session: Session, code: str) -> BankRow | None:
    """The bank behind a share code, if it is still live."""
    return session.scalar(
        select(BankRow).where(BankRow.share_code == code, BankRow.deleted_at.is_(None))
    )


def open_to_group(session: Session, bank_id: str, group_id: int, granted_by: int | None) -> None:
    """Let the group play the bank from now on (its table too); `granted_by` None: no person."""
    insert_ignore(
        session,
        GroupAccess,
        {"chat_id": group_id, "bank_id": bank_id, "granted_by": granted_by, "granted_at": utcnow()},
    )


def set_source(
    session: Session, bank: BankRow, *, title: str, text: str, passages: Mapping[int, str | None]
) -> None:
    """Replace a bank's source text and its current questions' passages (by question row id)."""
    bank.source_title, bank.source_url, bank.source_text = title, None, text
    for question in active_questions(session, bank.id):
        question.passage = passages.get(question.id)


def delete_bank(session: Session, bank: BankRow) -> None:
    """Hide a bank: not listed or playable; its answers stay in history and scores."""
    bank.deleted_at = utcnow()


def active_questions(session: Session, bank_id: str) -> list[QuestionRow]:
    """The bank's current (not retired) questions in file order."""
    return list(
        session.scalars(
            select(QuestionRow)
            .filter_by(bank_id=bank_id, retired=False)
            .order_by(QuestionRow.position)
        )
    )


@dataclass(frozen=True)
class Playable:
    """What planning a quiz needs of a question: no passage, explanation or tags."""

    id: int
    kind: str
    option_count: int
    text: str | None  # with_text only
    options: list[str] | None  # with_text only


def playable_questions(session: Session, bank_id: str, *, with_text: bool) -> list[Playable]:
    """The bank's current questions, as little of each as planning needs, in file order.

    A quiz on a bank of thousands of questions reads them all to draw from: whole ORM rows
    with three JSON columns each took a quarter of a second at 5,000 questions.
    """
    table = table_of(QuestionRow)
    where = (table.c.bank_id == bank_id) & table.c.retired.is_(False)
    return _playable(session, where, with_text=with_text)


def questions_by_id(session: Session, question_ids: Sequence[int]) -> list[Playable]:
    """These questions (row ids), as planning needs them."""
    return _playable(session, table_of(QuestionRow).c.id.in_(question_ids), with_text=False)


def _playable(session: Session, where: Any, *, with_text: bool) -> list[Playable]:
    table = table_of(QuestionRow)
    columns = [table.c.id, table.c.kind, func.json_array_length(table.c.options)]
    if with_text:
        columns += [table.c.text, table.c.options]
    query = select(*columns).where(where).order_by(table.c.position)
    rows = session.execute(query).all()
    if with_text:
        return [Playable(i, kind, count, text, options) for i, kind, count, text, options in rows]
    return [Playable(i, kind, count, None, None) for i, kind, count in rows]


def load_bank(session: Session, bank_id: str) -> Bank | None:
    """The bank as it stands (its current questions in file order), as its file would give it;
    None when there is no such bank or it was deleted."""
    row = get_bank(session, bank_id)
    if row is None or row.deleted_at is not None:
        return None
    questions = tuple(
        Question(
            id=q.key,
            kind=QuestionKind(q.kind),
            text=q.text,
            options=tuple(q.options),
            correct=frozenset(q.correct),
            explanation=q.explanation,
            quote=q.quote,
            tags=tuple(q.tags),
            numeric=(
                NumericRange(q.numeric_low, q.numeric_high)
                if q.numeric_low is not None and q.numeric_high is not None
                else None
            ),
        )
        for q in active_questions(session, bank_id)
    )
    return Bank(
        id=row.id,
        title=row.title,
        language=row.language,
        source_title=row.source_title,
        source_url=row.source_url,
        source_text=row.source_text,
        questions=questions,
        visibility=cast(Visibility, row.visibility),
    )
