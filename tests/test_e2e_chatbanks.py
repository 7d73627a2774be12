"""Teachers build, grow and fix banks in chat: quiz polls, Aiken text, drafts from an article."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.callbacks import Action, encode
from bot.handlers.drafts import MIN_PASTED_SOURCE
from bot.settings import Settings
from quiz.bank import parse_bank
from quiz.convert import convert
from storage import banks
from storage.models import BankRow, Draft
from tests.conftest import ADMIN_ID, QUESTIONS, TEACHER_ID
from tests.fakebot import Call, FakeTelegram, FakeUser
from tests.harness import BotRunner, feedback_after, plain, poll_id, say, text_of

LINK = re.compile(r"https://t\.me/quiz_test_bot\?start=([A-Za-z0-9_-]+)")
SEED = (QUESTIONS / "sources" / "russia-iran-partnership.txt").read_text(encoding="utf-8")
WATER = (
    "Water evaporates from the sea when the sun warms it. Clouds form when the vapour cools "
    "high above the ground. Rain falls from clouds when their droplets grow heavy, and rivers "
    "carry the water back to the sea, where the cycle starts again."
)
AIKEN = """\
Where does rain fall from?
A. Clouds
B. Rivers
C. The sea
ANSWER: A

What warms the sea?
A) The moon
B) The sun
ANSWER: B
"""


async def said(fake: FakeTelegram, user: FakeUser, since: int) -> Call:
    return await fake.wait_for("sendMessage", chat_id=user.id, since=since)


async def saying(fake: FakeTelegram, user: FakeUser, since: int, words: str) -> str:
    """The next message to the user with these words, as they read it."""
    call = await fake.wait_for(
        "sendMessage", chat_id=user.id, since=since, predicate=lambda c: words in plain(text_of(c))
    )
    return plain(text_of(call))


async def send_poll(fake: FakeTelegram, user: FakeUser, **poll) -> Call:
    mark = fake.mark()
    user.send_poll(**poll)
    return await said(fake, user, mark)


async def test_a_teacher_builds_a_bank_from_polls_and_text_and_a_class_plays_it(
    bot: BotRunner, fake: FakeTelegram
):
    tess, ann = fake.user(TEACHER_ID, "Tess"), fake.user(101, "Ann")
    assert "Only teachers" in plain(
        text_of(
            await send_poll(fake, ann, question="Is this mine?", options=["Yes", "No"], correct=[0])
        )
    )
    assert "/newbank" in plain(
        text_of(
            await send_poll(fake, tess, question="Too early?", options=["Yes", "No"], correct=[0])
        )
    )
    assert "New bank: The water cycle" in await say(fake, tess, "/newbank The water cycle")
    assert "still open" in await say(fake, tess, "/newbank Another")
    # A quiz poll is a question; a regular one and a forwarded quiz are refused with the reason.
    added = await send_poll(
        fake,
        tess,
        question="What do clouds form from?",
        options=["Cooling vapour", "Smoke", "Sand"],
        correct=[0],
        explanation="Vapour cools high above the ground.",
    )
    assert "Question 1 added" in plain(text_of(added))
    assert "Quiz mode" in plain(
        text_of(await send_poll(fake, tess, question="Do you like rain?", options=["Yes", "No"]))
    )
    forwarded = await send_poll(
        fake, tess, question="Forwarded?", options=["A", "B"], correct=[1], forwarded_from=ann
    )
    assert "forwarded quiz" in plain(text_of(forwarded))
    # Aiken text pasted in a message: two questions, each confirmed with an Undo button.
    mark = fake.mark()
    tess.send(AIKEN)
    second = await said(fake, tess, mark)
    assert "Question 2 added: Where does rain fall from?" in plain(text_of(second))
    third = await fake.wait_for(
        "sendMessage", chat_id=tess.id, since=mark, predicate=lambda c: "Question 3" in text_of(c)
    )
    undo = third.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    mark = fake.mark()
    tess.press(third.result, undo)
    undone = await fake.wait_for("editMessageText", chat_id=tess.id, since=mark)
    assert "Removed: What warms the sea?" in plain(text_of(undone))
    mark = fake.mark()
    tess.press(third.result, undo, require_button=False)  # a second tap changes nothing
    alert = await fake.wait_for("answerCallbackQuery", since=mark)
    assert "no longer in the bank" in str(alert.params.get("text"))
    # Its source, pasted after /source: every question then quotes the passage proving it.
    assert "Send the source" in await say(fake, tess, "/source")
    assert "short for a source" in await say(fake, tess, "Water evaporates.")
    assert "is the source of your bank" in await say(fake, tess, WATER)
    assert len(WATER) >= MIN_PASTED_SOURCE
    # A restart in the middle: the draft is stored, not held in memory.
    await bot.restart()
    saved = await say(fake, tess, "/done")
    assert "Saved the bank the-water-cycle with 2 questions: private, version 1" in saved
    code = LINK.search(saved)
    assert code is not None
    with bot.db.session() as session:
        bank = banks.get_bank(session, "the-water-cycle")
        assert bank is not None and bank.visibility == "private"
        passages = [q.passage for q in banks.active_questions(session, "the-water-cycle")]
        assert session.get(Draft, TEACHER_ID) is None
    assert all(passages), passages
    # A learner takes it through the share link, with the usual grounded feedback.
    mark = fake.mark()
    ann.send(f"/start {code.group(1)}")
    poll = await fake.wait_for("sendPoll", chat_id=ann.id, since=mark)
    mark = fake.mark()
    ann.answer_poll(poll_id(poll), poll.params["correct_option_ids"])
    feedback = await feedback_after(fake, ann.id, mark)
    assert "<blockquote>" in text_of(feedback)
    assert "You have no bank open" in await say(fake, tess, "/done")


async def test_drafts_from_an_article_are_kept_or_dropped(bot: BotRunner, fake: FakeTelegram):
    tess = fake.user(TEACHER_ID, "Tess")
    await say(fake, tess, "/newbank Partners")
    assert "has none yet" in await say(fake, tess, "/draft")
    assert "Send the source" in await say(fake, tess, "/source")
    mark = fake.mark()
    tess.send_document("article.txt", SEED.encode(), mime_type="text/plain")
    assert "is the source of your bank" in plain(text_of(await said(fake, tess, mark)))
    mark = fake.mark()
    tess.send("/draft")
    card = await said(fake, tess, mark)
    found = re.search(r"(\d+) questions proposed", plain(text_of(card)))
    assert found is not None and int(found.group(1)) >= 15
    count = int(found.group(1))
    # One message, turned to the next proposal at each press: Keep 3, Drop 2.
    choices = [0, 0, 0, 1, 1]
    asked = []
    for number, button in enumerate(choices, 1):
        shown = plain(text_of(card))
        asked.append(shown.split("❓ ", 1)[1].split("\n", 1)[0])
        left = count - number
        assert (f"{left} more after this one." if left else "The last one.") in shown
        data = card.params["reply_markup"]["inline_keyboard"][0][button]["callback_data"]
        mark = fake.mark()
        tess.press(card.result, data)
        card = await fake.wait_for("editMessageText", chat_id=tess.id, since=mark)
        card.result = {**card.result, "reply_markup": card.params.get("reply_markup", {})}
    assert len(set(asked)) == len(choices), "each proposal was shown once"
    assert f"{count - len(choices) - 1} more after this one." in plain(text_of(card))
    sends = [c for c in fake.calls_to("sendMessage", tess.id) if "Keep" in str(c.params)]
    assert len(sends) == 1, "the proposals came as one message"
    saved = await say(fake, tess, "/done")
    assert "with 3 questions" in saved
    with bot.db.session() as session:
        questions = banks.active_questions(session, "partners")
    assert all(q.quote and q.quote in SEED and q.passage == q.quote for q in questions)


async def test_edit_deletes_and_replaces_questions_and_bankfile_sends_the_bank(
    bot: BotRunner, fake: FakeTelegram
):
    tess, olga = fake.user(TEACHER_ID, "Tess"), fake.user(9002, "Olga")
    await say(fake, tess, "/newbank The water cycle")
    mark = fake.mark()
    tess.send(AIKEN)
    await saying(fake, tess, mark, "Question 2 added")
    mark = fake.mark()
    tess.send_poll(question="Which way do rivers go?", options=["Sea", "Hills"], correct=[0])
    await saying(fake, tess, mark, "Question 3 added")
    mark = fake.mark()
    tess.send("/done")
    await saying(fake, tess, mark, "Saved the bank")
    admin = fake.user(ADMIN_ID, "Ada")
    await say(fake, admin, "/teacher add 9002")
    assert "You have no bank called" in await say(fake, olga, "/edit the-water-cycle")
    assert "You have no bank called" in await say(fake, olga, "/bankfile the-water-cycle")
    mark = fake.mark()
    tess.send("/edit the-water-cycle")
    listing = await said(fake, tess, mark)
    assert "version 1" in plain(text_of(listing))
    rows = listing.params["reply_markup"]["inline_keyboard"]
    assert len(rows) == 3
    # Another teacher pressing these buttons (forged into their own chat) changes nothing.
    forgeries = (
        rows[0][0]["callback_data"],
        encode(Action.EDIT_PAGE, 0, "the-water-cycle"),
        encode(Action.EDIT_PAGE, "x", "the-water-cycle"),
        encode(Action.EDIT_DELETE, "x"),
    )
    for forged in forgeries:
        answered = fake.mark()
        olga.press(listing.result, forged, require_button=False)
        alert = await fake.wait_for("answerCallbackQuery", since=answered)
        assert "not yours" in alert.params.get("text", "")
    # Delete the first question: version 2, with one retired.
    mark = fake.mark()
    tess.press(listing.result, rows[0][0]["callback_data"])
    assert "version 2: 0 added, 0 changed, 2 kept, 1 retired" in plain(
        text_of(await said(fake, tess, mark))
    )
    # Replace the last one with a quiz poll: version 3, one changed.
    mark = fake.mark()
    tess.press(listing.result, rows[2][1]["callback_data"])
    assert "replaces" in plain(text_of(await said(fake, tess, mark)))
    replaced = await send_poll(
        fake,
        tess,
        question="Where do rivers carry water?",
        options=["To the sea", "Uphill"],
        correct=[0],
    )
    assert "version 3: 0 added, 1 changed, 1 kept, 0 retired" in plain(text_of(replaced))
    # The bank's file, as YAML and as GIFT, reads back as the bank it is.
    for wanted, suffix in (("", "yaml"), (" gift", "gift")):
        mark = fake.mark()
        tess.send(f"/bankfile the-water-cycle{wanted}")
        sent = await fake.wait_for("sendDocument", chat_id=tess.id, since=mark)
        upload = sent.files["document"]
        assert upload.filename == f"the-water-cycle.{suffix}"
        text = upload.data.decode()
        if suffix == "yaml":
            bank = parse_bank(text, filename="the-water-cycle.yaml", base_dir=None)
            texts_ = [q.text for q in bank.questions]
        else:
            texts_ = [q["question"] for q in convert("b.gift", text).bank["questions"]]
        assert texts_ == ["What warms the sea?", "Where do rivers carry water?"]
    with bot.db.session() as session:
        row = session.scalar(select(BankRow).where(BankRow.id == "the-water-cycle"))
        assert row is not None and row.version == 3
    # An admin may edit any teacher's bank.
    assert "version 3" in await say(fake, admin, "/edit the-water-cycle")


async def test_bad_input_while_building_gets_one_clear_reply(bot: BotRunner, fake: FakeTelegram):
    tess = fake.user(TEACHER_ID, "Tess")
    assert "Give the bank a title" in await say(fake, tess, "/newbank")
    assert "You have no bank open" in await say(fake, tess, "/draft")
    assert "nothing to cancel" in await say(fake, tess, "/cancel")
    await say(fake, tess, "/newbank Odd")
    assert "no question yet" in await say(fake, tess, "/done")
    assert "Odd is still open" in await say(fake, tess, "/newbank Another")
    one = await send_poll(fake, tess, question="Only one?", options=["Yes"], correct=[0])
    assert "at least 2" in plain(text_of(one))
    learner = fake.user(4242, "Lena")
    theirs = await send_poll(fake, learner, question="Mine?", options=["A", "B"], correct=[0])
    assert "Only teachers" in plain(text_of(theirs))
    # Telegram's largest quiz: 12 options of 100 characters and a question of 300.
    widest = [f"{i:02} " + "o" * 97 for i in range(12)]
    big = await send_poll(fake, tess, question="q" * 299 + "?", options=widest, correct=[11])
    assert "Question 1 added" in plain(text_of(big))
    bold = [{"type": "bold", "offset": 0, "length": 4}]
    styled = await send_poll(
        fake,
        tess,
        question="Which is <b>bold</b>?",
        options=["Bold", "Plain"],
        correct=[0],
        explanation="Bold text & more",
        explanation_entities=bold,
    )
    assert "Question 2 added" in plain(text_of(styled))
    assert "Your bank is open" in await say(fake, tess, "just chatting")
    await say(fake, tess, "/source")
    mark = fake.mark()
    tess.send_document("notes.txt", b"\xff\xfe not text", mime_type="text/plain")
    assert "UTF-8" in plain(text_of(await said(fake, tess, mark)))
    mark = fake.mark()
    tess.send_document("big.txt", b"x", declared_size=10 * 1024 * 1024, mime_type="text/plain")
    assert "I take files of at most 2 MB" in plain(text_of(await said(fake, tess, mark)))
    with bot.db.session() as session:
        draft = session.get(Draft, TEACHER_ID)
        assert draft is not None
        wide, styled_question = draft.questions
        assert wide["options"] == widest and wide["answer"] == widest[11]
        # The text as the teacher wrote it; the bot escapes it where it shows it.
        assert styled_question["question"] == "Which is <b>bold</b>?"
        assert styled_question["explanation"] == "Bold text & more"
        assert not draft.source_text, "no half-read source was kept"
    assert "Dropped the bank Odd and its 2 questions" in await say(fake, tess, "/cancel")
    with bot.db.session() as session:
        assert session.get(Draft, TEACHER_ID) is None
        assert banks.get_bank(session, "odd") is None


async def test_a_draft_outlives_a_restart_and_is_saved_by_another_process(
    settings: Settings, fake: FakeTelegram
):
    tess = fake.user(TEACHER_ID, "Tess")
    first = BotRunner(settings)
    await first.start()
    try:
        await say(fake, tess, "/newbank Rivers")
        mark = fake.mark()
        tess.send(AIKEN)
        await saying(fake, tess, mark, "Question 2 added")
    finally:
        await first.stop()
    second = BotRunner(settings)
    await second.start()
    try:
        mark = fake.mark()
        tess.send("/done")
        assert "Saved the bank" in await saying(fake, tess, mark, "Saved the bank")
        with second.db.session() as session:
            assert session.get(Draft, TEACHER_ID) is None
            assert len(banks.active_questions(session, "rivers")) == 2
    finally:
        await second.stop()


async def test_a_title_too_long_for_a_bank_is_cut_on_a_word_and_marked(
    bot: BotRunner, fake: FakeTelegram
):
    tess = fake.user(TEACHER_ID, "Tess")
    words = "تاریخ روابط ایران و روسیه از دوران صفوی تا امروز " * 7  # 343 characters
    assert "New bank" in await say(fake, tess, f"/newbank {words}")
    with bot.db.session() as session:
        draft = session.get(Draft, TEACHER_ID)
        assert draft is not None
        title = draft.title
    assert len(title) <= 200 and title.endswith("…")
    assert words.startswith(title.removesuffix("…")) and title[-2] != " "
    assert words[len(title) - 1] == " ", "cut where a word ends"
