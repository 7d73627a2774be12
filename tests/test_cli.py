"""The `quizbot` command as people run it: real processes, real files."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot import terminal
from bot.cli import main
from quiz.bank import load_bank_file
from storage.db import Database
from tests.conftest import QUESTIONS
from tests.fakebot import FakeTelegram
from tests.harness import text_of
from tests.processes import QUIZBOT, bot_env, quizbot_process
from tests.test_reports import PLAYED, RIVERS, expected_export, load, play


def quizbot(*args: str, env: dict[str, str] | None = None, stdin: str = "", cwd: Path):
    return subprocess.run(
        [QUIZBOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {}), "PYTHONPATH": str(QUESTIONS.parent)},
        cwd=cwd,
        timeout=60,
    )


def test_validate_accepts_the_shipped_bank(tmp_path: Path):
    result = quizbot("validate", *map(str, sorted(QUESTIONS.glob("*.yaml"))), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "30 questions" in result.stdout


def test_validate_reports_problems_and_fails(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("bank: 1\nid: Bad Id\ntitle: x\n")
    result = quizbot("validate", str(bad), cwd=tmp_path)
    assert result.returncode == 1
    assert "bad.yaml:2: id:" in result.stdout
    assert "questions: this" in result.stdout and "source" not in result.stdout  # optional


def test_import_then_leaderboard_on_a_sqlite_file(tmp_path: Path):
    env = {"QUIZBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'q.db'}"}
    bank = str(QUESTIONS / "russia-iran-partnership.yaml")
    result = quizbot("import", bank, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "30 questions (new, version 1)" in result.stdout
    again = quizbot("import", bank, env=env, cwd=tmp_path)
    assert "(unchanged, still version 1)" in again.stdout
    board = quizbot("leaderboard", env=env, cwd=tmp_path)
    assert board.returncode == 0 and "Nobody has scored yet" in board.stdout
    assert result.stderr == again.stderr == ""  # no progress bar mixed into a pipe


def test_import_shows_progress_on_a_terminal(tmp_path: Path):
    env = {**os.environ, "QUIZBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'q.db'}"}
    env["PYTHONPATH"] = str(QUESTIONS.parent)
    bank = str(QUESTIONS / "russia-iran-partnership.yaml")
    controller, terminal = os.openpty()
    with (
        os.fdopen(controller, "rb", buffering=0) as screen,
        subprocess.Popen(
            [QUIZBOT, "import", bank],
            stdout=subprocess.PIPE,
            stderr=terminal,
            env=env,
            cwd=tmp_path,
        ) as process,
    ):
        os.close(terminal)
        drawn = b""
        with contextlib.suppress(OSError):  # EIO once the process has closed the terminal
            while chunk := screen.read(4096):
                drawn += chunk
        assert process.stdout is not None
        assert b"30 questions (new, version 1)" in process.stdout.read()
    assert process.returncode == 0
    assert b"Importing russia-iran-partnership.yaml" in drawn


def test_try_plays_a_quiz_in_the_terminal(tmp_path: Path):
    env = {"QUIZBOT_QUESTIONS_DIR": str(QUESTIONS)}
    # Two shipped banks: the learner picks one by its id, then answers.
    stdin = "russia-iran-partnership\n9\n1\n1\n"
    result = quizbot("try", "-n", "2", env=env, stdin=stdin, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(russia-iran-partnership, 30 questions)" in out
    assert "(rossiya-iran-partnerstvo, 20 questions)" in out
    assert "[1/2]" in out and "[2/2]" in out
    assert "Type a number from 1 to" in out  # "9" is not an option
    assert out.count("Answer: ") == 2
    assert "— Russia and Iran sign a strategic partnership" in out
    assert "Finished: " in out


TYPED_BANK = """\
bank: 1
id: typed
title: Typed
source: {{title: Notes, text: "Grant and his wife lie in the tomb; nobody is buried there."}}
questions:
  - {{id: q, {question}}}
