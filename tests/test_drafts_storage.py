"""Drafts kept in the database: proposals kept or dropped one at a time."""

from __future__ import annotations

from storage import drafts
from storage.db import Database
from storage.quizzes import upsert_user

TEACHER = 9001


def proposal(n: int) -> dict[str, object]:
    return {"id": f"q{n}", "question": f"Question {n}?", "options": ["A", "B"], "answer": "A"}


def test_proposals_are_settled_in_turn_until_none_is_left(db: Database):
    with db.session() as session:
        upsert_user(session, TEACHER, "Tess", None)
        assert drafts.open_draft(session, TEACHER, "Rivers", "en")
        drafts.propose(session, TEACHER, [proposal(1), proposal(2), proposal(3)])
    with db.session() as session:
        kept = drafts.settle_proposal(session, TEACHER, "q1", keep=True)
        assert kept is not None and kept.question["id"] == "q1"
        assert kept.following is not None and kept.following["id"] == "q2"
        assert (kept.left, kept.questions) == (2, 1)
    with db.session() as session:
        # Pressed again (an old message, a double tap): nothing changes.
        assert drafts.settle_proposal(session, TEACHER, "q1", keep=True) is None
        dropped = drafts.settle_proposal(session, TEACHER, "q3", keep=False)
        assert dropped is not None and (dropped.left, dropped.questions) == (1, 1)
        last = drafts.settle_proposal(session, TEACHER, "q2", keep=True)
        assert last is not None and last.following is None and (last.left, last.questions) == (0, 2)
    with db.session() as session:
        draft = drafts.draft_of(session, TEACHER)
        assert draft is not None and [q["id"] for q in draft.questions] == ["q1", "q2"]
        assert draft.proposals == []
        # Another teacher's press settles nothing of this draft.
        assert drafts.settle_proposal(session, 9002, "q1", keep=True) is None
