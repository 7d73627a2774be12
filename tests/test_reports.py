"""Class results on both databases: totals, hardest questions, the export, the chart."""

from __future__ import annotations

import csv
import io
import json
import struct
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.charts import MAX_BARS, accuracy_chart
from bot.exporting import FIELDS, FORMULA_STARTS, write_csv, write_json
from bot.library import import_bank
from quiz.bank import parse_bank
from storage import banks, quizzes
from storage.db import Database
from storage.models import Answer, Quiz
from storage.reports import (
    BankReport,
    BankStats,
    ExportRow,
    QuestionStats,
    bank_report,
    bank_stats,
    count_answers,
    export_rows,
)

RIVERS = """\
bank: 1
id: rivers
title: Rivers
source:
  title: Notes
  text: The Nile is long. The Amazon carries the most water. The Seine runs through Paris.
questions:
  - id: thames
    question: Which city does the Thames run through?
    options: [London, Paris, Berlin]
    answer: London
  - id: nile
    question: Which river is the longest?
    options: [Nile, Amazon, Danube, Thames]
    answer: Nile
  - id: amazon
    question: Which river carries the most water?
    options: [Amazon, Nile, Volga]
    answer: Amazon
  - id: seine
    question: Which river runs through Paris?
    options: [Seine, Rhine, Loire]
    answer: Seine
  - id: dry
    type: true_false
    question: Deserts have rivers.
    answer: true
  - id: rivers
    question: Which of these are rivers?
    options: [Nile, Alps, Danube, Sahara]
    answer: [Nile, Danube]
"""

OTHER = """\
bank: 1
id: other
title: Other
source:
  title: Notes
  text: Cats are animals.
questions:
  - id: cats
    question: What are cats?
    options: [Animals, Numbers]
    answer: Animals
"""

ANN = (101, "Ann", "ann")
ROBERT = (102, "Robert'); DROP TABLE users;--", None)
CY = (103, 'Cy, "the quick"', "cy")
DAN = (104, "Dan", None)

# (user, [(question key, chosen option indices)]) in the order they were played.
PLAYED = [
    (ANN, [("nile", [0]), ("amazon", [1]), ("seine", [0]), ("rivers", [0, 1])]),
    (ROBERT, [("nile", [1]), ("amazon", [1]), ("seine", [2]), ("rivers", [0, 2])]),
    (CY, [("thames", [1]), ("nile", [0]), ("amazon", [2]), ("rivers", [1, 3])]),
    (ANN, [("nile", [0])]),
]

# (key, answers, share right, most chosen wrong option, its count), hardest first; thames
# comes before amazon (both 0%) because it is first in the file.
EXPECTED = [
    ("thames", 1, 0.0, "Paris", 1),
    ("amazon", 3, 0.0, "Nile", 2),
    ("rivers", 3, 0.3333, "Alps", 2),
    ("seine", 2, 0.5, "Loire", 1),
    ("nile", 4, 0.75, "Amazon", 1),
    ("dry", 0, None, None, 0),
]


def load(db: Database, text: str) -> None:
    import_bank(db, parse_bank(text, filename="bank.yaml", base_dir=None))


def play(db: Database, user: tuple[int, str, str | None], bank_id: str, answers) -> int:
    """One quiz of these questions in this order, answered as given; the quiz id."""
    user_id, first_name, username = user
    with db.session() as s:
        quizzes.upsert_user(s, user_id, first_name, username)
        quizzes.upsert_chat(s, user_id, "private", None)
        rows = {q.key: q for q in banks.active_questions(s, bank_id)}
        asked = [rows[key] for key, _ in answers] or list(rows.values())
        quiz = quizzes.start_quiz(
            s,
            chat_id=user_id,
            user_id=user_id,
            bank_id=bank_id,
            items=[(q.id, list(range(len(q.options)))) for q in asked],
        )
        quiz_id = quiz.id
    for key, chosen in answers:
        with db.session() as s:
            view = quizzes.current_item(s, s.get_one(Quiz, quiz_id))
            assert view is not None
            right = sorted(chosen) == rows[key].correct
            quizzes.record_answer(s, view, user_id=user_id, chosen=chosen, correct=right)
    return quiz_id


@pytest.fixture
def classroom(db: Database) -> Database:
    """The rivers bank played as PLAYED, Dan's quiz unanswered, and one answer elsewhere."""
    load(db, RIVERS)
    load(db, OTHER)
    for user, answers in PLAYED:
        play(db, user, "rivers", answers)
    play(db, DAN, "rivers", [])
    play(db, ANN, "other", [("cats", [0])])
    return db


def lines(report: BankReport) -> list[tuple[str, int, float | None, str | None, int]]:
    return [
        (
            q.key,
            q.answers,
            None if q.right is None else round(q.right, 4),
            q.wrong_option,
            q.wrong_count,
        )
        for q in report.questions
    ]


