"""Spaced review in storage, on real databases and an injected clock: cards, ratings, streaks."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fsrs import Rating
from sqlalchemy import select, update

from bot.library import import_bank
from quiz.play import Familiarity, plan_quiz
from storage import banks, learning, quizzes, reports
from storage.db import Database
from storage.models import Answer, Card, Quiz, QuizItem, User, utcnow
from tests.test_storage import BANK, demo_bank

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("UTC"))  # a Monday
ANN = 1


def setup(db: Database) -> None:
    import_bank(db, demo_bank())
    with db.session() as s:
        quizzes.upsert_user(s, ANN, "Ann", None)
        quizzes.upsert_chat(s, ANN, "private", None)


def quiz_of_all(db: Database, review: bool = False) -> int:
    with db.session() as s:
        rows = banks.active_questions(s, "demo")
        quiz = quizzes.start_quiz(
            s,
            chat_id=ANN,
            user_id=ANN,
            bank_id=None if review else "demo",
            items=[(q.id, list(range(len(q.options)))) for q in rows],
            review=review,
        )
        return quiz.id


def answer_current(
    db: Database, quiz_id: int, correct: bool, at: datetime, sent: datetime | None = None
) -> quizzes.Answered:
    """Answer the quiz's current question at `at` (its question went out at `sent`)."""
    with db.session() as s:
        quiz = s.get_one(Quiz, quiz_id)
        view = quizzes.current_item(s, quiz)
        assert view is not None
        if sent is not None:
            s.execute(update(QuizItem).where(QuizItem.id == view.item.id).values(sent_at=sent))
            view = quizzes.current_item(s, quiz)
            assert view is not None
        answered = quizzes.record_answer(
            s,
            view,
            user_id=ANN,
            chosen=[0],
            correct=correct,
            now=at,
            retry_order=list(range(len(view.item.option_order))),
        )
        assert answered is not None
        return answered


def test_a_wrong_answer_is_due_at_once_and_a_right_one_later(db: Database):
    setup(db)
    quiz = quiz_of_all(db)
    wrong = answer_current(db, quiz, False, T0)
    right = answer_current(db, quiz, True, T0 + timedelta(minutes=1))
    assert wrong.recall.rating == Rating.Again and wrong.recall.due == T0
    assert right.recall.rating == Rating.Good and right.recall.due > T0 + timedelta(minutes=5)
    with db.session() as s:
        summary = learning.due_summary(s, ANN, T0 + timedelta(minutes=2))
        assert (summary.due, summary.seen) == (1, 2)
        assert summary.next_due == right.recall.due
        assert learning.due_questions(s, ANN, T0 + timedelta(minutes=2), 10) == [
            wrong.view.question.id
        ]


def test_a_fast_right_answer_is_easy_and_ratings_and_times_are_kept(db: Database):
    setup(db)
    for seconds in (30, 30, 30):  # three learners' worth of usual time: 30 s
        quiz = quiz_of_all(db)
        answer_current(db, quiz, True, T0 + timedelta(seconds=seconds), sent=T0)
    quiz = quiz_of_all(db)
    fast = answer_current(db, quiz, True, T0 + timedelta(seconds=5), sent=T0)
    assert fast.recall.rating == Rating.Easy
    with db.session() as s:
        kept = s.execute(select(Answer.rating, Answer.seconds).order_by(Answer.id)).all()
    assert [tuple(row) for row in kept] == [(3, 30.0), (3, 30.0), (3, 30.0), (4, 5.0)]


def test_rate_and_answer_seconds():
    assert learning.rate(False, 1.0, 60.0) == Rating.Again
    assert learning.rate(True, 19.0, 60.0) == Rating.Easy
    assert learning.rate(True, 21.0, 60.0) == Rating.Good
    assert learning.rate(True, 1.0, None) == Rating.Good  # nobody timed yet: no Easy
    assert learning.answer_seconds(None, T0) is None
    assert learning.answer_seconds(T0, T0 + timedelta(hours=2)) is None  # came back later
    assert learning.answer_seconds(T0, T0 + timedelta(seconds=12)) == 12.0


