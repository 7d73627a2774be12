"""Teachers' /report and /export, end to end: only the bank's owner (or an admin) sees data."""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass

import pytest
from telegram import Bot
from telegram.error import BadRequest

from storage import banks, roles
from tests.conftest import ADMIN_ID, TEACHER_ID
from tests.fakebot import Call, FakeChat, FakeTelegram, FakeUser
from tests.harness import BotRunner, feedback_after, plain, poll_id, poll_text, text_of
from tests.test_reports import png_size, within_photo_limits

PLANETS = """\
bank: 1
id: planets
title: The planets
visibility: public
source:
  title: Planet notes
  text: Jupiter is the biggest planet. Mars looks red. Saturn has rings.
questions:
  - id: biggest
    question: Which planet is the biggest?
    options: [Jupiter, Mars, Venus]
    answer: Jupiter
  - id: red
    question: Which planet looks red?
    options: [Mars, Venus, Saturn]
    answer: Mars
  - id: rings
    type: true_false
    question: Saturn has rings.
    answer: true
"""
KEYS = {
    "Which planet is the biggest?": "biggest",
    "Which planet looks red?": "red",
    "Saturn has rings.": "rings",
}
FILE_ORDER = ["biggest", "red", "rings"]
ANN = (101, "Ann", None)
BOB = (102, 'Bob, "the builder"', "bob")
SENT = ("sendMessage", "sendPhoto", "sendDocument")


@dataclass(frozen=True)
class Given:
    """An answer a learner gave, as the export should show it."""

    user_id: int
    user_name: str
    key: str
    chosen: str
    correct: bool


def teacher(fake: FakeTelegram) -> FakeUser:
    return fake.user(TEACHER_ID, "Tess")


async def upload(fake: FakeTelegram, text: str) -> None:
    mark = fake.mark()
    teacher(fake).send_document("bank.yaml", text.encode())
    reply = await fake.wait_for("sendMessage", chat_id=TEACHER_ID, since=mark)
    assert "Loaded bank" in text_of(reply), text_of(reply)


async def play(fake: FakeTelegram, who: tuple[int, str, str | None], right: list[bool]):
    """A whole quiz on the planets by polls, right or wrong as listed; the answers given."""
    user_id, first_name, username = who
    user = fake.user(user_id, first_name, username)
    name = f"{first_name} (@{username})" if username else first_name
    mark = fake.mark()
    user.send(f"/quiz planets {len(right)}")
    given = []
    for answer_right in right:
        poll = await fake.wait_for("sendPoll", chat_id=user_id, since=mark)
        correct = poll.params["correct_option_ids"]
        shown = poll.params["options"]
        choice = correct[0] if answer_right else min(set(range(len(shown))) - set(correct))
        key = KEYS[poll_text(poll)]
        given.append(Given(user_id, name, key, shown[choice]["text"], answer_right))
        mark = fake.mark()
        user.answer_poll(poll_id(poll), [choice])
        await feedback_after(fake, user_id, mark)
    return given


async def exchange(
    fake: FakeTelegram, user: FakeUser, text: str, chat: FakeChat | None = None
) -> list[Call]:
    """Send a command; everything the bot sent back for it, in order.

    A /help sent right after marks the end: a chat's updates are handled one after another.
    """
    chat_id = chat.id if chat else user.id
    mark = fake.mark()
    user.send(text, chat=chat)
    user.send("/help", chat=chat)
    end = await fake.wait_for(
        "sendMessage",
        chat_id=chat_id,
        since=mark,
        predicate=lambda c: "What I can do" in text_of(c),
    )
    between = fake.calls[mark : fake.calls.index(end)]
    return [c for c in between if c.method in SENT and c.params["chat_id"] == chat_id]


def report_text(calls: list[Call]) -> str:
    return "\n".join(plain(text_of(c)) for c in calls if c.method == "sendMessage")


def expected_lines(given: list[Given]) -> list[str]:
    """Each question's report line, hardest first, from the answers given."""
    lines = []
    for key in FILE_ORDER:
        answers = [g for g in given if g.key == key]
        right = sum(g.correct for g in answers)
        line = f"{key} — {round(100 * right / len(answers))}% right of {len(answers)} answers"
        wrong = [g.chosen for g in answers if not g.correct]
        if wrong:
            top = min(set(wrong), key=lambda w: -wrong.count(w))
            line += f"|Most chosen wrong: “{top}” ({wrong.count(top)}×)"
        line += "|Learned by 0% of its learners"  # answered minutes ago: not learned yet
        lines.append((right / len(answers), FILE_ORDER.index(key), line))
    return [line for *_, line in sorted(lines)]


