"""Teachers add banks by sending YAML files; everyone else is politely refused."""

from __future__ import annotations

import asyncio
import html
import time
from pathlib import Path

from bot.library import import_bank
from bot.settings import Settings
from quiz.bank import MAX_QUESTIONS, parse_bank
from storage.banks import get_bank
from tests.conftest import QUESTIONS, TEACHER_ID
from tests.fakebot import FakeTelegram
from tests.harness import BotRunner, feedback_after, poll_id, text_of
from tests.processes import bot_env, children, quizbot_process, running

GOOD = """\
bank: 1
id: water
title: The water cycle
visibility: public
source:
  title: Water notes
  text: Water evaporates from the sea. Clouds form when vapour cools. Rain falls from clouds.
questions:
  - id: evaporation
    question: Where does water evaporate from, according to the notes?
    options: [The sea, The moon, Rocks]
    answer: The sea
  - id: rain
    type: true_false
    question: Rain falls from clouds.
    answer: true
"""

BAD = """\
bank: 1
id: water
title: The water cycle
source:
  title: Water notes
  text: Water evaporates from the sea.
questions:
  - id: evaporation
    question: Where does water evaporate from?
    options: [The sea, The moon]
    answer: The ocean
  - id: evaporation
    question: Is this a duplicate?
    colour: blue
    options: [Yes]
    answer: Yes
"""


async def send_and_reply(fake: FakeTelegram, user_id: int, name: str, content: bytes, **kw) -> str:
    user = fake.user(user_id, name)
    mark = fake.mark()
    user.send_document(kw.pop("file_name", "bank.yaml"), content, **kw)
    return text_of(await fake.wait_for("sendMessage", chat_id=user_id, since=mark))


async def test_teacher_uploads_a_bank_then_learners_play_it(bot: BotRunner, fake: FakeTelegram):
    reply = await send_and_reply(fake, TEACHER_ID, "Tess", GOOD.encode())
    assert "Loaded bank <code>water</code> with 2 questions" in reply
    assert fake.calls_to("getFile"), "the bot must download the file"
    assert fake.calls_to("sendChatAction")
    ann = fake.user(101, "Ann")
    mark = fake.mark()
    ann.send("/quiz water")
    poll = await fake.wait_for("sendPoll", chat_id=ann.id, since=mark)
    ann.answer_poll(poll_id(poll), poll.params["correct_option_ids"])
    feedback = await feedback_after(fake, ann.id, mark)
    # No quote in this bank: the passage is retrieved from the source text.
    assert "<blockquote>" in text_of(feedback) and "Water notes" in text_of(feedback)


async def test_reupload_replaces_questions_and_keeps_scores(bot: BotRunner, fake: FakeTelegram):
    await send_and_reply(fake, TEACHER_ID, "Tess", GOOD.encode())
    ann = fake.user(101, "Ann")
    mark = fake.mark()
    ann.send("/quiz water 2")
    for _ in range(2):
        poll = await fake.wait_for("sendPoll", chat_id=ann.id, since=mark)
        mark = fake.mark()
        ann.answer_poll(poll_id(poll), poll.params["correct_option_ids"])
    await fake.wait_for("sendMessage", predicate=lambda c: "Quiz finished" in text_of(c))
    changed = GOOD.replace("Rain falls from clouds.", "Clouds form when vapour cools.")
    changed = changed.replace("id: rain", "id: clouds")
    reply = await send_and_reply(fake, TEACHER_ID, "Tess", changed.encode())
    assert "version 2: 1 added, 0 changed, 1 kept, 1 retired" in reply
    mark = fake.mark()
    ann.send("/score")
    assert "Points: <b>2</b>" in text_of(await fake.wait_for("sendMessage", since=mark))
    mark = fake.mark()
    ann.send("/banks")
    assert "The water cycle</b>" not in text_of(await fake.wait_for("sendMessage", since=mark))


async def test_invalid_bank_lists_every_problem_with_lines(bot: BotRunner, fake: FakeTelegram):
    reply = html.unescape(await send_and_reply(fake, TEACHER_ID, "Tess", BAD.encode()))
    assert "was not loaded" in reply
    assert "bank.yaml:11: questions[0].answer" in reply
    assert "bank.yaml:12: questions[1].id" in reply
    assert "colour" in reply
    mark = fake.mark()
    fake.user(101, "Ann").send("/quiz water")
    assert "no bank called" in text_of(await fake.wait_for("sendMessage", since=mark))


async def test_non_teacher_upload_is_refused_and_nothing_stored(bot: BotRunner, fake: FakeTelegram):
    reply = await send_and_reply(fake, 101, "Ann", GOOD.encode())
    assert "Only teachers" in reply
    assert not fake.calls_to("getFile")
    mark = fake.mark()
    fake.user(101, "Ann").send("/quiz water")
    assert "no bank called" in text_of(await fake.wait_for("sendMessage", since=mark))
    # Whatever the file: a learner is not sent after a .yaml they could not upload anyway.
    assert "Only teachers" in await send_and_reply(fake, 101, "Ann", b"%PDF", file_name="hw.pdf")


async def test_files_shared_in_a_group_are_left_alone(bot: BotRunner, fake: FakeTelegram):
    group = fake.group(-100321, "Class 7B")
    tess, ann = fake.user(TEACHER_ID, "Tess"), fake.user(101, "Ann")
    ann.send_document("homework.pdf", b"%PDF-1.4", chat=group)
    tess.send_document("water.yaml", GOOD.encode(), chat=group)
    ann.send("/help", chat=group)  # answered after the files: they got nothing
    await fake.wait_for(
        "sendMessage", chat_id=group.id, predicate=lambda c: "What I can do" in text_of(c)
    )
    assert len(fake.calls_to("sendMessage", group.id)) == 1 and not fake.calls_to("getFile")