def test_a_wrong_review_answer_asks_the_question_again_at_the_end(db: Database):
    setup(db)
    review = quiz_of_all(db, review=True)
    first = answer_current(db, review, False, T0)
    assert first.following is not None and first.view.quiz.total == 3
    second = answer_current(db, review, True, T0)
    assert second.following is not None
    assert second.following.question.id == first.view.question.id  # asked again
    last = answer_current(db, review, True, T0)
    assert last.following is None and [r.correct for r in last.results] == [False, True, True]


def test_a_retired_question_leaves_the_queue_and_an_unchanged_one_keeps_its_card(
    db: Database,
):
    setup(db)
    quiz = quiz_of_all(db)
    answer_current(db, quiz, False, T0)
    answer_current(db, quiz, False, T0)
    with db.session() as s:
        assert len(learning.due_questions(s, ANN, T0, 10)) == 2
    changed = BANK.replace("What are cats?", "What are cats, really?")
    import_bank(db, demo_bank(changed))
    with db.session() as s:
        due = learning.due_questions(s, ANN, T0, 10)
        kept = s.scalars(select(Card).where(Card.active)).all()
        assert len(due) == 1 and [c.question_id for c in kept] == due
        assert s.scalars(select(Card.active).order_by(Card.question_id)).all() == [True, False]


def test_the_day_streak_counts_days_in_a_row_in_the_learners_zone(db: Database):
    setup(db)
    with db.session() as s:
        s.get_one(User, ANN).zone = "Asia/Tokyo"  # UTC+9: 20:00 UTC is the next day there
    moments = [T0, T0 + timedelta(hours=11), T0 + timedelta(hours=35), T0 + timedelta(days=4)]
    streaks = []
    for moment in moments:
        quiz = quiz_of_all(db)
        answer_current(db, quiz, True, moment)
        with db.session() as s:
            user = s.get_one(User, ANN)
            today = moment.astimezone(ZoneInfo("Asia/Tokyo")).date()
            streaks.append(learning.current_streak(user.streak, user.streak_day, today))
    assert streaks == [1, 2, 3, 1]
    with db.session() as s:
        user = s.get_one(User, ANN)
        later = (T0 + timedelta(days=6)).astimezone(ZoneInfo("Asia/Tokyo")).date()
        assert learning.current_streak(user.streak, user.streak_day, later) == 0


def test_planning_asks_unseen_questions_first_then_due_ones():
    familiarity = [Familiarity.KNOWN, Familiarity.UNSEEN, Familiarity.DUE, Familiarity.UNSEEN]
    for _ in range(20):
        plan = plan_quiz([2, 2, 2, 2], 3, familiarity=familiarity)
        assert sorted(p.index for p in plan) == [1, 2, 3]
    plan = plan_quiz([2, 2, 2, 2], 2, familiarity=familiarity)
    assert sorted(p.index for p in plan) == [1, 3]


def test_cards_of_every_learner_are_kept_apart(db: Database):
    setup(db)
    with db.session() as s:
        quizzes.upsert_user(s, 2, "Bob", None)
    quiz = quiz_of_all(db)
    answer_current(db, quiz, False, utcnow())
    with db.session() as s:
        assert learning.due_summary(s, 2, utcnow()).seen == 0


def test_progress_and_the_reports_learned_share(db: Database):
    setup(db)
    quiz = quiz_of_all(db)
    answer_current(db, quiz, True, T0)  # Good: a learning step, due in minutes
    answer_current(db, quiz, False, T0)  # Again: due at once
    with db.session() as s:
        [shown] = learning.progress(s, ANN, T0 + timedelta(minutes=1))
        assert (shown.bank_id, shown.learned, shown.in_progress, shown.due, shown.unseen) == (
            "demo",
            0,
            1,
            1,
            0,
        )
        first = banks.active_questions(s, "demo")[0]
        # Answered right again and again, a question is not due for weeks: learned.
        for day in (1, 4, 15, 40):
            s.execute(
                update(Card)
                .where(Card.question_id == first.id)
                .values(due=T0 + timedelta(days=day * 2), last_right=True)
            )
        assert learning.learned_shares(s, [first.id], T0) == {first.id: (1, 1)}
        report = reports.bank_report(s, "demo", T0)
        assert {q.key: q.learned for q in report.questions} == {"one": 1.0, "cats": 0.0}
        assert learning.progress(s, ANN, T0)[0].learned == 1
        assert learning.progress(s, ANN, T0, "no-such-bank") == []
