"""End to end: the real bot, polling the fake Bot API server, played as a learner would."""

from __future__ import annotations

from bot import texts
from bot.library import import_bank
from quiz.bank import Bank, load_bank_file, parse_bank
from quiz.explain import clip
from storage.models import User
from tests.conftest import QUESTIONS
from tests.fakebot import Call, FakeTelegram
from tests.harness import (
    SHOWN,
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
    for number, ((poll, feedback), was_right) in enumerate(zip(feedbacks, right, strict=True), 1):
        question = question_for(SHIPPED, poll_text(poll))
        asked.add(question.id)
        text = plain(text_of(feedback))
        lines = text.split("\n")
        # The verdict names the question it is about: it travels with the next one.
        verdict = "✅ Correct!" if was_right else "❌ Not quite."
        assert lines[0] == f"{verdict} {number}. {clip(question.text, texts.ASKED_CHARS)}"
        assert lines[1] == "Answer: " + "; ".join(question.correct_texts)
        assert question.quote and question.quote in text
        assert SHIPPED.source_title and SHIPPED.source_title in text
        mode = feedback.params.get("parse_mode") or feedback.params.get("description_parse_mode")
        assert mode == "HTML"
    assert len(asked) == len(right), "a question repeated inside one quiz"
    assert feedbacks[-1][1] is summary, "the last feedback and the summary are one message"
    summary_text = text_of(summary).split("Quiz finished", 1)[1]
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
    feedback = [c for c in fake.calls_to(SHOWN, ann.id) if "Answer" in text_of(c)]
    assert len(feedback) == 3
    mark = fake.mark()
    ann.send("/score")
    assert "Points: <b>2</b>" in text_of(await fake.wait_for("sendMessage", since=mark))


def sends_to(fake: FakeTelegram, chat_id: int, since: int) -> list[Call]:
    """Every call since `since` that put a message or a poll in the chat."""
    return [
        c
        for c in fake.calls[since:]
        if c.method.startswith("send") and c.params.get("chat_id") == chat_id
    ]


async def test_each_answer_costs_one_send_the_feedback_rides_with_the_next_question(
    bot: BotRunner, fake: FakeTelegram
):
    right = [True, False, True, True, False, True]
    start = fake.mark()
    feedbacks, _ = await take_quiz_by_polls(fake, 101, "Ann", right)
    sends = sends_to(fake, 101, start)
    # /quiz costs one send: the intro rides with the first question. Then each answer costs
    # one: its feedback rides with the next question, the last one's with the summary (each
    # answer cost two sends before: the feedback, then the next question).
    assert sends[0].method == "sendPoll" and "Good luck" in text_of(sends[0])
    assert len(sends[1:]) / len(right) <= 1.0, [c.method for c in sends]
    polls = [c for c in sends if c.method == "sendPoll"]
    assert "Good luck" in polls[0].params["description"]
    for (_, feedback), following in zip(feedbacks[:-1], polls[1:], strict=True):
        assert feedback is following, "the feedback is in the next question's description"
        # Telegram's own explanation under the poll is the short one, shown at once.
        assert len(following.params.get("explanation", "")) <= 200


LONG_BANK = """\
bank: 1
id: long-quote
title: Long quotes
source:
  title: A long text
  text: "{source}"
questions:
  - id: first
    question: Which word comes first in the text?
    options: [word0, word1]
    answer: word0
    explanation: "{explanation}"
    quote: "{quote}"
  - id: last
    question: Which word comes last in the text?
    options: [word1, word0]
    answer: word1
    explanation: "{explanation}"
    quote: "{quote}"
"""


async def test_feedback_too_long_for_a_description_is_clipped_on_a_word_with_its_source_named(
    bot: BotRunner, fake: FakeTelegram
):
    quote = " ".join(f"word{i}" for i in range(200))[:985] + " end."
    explanation = "Because " + "it is so " * 100
    text = LONG_BANK.format(source=quote, explanation=explanation.strip(), quote=quote)
    import_bank(bot.db, parse_bank(text, filename="long-quote.yaml", base_dir=None))
    ann = fake.user(101, "Ann")
    ann.send("/quiz long-quote")
    first = await fake.wait_for("sendPoll", chat_id=ann.id)
    mark = fake.mark()
    ann.answer_poll(poll_id(first), first.params["correct_option_ids"])
    second = await fake.wait_for("sendPoll", chat_id=ann.id, since=mark)
    shown = plain(text_of(second))
    # Telegram's limit, which the fake enforces too: 1,024 characters after entity parsing.
    assert len(shown) <= 1024
    assert shown.startswith("✅ Correct! 1. Which word comes")
    assert shown.split("\n")[1].startswith("Answer: word")
    assert "…" in shown and "— A long text" in shown, "the quote is clipped, its source named"
    because, clipped = (line.removesuffix("…") for line in shown.split("\n")[2:5:2])
    for whole, cut in ((explanation.strip(), because), (quote, clipped)):
        assert whole.startswith(cut) and whole[len(cut)] == " ", "cut on a word boundary"
        # Both long parts give way alike, so the quote is not cut to a stub.
        assert len(cut) > 300
    mark = fake.mark()
    ann.answer_poll(poll_id(second), [wrong_option(second)])
    last = await fake.wait_for(
        "sendMessage", chat_id=ann.id, since=mark, predicate=lambda c: "Quiz finished" in text_of(c)
    )
    # The last feedback has a whole message's room: nothing clipped.
    assert quote in plain(text_of(last)) and explanation.strip() in plain(text_of(last))


WIDE_BANK = """\
bank: 1
id: wide
title: Wide questions
questions:
  - id: first
    question: "{question} first?"
    options: {options}
    answer: "{answer}"
    explanation: "{explanation}"
  - id: second
    question: "{question} second?"
    options: {options}
    answer: "{answer}"
    explanation: "{explanation}"
"""


async def test_feedback_with_too_little_room_beside_a_long_question_goes_first_on_its_own(
    bot: BotRunner, fake: FakeTelegram
):
    # Questions too long for a poll come as messages with buttons; these leave no room for
    # the previous answer's feedback, which then goes first as a message of its own, whole.
    options = [f"Option {i} " + "o" * 280 for i in range(12)]
    explanation = "Because " + "it is so " * 60
    text = WIDE_BANK.format(
        question="q" * 990,
        options="[" + ", ".join(f'"{o}"' for o in options) + "]",
        answer=options[3],
        explanation=explanation.strip(),
    )
    import_bank(bot.db, parse_bank(text, filename="wide.yaml", base_dir=None))
    ann = fake.user(101, "Ann")
    ann.send("/quiz wide")
    first = await fake.wait_for("sendMessage", chat_id=ann.id, predicate=is_question)
    mark = fake.mark()
    ann.press(first.result, first.params["reply_markup"]["inline_keyboard"][0][3]["callback_data"])
    feedback = await feedback_after(fake, ann.id, mark)
    second = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, predicate=is_question)
    assert fake.calls.index(feedback) < fake.calls.index(second)
    assert "Answer" not in plain(text_of(second)).split("Question 2/2")[0]
    assert explanation.strip() in plain(text_of(feedback)), "the feedback went whole"


