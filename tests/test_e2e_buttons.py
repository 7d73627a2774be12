"""Questions too big for a poll come as buttons; presses are answered and never count twice."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.callbacks import VERSION, Action, encode
from tests.fakebot import FakeTelegram
from tests.harness import BotRunner, feedback_after, keyboard_of, plain, text_of

LONG = "Which of these statements about the passage is supported by the text? " * 6
LONG_OPTION = "An option that is deliberately longer than one hundred characters, " * 2
BUTTONS_BANK = f"""
bank: 1
id: long-questions
title: Long questions
source:
  title: Notes
  text: |
    The sky is blue on a clear day. Grass is green in spring. Snow is white and cold.
questions:
  - id: sky
    question: "{LONG}"
    options: [Blue, Green, White]
    answer: Blue
    quote: The sky is blue on a clear day.
  - id: colours
    question: Which colours does the text mention for grass and snow?
    options: ["{LONG_OPTION}green", "{LONG_OPTION}white", "{LONG_OPTION}purple"]
    answer: ["{LONG_OPTION}green", "{LONG_OPTION}white"]
"""


@pytest.fixture
def buttons_bank(questions_dir: Path) -> Path:
    path = questions_dir / "long-questions.yaml"
    path.write_text(BUTTONS_BANK)
    return path


async def test_buttons_single_and_multiple_answers(
    buttons_bank: Path, bot: BotRunner, fake: FakeTelegram
):
    ann = fake.user(101, "Ann")
    ann.send("/quiz long-questions")
    seen = []
    for _ in range(2):
        question = await fake.wait_for(
            "sendMessage",
            chat_id=ann.id,
            predicate=lambda c: "Question" in text_of(c) and c not in seen,
        )
        seen.append(question)
        keyboard = question.params["reply_markup"]["inline_keyboard"]
        lines = text_of(question).split("\n")
        if "Done" not in str(keyboard):
            # Single answer: press the button whose option is "Blue".
            label = next(line for line in lines if line.endswith(" Blue"))[3]
            data = next(b["callback_data"] for row in keyboard for b in row if b["text"] == label)
            mark = fake.mark()
            ann.press(question.result, data)
            ann.press(question.result, data)  # pressed twice: must count once
            feedback = await feedback_after(fake, ann.id, mark)
            assert text_of(feedback).startswith("✅ <b>Correct!</b>")
            assert "The sky is blue on a clear day." in text_of(feedback)
            await fake.wait_for(
                "answerCallbackQuery",
                since=mark,
                predicate=lambda c: "no longer open" in str(c.params.get("text")),
            )
            assert await fake.wait_for("editMessageReplyMarkup", since=mark)
        else:
            # Several right answers: tick green and white, then Done.
            labels = [line[3] for line in lines if line.endswith(("green", "white"))]
            for label in labels:
                rows = keyboard_of(fake, question.result)
                data = next(
                    b["callback_data"] for r in rows for b in r if b["text"].endswith(label)
                )
                mark = fake.mark()
                ann.press(question.result, data)
                await fake.wait_for("editMessageReplyMarkup", since=mark)
            rows = keyboard_of(fake, question.result)
            assert sum(b["text"].startswith("☑️") for r in rows for b in r) == 2
            mark = fake.mark()
            ann.press(question.result, rows[-1][0]["callback_data"])  # Done
            feedback = await feedback_after(fake, ann.id, mark)
            assert text_of(feedback).startswith("✅ <b>Correct!</b>")
            assert "Answers:" in text_of(feedback)
    summary = await fake.wait_for(
        "sendMessage", chat_id=ann.id, predicate=lambda c: "Quiz finished" in text_of(c)
    )
    assert "Score: <b>2/2</b>" in text_of(summary)


async def test_someone_elses_button_and_forged_data_are_refused(
    buttons_bank: Path, bot: BotRunner, fake: FakeTelegram
):
    ann, eve = fake.user(101, "Ann"), fake.user(666, "Eve")
    ann.send("/quiz long-questions 1")
    question = await fake.wait_for(
        "sendMessage", chat_id=ann.id, predicate=lambda c: "Question" in text_of(c)
    )
    data = question.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    mark = fake.mark()
    eve.press(question.result, data)
    refusal = await fake.wait_for("answerCallbackQuery", since=mark)
    assert "someone else" in refusal.params["text"]
    mark = fake.mark()
    eve.press(question.result, encode(Action.ANSWER, 999999, 1), require_button=False)
    refusal = await fake.wait_for("answerCallbackQuery", since=mark)
    assert "no longer open" in refusal.params["text"]
    for forged in ("garbage-data", f"{VERSION}{Action.ANSWER.value}:²:1"):  # "²".isdigit()
        mark = fake.mark()
        ann.press(question.result, forged, require_button=False)
        refusal = await fake.wait_for("answerCallbackQuery", since=mark)
        assert "no longer open" in refusal.params["text"]
    assert not [c for c in fake.calls_to("sendMessage") if "Answer" in text_of(c)]
    assert not [c for c in fake.calls_to("sendMessage") if "went wrong" in text_of(c)]


def largest_bank() -> str:
    """A bank at every size limit at once: 12 options of 300 characters, all right."""
    options = [f"Option {chr(65 + i)} " + "x" * 290 for i in range(12)]
    quote = "q" * 1000
    return yaml.safe_dump(
        {
            "bank": 1,
            "id": "largest",
            "title": "T" * 200,
            "source": {
                "title": "S" * 200,
                "url": "https://example.org/" + "p" * 200,
                "text": f"Intro. {quote} Outro.",
            },
            "questions": [
                {
                    "id": "big",
                    "question": "Q&A <b>" * 142 + "?",
                    "options": options,
                    "answer": list(options),  # a copy: PyYAML would write an alias
                    "explanation": "e" * 1000,
                    "quote": quote,
                }
            ],
        },
        allow_unicode=True,
    )


async def test_content_at_every_limit_still_fits_telegrams_limits(
    questions_dir: Path, bot: BotRunner, fake: FakeTelegram
):
    (questions_dir / "largest.yaml").write_text(largest_bank())
    await bot.restart()  # load the new file
    ann = fake.user(101, "Ann")
    ann.send("/quiz largest")
    question = await fake.wait_for(
        "sendMessage", chat_id=ann.id, predicate=lambda c: "Question 1/1" in text_of(c)
    )
    for _ in range(12):
        rows = keyboard_of(fake, question.result)
        untick = next(b for row in rows[:-1] for b in row if not b["text"].startswith("☑️"))
        mark = fake.mark()
        ann.press(question.result, untick["callback_data"])
        await fake.wait_for("editMessageReplyMarkup", since=mark)
    rows = keyboard_of(fake, question.result)
    assert sum(b["text"].startswith("☑️") for row in rows for b in row) == 12
    ann.press(question.result, rows[-1][0]["callback_data"])
    # The fake server refuses anything over Telegram's limits, which fails the test.
    feedback = await fake.wait_for(
        "sendMessage", chat_id=ann.id, predicate=lambda c: "Answers:" in text_of(c)
    )
    assert plain(text_of(feedback)).startswith("✅ Correct!")
    await fake.wait_for(
        "sendMessage", chat_id=ann.id, predicate=lambda c: "Quiz finished" in text_of(c)
    )
