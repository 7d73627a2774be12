"""Teachers own their banks: roles, private banks shared by link, versions, deletion, imports."""

from __future__ import annotations

import re

from bot.callbacks import Action, encode
from storage import banks
from tests.conftest import ADMIN_ID, TEACHER_ID
from tests.fakebot import FakeTelegram
from tests.fakebot.server import FakeUser
from tests.harness import BotRunner, feedback_after, plain, poll_id, reply_of, text_of
from tests.test_e2e_upload import GOOD
from tests.test_explain_ru import STATION

PRIVATE = GOOD.replace("visibility: public\n", "")
LINK = re.compile(r"https://t\.me/quiz_test_bot\?start=([A-Za-z0-9_-]+)")
GROUP_LINK = re.compile(r"https://t\.me/quiz_test_bot\?startgroup=([A-Za-z0-9_-]+)")
LEARNER, OTHER_TEACHER = 101, 9002

GIFT = """\
// A Moodle export
::Capital:: What is the capital of France? {=Paris ~Lyon ~Marseille#Not the capital}

::Sky:: The sky is blue on a clear day. {T}

::Essay:: Write about Paris. {}
"""

AIKEN = """\
Which gas do plants take in?
A. Oxygen
B. Carbon dioxide
C. Helium
ANSWER: B

What falls from clouds?
A) Rain
B) Rocks
ANSWER: A
"""


async def say(fake: FakeTelegram, user: FakeUser, text: str, **kw) -> str:
    """The bot's next reply to the user, as HTML (see harness.say for what they read)."""
    return text_of(await reply_of(fake, user, text, **kw))


async def upload(fake: FakeTelegram, user: FakeUser, name: str, content: str) -> str:
    mark = fake.mark()
    user.send_document(name, content.encode())
    return text_of(await fake.wait_for("sendMessage", chat_id=user.id, since=mark))


async def test_private_bank_shared_by_link_then_a_new_version(bot: BotRunner, fake: FakeTelegram):
    tess, ann, bob = fake.user(TEACHER_ID, "Tess"), fake.user(LEARNER, "Ann"), fake.user(102, "Bob")
    loaded = await upload(fake, tess, "water.yaml", PRIVATE)
    assert "(new, version 1)" in loaded and "<b>private</b>" in loaded
    assert "water" not in await say(fake, ann, "/banks")
    assert "no bank called" in await say(fake, ann, "/quiz water")

    shared = await say(fake, tess, "/share water")
    code = LINK.search(shared)
    assert code is not None, shared
    mark = fake.mark()
    ann.send(f"/start {code.group(1)}")
    poll = await fake.wait_for("sendPoll", chat_id=ann.id, since=mark)
    ann.answer_poll(poll_id(poll), poll.params["correct_option_ids"])
    await feedback_after(fake, ann.id, mark)
    assert "The water cycle" in await say(fake, ann, "/banks")  # joined: now listed for Ann
    assert "no bank called" in await say(fake, bob, "/quiz water")  # but not for Bob

    renewed = await say(fake, tess, "/share water revoke")
    new_code = LINK.search(renewed)
    assert new_code is not None and new_code.group(1) != code.group(1)
    assert "no longer work" in renewed
    assert "no bank called" in await say(fake, bob, f"/start {code.group(1)}")

    # The group link carries the same code: opened by Tess, it starts a round in the group.
    group_code = GROUP_LINK.search(renewed)
    assert group_code is not None and group_code.group(1) == new_code.group(1)
    group = fake.group(-100555, "Class 7C")
    fake.chat_admins[group.id] = set()  # Tess is no admin there, but she is a teacher
    bob.send(f"/start@quiz_test_bot {new_code.group(1)}", chat=group)
    refused = await fake.wait_for("sendMessage", chat_id=group.id, since=mark)
    assert "Only the group's admins and teachers" in text_of(refused)
    mark = fake.mark()
    tess.send(f"/start@quiz_test_bot {new_code.group(1)}", chat=group)
    round_poll = await fake.wait_for("sendPoll", chat_id=group.id, since=mark)
    assert round_poll.params["open_period"] == 20 and "[1/2]" in round_poll.params["question"]
    mark = fake.mark()
    tess.send("/stop", chat=group)
    assert "Round stopped" in text_of(
        await fake.wait_for("sendMessage", chat_id=group.id, since=mark)
    )

    changed = PRIVATE.replace("Rain falls from clouds.", "Rain falls from the sky.")
    loaded = await upload(fake, tess, "water.yaml", changed)
    assert "version 2: 0 added, 1 changed, 1 kept, 0 retired" in loaded
    assert "changed ones count as new" in loaded
    again = await upload(fake, tess, "water.yaml", changed)
    assert "(unchanged, still version 2)" in again and "count as new" not in again
    mine = plain(await say(fake, tess, "/mybanks"))
    assert "water — The water cycle" in mine
    assert "private · version 2 · 2 questions · 1 learner · average score 100%" in mine

    published = await say(fake, tess, "/publish water")
    assert "is public" in published
    assert "The water cycle" in await say(fake, bob, "/banks")
    assert "Already so" in await say(fake, tess, "/publish water")
    assert "is private" in await say(fake, tess, "/unpublish water")


