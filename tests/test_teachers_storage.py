"""Teachers' banks in storage: versions that keep history, owners, visibility, links, roles."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.library import attach_source, import_bank, source_questions
from quiz.explain import source_passages
from storage import banks, roles
from storage.banks import BankOwnedElsewhere
from storage.db import Database
from storage.models import Answer, BankRow, QuestionRow
from tests.test_storage import BANK, answer, demo_bank, start

TEACHER, OTHER, LEARNER = 501, 502, 601


def test_a_changed_question_is_new_and_the_old_one_keeps_its_answers(db: Database):
    import_bank(db, demo_bank(), uploaded_by=TEACHER)
    quiz_id = start(db, LEARNER)
    assert answer(db, quiz_id, LEARNER, True)  # answers "one"
    changed = BANK.replace("Is one a number?", "Is one really a number?")
    changed = changed.replace("options: [Animals, Numbers]", "options: [Animals, Plants]")
    result = import_bank(db, demo_bank(changed), uploaded_by=TEACHER)
    assert (result.version, result.added, result.changed, result.kept, result.retired) == (
        2,
        0,
        2,
        0,
        0,
    )
    with db.session() as s:
        rows = s.scalars(select(QuestionRow).order_by(QuestionRow.id)).all()
        history = [(q.key, q.retired, q.version) for q in rows]
        assert history == [
            ("one", True, 1),
            ("cats", True, 1),
            ("one", False, 2),
            ("cats", False, 2),
        ]
        old_one = rows[0]
        given = s.scalars(select(Answer.question_id)).all()
        assert given == [old_one.id]  # the answer stays with the question as it was asked
        assert [q.text for q in banks.active_questions(s, "demo")] == [
            "Is one really a number?",
            "What are cats?",
        ]


def test_an_explanation_edit_keeps_the_question_and_its_statistics(db: Database):
    import_bank(db, demo_bank(), uploaded_by=TEACHER)
    edited = BANK.replace("answer: Animals", "answer: Animals\n    explanation: They are.")
    result = import_bank(db, demo_bank(edited), uploaded_by=TEACHER)
    assert (result.version, result.added, result.changed, result.kept) == (2, 0, 0, 2)


def test_only_the_owner_or_an_admin_replaces_a_teachers_bank(db: Database):
    import_bank(db, demo_bank(), uploaded_by=TEACHER)
    changed = demo_bank(BANK.replace("title: Demo", "title: Stolen"))
    with pytest.raises(BankOwnedElsewhere):
        import_bank(db, changed, uploaded_by=OTHER)
    with db.session() as s:
        bank = banks.get_bank(s, "demo")
        assert bank is not None and (bank.title, bank.version) == ("Demo", 1)
    import_bank(db, changed, uploaded_by=OTHER, replace_others=True)
    with db.session() as s:
        bank = banks.get_bank(s, "demo")
        assert bank is not None and bank.uploaded_by == TEACHER and bank.title == "Stolen"


def test_uploads_are_private_until_published_and_reached_by_link(db: Database):
    result = import_bank(db, demo_bank(), uploaded_by=TEACHER)
    assert result.visibility == "private"
    with db.session() as s:
        assert banks.list_banks(s, LEARNER) == []
        assert banks.playable_bank(s, "demo", LEARNER) is None
        assert [b.id for b in banks.list_banks(s, TEACHER)] == ["demo"]
        bank = banks.get_bank(s, "demo")
        assert bank is not None
        code = banks.share_code(s, bank)
        assert len(code) >= 16 and banks.share_code(s, bank) == code
    with db.session() as s:
        assert banks.join_by_code(s, "not-a-code", LEARNER) is None
        joined = banks.join_by_code(s, code, LEARNER)
        assert joined is not None and joined.id == "demo"
        assert banks.join_by_code(s, code, LEARNER) is not None  # joining twice is fine
    with db.session() as s:
        assert [b.id for b in banks.list_banks(s, LEARNER)] == ["demo"]
        assert banks.list_banks(s, 999) == []
        bank = banks.get_bank(s, "demo")
        assert bank is not None
        renewed = banks.share_code(s, bank, renew=True)
        assert renewed != code
    with db.session() as s:
        assert banks.join_by_code(s, code, 999) is None  # the old link stops working
        assert banks.playable_bank(s, "demo", LEARNER) is not None  # who joined keeps it
        bank = banks.get_bank(s, "demo")
        assert bank is not None and banks.set_visibility(s, bank, "public")
        assert not banks.set_visibility(s, bank, "public")
    with db.session() as s:
        assert [b.id for b in banks.list_banks(s, 999)] == ["demo"]


def test_a_file_may_say_public_and_shipped_banks_are_public(db: Database):
    public = demo_bank(BANK.replace("title: Demo", "title: Demo\nvisibility: public"))
    assert import_bank(db, public, uploaded_by=TEACHER).visibility == "public"
    other = demo_bank(BANK.replace("id: demo", "id: shipped"))
    assert import_bank(db, other).visibility == "public"


def test_a_deleted_bank_is_hidden_but_its_history_stays(db: Database):
    import_bank(db, demo_bank(), uploaded_by=TEACHER)
    quiz_id = start(db, LEARNER)
    assert answer(db, quiz_id, LEARNER, True)
    with db.session() as s:
        bank = banks.get_bank(s, "demo")
        assert bank is not None
        code = banks.share_code(s, bank)
        banks.delete_bank(s, bank)
    with db.session() as s:
        assert banks.list_banks(s, TEACHER) == [] and banks.owned_banks(s, TEACHER) == []
        assert banks.playable_bank(s, "demo", TEACHER) is None
        assert banks.join_by_code(s, code, LEARNER) is None
        assert len(s.scalars(select(Answer)).all()) == 1
    again = import_bank(db, demo_bank(), uploaded_by=TEACHER)  # sending it again restores it
    assert not again.unchanged_bank and again.version == 2
    with db.session() as s:
        assert [b.id for b in banks.owned_banks(s, TEACHER)] == ["demo"]


def test_a_source_attached_later_gives_passages(db: Database):
    sourceless = "\n".join(
        line
        for line in BANK.splitlines()
        if not line.startswith(("source:", "  title:", "  text:"))
    )
    bank = demo_bank(sourceless)
    assert bank.source_title is None and bank.source_text == ""
    import_bank(db, bank, uploaded_by=TEACHER)
    with db.session() as s:
        assert [q.passage for q in banks.active_questions(s, "demo")] == [None, None]
    text = "Cats are animals that purr. One is the first number."

    def attach(owner: int) -> int | None:
        def allowed(bank: BankRow) -> bool:
            return bank.uploaded_by == owner

        with db.session() as s:
            asked = source_questions(s, "demo", allowed)
            found = source_passages(text, asked or [])
            return attach_source(s, "demo", "notes", text, found, allowed)

    assert attach(OTHER) is None
    assert attach(TEACHER) == 2
    with db.session() as s:
        bank_row = banks.get_bank(s, "demo")
        assert bank_row is not None and bank_row.source_title == "notes"
        cats = banks.active_questions(s, "demo")[1]
        assert cats.passage == "Cats are animals that purr."


def test_roles_are_granted_and_revoked_once(db: Database):
    with db.session() as s:
        assert roles.grant_teacher(s, 7, granted_by=1)
        assert not roles.grant_teacher(s, 7, granted_by=1)
    with db.session() as s:
        assert roles.has_teacher_role(s, 7) and roles.teacher_ids(s) == [7]
        assert roles.revoke_teacher(s, 7)
        assert not roles.revoke_teacher(s, 7)
    with db.session() as s:
        assert not roles.has_teacher_role(s, 7)
