"""Class results for teachers: a bank's learners, attempts, scores and hardest questions."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, case, cast, func, select
from sqlalchemy.orm import Session

from storage.learning import learned_shares
from storage.models import Answer, QuestionRow, Quiz, QuizItem, QuizKind, User, utcnow

EXPORT_BATCH = 1000  # rows fetched at a time: a big bank streams in constant memory


@dataclass(frozen=True)
class BankStats:
    """How a bank is doing as a whole."""

    learners: int  # distinct users who answered any of its questions
    attempts: int  # a learner's answers in one quiz (a group round: one per learner in it)
    average: float | None  # mean over attempts of right/answered, 0..1; None: no attempts


@dataclass(frozen=True)
class QuestionStats:
    """One current question of a bank and how it was answered."""

    key: str  # the id written in the bank file
    text: str
    position: int
    answers: int
    right: float | None  # share answered right, 0..1; None: never answered
    wrong_option: str | None  # the most chosen wrong option; None: no wrong answers
    wrong_count: int
    learned: float | None = None  # share of its learners who have learned it; None: nobody yet


@dataclass(frozen=True)
class BankReport:
    """A bank's totals and its current questions, hardest first."""

    stats: BankStats
    questions: list[QuestionStats]

    @property
    def answered(self) -> list[QuestionStats]:
        """The current questions answered at least once, hardest first."""
        return [q for q in self.questions if q.answers]


@dataclass(frozen=True)
class ExportRow:
    """One answer as exported: who answered which question how, and when."""

    answered_at: datetime  # aware, UTC
    user_id: int
    user_name: str
    question_id: str  # the key from the bank file
    chosen: str  # the chosen options' texts, joined with "; "
    correct: bool


def _answers_to(bank_id: str, *columns: Any) -> Select[Any]:
    """The answers given to the bank's questions: in its quizzes and rounds, and in reviews,
    which draw from every bank."""
    # Through the quiz, not the question: answers have no index on question_id, while quiz
    # items and answers are found by the unique keys that lead with quiz_id and item_id.
    # PostgreSQL starts from the bank's quizzes; SQLite scans the answers instead until
    # quizzes.bank_id has an index of its own.
    in_review = Quiz.bank_id.is_(None) & Answer.question_id.in_(
        select(QuestionRow.id).where(QuestionRow.bank_id == bank_id)
    )
    return _answers(*columns).where((Quiz.bank_id == bank_id) | in_review)


def _answers(*columns: Any) -> Select[Any]:
    return (
        select(*columns)
        .select_from(Answer)
        .join(QuizItem, QuizItem.id == Answer.item_id)
        .join(Quiz, Quiz.id == QuizItem.quiz_id)
    )


def bank_stats(session: Session, bank_ids: Collection[str]) -> dict[str, BankStats]:
    """Learners, attempts and average score of each bank, in one query whatever their number."""
    stats = dict.fromkeys(bank_ids, BankStats(0, 0, None))
    if not stats:
        return stats
    # An attempt is one learner's answers in one quiz: a solo quiz is one, a group round one
    # per learner who answered in it. A review is a learner going back over questions.
    attempts = (
        _answers(
            Quiz.bank_id.label("bank_id"),
            Answer.user_id.label("user_id"),
            (func.sum(case((Answer.correct, 1.0), else_=0.0)) / func.count()).label("share"),
        )
        .where(Quiz.bank_id.in_(stats), Quiz.kind != QuizKind.REVIEW)
        .group_by(Quiz.bank_id, Quiz.id, Answer.user_id)
        .subquery()
    )
    rows = session.execute(
        select(
            attempts.c.bank_id,
            func.count(attempts.c.user_id.distinct()),
            func.count(),
            func.avg(attempts.c.share),
        ).group_by(attempts.c.bank_id)
    )
    for bank_id, learners, count, average in rows:
        stats[bank_id] = BankStats(learners, count, float(average))
    return stats