"""
BURIED = "question: Who is buried in Grant's tomb?, type: short_answer, answer: [no one, nobody]"
BORN = "question: When was Grant born?, type: numeric, answer: 1822, tolerance: 1"


def typed_bank(tmp_path: Path, question: str) -> Path:
    path = tmp_path / "typed.yaml"
    path.write_text(TYPED_BANK.format(question=question), encoding="utf-8")
    return path


def test_try_asks_typed_questions(tmp_path: Path):
    bank = typed_bank(tmp_path, BURIED)
    result = quizbot("try", str(bank), stdin="🙂\nНободы\nnobdy\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Typed — 1 questions. Type the answers; q quits." in out
    assert "[1/1] Who is buried in Grant's tomb?\n  (type the answer)\n" in out
    assert "Type the answer in letters or digits, or q to quit." in out  # only an emoji
    assert "That is not the alphabet of the answer" in out  # another keyboard layout
    assert "✅ Correct, a typo forgiven: it is spelt “nobody”.\nAnswer: no one; nobody\n" in out
    assert "“Grant and his wife lie in the tomb; nobody is buried there.”" in out
    assert "Finished: 1/1" in out


def play_typed(tmp_path: Path, question: str, *replies: str) -> str:
    """The terminal player's output for one typed question and these replies, as typed."""
    pending = iter(replies)

    def ask(prompt: str) -> str:
        assert prompt == "Your answer: "
        try:
            return next(pending)
        except StopIteration:
            raise EOFError from None  # as input() at the end of its input

    said: list[str] = []
    bank = str(typed_bank(tmp_path, question))
    assert terminal.play(tmp_path, bank, None, ask=ask, say=said.append) == 0
    return "\n".join(said)


def test_try_says_how_to_answer_a_mix_of_questions(tmp_path: Path):
    mixed = (
        BURIED + "}\n  - {id: tf, type: true_false, question: Grant was a general., answer: true"
    )
    out = play_typed(tmp_path, mixed, "1", "1")  # option 1 (True), and a wrong typed answer
    assert "Typed — 2 questions. Answer with the option's number, or type the answer" in out
    assert "  1. True\n  2. False" in out and out.endswith("Finished: 1/2")


def test_try_numeric_questions_ask_again_for_one_number(tmp_path: Path):
    out = play_typed(tmp_path, BORN, "two", "1822 or 1823", "x" * 4096, "1,823")
    assert "[1/1] When was Grant born?\n  (type a number)" in out
    assert "Type a number, such as 42 or 3.5, or q to quit." in out
    assert "Type one number only, or q to quit." in out
    assert "Type just the answer, at most 200 characters, or q to quit." in out
    assert "✅ Correct!\nAnswer: 1822 ± 1" in out
    assert out.endswith("🏁 Finished: 1/1")


def test_try_typed_wrong_answers_and_quitting(tmp_path: Path):
    wrong = play_typed(tmp_path, BORN, "1820")
    assert "❌ Not quite.\nAnswer: 1822 ± 1" in wrong and wrong.endswith("Finished: 0/1")
    two_typos = play_typed(tmp_path, BURIED.replace("[no one, nobody]", "Westphalia"), "Wesphlia")
    assert "✅ Correct, 2 typos forgiven: it is spelt “Westphalia”." in two_typos
    assert play_typed(tmp_path, BURIED, "q").endswith("Stopped. Score: 0/0")
    assert play_typed(tmp_path, BURIED).endswith("Stopped. Score: 0/0")  # end of input


