"""Putting banks into the database: passages worked out once, at import, not per answer."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

from sqlalchemy.orm import Session

from quiz.bank import Bank, BankError, NumericRange, Question, load_banks_dir
from quiz.explain import Asked, passages_for
from storage.banks import SaveResult, active_questions, get_bank, save_bank, set_source
from storage.db import Database
from storage.models import BankRow

log = logging.getLogger(__name__)


# Question fields added after banks were first stored: left out while empty, so that a bank
# without them keeps its hash (a new hash would store every bank again as a new version).
_LATER_FIELDS = frozenset({"numeric"})


def fingerprint(bank: Bank) -> str:
    """A hash of the bank's content, to skip re-importing what has not changed."""
    content = {f.name: getattr(bank, f.name) for f in dataclasses.fields(bank) if f.init}
    # Shallow: dataclasses.asdict deep-copies every value, a third of a 5,000-question import.
    names = [f.name for f in dataclasses.fields(Question)]
    content["questions"] = [
        {
            name: value
            for name in names
            if (value := getattr(q, name)) is not None or name not in _LATER_FIELDS
        }
        for q in bank.questions
    ]
    payload = json.dumps(content, sort_keys=True, default=_json_value)
    return hashlib.sha256(payload.encode()).hexdigest()


def _json_value(value: object) -> object:
    """What json cannot write itself: a question's correct set, a numeric question's range."""
    if isinstance(value, NumericRange):
        return [value.low, value.high]
    assert isinstance(value, frozenset)
    return sorted(value)


def import_bank(
    db: Database,
    bank: Bank,
    *,
    uploaded_by: int | None = None,
    replace_others: bool = False,
    advance: Callable[[], None] | None = None,
    passages: dict[str, str | None] | None = None,
) -> SaveResult:
    """Store a validated bank (all or nothing); a teacher's upload is private by default.

    `passages` are the bank's, when already found (an upload's are, in the worker reading it).
    """
    with db.session() as session:
        return save_bank(
            session,
            bank,
            passages=passages_for(bank, advance) if passages is None else passages,
            content_hash=fingerprint(bank),
            uploaded_by=uploaded_by,
            replace_others=replace_others,
            default_visibility="public" if uploaded_by is None else "private",
        )


def source_questions(
    session: Session, bank_id: str, allowed: Callable[[BankRow], bool]
) -> list[Asked] | None:
    """The bank's current questions, to find their passages in a new source; None when the
    bank is gone or not `allowed`."""
    bank = get_bank(session, bank_id)
    if bank is None or bank.deleted_at is not None or not allowed(bank):
        return None
    return [
        Asked(q.id, q.text, [q.options[i] for i in q.correct])
        for q in active_questions(session, bank_id)
    ]


def bank_language(session: Session, bank_id: str) -> str | None:
    """The bank's language, which a new source of it is read in (see source_passages)."""
    bank = get_bank(session, bank_id)
    return bank.language if bank is not None else None


def attach_source(
    session: Session,
    bank_id: str,
    title: str,
    text: str,
    passages: Mapping[int, str | None],
    allowed: Callable[[BankRow], bool],
) -> int | None:
    """Make `text` the bank's source, with its questions' passages (see source_passages).

    The number of questions with a passage; None when the bank is gone or not `allowed`.
    """
    bank = get_bank(session, bank_id)
    if bank is None or bank.deleted_at is not None or not allowed(bank):
        return None
    set_source(session, bank, title=title, text=text, passages=passages)
    return sum(passage is not None for passage in passages.values())


def import_directory(db: Database, directory: Path) -> tuple[list[SaveResult], list[BankError]]:
    """Load every bank file of a folder; invalid ones are reported and skipped."""
    if not directory.is_dir():
        log.warning("questions folder %s does not exist; no banks loaded from it", directory)
        return [], []
    banks, errors = load_banks_dir(directory)
    for error in errors:
        log.warning("skipped an invalid bank:\n%s", error)
    return [import_bank(db, bank) for bank in banks], errors