def bank_report(session: Session, bank_id: str, now: datetime | None = None) -> BankReport:
    """The bank's totals and each current question's answers, hardest first, with the share of
    its learners who have learned it (as of `now`)."""
    questions = session.execute(
        select(
            QuestionRow.id,
            QuestionRow.key,
            QuestionRow.text,
            QuestionRow.position,
            QuestionRow.options,
            QuestionRow.correct,
        )
        .where(QuestionRow.bank_id == bank_id, QuestionRow.retired.is_(False))
        .order_by(QuestionRow.position)
    ).all()
    tallies = _tallies(session, bank_id)
    shares = learned_shares(session, [row.id for row in questions], now or utcnow())
    lines = []
    for question_id, key, text, position, options, correct in questions:
        tally = tallies.get(question_id, _Tally())
        option, times = tally.most_chosen_wrong(set(correct))
        learners, learned = shares.get(question_id, (0, 0))
        lines.append(
            QuestionStats(
                key=key,
                text=text,
                position=position,
                answers=tally.answers,
                right=tally.right / tally.answers if tally.answers else None,
                wrong_option=options[option] if option is not None else None,
                wrong_count=times,
                learned=learned / learners if learners else None,
            )
        )
    lines.sort(key=_hardest_first)
    return BankReport(bank_stats(session, [bank_id])[bank_id], lines)


def _hardest_first(question: QuestionStats) -> tuple[bool, float, int]:
    return question.right is None, question.right or 0.0, question.position


@dataclass
class _Tally:
    """How one question row was answered."""

    answers: int = 0
    right: int = 0
    wrong_choices: Counter[int] = field(default_factory=Counter)  # option index: times

    def most_chosen_wrong(self, correct: set[int]) -> tuple[int | None, int]:
        """The wrong option chosen most often (on a tie, the one listed first) and its count."""
        wrong = [(-times, i) for i, times in self.wrong_choices.items() if i not in correct]
        if not wrong:
            return None, 0
        times, index = min(wrong)
        return index, -times


def _tallies(session: Session, bank_id: str) -> dict[int, _Tally]:
    """Per question row answered: answers, right ones, and the options chosen in wrong ones."""
    # One pass over the bank's answers, grouped by the choice as text: PostgreSQL's json type
    # has no equality to group on, and expanding JSON arrays is written differently everywhere.
    choice = cast(Answer.chosen, Text)
    rows = session.execute(
        _answers_to(bank_id, Answer.question_id, Answer.correct, choice, func.count()).group_by(
            Answer.question_id, Answer.correct, choice
        )
    )
    tallies: dict[int, _Tally] = {}
    for question_id, correct, chosen, times in rows:
        tally = tallies.setdefault(question_id, _Tally())
        tally.answers += times
        if correct:
            tally.right += times
        else:
            for index in set(json.loads(chosen)):
                tally.wrong_choices[index] += times
    return tallies


def count_answers(session: Session, bank_id: str) -> int:
    """How many answers were given to the bank's questions, retired ones too."""
    return session.scalar(_answers_to(bank_id, func.count())) or 0


def export_rows(session: Session, bank_id: str) -> Iterator[ExportRow]:
    """Every answer given to the bank's questions, retired ones too, oldest first (streamed)."""
    # Questions are read once rather than joined: each would repeat its options on every row.
    questions = {
        question_id: (key, options)
        for question_id, key, options in session.execute(
            select(QuestionRow.id, QuestionRow.key, QuestionRow.options).where(
                QuestionRow.bank_id == bank_id
            )
        )
    }
    rows = session.execute(
        _answers_to(
            bank_id,
            Answer.answered_at,
            Answer.user_id,
            User.first_name,
            User.username,
            Answer.question_id,
            Answer.chosen,
            Answer.typed,
            Answer.correct,
        )
        .join(User, User.id == Answer.user_id)
        .order_by(Answer.answered_at, Answer.id)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    for answered_at, user_id, first_name, username, question_id, chosen, typed, correct in rows:
        key, options = questions[question_id]
        name = f"{first_name} (@{username})" if username else first_name
        texts = typed if typed is not None else "; ".join(options[i] for i in chosen)
        yield ExportRow(answered_at, user_id, name, key, texts, correct)
