"""Reading and writing banks and their questions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.bank import Bank
from storage.models import BankRow, QuestionRow, utcnow


@dataclass(frozen=True)
class SaveResult:
    """What saving a bank changed."""

    bank_id: str
    questions: int
    added: int
    updated: int
    retired: int
    unchanged_bank: bool  # the same content was already stored


def save_bank(
    session: Session,
    bank: Bank,
    *,
    passages: Mapping[str, str | None],
    content_hash: str,
    uploaded_by: int | None = None,
) -> SaveResult:
    """Insert or replace a bank: questions keep their rows (and scores) by id; gone ones retire."""
    row = session.get(BankRow, bank.id)
    if row is not None and row.content_hash == content_hash:
        return SaveResult(bank.id, len(bank.questions), 0, 0, 0, unchanged_bank=True)
    if row is None:
        row = BankRow(id=bank.id, created_at=utcnow())
        session.add(row)
    row.title = bank.title
    row.language = bank.language
    row.source_title = bank.source_title
    row.source_url = bank.source_url
    row.source_text = bank.source_text
    row.content_hash = content_hash
    row.question_count = len(bank.questions)
    row.updated_at = utcnow()
    if uploaded_by is not None:
        row.uploaded_by = uploaded_by

    existing = {q.key: q for q in session.scalars(select(QuestionRow).filter_by(bank_id=bank.id))}
    added = updated = 0
    for position, question in enumerate(bank.questions):
        stored = existing.pop(question.id, None)
        if stored is None:
            stored = QuestionRow(bank_id=bank.id, key=question.id)
            session.add(stored)
            added += 1
        else:
            updated += 1
        stored.position = position
        stored.kind = question.kind
        stored.text = question.text
        stored.options = list(question.options)
        stored.correct = sorted(question.correct)
        stored.explanation = question.explanation
        stored.passage = passages.get(question.id)
        stored.tags = list(question.tags)
        stored.retired = False
    for stale in existing.values():
        stale.retired = True
    session.flush()
    return SaveResult(
        bank.id, len(bank.questions), added, updated, len(existing), unchanged_bank=False
    )


@dataclass(frozen=True)
class BankSummary:
    """A bank as listed to users."""

    id: str
    title: str
    questions: int


def list_banks(session: Session) -> list[BankSummary]:
    """All banks, by title."""
    rows = session.execute(
        select(BankRow.id, BankRow.title, BankRow.question_count).order_by(
            BankRow.title, BankRow.id
        )
    )
    return [BankSummary(*row) for row in rows]


def get_bank(session: Session, bank_id: str) -> BankRow | None:
    """The bank with this id, if any."""
    return session.get(BankRow, bank_id)


def active_questions(session: Session, bank_id: str) -> list[QuestionRow]:
    """The bank's current (not retired) questions in file order."""
    return list(
        session.scalars(
            select(QuestionRow)
            .filter_by(bank_id=bank_id, retired=False)
            .order_by(QuestionRow.position)
        )
    )