@pytest.fixture
async def answered(bot: BotRunner, fake: FakeTelegram) -> list[Given]:
    """The teacher's planets bank, played by Ann (all right) and Bob (one of three right)."""
    await upload(fake, PLANETS)
    return [
        *await play(fake, ANN, [True, True, True]),
        *await play(fake, BOB, [False, True, False]),
    ]


async def test_the_teacher_gets_the_report_and_its_chart(fake: FakeTelegram, answered: list[Given]):
    calls = await exchange(fake, teacher(fake), "/report planets")
    assert [c.method for c in calls] == ["sendMessage", "sendPhoto"]
    text = report_text(calls)
    # Ann scored 3/3 and Bob 1/3: the average of the two attempts is 67%.
    assert "Results — The planets (planets)" in text
    assert "Learners: 2 · attempts: 2 · average score: 67%" in text
    body = text.split("Questions, hardest first\n", 1)[1]
    # Each question: "n. key — share right of n answers", its text, its most chosen wrong.
    entries = [e.rstrip().split("\n    ") for e in re.split(r"^\d+\. ", body, flags=re.M)[1:]]
    assert ["|".join([head, *wrong]) for head, _, *wrong in entries] == expected_lines(answered)
    assert {text.strip() for _, text, *_ in entries} == set(KEYS)
    actions = [c.params["action"] for c in fake.calls_to("sendChatAction", TEACHER_ID)]
    assert "typing" in actions and "upload_photo" in actions
    photo = calls[1]
    assert photo.files["photo"].data == photo.params["photo"]
    width, height = png_size(photo.params["photo"])
    assert within_photo_limits(photo.params["photo"]) and width >= 600 and height >= 200
    assert "The planets" in photo.params["caption"]


async def test_the_teacher_exports_every_answer_as_csv(fake: FakeTelegram, answered: list[Given]):
    calls = await exchange(fake, teacher(fake), "/export planets")
    assert [c.method for c in calls] == ["sendDocument"]
    upload = calls[0].files["document"]
    assert upload.filename == "planets-answers.csv"
    assert "6 answers to planets" in plain(calls[0].params["caption"])
    rows = list(csv.reader(io.StringIO(upload.data.decode("utf-8"), newline="")))
    assert rows[0] == ["answered_at", "user_id", "user_name", "question_id", "chosen", "correct"]
    assert [r[1:] for r in rows[1:]] == [
        [str(g.user_id), g.user_name, g.key, g.chosen, "true" if g.correct else "false"]
        for g in answered
    ]
    times = [r[0] for r in rows[1:]]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", t) for t in times)
    assert times == sorted(times)
    assert "upload_document" in [c.params["action"] for c in fake.calls_to("sendChatAction")]


async def test_the_export_is_sent_in_private_only(fake: FakeTelegram, answered: list[Given]):
    group = fake.group(-100123, "Class 7B")
    calls = await exchange(fake, teacher(fake), "/export planets", chat=group)
    assert [plain(text_of(c)) for c in calls] == [
        "The export names every learner, so I send it only in our private chat: ask me there."
    ]
    # The report holds no names: a teacher may show it to the class.
    calls = await exchange(fake, teacher(fake), "/report planets", chat=group)
    assert [c.method for c in calls] == ["sendMessage", "sendPhoto"]


async def test_an_admin_may_see_any_banks_results(fake: FakeTelegram, answered: list[Given]):
    calls = await exchange(fake, fake.user(ADMIN_ID, "Ada"), "/report planets")
    assert [c.method for c in calls] == ["sendMessage", "sendPhoto"]
    assert "Learners: 2" in report_text(calls)