async def test_roles_are_checked_on_the_server(bot: BotRunner, fake: FakeTelegram):
    tess, ann = fake.user(TEACHER_ID, "Tess"), fake.user(LEARNER, "Ann")
    olga, admin = fake.user(OTHER_TEACHER, "Olga"), fake.user(ADMIN_ID, "Ada")
    await upload(fake, tess, "water.yaml", PRIVATE)
    for command in ("/mybanks", "/share water", "/publish water", "/deletebank water"):
        assert "for teachers" in await say(fake, ann, command), command
    assert "Only teachers" in await upload(fake, olga, "water.yaml", PRIVATE)
    assert "for the bot's administrators" in await say(fake, tess, f"/teacher add {OTHER_TEACHER}")

    hello = olga.send("hello")
    assert "is now a teacher" in await say(fake, admin, "/teacher add", reply_to=hello)
    assert str(OTHER_TEACHER) in await say(fake, admin, "/teacher")
    # Olga is a teacher now, but the id "water" is Tess's bank.
    assert "belongs to another teacher" in await upload(fake, olga, "water.yaml", PRIVATE)
    assert "no bank called" in plain(await say(fake, olga, "/share water")).lower()
    assert "You have no banks yet" in await say(fake, olga, "/mybanks")
    assert "water" in await say(fake, admin, "/mybanks")  # admins see every bank

    assert "no longer a teacher" in await say(fake, admin, f"/teacher remove {OTHER_TEACHER}")
    assert "for teachers" in await say(fake, olga, "/mybanks")
    assert "Send /teacher add" in await say(fake, admin, "/teacher add someone")


async def test_deleting_asks_first_and_keeps_history(bot: BotRunner, fake: FakeTelegram):
    tess, ann = fake.user(TEACHER_ID, "Tess"), fake.user(LEARNER, "Ann")
    await upload(fake, tess, "water.yaml", GOOD)
    mark = fake.mark()
    ann.send("/quiz water 1")
    poll = await fake.wait_for("sendPoll", chat_id=ann.id, since=mark)
    ann.answer_poll(poll_id(poll), poll.params["correct_option_ids"])
    await fake.wait_for("sendMessage", chat_id=ann.id, predicate=lambda c: "finished" in text_of(c))

    mark = fake.mark()
    tess.send("/deletebank water")
    ask = await fake.wait_for("sendMessage", chat_id=tess.id, since=mark)
    assert "Delete <code>water</code>" in text_of(ask)
    assert "The water cycle" in await say(fake, ann, "/banks"), "nothing changes before confirming"
    # Someone else pressing the button (a forged callback) changes nothing.
    mark = fake.mark()
    ann.press(ask.result, encode(Action.DELETE_BANK, "yes", "water"), require_button=False)
    await fake.wait_for("answerCallbackQuery", since=mark)
    assert "The water cycle" in await say(fake, ann, "/banks")

    mark = fake.mark()
    tess.press(ask.result, encode(Action.DELETE_BANK, "no", "water"))
    kept = await fake.wait_for("editMessageText", chat_id=tess.id, since=mark)
    assert "Kept" in text_of(kept)
    mark = fake.mark()
    tess.send("/deletebank water")
    ask = await fake.wait_for("sendMessage", chat_id=tess.id, since=mark)
    mark = fake.mark()
    tess.press(ask.result, encode(Action.DELETE_BANK, "yes", "water"))
    deleted = await fake.wait_for("editMessageText", chat_id=tess.id, since=mark)
    assert "Deleted" in text_of(deleted)
    mark = fake.mark()  # a second tap that left before the edit arrived
    tess.press(ask.result, encode(Action.DELETE_BANK, "yes", "water"), require_button=False)
    again = await fake.wait_for("editMessageText", chat_id=tess.id, since=mark)
    assert "already deleted" in text_of(again)
    assert "water" not in await say(fake, ann, "/banks")
    assert "no bank called" in await say(fake, ann, "/quiz water")
    assert "Points: <b>1</b>" in await say(fake, ann, "/score")  # the history stays