def is_question(call: Call) -> bool:
    return "reply_markup" in call.params and "Question" in text_of(call)


async def test_a_learner_renamed_between_answers_is_shown_by_the_new_name(
    bot: BotRunner, fake: FakeTelegram
):
    # An answer stores the learner's name only when it changed: each change still shows.
    names = ["Ann", "Annie", "Ann"]
    ann = fake.user(101, names[0])
    mark = fake.mark()
    ann.send(f"/quiz {BANK_ID} 3")
    for name in names:
        ann = fake.user(101, name)
        poll = await fake.wait_for("sendPoll", chat_id=ann.id, since=mark)
        mark = fake.mark()
        ann.answer_poll(poll_id(poll), poll.params["correct_option_ids"])
        await feedback_after(fake, ann.id, mark)
        with bot.db.session() as session:
            stored = session.get(User, ann.id)
            assert stored is not None and stored.first_name == name


def numbered_facts(count: int) -> Bank:
    """A bank of `count` questions long enough that a line each overflows one message."""
    source = " ".join(f"Fact number {i} of the ledger is a{i}." for i in range(count))
    questions = "\n".join(
        f"  - id: q{i}\n"
        f"    question: In the long ledger of numbered facts, which code is given for fact {i}?\n"
        f"    options: [a{i}, b{i}]\n"
        f"    answer: a{i}\n"
        f"    quote: Fact number {i} of the ledger is a{i}."
        for i in range(count)
    )
    text = (
        f'bank: 1\nid: ledger\ntitle: Ledger\nsource:\n  title: The ledger\n  text: "{source}"\n'
        f"questions:\n{questions}\n"
    )
    return parse_bank(text, filename="ledger.yaml", base_dir=None)


async def test_a_long_quiz_still_costs_one_send_per_answer_its_summary_lists_what_was_missed(
    bot: BotRunner, fake: FakeTelegram
):
    import_bank(bot.db, numbered_facts(100))
    ann = fake.user(101, "Ann")
    start = fake.mark()
    ann.send("/quiz ledger 100")
    missed = []
    for number in range(1, 101):
        poll = await fake.wait_for("sendPoll", chat_id=101, since=start)
        right = number % 3 != 0
        if not right:
            missed.append(poll_text(poll))
        choice = poll.params["correct_option_ids"] if right else [wrong_option(poll)]
        start = fake.mark()
        ann.answer_poll(poll_id(poll), list(choice))
        await feedback_after(fake, 101, start)
    end = fake.mark()
    ann.send("/help")  # handled after the last answer is done with: a chat's updates in order
    await fake.wait_for("sendMessage", chat_id=101, since=end)
    sends = sends_to(fake, 101, 0)[:-1]
    assert len(sends) == 101, [c.method for c in sends]  # /quiz's question, then one an answer
    last = plain(text_of(sends[-1]))
    # The last answer's feedback and the summary in one message: all 100 lines would not fit,
    # so it lists only the 33 questions to go over again.
    assert last.startswith("✅ Correct! 100.") and "Quiz finished" in last
    assert "Score: 67/100" in last and "33 questions to go over again" in last
    listed = [line for line in last.split("\n") if line.startswith("❌ ")]
    assert not [line for line in last.split("\n") if line.startswith("✅ 1.")]
    for line, question in zip(listed, missed, strict=True):  # all 33 fit
        assert clip(question, 70) in line
    assert texts.visible_length(text_of(sends[-1])) <= texts.MESSAGE_LIMIT
