"""Storage on a real SQLite file: banks, idempotent answers, running totals, leaderboards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot import library
from bot.library import import_bank
from quiz.bank import Bank, parse_bank
from storage import banks, quizzes, rounds, scores
from storage.db import Database, DatabaseUnavailable
from storage.models import Answer, QuestionRow, Quiz, Score, User, utcnow

BANK = """\
bank: 1
id: demo
title: Demo
source:
  title: Notes
  text: One is a number. Two is a number too. Cats are animals.
questions:
  - id: one
    question: Is one a number?
    type: true_false
    answer: true
  - id: cats
    question: What are cats?
    options: [Animals, Numbers]
    answer: Animals
"""


def demo_bank(text: str = BANK) -> Bank:
    return parse_bank(text, filename="demo.yaml", base_dir=None)


def start(db: Database, user_id: int, chat_id: int | None = None) -> int:
    with db.session() as s:
        quizzes.upsert_user(s, user_id, f"User {user_id}", None)
        quizzes.upsert_chat(s, chat_id or user_id, "private", None)
        rows = banks.active_questions(s, "demo")
        quiz = quizzes.start_quiz(
            s,
            chat_id=chat_id or user_id,
            user_id=user_id,
            bank_id="demo",
            items=[(q.id, list(range(len(q.options)))) for q in rows],
        )
        return quiz.id


def answer(db: Database, quiz_id: int, user_id: int, correct: bool) -> bool:
    with db.session() as s:
        quiz = s.get_one(Quiz, quiz_id)
        view = quizzes.current_item(s, quiz)
        assert view is not None
        return (
            quizzes.record_answer(s, view, user_id=user_id, chosen=[0], correct=correct) is not None
        )


def test_import_computes_passages_and_reimport_is_a_no_op(db: Database):
    first = import_bank(db, demo_bank())
    assert (first.added, first.unchanged_bank) == (2, False)
    assert import_bank(db, demo_bank()).unchanged_bank
    with db.session() as s:
        cats = s.scalar(select(QuestionRow).filter_by(key="cats"))
        assert cats is not None and cats.passage == "Cats are animals."


def test_replacing_a_bank_retires_removed_questions_and_keeps_scores(db: Database):
    import_bank(db, demo_bank())
    quiz_id = start(db, 1)
    assert answer(db, quiz_id, 1, True)
    result = import_bank(db, demo_bank(BANK.replace("id: cats", "id: felines")))
    assert (result.version, result.added, result.changed, result.kept, result.retired) == (
        2,
        1,
        0,
        1,
        1,
    )
    with db.session() as s:
        assert [q.key for q in banks.active_questions(s, "demo")] == ["one", "felines"]
        assert s.scalar(select(func.count()).select_from(QuestionRow)) == 3
        stats = scores.user_stats(s, 1)
        assert stats is not None and stats.points == 1


def test_the_same_answer_twice_counts_once(db: Database):
    import_bank(db, demo_bank())
    quiz_id = start(db, 1)
    with db.session() as s:
        quiz = s.get_one(Quiz, quiz_id)
        view = quizzes.current_item(s, quiz)
        assert view is not None
    for expected in (True, False):
        with db.session() as s:
            fresh = quizzes.item_by_id(s, view.item.id)
            assert fresh is not None
            written = quizzes.record_answer(s, fresh, user_id=1, chosen=[0], correct=True)
            assert (written is not None) is expected
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Answer)) == 1
        assert s.get_one(User, 1).points == 1
        assert s.get_one(Score, (1, "demo")).answered == 1


def test_a_quiz_finishes_after_its_last_answer(db: Database):
    import_bank(db, demo_bank())
    quiz_id = start(db, 1)
    answer(db, quiz_id, 1, True)
    answer(db, quiz_id, 1, False)
    with db.session() as s:
        quiz = s.get_one(Quiz, quiz_id)
        assert (quiz.status, quiz.score, quiz.position) == ("finished", 1, 2)
        assert quiz.finished_at is not None and quiz.finished_at.utcoffset() == timedelta(0)
        assert [r.correct for r in quizzes.quiz_results(s, quiz)] == [True, False]


def test_starting_again_stops_the_running_quiz(db: Database):
    import_bank(db, demo_bank())
    first = start(db, 1)
    second = start(db, 1)
    with db.session() as s:
        assert s.get_one(Quiz, first).status == "stopped"
        active = quizzes.active_quiz(s, 1)
        assert active is not None and active.id == second


def test_leaderboard_orders_by_points_then_who_got_there_first(db: Database):
    import_bank(db, demo_bank())
    for user_id, right in [(1, 1), (2, 2), (3, 1), (4, 0)]:
        quiz_id = start(db, user_id)
        for i in range(2):
            answer(db, quiz_id, user_id, i < right)
    with db.session() as s:
        board = scores.leaderboard(s, user_id=3, limit=2)
        assert [(e.rank, e.user_id, e.points) for e in board.top] == [(1, 2, 2), (2, 1, 1)]
        assert board.me is not None and (board.me.rank, board.me.points) == (3, 1)
        assert scores.leaderboard(s, user_id=4).me is None  # no points, no rank
        per_bank = scores.leaderboard(s, bank_id="demo", user_id=3, limit=2)
        assert per_bank.top == board.top and per_bank.me == board.me
        assert scores.leaderboard(s, bank_id="other").top == []


def test_unreachable_database_is_one_clear_error(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="cannot open the database"):
        Database.open(f"sqlite:///{tmp_path}/missing/dir/x.db")


def test_a_failed_import_leaves_no_partial_bank(db: Database, monkeypatch: pytest.MonkeyPatch):
    import_bank(db, demo_bank())

    class FailsHalfway(dict[str, str | None]):
        def get(self, key: str, default: object = None) -> str | None:
            if key == "gatos":  # the second question: the first is already written
                raise RuntimeError("disk full")
            return None

    monkeypatch.setattr(library, "passages_for", lambda bank, advance=None: FailsHalfway())
    changed = BANK.replace("id: one", "id: uno").replace("id: cats", "id: gatos")
    with pytest.raises(RuntimeError):
        import_bank(db, demo_bank(changed))
    with db.session() as s:
        keys = s.scalars(select(QuestionRow.key).order_by(QuestionRow.key)).all()
        assert keys == ["cats", "one"]  # the old bank, whole; none of the new questions
        assert len(banks.active_questions(s, "demo")) == 2


def test_a_user_is_created_once_and_keeps_their_latest_name(db: Database):
    for first_name, username in [("Ann", None), ("Ann", None), ("Anna", "anna_k"), ("Anna", None)]:
        with db.session() as s:
            quizzes.upsert_user(s, 7, first_name, username)
    with db.session() as s:
        user = s.get_one(User, 7)
        assert (user.first_name, user.username, user.points) == ("Anna", None, 0)
        assert s.scalar(select(func.count()).select_from(User)) == 1


def test_a_round_is_leased_to_one_process_at_a_time(db: Database):
    import_bank(db, demo_bank())
    quiz_id = start(db, 1, chat_id=-1001)  # a lease names no kind of quiz: any row serves
    now = utcnow()
    later = now + timedelta(seconds=30)
    with db.session() as s:
        assert rounds.claim_round(s, quiz_id, "a", later, now)  # free
        assert not rounds.claim_round(s, quiz_id, "b", later, now)  # a's, still valid
        assert rounds.claim_round(s, quiz_id, "a", later, now)  # a renews its own
    with db.session() as s:
        rounds.renew_leases(s, [quiz_id], "b", later + timedelta(hours=1))  # not b's to renew
        assert not rounds.claim_round(s, quiz_id, "b", later, later - timedelta(seconds=1))
        assert rounds.claim_round(s, quiz_id, "b", later, later + timedelta(seconds=1))  # expired
    with db.session() as s:
        rounds.release_leases(s, [quiz_id], "a")  # a no longer holds it: nothing changes
        assert not rounds.claim_round(s, quiz_id, "a", later, now)
        rounds.release_leases(s, [quiz_id], "b")
        assert rounds.claim_round(s, quiz_id, "a", later, now)  # released: free at once
