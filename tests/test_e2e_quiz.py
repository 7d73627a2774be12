"""End to end: the real bot, polling the fake Bot API server, played as a learner would."""

from __future__ import annotations

from quiz.bank import Bank, load_bank_file
from tests.conftest import QUESTIONS
from tests.fakebot import FakeTelegram
from tests.harness import (
    BotRunner,
    feedback_after,
    plain,
    poll_id,
    poll_text,
    redeliver_poll_answer,
    text_of,
    wrong_option,
)

BANK_ID = "russia-iran-partnership"
SHIPPED = load_bank_file(QUESTIONS / f"{BANK_ID}.yaml")


def question_for(bank: Bank, text: str):
    return next(q for q in bank.questions if q.text == text)


async def test_start_greets_offers_banks_and_registers_commands(bot: BotRunner, fake: FakeTelegram):
    ann = fake.user(101, "Ann")
    ann.send("/start")
    call = await fake.wait_for("sendMessage", chat_id=ann.id)
    assert "Hi Ann" in text_of(call)
    buttons = call.params["reply_markup"]["inline_keyboard"]
    assert any(BANK_ID in b["callback_data"] for row in buttons for b in row)
    commands = fake.calls_to("setMyCommands")[0].params["commands"]
    assert {c["command"] for c in commands} >= {"quiz", "banks", "stop", "score", "leaderboard"}
    assert "mybanks" not in {c["command"] for c in commands}  # learners see theirs only


async def test_help_and_banks(bot: BotRunner, fake: FakeTelegram):
    ann = fake.user(101, "Ann")
    ann.send("/help")
    call = await fake.wait_for("sendMessage", chat_id=ann.id)
    assert "/leaderboard" in text_of(call) and "teachers" not in text_of(call)
    mark = fake.mark()
    ann.send("/banks")
    call = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
    assert BANK_ID in text_of(call)
    assert f"{len(SHIPPED.questions)} questions" in text_of(call)


async def take_quiz_by_polls(fake: FakeTelegram, user_id: int, name: str, right: list[bool]):
    """Play a whole quiz by poll answers; returns the feedback and summary calls."""
    user = fake.user(user_id, name)
    mark = fake.mark()
    user.send(f"/quiz {BANK_ID} {len(right)}")
    feedbacks = []
    for number, answer_right in enumerate(right, 1):
        poll = await fake.wait_for("sendPoll", chat_id=user_id, since=mark)
        assert poll.params["question"].startswith(f"[{number}/{len(right)}] ")
        assert poll.params["type"] == "quiz" and poll.params["is_anonymous"] is False
        choice = poll.params["correct_option_ids"] if answer_right else [wrong_option(poll)]
        mark = fake.mark()
        user.answer_poll(poll_id(poll), list(choice))
        feedback = await feedback_after(fake, user_id, mark)
        feedbacks.append((poll, feedback))
    summary = await fake.wait_for(
        "sendMessage",
        chat_id=user_id,
        since=mark,
        predicate=lambda c: "Quiz finished" in text_of(c),
    )
    return feedbacks, summary


async def test_a_whole_quiz_by_polls_explains_every_answer_from_the_source(
    bot: BotRunner, fake: FakeTelegram
):
    right = [True, True, False, True, False]
    feedbacks, summary = await take_quiz_by_polls(fake, 101, "Ann", right)
    asked = set()
    for (poll, feedback), was_right in zip(feedbacks, right, strict=True):
        question = question_for(SHIPPED, poll_text(poll))
        asked.add(question.id)
        text = plain(text_of(feedback))
        lines = text.split("\n")
        assert lines[0] == ("✅ Correct!" if was_right else "❌ Not quite.")
        assert lines[1] == "Answer: " + "; ".join(question.correct_texts)
        assert question.quote and question.quote in text
        assert SHIPPED.source_title and SHIPPED.source_title in text
        assert feedback.params["parse_mode"] == "HTML"
    assert len(asked) == len(right), "a question repeated inside one quiz"
    summary_text = text_of(summary)
    assert "Score: <b>3/5</b>" in summary_text
    assert summary_text.count("✅") == 3 and summary_text.count("❌") == 2


async def test_scores_and_leaderboard_after_quizzes(bot: BotRunner, fake: FakeTelegram):
    await take_quiz_by_polls(fake, 101, "Ann", [True, True, True])
    await take_quiz_by_polls(fake, 102, "Bob", [True, False, False])
    ann, bob = fake.user(101, "Ann"), fake.user(102, "Bob")
    mark = fake.mark()
    bob.send("/score")
    score = text_of(await fake.wait_for("sendMessage", chat_id=bob.id, since=mark))
    assert "Points: <b>1</b>" in score and "33%" in score
    mark = fake.mark()
    bob.send("/leaderboard")
    board = text_of(await fake.wait_for("sendMessage", chat_id=bob.id, since=mark))
    assert board.index("Ann — 3") < board.index("Bob — 1")
    assert "You: #2 with 1 point" in board
    mark = fake.mark()
    ann.send(f"/leaderboard {BANK_ID}")
    board = text_of(await fake.wait_for("sendMessage", chat_id=ann.id, since=mark))
    assert "Ann — 3" in board and "You: #1 with 3 points" in board


async def test_a_quiz_survives_a_restart_and_repeated_answers_count_once(
    bot: BotRunner, fake: FakeTelegram
):
    ann = fake.user(101, "Ann")
    ann.send(f"/quiz {BANK_ID} 3")
    first = await fake.wait_for("sendPoll", chat_id=ann.id)
    mark = fake.mark()
    ann.answer_poll(poll_id(first), first.params["correct_option_ids"])
    second = await fake.wait_for("sendPoll", chat_id=ann.id, since=mark)
    await bot.restart()
    mark = fake.mark()
    # Telegram redelivers the first answer after the restart; then the user answers the poll
    # that was sent before it.
    redeliver_poll_answer(fake, ann, first, first.params["correct_option_ids"])
    ann.answer_poll(poll_id(second), second.params["correct_option_ids"])
    third = await fake.wait_for("sendPoll", chat_id=ann.id, since=mark)
    ann.answer_poll(poll_id(third), [wrong_option(third)])
    summary = await fake.wait_for(
        "sendMessage", chat_id=ann.id, predicate=lambda c: "Quiz finished" in text_of(c)
    )
    assert "Score: <b>2/3</b>" in text_of(summary)
    feedback = [c for c in fake.calls_to("sendMessage", ann.id) if "Answer" in text_of(c)]
    assert len(feedback) == 3
    mark = fake.mark()
    ann.send("/score")
    assert "Points: <b>2</b>" in text_of(await fake.wait_for("sendMessage", since=mark))