async def test_learners_unknown_and_deleted_banks_get_no_data(
    bot: BotRunner, fake: FakeTelegram, answered: list[Given]
):
    ann, bob = fake.user(*ANN), fake.user(*BOB)
    with bot.db.session() as session:  # Bob teaches too, but planets is not his bank
        roles.grant_teacher(session, bob.id, granted_by=ADMIN_ID)
    refusals = []
    for user, text in [
        (ann, "/report planets"),
        (bob, "/export planets"),
        (teacher(fake), "/report nope"),
        (teacher(fake), "/export nope"),
    ]:
        calls = await exchange(fake, user, text)
        assert [c.method for c in calls] == ["sendMessage"], text
        refusals.append(plain(text_of(calls[0])))
    planets = "You have no bank called planets. /mybanks lists yours."
    nope = "You have no bank called nope. /mybanks lists yours."
    learners = "That is for teachers. Ask the bot's administrator to make you one."
    assert refusals == [learners, planets, nope, nope]
    with bot.db.session() as session:
        row = banks.get_bank(session, "planets")
        assert row is not None
        banks.delete_bank(session, row)
    for text in ("/report planets", "/export planets"):
        calls = await exchange(fake, teacher(fake), text)
        assert [plain(text_of(c)) for c in calls] == [planets]


async def test_missing_argument_and_a_bank_nobody_answered(bot: BotRunner, fake: FakeTelegram):
    await upload(fake, PLANETS)
    for name in ("report", "export"):
        calls = await exchange(fake, teacher(fake), f"/{name}")
        assert [plain(text_of(c)) for c in calls] == [
            f"Send /{name} <bank-id> for one of your banks. /mybanks lists them."
        ]
        calls = await exchange(fake, teacher(fake), f"/{name} planets")
        assert [c.method for c in calls] == ["sendMessage"]
        assert "Nobody has answered The planets (planets) yet" in plain(text_of(calls[0]))


def big_bank(questions: int) -> str:
    lines = [
        "bank: 1",
        "id: big",
        "title: A big bank",
        "visibility: public",
        "source:",
        "  title: Notes",
        "  text: Everything is in here.",
        "questions:",
    ]
    for i in range(questions):
        lines += [
            f"  - id: question-{i:03}",
            f"    question: Question number {i} is long enough to fill a line of the report?",
            "    options: [First option, Second option, Third option]",
            "    answer: First option",
        ]
    return "\n".join(lines) + "\n"


async def test_a_long_report_comes_in_several_messages(fake: FakeTelegram, bot: BotRunner):
    await upload(fake, big_bank(200))
    learner = fake.user(*ANN)
    mark = fake.mark()
    learner.send("/quiz big 1")
    poll = await fake.wait_for("sendPoll", chat_id=learner.id, since=mark)
    learner.answer_poll(poll_id(poll), poll.params["correct_option_ids"])
    await feedback_after(fake, learner.id, mark)
    started = time.perf_counter()
    calls = await exchange(fake, teacher(fake), "/report big")
    elapsed = time.perf_counter() - started
    messages = [c for c in calls if c.method == "sendMessage"]
    assert len(messages) >= 2 and [c.method for c in calls[-1:]] == ["sendPhoto"]
    text = report_text(calls)
    assert all(f"question-{i:03}" in text for i in range(200))
    assert "Learners: 1 · attempts: 1 · average score: 100%" in text
    # The one answered question is the only one charted; the others are not answered yet.
    assert text.count("not answered yet") == 199
    assert elapsed < 10, f"/report took {elapsed:.1f} s"


async def test_the_fake_server_refuses_photos_telegram_would(fake: FakeTelegram):
    fake.user(*ANN)

    def png(width: int, height: int, padding: int = 0) -> bytes:
        header = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR"
        return header + width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes(padding)

    async with Bot(fake.token, base_url=fake.api_url, base_file_url=fake.file_url) as bot:
        assert (await bot.send_photo(ANN[0], png(800, 1330))).photo
        for photo, error in [
            (png(9000, 1001), "PHOTO_INVALID_DIMENSIONS"),  # width + height over 10000
            (png(2100, 100), "PHOTO_INVALID_DIMENSIONS"),  # ratio over 20
            (png(800, 600, 11 * 1024 * 1024), "PHOTO_SAVE_FILE_INVALID"),  # over 10 MB
        ]:
            with pytest.raises(BadRequest, match=f"(?i){error}"):
                await bot.send_photo(ANN[0], photo)
    assert len(fake.violations) == 3
    fake.violations.clear()  # expected here; the fixture fails a test on any other