async def test_wrong_type_oversized_and_hostile_files(bot: BotRunner, fake: FakeTelegram):
    reply = await send_and_reply(fake, TEACHER_ID, "Tess", b"%PDF-1.4", file_name="notes.pdf")
    assert "send a question bank as a <code>.yaml</code>" in reply
    reply = await send_and_reply(fake, TEACHER_ID, "Tess", b"x", declared_size=5_000_000)
    assert "5.0 MB" in reply and "at most 1 MB" in reply
    assert not fake.calls_to("getFile"), "an oversized file must not be downloaded"
    reply = await send_and_reply(fake, TEACHER_ID, "Tess", b"- just\n- a list\n")
    assert "was not loaded" in reply and "mapping" in reply
    bomb = b'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\n'
    reply = await send_and_reply(fake, TEACHER_ID, "Tess", bomb)
    assert "aliases are not allowed" in reply
    reply = await send_and_reply(fake, TEACHER_ID, "Tess", b"\xff\xfe\x00binary")
    assert "was not loaded" in reply


async def test_a_hostile_file_holds_up_no_one(fake: FakeTelegram, tmp_path: Path):
    # One GIFT question of 150 KB: an HTML tag opened 75,000 times and never closed.
    hostile = ("[html]" + "<a" * 75_000 + "{=a ~b}").encode()
    env = bot_env(
        fake,
        f"sqlite:///{tmp_path / 'bot.db'}",
        QUESTIONS,
        QUIZBOT_TEACHERS=str(TEACHER_ID),
        QUIZBOT_RATE_LIMIT="false",  # one /help after another, more than once a second
    )
    ann = fake.user(101, "Ann")
    slowest = 0.0

    async def help_answered() -> None:
        nonlocal slowest
        mark, asked = fake.mark(), time.monotonic()
        ann.send("/help")
        answer = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, timeout=60)
        assert "What I can do" in text_of(answer)
        slowest = max(slowest, answer.at - asked)

    # The bot in a process of its own, as it runs: a stall there does not stall the test.
    async with quizbot_process(env, tmp_path / "bot.log") as process:
        await help_answered()  # it is up
        slowest, mark = 0.0, fake.mark()
        fake.user(TEACHER_ID, "Tess").send_document("hostile.gift", hostile)
        await fake.wait_for("getFile", since=mark, timeout=30)
        teacher = asyncio.create_task(
            fake.wait_for("sendMessage", chat_id=TEACHER_ID, since=mark, timeout=120)
        )
        while not teacher.done():  # for as long as the file is read
            await help_answered()
            await asyncio.sleep(0.2)
        reply = text_of(teacher.result())
        worker = children(process.pid)
    assert slowest < 1.0, f"/help took {slowest:.1f} s"
    assert "holds no question I can ask" in reply
    assert "line 1: malformed question (longer than 20,000 characters as written)" in reply
    assert len(worker) == 1 and not running(worker), "the worker outlived the bot"


def big_bank(count: int) -> bytes:
    """A valid bank of `count` questions: some tenths of a second to read."""
    questions = "".join(
        f"  - id: q{i}\n    question: Question {i}?\n    options: [a{i}, b{i}]\n    answer: a{i}\n"
        for i in range(count)
    )
    return f"bank: 1\nid: big\ntitle: Big\nvisibility: public\nquestions:\n{questions}".encode()


async def test_a_file_too_slow_to_read_is_refused_and_the_bot_goes_on(
    settings: Settings, fake: FakeTelegram
):
    bot = BotRunner(settings.model_copy(update={"upload_time_limit": 0.05}))
    await bot.start()
    try:
        ann = fake.user(101, "Ann")
        reply = await send_and_reply(fake, TEACHER_ID, "Tess", big_bank(MAX_QUESTIONS))
        assert reply == (
            "⏳ bank.yaml took longer than 0.05 seconds to read, so I stopped and stored nothing. "
            "Send it again in smaller files."
        )
        mark = fake.mark()
        ann.send("/quiz big")
        assert "no bank called" in text_of(await fake.wait_for("sendMessage", since=mark))
        # Another worker reads the next file.
        reply = await send_and_reply(fake, TEACHER_ID, "Tess", GOOD.encode())
        assert "Loaded bank <code>water</code> with 2 questions" in reply
    finally:
        await bot.stop()


async def test_a_source_too_slow_to_search_is_refused_and_nothing_changes(
    settings: Settings, fake: FakeTelegram
):
    bot = BotRunner(settings.model_copy(update={"upload_time_limit": 0.05}))
    await bot.start()
    try:
        bank = parse_bank(big_bank(200), filename="big.yaml", base_dir=None)
        import_bank(bot.db, bank, uploaded_by=TEACHER_ID)
        tess = fake.user(TEACHER_ID, "Tess")
        mark = fake.mark()
        tess.send("/source big")
        await fake.wait_for("sendMessage", chat_id=TEACHER_ID, since=mark)
        # 50,000 one-word sentences that every question matches.
        hostile = "Question\n" * 50_000
        reply = await send_and_reply(
            fake, TEACHER_ID, "Tess", hostile.encode(), file_name="notes.txt"
        )
        assert "notes.txt took longer than 0.05 seconds to read" in reply
        with bot.db.session() as session:
            row = get_bank(session, "big")
            assert row is not None and row.source_title is None
    finally:
        await bot.stop()
