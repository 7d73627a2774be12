"""Class results for teachers: a bank's learners, attempts, scores and hardest questions."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Select, Text, case, cast, func, select
from sqlalchemy.orm import Session

from storage.models import Answer, QuestionRow, Quiz, QuizItem, User

EXPORT_BATCH = 1000  # rows fetched at a time: a big bank streams in constant memory


@dataclass(frozen=True)
class BankStats:
    """How a bank is doing as a whole."""

    learners: int  # distinct users who answered any of its questions
    attempts: int  # quizzes on it with at least one answer
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


_RIGHT = func.sum(case((Answer.correct, 1), else_=0))


def _answers_of(*columns: Any) -> Select[Any]:
    # Through the quiz, not the question: answers have no index on question_id, while quiz
    # items and answers are found by the unique keys that lead with quiz_id and item_id.
    return (
        select(*columns)
        .select_from(Answer)
        .join(QuizItem, QuizItem.id == Answer.item_id)
        .join(Quiz, Quiz.id == QuizItem.quiz_id)
    )


def bank_stats(session: Session, bank_ids: Collection[str]) -> dict[str, BankStats]:
    """Learners, attempts and average score of each bank, in two queries whatever their number."""
    stats = dict.fromkeys(bank_ids, BankStats(0, 0, None))
    if not stats:
        return stats
    per_quiz = (
        _answers_of(
            Quiz.bank_id.label("bank_id"),
            (cast(_RIGHT, Float) / func.count()).label("share"),
        )
        .where(Quiz.bank_id.in_(stats))
        .group_by(Quiz.id, Quiz.bank_id)
        .subquery()
    )
    attempts = session.execute(
        select(per_quiz.c.bank_id, func.count(), func.avg(per_quiz.c.share)).group_by(
            per_quiz.c.bank_id
        )
    )
    learners = {
        bank_id: count
        for bank_id, count in session.execute(
            _answers_of(Quiz.bank_id, func.count(Answer.user_id.distinct()))
            .where(Quiz.bank_id.in_(stats))
            .group_by(Quiz.bank_id)
        )
    }
    for bank_id, count, average in attempts:
        stats[bank_id] = BankStats(learners.get(bank_id, 0), count, float(average))
    return stats


def bank_report(session: Session, bank_id: str) -> BankReport:
    """The bank's totals and each current question's answers, hardest first."""
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
    counts = {
        question_id: (answered, right)
        for question_id, answered, right in session.execute(
            _answers_of(Answer.question_id, func.count(), _RIGHT)
            .where(Quiz.bank_id == bank_id)
            .group_by(Answer.question_id)
        )
    }
    wrong = _wrong_choices(session, bank_id)
    lines = []
    for question_id, key, text, position, options, correct in questions:
        answered, right = counts.get(question_id, (0, 0))
        option, times = _most_chosen(wrong.get(question_id, Counter()), set(correct))
        lines.append(
            QuestionStats(
                key=key,
                text=text,
                position=position,
                answers=answered,
                right=right / answered if answered else None,
                wrong_option=options[option] if option is not None else None,
                wrong_count=times,
            )
        )
    lines.sort(key=_hardest_first)
    return BankReport(bank_stats(session, [bank_id])[bank_id], lines)


def _hardest_first(question: QuestionStats) -> tuple[bool, float, int]:
    return question.right is None, question.right or 0.0, question.position


def _wrong_choices(session: Session, bank_id: str) -> dict[int, Counter[int]]:
    """Per question row: how often each option was chosen in a wrong answer."""
    # Grouped by the choice as text: PostgreSQL's json type has no equality to group on, and
    # expanding JSON arrays is written differently on every database.
    choice = cast(Answer.chosen, Text)
    rows = session.execute(
        _answers_of(Answer.question_id, choice, func.count())
        .where(Quiz.bank_id == bank_id, Answer.correct.is_(False))
        .group_by(Answer.question_id, choice)
    )
    tallies: dict[int, Counter[int]] = {}
    for question_id, chosen, times in rows:
        tally = tallies.setdefault(question_id, Counter())
        for index in set(json.loads(chosen)):
            tally[index] += times
    return tallies


def _most_chosen(tally: Counter[int], correct: set[int]) -> tuple[int | None, int]:
    """The wrong option chosen most often (on a tie, the one listed first) and its count."""
    wrong = [(-times, index) for index, times in tally.items() if index not in correct]
    if not wrong:
        return None, 0
    times, index = min(wrong)
    return index, -times


def count_answers(session: Session, bank_id: str) -> int:
    """How many answers were given to the bank's questions, retired ones too."""
    return session.scalar(_answers_of(func.count()).where(Quiz.bank_id == bank_id)) or 0


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
        _answers_of(
            Answer.answered_at,
            Answer.user_id,
            User.first_name,
            User.username,
            Answer.question_id,
            Answer.chosen,
            Answer.correct,
        )
        .join(User, User.id == Answer.user_id)
        .where(Quiz.bank_id == bank_id)
        .order_by(Answer.answered_at, Answer.id)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    for answered_at, user_id, first_name, username, question_id, chosen, correct in rows:
        key, options = questions[question_id]
        name = f"{first_name} (@{username})" if username else first_name
        texts = "; ".join(options[i] for i in chosen)
        yield ExportRow(answered_at, user_id, name, key, texts, correct)