async def test_moodle_files_and_a_source_sent_in_chat(bot: BotRunner, fake: FakeTelegram):
    tess = fake.user(TEACHER_ID, "Tess")
    mark = fake.mark()
    tess.send_document("france.gift", GIFT.encode())
    loaded = await fake.wait_for("sendMessage", chat_id=tess.id, since=mark)
    assert "Loaded bank <code>france</code> with 2 questions" in text_of(loaded)
    skipped = await fake.wait_for(
        "sendMessage", chat_id=tess.id, since=mark, predicate=lambda c: "could not" in text_of(c)
    )
    assert "line 6" in text_of(skipped) and "essay" in text_of(skipped)

    loaded_aiken = await upload(fake, tess, "plants.txt", AIKEN)
    assert "Loaded bank <code>plants</code> with 2 questions" in loaded_aiken
    assert "Aiken format" in await upload(fake, tess, "notes.txt", "Just some notes.\n")

    assert "Send the source text" in await say(fake, tess, "/source plants")
    assert "short for a source text" in await say(fake, tess, "Plants take in CO2.")  # pasted
    attached = await upload(fake, tess, "botany.md", "Plants take in carbon dioxide. Rain falls.")
    assert "now the source of <code>plants</code>" in attached
    mark = fake.mark()
    tess.send("/quiz plants 2")
    for _ in range(2):
        poll = await fake.wait_for("sendPoll", chat_id=tess.id, since=mark)
        mark = fake.mark()
        tess.answer_poll(poll_id(poll), poll.params["correct_option_ids"])
        feedback = text_of(await feedback_after(fake, tess.id, mark))
        assert "<blockquote>" in feedback and "— botany" in feedback
    await fake.wait_for(
        "sendMessage", chat_id=tess.id, predicate=lambda c: "finished" in text_of(c)
    )
    assert "You have no bank called" in await say(fake, tess, "/source nowhere")


# A Russian bank without a source; its source, sent later, shares only stems with the question.
RUSSIAN = """\
bank: 1
id: bushehr
title: Бушер
language: ru-RU
questions:
  - id: built
    question: Какая страна строила атомную электростанцию?
    options: [Россия, Франция]
    answer: Россия
"""


async def test_a_source_sent_for_a_russian_bank_is_read_in_russian(
    bot: BotRunner, fake: FakeTelegram
):
    tess = fake.user(TEACHER_ID, "Tess")
    assert "Loaded bank <code>bushehr</code>" in await upload(fake, tess, "bushehr.yaml", RUSSIAN)
    assert "Send the source text" in await say(fake, tess, "/source bushehr")
    attached = await upload(fake, tess, "station.txt", STATION)
    assert "now the source of <code>bushehr</code>" in attached
    with bot.db.session() as session:
        [built] = banks.active_questions(session, "bushehr")
        assert built.passage == "Строительство атомной электростанции в Бушере завершено Россией."


async def test_a_hostile_source_is_refused_and_nothing_attached(bot: BotRunner, fake: FakeTelegram):
    tess = fake.user(TEACHER_ID, "Tess")
    await upload(fake, tess, "plants.txt", AIKEN)
    hostile = [
        ("nul.txt", b"Plants\x00grow.", "control character U+0000"),
        ("latin1.txt", "caf\xe9".encode("latin-1"), "not valid UTF-8"),
        ("blank.md", b" \n ", "is empty"),
    ]
    for name, content, reason in hostile:
        await say(fake, tess, "/source plants")
        mark = fake.mark()
        tess.send_document(name, content)
        refused = text_of(await fake.wait_for("sendMessage", chat_id=tess.id, since=mark))
        assert "did not attach" in refused and name in refused and reason in refused
    with bot.db.session() as session:
        bank = banks.get_bank(session, "plants")
        assert bank is not None and (bank.source_title, bank.source_text) == (None, "")


def menu_of(fake: FakeTelegram, user_id: int) -> set[str] | None:
    """The commands the last menu call set for the user's chat; None once deleted."""
    calls = [
        c
        for c in fake.calls
        if c.method in ("setMyCommands", "deleteMyCommands")
        and c.params.get("scope") == {"type": "chat", "chat_id": user_id}
    ]
    if not calls or calls[-1].method == "deleteMyCommands":
        return None
    return {command["command"] for command in calls[-1].params["commands"]}


async def test_teachers_and_admins_get_their_commands_in_the_menu(
    bot: BotRunner, fake: FakeTelegram
):
    tess_menu, ada_menu = menu_of(fake, TEACHER_ID), menu_of(fake, ADMIN_ID)
    assert tess_menu is not None and {"quiz", "mybanks", "report"} <= tess_menu
    assert "teacher" not in tess_menu
    assert ada_menu is not None and {"mybanks", "teacher"} <= ada_menu
    ada = fake.user(ADMIN_ID, "Ada")
    assert "is now a teacher" in plain(await say(fake, ada, f"/teacher add {LEARNER}"))
    learner_menu = menu_of(fake, LEARNER)
    assert learner_menu is not None and "mybanks" in learner_menu
    await say(fake, ada, f"/teacher remove {LEARNER}")
    assert menu_of(fake, LEARNER) is None  # back to everyone's menu
