"""Typed answers end to end: a question asks for a reply, and the learner's text is graded."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from storage.models import Answer
from tests.conftest import TEACHER_ID
from tests.fakebot import Call, FakeTelegram, FakeUser
from tests.harness import SHOWN, BotRunner, plain, text_of, wrong_option

TYPED = """\
bank: 1
id: grant
title: Grant
visibility: public
source:
  title: Notes
  text: Nobody is buried in Grant's tomb. Ulysses S. Grant was born in 1822.
questions:
  - id: buried
    type: short_answer
    question: Who is buried in Grant's tomb?
    answer: [no one, nobody]
  - id: born
    type: numeric
    question: When was Ulysses S. Grant born?
    answer: 1822
  - id: city
    type: short_answer
    question: Which city was Grant's tomb built in?
    answer: New York City
    quote: Nobody is buried in Grant's tomb.
  - id: plain
    question: Is this a choice?
    options: [Yes, No]
    answer: "Yes"
"""


TYPED_ONLY = TYPED.split("  - id: plain")[0]


async def load(bot: BotRunner, questions_dir: Path, bank: str = TYPED) -> None:
    (questions_dir / "grant.yaml").write_text(bank, encoding="utf-8")
    await bot.restart()  # the folder's banks are loaded at start


async def asked(fake: FakeTelegram, user: FakeUser, since: int) -> Call:
    """The next question message that asks for a typed reply."""
    return await fake.wait_for(
        "sendMessage",
        chat_id=user.id,
        since=since,
        predicate=lambda c: bool(c.params.get("reply_markup", {}).get("force_reply")),
    )


async def type_reply(fake: FakeTelegram, user: FakeUser, question: Call, text: str) -> str:
    """Reply to the question as Telegram's client does (ForceReply); the bot's next message."""
    mark = fake.mark()
    user.send(text, reply_to=question.result)
    return plain(text_of(await fake.wait_for(SHOWN, chat_id=user.id, since=mark)))


def is_question(call: Call) -> bool:
    return call.method == "sendPoll" or bool(call.params.get("reply_markup", {}).get("force_reply"))


async def next_question(fake: FakeTelegram, user: FakeUser, since: int) -> Call:
    """The next question sent to the user, a poll or a typed one."""
    for _ in range(500):
        for call in fake.calls[since:]:
            if call.params.get("chat_id") == user.id and is_question(call):
                return call
        await asyncio.sleep(0.02)
    raise AssertionError(f"no question for {user!r} since call #{since}")


def answers(bot: BotRunner) -> int:
    with bot.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Answer)) or 0)


async def test_typed_questions_are_graded_leniently_and_say_what_was_forgiven(
    bot: BotRunner, fake: FakeTelegram, questions_dir: Path
):
    await load(bot, questions_dir)
    ann = fake.user(101, "Ann")
    mark = fake.mark()
    ann.send("/quiz grant 4")
    for _ in range(4):
        question = await next_question(fake, ann, mark)
        if question.method == "sendPoll":  # the bank's one choice question
            mark = fake.mark()
            ann.answer_poll(str(question.result["poll"]["id"]), [wrong_option(question)])
            continue
        # The question, under the previous answer's feedback when there is one.
        text = plain(text_of(question)).rsplit("Question ", 1)[1]
        assert "Type" in text and question.params["reply_markup"]["input_field_placeholder"]
        mark = fake.mark()
        if "buried" in text:
            # Emoji, another keyboard layout and a novel are no answers: asked again.
            before = answers(bot)
            for no_answer, reason in [
                ("🤔🤔", "no letters or digits"),
                ("тщищвн", "another alphabet"),
                ("x" * 4096, "too long"),
            ]:
                assert reason in await type_reply(fake, ann, question, no_answer)
            assert answers(bot) == before
            feedback = await type_reply(fake, ann, question, "  Nobdy! ")
            assert "Correct" in feedback and "a typo forgiven: it is spelt “nobody”" in feedback
            lines = feedback.split("\n")  # said with the answer, not under the score
            assert lines[1:3] == [
                "Answers: no one; nobody",
                "✍️ Right, with a typo forgiven: it is spelt “nobody”.",
            ]
        elif "born" in text:
            assert "no number" in await type_reply(fake, ann, question, "long ago")
            feedback = await type_reply(fake, ann, question, " 1,822 ")
            assert "Correct" in feedback and "forgiven" not in feedback
        else:
            feedback = await type_reply(fake, ann, question, "Boston")
            assert "Not quite" in feedback and "Answer: New York City" in feedback
    summary = await fake.wait_for(
        "sendMessage", chat_id=ann.id, predicate=lambda c: "Quiz finished" in text_of(c)
    )
    assert "Score: 2/4" in plain(text_of(summary))
    with bot.db.session() as session:
        typed = session.scalars(select(Answer.typed)).all()
    assert sorted(t for t in typed if t is not None) == sorted([" 1,822 ", "  Nobdy! ", "Boston"])
    assert typed.count(None) == 1  # the poll's answer
    # Text with nothing waiting gets the usual hint, and counts nothing.
    mark = fake.mark()
    ann.send("nobody")
    hint = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
    assert "/quiz" in text_of(hint) and answers(bot) == 4


async def test_commands_stay_commands_while_a_typed_question_waits(
    bot: BotRunner, fake: FakeTelegram, questions_dir: Path
):
    await load(bot, questions_dir, TYPED_ONLY)
    ann = fake.user(101, "Ann")
    mark = fake.mark()
    ann.send("/quiz grant 1")
    question = await asked(fake, ann, mark)
    mark = fake.mark()
    ann.send("/score")
    assert "no points yet" in text_of(
        await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
    )
    # The question still waits: an answer now counts (a plain message, not a reply, too).
    mark = fake.mark()
    right = {"born": "1822", "buried": "no one", "city": "new york city"}
    ann.send(next(answer for word, answer in right.items() if word in text_of(question)))
    feedback = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
    assert "Correct" in text_of(feedback)


async def test_a_round_leaves_typed_questions_out_and_says_so(
    bot: BotRunner, fake: FakeTelegram, questions_dir: Path
):
    await load(bot, questions_dir)
    group = fake.group(-100123, "Class")
    fake.user(TEACHER_ID, "Tess").send("/quiz@quiz_test_bot grant", chat=group)
    intro = await fake.wait_for(
        "sendMessage", chat_id=group.id, predicate=lambda c: "Live round" in text_of(c)
    )
    assert "3 questions asking for a typed answer left out" in plain(text_of(intro))
    poll = await fake.wait_for("sendPoll", chat_id=group.id)
    assert "Is this a choice?" in poll.params["question"]