def test_run_without_a_token_says_how_to_set_it(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZBOT_")}
    result = subprocess.run(
        [QUIZBOT, "run"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={**env, "PYTHONPATH": str(QUESTIONS.parent)},
    )
    assert result.returncode == 2
    assert "QUIZBOT_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("QUIZBOT_TEACHERS", "12,abc", "QUIZBOT_TEACHERS"),
        ("QUIZBOT_TOKEN", "not-a-token", "does not look like a bot token"),
        ("QUIZBOT_DATABASE_URL", "sqlite:////nonexistent/dir/x.db", "cannot open the database"),
    ],
)
def test_bad_configuration_is_one_clear_line(tmp_path: Path, variable, value, expected):
    env = {"QUIZBOT_TOKEN": "123:abc", variable: value}
    result = quizbot("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr and "not-a-token" not in result.stderr


async def test_quizbot_run_serves_users_and_never_logs_the_token(
    fake: FakeTelegram, tmp_path: Path
):
    env = bot_env(fake, f"sqlite:///{tmp_path / 'bot.db'}", QUESTIONS)
    log = tmp_path / "bot.log"
    async with quizbot_process(env, log) as process:
        ann = fake.user(101, "Ann")
        ann.send("/quiz russia-iran-partnership 1")
        poll = await fake.wait_for("sendPoll", chat_id=ann.id, timeout=30)
        ann.answer_poll(poll.result["poll"]["id"], [0])
        summary = await fake.wait_for(
            "sendMessage", predicate=lambda c: "Quiz finished" in text_of(c), timeout=30
        )
        assert "Score:" in text_of(summary)
    output = log.read_text()
    assert process.returncode == 0, output
    assert "polling Telegram for updates" in output
    assert fake.token not in output and fake.token.split(":")[1] not in output
    assert "Traceback" not in output


@pytest.fixture
def answered_db(tmp_path: Path) -> dict[str, str]:
    """The environment of a SQLite file where the rivers bank was played as in test_reports."""
    url = f"sqlite:///{tmp_path / 'answers.db'}"
    db = Database.open(url)
    load(db, RIVERS)
    for user, answers in PLAYED:
        play(db, user, "rivers", answers)
    db.dispose()
    return {"QUIZBOT_DATABASE_URL": url}


def exported(records: list[dict[str, Any]]) -> list[tuple[int, str, str, str, bool]]:
    return [
        (
            int(r["user_id"]),
            r["user_name"],
            r["question_id"],
            r["chosen"],
            r["correct"] in (True, "true"),
        )
        for r in records
    ]


def test_export_csv_to_stdout(answered_db: dict[str, str], tmp_path: Path):
    result = quizbot("export", "--bank", "rivers", env=answered_db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("answered_at,user_id,user_name,question_id,chosen,correct")
    records = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert exported(records) == expected_export()
    assert result.stderr == ""  # no progress bar mixed into a pipe


@pytest.mark.parametrize("form", ["csv", "json"])
def test_export_to_a_file_shows_progress(answered_db: dict[str, str], tmp_path: Path, form: str):
    out = tmp_path / f"answers.{form}"
    args = ["export", "--bank", "rivers", "--format", form, "--out", str(out)]
    result = quizbot(*args, env=answered_db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "Exporting" in result.stderr and f"Wrote 13 answer(s) to {out}." in result.stderr
    text = out.read_text(encoding="utf-8")
    records = json.loads(text) if form == "json" else list(csv.DictReader(io.StringIO(text)))
    assert exported(records) == expected_export()


def test_export_of_an_unknown_bank_or_to_nowhere_fails_with_one_line(
    answered_db: dict[str, str], tmp_path: Path
):
    result = quizbot("export", "--bank", "nope", env=answered_db, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "quizbot: there is no bank 'nope'\n" and result.stdout == ""
    nowhere = tmp_path / "missing" / "answers.csv"
    result = quizbot(
        "export", "--bank", "rivers", "--out", str(nowhere), env=answered_db, cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr == f"quizbot: cannot write {nowhere}: No such file or directory\n"


def test_convert_writes_a_bank_that_validates_and_lists_what_it_skipped(tmp_path: Path):
    gift = tmp_path / "capitals.gift"
    gift.write_text(
        "::Capital:: What is the capital of France? {=Paris#Since 987. ~Lyon ~Nice}\n\n"
        "::Essay:: Discuss Paris. {}\n\n"
        "::Sky:: The sky is blue. {T}\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text("Paris is the capital of France.\n", encoding="utf-8")
    out = tmp_path / "capitals.yaml"
    result = quizbot("convert", str(gift), "-o", str(out), "--source", "notes.txt", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "line 3: essay question is not supported" in result.stderr
    assert "Converted 2 question(s)" in result.stderr
    bank = load_bank_file(out)
    assert (bank.id, bank.source_title, len(bank.questions)) == ("capitals", "notes", 2)
    capital = bank.question("capital")
    assert capital.correct_texts == ("Paris",) and capital.explanation == "Since 987."
    assert bank.question("sky").kind == "true_false"

    aiken = tmp_path / "plants.txt"
    aiken.write_text("Which gas?\nA. Oxygen\nB. Carbon dioxide\nANSWER: B\n", encoding="utf-8")
    result = quizbot("convert", str(aiken), "--id", "botany", cwd=tmp_path)
    assert result.returncode == 0 and "id: botany" in result.stdout
    assert "source" not in result.stdout  # no --source: a bank without source material

    notes = quizbot("convert", str(tmp_path / "notes.txt"), cwd=tmp_path)
    assert notes.returncode == 1 and "not a Moodle question file" in notes.stderr
    missing = quizbot("convert", str(tmp_path / "nowhere.gift"), cwd=tmp_path)
    assert missing.returncode == 1 and "nowhere.gift" in missing.stderr


SEED_ARTICLE = QUESTIONS / "sources" / "russia-iran-partnership.txt"


def test_draft_writes_a_bank_that_validates_and_plays(tmp_path: Path):
    article = tmp_path / "russia_iran.txt"
    article.write_bytes(SEED_ARTICLE.read_bytes())
    result = quizbot("draft", str(article), "-o", "drafts/bank.yaml", cwd=tmp_path, stdin="")
    assert result.returncode == 1 and "No such file or directory" in result.stderr
    (tmp_path / "drafts").mkdir()
    result = quizbot(
        "draft", str(article), "-o", "drafts/bank.yaml", "--title", "Drafts", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "Drafted 20 question(s) from russia_iran.txt to drafts/bank.yaml:"
        " keep those worth asking.\n"
    )
    bank_file = tmp_path / "drafts" / "bank.yaml"
    assert "\n  text: |-\n    Russian President" in bank_file.read_text("utf-8")  # inline
    bank = load_bank_file(bank_file)
    assert (bank.id, bank.title, bank.source_title) == ("russia-iran", "Drafts", "russia iran")
    assert len(bank.questions) == 20
    positions = [bank.source_text.index(question.quote or "") for question in bank.questions]
    assert positions == sorted(positions)  # in the article's order
    validate = quizbot("validate", str(bank_file), cwd=tmp_path)
    assert validate.returncode == 0 and "20 questions" in validate.stdout
    played = quizbot("try", str(bank_file), "-n", "2", stdin="1\n1\n", cwd=tmp_path)
    assert played.returncode == 0 and "Finished: " in played.stdout and "____" in played.stdout
    five = quizbot("draft", str(article), "-n", "5", "--id", "five", cwd=tmp_path)
    assert five.returncode == 0 and "id: five\n" in five.stdout
    assert five.stdout.count("\n  - id: ") == 5


def test_draft_puts_a_large_source_next_to_the_bank(tmp_path: Path):
    # 495,000 characters, within a source's limit, but 1.1 MB: inline, the bank would be too large.
    sentence = "Первый полёт Юрия Гагарина состоялся в {} году на корабле Восток номер {}.\n"
    text = "".join(sentence.format(1900 + i, i) for i in range(30)) + "—ёлка" * 99_000
    (tmp_path / "article.txt").write_text(text, encoding="utf-8")
    result = quizbot("draft", "article.txt", "-o", "bank.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "\n  file: article.txt\n" in (tmp_path / "bank.yaml").read_text("utf-8")
    assert len(load_bank_file(tmp_path / "bank.yaml").questions) == 20
    (tmp_path / "elsewhere").mkdir()
    result = quizbot("draft", "article.txt", "-o", "elsewhere/bank.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "quizbot: bank.yaml: the file is larger than 1,000,000 bytes\n"
    assert not (tmp_path / "elsewhere" / "bank.yaml").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"caf\xe9 au lait", "'article.txt' is not valid UTF-8 text"),
        (b" \n ", "'article.txt' is empty"),
        (b"a" * 2_000_001, "'article.txt' is longer than 500,000 characters"),
        (b"Nul \x00 in it.", "'article.txt' contains the control character U+0000"),
        (
            b"Only 1917 here. And 1918 there.",
            "found nothing to ask in article.txt: no sentence with a year, a date, a number or a"
            " name that three others of its kind in the text could stand for",
        ),
    ],
)
def test_draft_refuses_a_source_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
):
    (tmp_path / "article.txt").write_bytes(content)
    assert main(["draft", str(tmp_path / "article.txt"), "-o", str(tmp_path / "b.yaml")]) == 1
    assert capsys.readouterr().err == f"quizbot: {message}\n"
    assert not (tmp_path / "b.yaml").exists()