def test_report_counts_learners_attempts_average_and_orders_hardest_first(classroom: Database):
    with classroom.session() as s:
        report = bank_report(s, "rivers")
    # Quizzes scored 2/4, 1/4, 1/4 and 1/1; Dan's unanswered quiz is no attempt.
    assert report.stats == BankStats(learners=3, attempts=4, average=0.5)
    assert lines(report) == EXPECTED
    assert [q.text for q in report.questions][:2] == [
        "Which city does the Thames run through?",
        "Which river carries the most water?",
    ]
    assert [q.key for q in report.answered] == [key for key, *_ in EXPECTED[:-1]]


def test_stats_of_several_banks_at_once(classroom: Database):
    with classroom.session() as s:
        stats = bank_stats(s, ["rivers", "other", "nope"])
        assert bank_stats(s, []) == {}
    assert stats["rivers"] == BankStats(3, 4, 0.5)
    assert stats["other"] == BankStats(1, 1, 1.0)
    assert stats["nope"] == BankStats(0, 0, None)


def test_a_group_round_is_one_attempt_per_learner_in_it(db: Database):
    load(db, OTHER)
    play(db, ANN, "other", [])  # planned, nobody answered yet
    with db.session() as s:
        quizzes.upsert_user(s, *ROBERT)
        quiz = s.scalars(select(Quiz)).one()
        view = quizzes.current_item(s, quiz)
        assert view is not None
        # A round takes everyone's answer to the same question (stored as bot.rounds does).
        for user_id, chosen in [(ANN[0], [0]), (ROBERT[0], [1])]:
            s.add(
                Answer(
                    item_id=view.item.id,
                    user_id=user_id,
                    question_id=view.question.id,
                    chosen=chosen,
                    correct=chosen == [0],
                )
            )
    with db.session() as s:
        report = bank_report(s, "other")
    assert report.stats == BankStats(learners=2, attempts=2, average=0.5)
    assert lines(report) == [("cats", 2, 0.5, "Numbers", 1)]


def test_a_bank_nobody_answered(db: Database):
    load(db, RIVERS)
    with db.session() as s:
        report = bank_report(s, "rivers")
        assert count_answers(s, "rivers") == 0
        assert list(export_rows(s, "rivers")) == []
    assert report.stats == BankStats(0, 0, None)
    assert [q.key for q in report.questions] == [
        "thames",
        "nile",
        "amazon",
        "seine",
        "dry",
        "rivers",
    ]
    assert report.answered == []


def test_a_changed_question_starts_afresh_and_its_old_answers_stay_exported(
    classroom: Database,
):
    changed = RIVERS.replace("[Seine, Rhine, Loire]", "[Seine, Rhône, Garonne]")
    load(classroom, changed)
    with classroom.session() as s:
        report = bank_report(s, "rivers")
        exported = [r for r in export_rows(s, "rivers") if r.question_id == "seine"]
    assert report.stats == BankStats(3, 4, 0.5)  # history counts
    seine = next(q for q in report.questions if q.key == "seine")
    assert (seine.answers, seine.right, seine.wrong_option) == (0, None, None)
    # Unanswered last, in file order.
    assert [q.key for q in report.questions][-2:] == ["seine", "dry"]
    assert [(r.chosen, r.correct) for r in exported] == [("Seine", True), ("Loire", False)]


def expected_export() -> list[tuple[int, str, str, str, bool]]:
    names = {
        ANN[0]: "Ann (@ann)",
        ROBERT[0]: "Robert'); DROP TABLE users;--",
        CY[0]: 'Cy, "the quick" (@cy)',
    }
    bank = parse_bank(RIVERS, filename="bank.yaml", base_dir=None)
    questions = {q.id: q for q in bank.questions}
    rows = []
    for (user_id, *_), answers in PLAYED:
        for key, chosen in answers:
            question = questions[key]
            texts = "; ".join(question.options[i] for i in chosen)
            right = sorted(chosen) == sorted(question.correct)
            rows.append((user_id, names[user_id], key, texts, right))
    return rows


def test_export_rows_are_every_answer_oldest_first(classroom: Database):
    with classroom.session() as s:
        rows = list(export_rows(s, "rivers"))
        assert count_answers(s, "rivers") == len(rows) == 13
    assert [(r.user_id, r.user_name, r.question_id, r.chosen, r.correct) for r in rows] == (
        expected_export()
    )
    times = [r.answered_at for r in rows]
    assert times == sorted(times) and all(t.utcoffset() is not None for t in times)
    assert ("rivers", "Nile; Alps") in [(r.question_id, r.chosen) for r in rows]


HOSTILE = [
    ExportRow(
        datetime(2026, 11, 25, 16, 32, 36, 500, tzinfo=UTC),
        1,
        "Robert'); DROP TABLE users;--",
        "q1",
        "Yes",
        True,
    ),
    ExportRow(
        datetime(2026, 11, 25, 16, 33, tzinfo=UTC),
        2,
        'Ann, "the best"\nline two',
        "q2",
        'A, B; "C"',
        False,
    ),
    ExportRow(datetime(2026, 11, 25, 16, 34, tzinfo=UTC), 3, "=HYPERLINK(1)", "q1", "No", False),
]


def test_csv_quotes_hostile_names_and_defuses_formulas():
    out = io.StringIO(newline="")
    assert write_csv(HOSTILE, out) == 3
    parsed = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert ",".join(parsed[0]) == "answered_at,user_id,user_name,question_id,chosen,correct"
    assert parsed[1:] == [
        ["2026-11-25T16:32:36Z", "1", "Robert'); DROP TABLE users;--", "q1", "Yes", "true"],
        ["2026-11-25T16:33:00Z", "2", 'Ann, "the best"\nline two', "q2", 'A, B; "C"', "false"],
        ["2026-11-25T16:34:00Z", "3", "'=HYPERLINK(1)", "q1", "No", "false"],
    ]


HOSTILE_BANK = r"""
bank: 1
id: hostile
title: Sums
source:
  title: Notes
  text: Sums are numbers.
questions:
  - id: sums
    question: Which is a sum?
    options:
      - '=HYPERLINK("https://evil.example","click")'
      - "+1+1"
      - "-2+3"
      - "@SUM(A1:A9)"
    answer: "+1+1"
"""
OPTIONS = ['=HYPERLINK("https://evil.example","click")', "+1+1", "-2+3", "@SUM(A1:A9)"]


def test_csv_defuses_formulas_in_every_text_cell_of_a_real_banks_export(db: Database):
    load(db, HOSTILE_BANK)
    learner = (105, "\t=cmd|' /C calc'!A0", "evil")  # Telegram names may start with a tab
    for index in range(len(OPTIONS)):
        play(db, learner, "hostile", [("sums", [index])])
    with db.session() as s:
        rows = list(export_rows(s, "hostile"))
    out = io.StringIO(newline="")
    assert write_csv(rows, out) == len(OPTIONS)
    lines = list(csv.reader(io.StringIO(out.getvalue(), newline="")))[1:]
    assert [line[4] for line in lines] == [f"'{option}" for option in OPTIONS]
    assert {line[2] for line in lines} == {"'\t=cmd|' /C calc'!A0 (@evil)"}
    assert [line[3] for line in lines] == ["sums"] * len(OPTIONS)
    assert not [cell for line in lines for cell in line if cell.startswith(FORMULA_STARTS)]
    out = io.StringIO()
    write_json(rows, out)
    assert [record["chosen"] for record in json.loads(out.getvalue())] == OPTIONS  # as given


def test_json_is_an_array_of_the_same_fields():
    out = io.StringIO()
    assert write_json(HOSTILE, out) == 3
    records = json.loads(out.getvalue())
    assert [tuple(r) for r in records] == [FIELDS] * 3
    assert records[0] == {
        "answered_at": "2026-11-25T16:32:36Z",
        "user_id": 1,
        "user_name": "Robert'); DROP TABLE users;--",
        "question_id": "q1",
        "chosen": "Yes",
        "correct": True,
    }
    assert records[1]["user_name"] == 'Ann, "the best"\nline two'
    assert records[2]["user_name"] == "=HYPERLINK(1)"  # JSON is not run as a formula
    empty = io.StringIO()
    assert write_json([], empty) == 0 and json.loads(empty.getvalue()) == []


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, checking the signature on the way."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def within_photo_limits(data: bytes) -> bool:
    width, height = png_size(data)
    return (
        width + height <= 10000
        and max(width, height) <= 20 * min(width, height)
        and (len(data) <= 10 * 1024 * 1024)
    )


def report_of(count: int) -> BankReport:
    questions = [
        QuestionStats(f"question-{i:03}-with-a-rather-long-key", f"Q{i}", i, 10, i / count, None, 0)
        for i in range(count)
    ]
    return BankReport(BankStats(10, 10, 0.5), questions)


@pytest.mark.parametrize("count", [1, 200])
def test_chart_is_a_png_within_telegram_photo_limits(count: int):
    chart = accuracy_chart(report_of(count))
    assert within_photo_limits(chart)
    width, height = png_size(chart)
    assert width >= 600 and height >= 200


def test_chart_height_follows_the_questions_up_to_the_cap():
    heights = [png_size(accuracy_chart(report_of(n)))[1] for n in (5, 20, MAX_BARS, 200)]
    assert heights[0] < heights[1] < heights[2] == heights[3]


def test_no_chart_without_answers():
    with pytest.raises(ValueError, match="nothing to chart"):
        accuracy_chart(BankReport(BankStats(0, 0, None), []))
