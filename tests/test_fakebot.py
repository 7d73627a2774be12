"""Tests of the fake Bot API server, driven by a real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputPollOption,
    Update,
)
from telegram.error import BadRequest, RetryAfter
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes

from tests.fakebot import Call, FakeTelegram, FaultReply, load_spec
from tests.fakebot.markup import ParseError, parse
from tests.fakebot.spec import Limit, parse_conditions, parse_enum, parse_limits, parse_one_of

USER_ID = 42


def _conformance_errors(fake: FakeTelegram) -> list[str]:
    """Results and pushed updates that don't match api.json (the fake's own bugs)."""
    spec = fake.spec
    errors = [
        f"#{i} {c.method}: {e}"
        for i, c in enumerate(fake.calls)
        if c.error is None and c.method in spec.returns
        for e in spec.check_value(c.result, spec.returns[c.method], "result")
    ]
    for c in fake.calls_to("getUpdates"):
        errors += [e for u in c.result or [] for e in spec.check_value(u, ["Update"], "update")]
    return errors


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    tg = FakeTelegram()
    await tg.start()
    yield tg
    await tg.stop()
    assert _conformance_errors(tg) == []


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    fake.user(USER_ID, "Ann", "ann")
    async with Bot(fake.token, base_url=fake.api_url, base_file_url=fake.file_url) as b:
        yield b


async def _raw(fake: FakeTelegram, method: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(f"{fake.api_url}{fake.token}/{method}", **kwargs)


# ---------------------------------------------------------------------------- rule parsing


@pytest.mark.parametrize(
    ("description", "types", "expected"),
    [
        (
            "Text of the message to be sent, 1-4096 characters after entities parsing",
            ["String"],
            Limit("chars", 1, 4096, after_entities=True),
        ),
        ("Poll question, 1-300 characters", ["String"], Limit("chars", 1, 300)),
        (
            "A JSON-serialized list of 1-12 answer options",
            ["Array of InputPollOption"],
            Limit("items", 1, 12),
        ),
        (
            "Text shown, 0-200 characters with at most 2 line feeds after entities parsing",
            ["String"],
            Limit("chars", 0, 200, after_entities=True, max_line_feeds=2),
        ),
        (
            "Data to be sent in a callback query to the bot when the button is pressed, 1-64 bytes",
            ["String"],
            Limit("bytes", 1, 64),
        ),
        ("Unique identifier for this result, 1-64 Bytes", ["String"], Limit("bytes", 1, 64)),
        (
            "Limits the number of updates to be retrieved. Values between 1-100 are accepted.",
            ["Integer"],
            Limit("value", 1, 100),
        ),
        (
            "Amount of time in seconds the poll will be active after creation, 5-2628000. Can't",
            ["Integer"],
            Limit("value", 5, 2628000),
        ),
        (
            "A direction in degrees. Must be between 1 and 360 if specified.",
            ["Integer"],
            Limit("value", 1, 360),
        ),
        (
            "A list of 0-12 two-letter ISO 3166-1 alpha-2 codes",
            ["Array of String"],
            Limit("items", 0, 12),
        ),
        (
            "At most 100 commands can be specified.",
            ["Array of BotCommand"],
            Limit("items", None, 100),
        ),
        ("Offset length can't exceed 64 bytes.", ["String"], Limit("bytes", None, 64)),
        (
            "describing messages to be sent, must include 2-10 items",
            ["Array of InputMedia"],
            Limit("items", 2, 10),
        ),
    ],
)
def test_parse_limits(description: str, types: list[str], expected: Limit) -> None:
    assert parse_limits(description, types) == (expected,)


@pytest.mark.parametrize(
    ("description", "types"),
    [
        ("A two-letter ISO 639-1 language code", ["String"]),
        ("Caption of the MPEG-4 file to be sent", ["Integer"]),
        ("Unique identifier; may have more than 32 significant bits", ["Integer"]),
    ],
)
def test_parse_limits_ignores_non_limits(description: str, types: list[str]) -> None:
    assert parse_limits(description, types) == ()


def test_parse_enum_conditions_one_of() -> None:
    cases = {
        'Poll type, "quiz" or "regular", defaults to "regular"': {"quiz", "regular"},
        "Scope type, must be default": {"default"},
        'Type of the reaction, always "emoji"': {"emoji"},
        'Format, must be one of "static" for a .WEBP, or "video" for a .WEBM': {"static", "video"},
    }
    for description, expected in cases.items():
        assert parse_enum(description) == frozenset(expected)
    assert "upload_document" in (
        parse_enum(load_spec().methods["sendChatAction"].fields["action"].description) or ()
    )
    assert parse_conditions("Required if inline_message_id is not specified") == (
        ("inline_message_id",),
        None,
        (),
    )
    assert parse_conditions("Required if chat_id and message_id are not specified")[0] == (
        "chat_id",
        "message_id",
    )
    assert parse_conditions("Can't be used together with close_date.")[2] == ("close_date",)
    button = load_spec().types["InlineKeyboardButton"]
    group, mode = parse_one_of(
        "Exactly one of the fields other than text, icon_custom_emoji_id, and style must be used",
        button.fields,
    ) or (frozenset(), "")
    assert mode == "exactly" and "callback_data" in group and "text" not in group


def test_markup_parsing() -> None:
    parsed = parse("<b>bold</b> &lt;x&gt; <a href='https://e.org'>l</a>", "HTML")
    assert parsed.text == "bold <x> l"
    assert [e["type"] for e in parsed.entities] == ["bold", "text_link"]
    assert parse("*b* \\. _i_ [t](http://x)", "MarkdownV2").text == "b . i t"
    assert parse("*b* _i_ `c`", "Markdown").text == "b i c"
    for bad, mode in [
        ("a < b", "HTML"),
        ("<br>", "HTML"),
        ("<b>x</i>", "HTML"),
        ("<b>x", "HTML"),
        ("1.5", "MarkdownV2"),
        ("*x", "MarkdownV2"),
        ("_x", "Markdown"),
        ("x", "html5"),
    ]:
        with pytest.raises(ParseError):
            parse(bad, mode)


# ---------------------------------------------------------------------------- sending


async def test_send_message_recorded_and_parsed(fake: FakeTelegram, bot: Bot) -> None:
    msg = await bot.send_message(USER_ID, "hello")
    assert msg.text == "hello" and msg.chat.id == USER_ID and msg.from_user
    assert msg.from_user.id == fake.bot_id
    call = fake.calls_to("sendMessage", chat_id=USER_ID)[-1]
    assert call.params == {"chat_id": USER_ID, "text": "hello"}
    assert call.error is None and call.result["message_id"] == msg.message_id
    second = await bot.send_message(USER_ID, "again")
    assert second.message_id == msg.message_id + 1
    assert [m["text"] for m in fake.messages_to(USER_ID)] == ["hello", "again"]
    assert fake.violations == []


async def test_too_long_text_is_a_violation(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="4096"):
        await bot.send_message(USER_ID, "x" * 4097)
    assert len(fake.violations) == 1 and "sendMessage: text" in fake.violations[0]
    assert fake.calls_to("sendMessage")[-1].error is not None


async def test_html_counts_visible_length(fake: FakeTelegram, bot: Bot) -> None:
    text = "<b>" + "&lt;" * 1000 + "</b>" + "y" * 3000  # visible: 4000 characters
    assert len(text) > 4096
    msg = await bot.send_message(USER_ID, text, parse_mode="HTML")
    assert msg.text == "<" * 1000 + "y" * 3000
    assert msg.entities[0].type == "bold" and msg.entities[0].length == 1000
    with pytest.raises(BadRequest, match="can't parse entities"):
        await bot.send_message(USER_ID, "1 < 2", parse_mode="HTML")
    assert len(fake.violations) == 1


async def test_chat_must_exist(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "hi")
    assert fake.violations == []  # depends on state, not on the request


async def test_quiz_poll_parsed(fake: FakeTelegram, bot: Bot) -> None:
    msg = await bot.send_poll(
        USER_ID,
        "2+2?",
        ["3", InputPollOption("4"), "5"],
        type="quiz",
        correct_option_ids=[1],
        is_anonymous=False,
        explanation="<b>4</b>, obviously",
        explanation_parse_mode="HTML",
        open_period=60,
    )
    poll = msg.poll
    assert poll is not None and poll.type == "quiz" and poll.correct_option_ids == (1,)
    assert [o.text for o in poll.options] == ["3", "4", "5"]
    assert len({o.persistent_id for o in poll.options}) == 3
    assert poll.explanation == "4, obviously" and not poll.allows_revoting
    assert poll.close_date is not None and not poll.is_closed
    assert fake.last_poll(USER_ID)["id"] == poll.id
    assert fake.violations == []


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"options": [str(i) for i in range(13)]}, "options: must be 1-12 items"),
        ({"question": "q" * 301}, "question: must be 1-300 characters"),
        ({"options": ["a", "b" * 101]}, "options[1].text: must be 1-100 characters"),
        ({"explanation": "a\nb\nc\nd"}, "explanation: must have at most 2 line feeds"),
        ({"correct_option_ids": None}, "correct_option_ids: required"),
        ({"correct_option_ids": [3]}, "correct_option_ids: must be increasing"),
        ({"options": ["a", "a"]}, "POLL_OPTION_DUPLICATE"),
        ({"open_period": 4}, "open_period: must be 5-2628000"),
        ({"type": "survey", "correct_option_ids": None}, "type: must be one of"),
    ],
)
async def test_poll_violations(
    fake: FakeTelegram, bot: Bot, kwargs: dict[str, Any], reason: str
) -> None:
    args: dict[str, Any] = {
        "chat_id": USER_ID,
        "question": "Q?",
        "options": ["a", "b"],
        "type": "quiz",
        "correct_option_ids": [0],
        "is_anonymous": False,
        **kwargs,
    }
    with pytest.raises(BadRequest):
        await bot.send_poll(**args)
    assert len(fake.violations) == 1 and reason in fake.violations[0], fake.violations


@pytest.mark.parametrize(("size", "ok"), [(64, True), (65, False)])
async def test_callback_data_bytes(fake: FakeTelegram, bot: Bot, size: int, ok: bool) -> None:
    data = "é" * (size // 2) + "x" * (size % 2)  # 2-byte characters: bytes, not characters, count
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("go", callback_data=data)]])
    if ok:
        await bot.send_message(USER_ID, "pick", reply_markup=keyboard)
        assert fake.violations == []
    else:
        with pytest.raises(BadRequest, match="callback_data"):
            await bot.send_message(USER_ID, "pick", reply_markup=keyboard)
        assert "inline_keyboard[0][0].callback_data: must be 1-64 bytes" in fake.violations[0]


async def test_button_without_action_refused(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="exactly one of"):
        await bot.send_message(
            USER_ID, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("label")]])
        )


async def test_raw_requests(fake: FakeTelegram, bot: Bot) -> None:
    r = await _raw(fake, "sendMesage", data={"chat_id": "42", "text": "hi"})
    assert r.status_code == 404 and r.json()["description"] == "Not Found: method not found"
    assert fake.violations == ["sendMesage: Not Found: method not found"]

    r = await _raw(fake, "sendMessage", data={"text": "hi"})
    assert r.status_code == 400 and not r.json()["ok"]
    assert "chat_id: required field is missing" in fake.violations[-1]

    r = await _raw(fake, "sendMessage", data={"chat_id": "42", "text": "hi", "colour": "red"})
    assert r.status_code == 400 and "colour: unknown field" in fake.violations[-1]

    async with httpx.AsyncClient() as client:
        r = await client.post(f"{fake.api_url}999:wrong/getMe")
    assert r.status_code == 401 and "Unauthorized" in fake.violations[-1]

    violations = len(fake.violations)
    r = await _raw(fake, "SENDMESSAGE", json={"chat_id": USER_ID, "text": "json body"})
    assert r.status_code == 200 and r.json()["result"]["text"] == "json body"
    assert fake.calls[-1].method == "sendMessage" and len(fake.violations) == violations


async def test_other_real_methods_answer_true(fake: FakeTelegram, bot: Bot) -> None:
    assert await bot.set_my_description("A quiz bot")
    assert fake.calls_to("setMyDescription")[-1].params == {"description": "A quiz bot"}
    assert fake.violations == []


# ---------------------------------------------------------------------------- updates


async def test_get_updates_order_offset_and_long_poll(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(7, "Bob", "bob")
    ids = [user.send(f"m{i}")["message_id"] for i in range(3)]
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["m0", "m1", "m2"]
    assert [u.message.message_id for u in updates if u.message] == ids
    first, last = updates[0].update_id, updates[-1].update_id
    assert set(fake.served) == {first, first + 1, last}

    assert len(await bot.get_updates(offset=first + 1)) == 2  # confirms the first one
    assert await bot.get_updates(offset=last + 1) == ()

    async def push_later() -> None:
        await asyncio.sleep(0.2)
        user.send("late")

    started = time.monotonic()
    task = asyncio.create_task(push_later())
    updates = await bot.get_updates(offset=last + 1, timeout=5)
    await task
    assert [u.message.text for u in updates if u.message] == ["late"]
    assert time.monotonic() - started < 2

    started = time.monotonic()
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=1) == ()
    assert time.monotonic() - started >= 0.9
    assert fake.violations == []


async def test_update_helpers_parse_in_ptb(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(7, "Bob", "bob", language_code="en")
    group = fake.group(-100123, "Quiz club")
    user.send("/start@quiz_test_bot extra", chat=group)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="ans:0")]])
    sent = await bot.send_message(7, "Pick", reply_markup=keyboard)
    poll_msg = await bot.send_poll(
        7, "Q", ["x", "y"], type="quiz", correct_option_ids=[0], is_anonymous=False
    )
    assert poll_msg.poll is not None
    user.press(fake.messages_to(7)[-2], "ans:0")
    user.answer_poll(poll_msg.poll.id, [1])
    user.send_document("q.json", b"{}", mime_type="application/json", declared_size=10**6)

    updates = await bot.get_updates()
    cmd, press, answer, poll_state, doc = updates
    assert cmd.message and cmd.message.text == "/start@quiz_test_bot extra"
    assert cmd.message.chat.type == "supergroup" and cmd.effective_user
    assert cmd.message.entities[0].type == "bot_command"
    assert cmd.message.entities[0].length == len("/start@quiz_test_bot")
    assert press.callback_query and press.callback_query.data == "ans:0"
    assert (
        press.callback_query.message and press.callback_query.message.message_id == sent.message_id
    )
    assert answer.poll_answer and answer.poll_answer.option_ids == (1,)
    assert answer.poll_answer.option_persistent_ids == (poll_msg.poll.options[1].persistent_id,)
    assert answer.poll_answer.user and answer.poll_answer.user.id == 7
    assert poll_state.poll and poll_state.poll.total_voter_count == 1
    assert doc.message and doc.message.document and doc.message.document.file_size == 10**6
    assert isinstance(cmd, Update)

    assert await bot.answer_callback_query(press.callback_query.id, text="ok")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(press.callback_query.id)
    with pytest.raises(AssertionError, match="revoting"):
        user.answer_poll(poll_msg.poll.id, [0])
    assert fake.violations == []


async def test_edits(fake: FakeTelegram, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    msg = await bot.send_message(USER_ID, "<b>v1</b>", parse_mode="HTML", reply_markup=keyboard)
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text(
            "<b>v1</b>", USER_ID, msg.message_id, parse_mode="HTML", reply_markup=keyboard
        )
    edited = await bot.edit_message_text("v2", USER_ID, msg.message_id)
    assert isinstance(edited, type(msg)) and edited.text == "v2"
    assert edited.reply_markup is None  # editing without reply_markup drops the keyboard
    await bot.edit_message_reply_markup(USER_ID, msg.message_id, reply_markup=keyboard)
    assert [m.get("text") for m in fake.messages_to(USER_ID)] == ["v1", "v2", "v2"]
    assert await bot.delete_message(USER_ID, msg.message_id)
    with pytest.raises(BadRequest):
        await bot.edit_message_text("v3", USER_ID, msg.message_id)
    assert fake.violations == []


async def test_stop_poll_twice(fake: FakeTelegram, bot: Bot) -> None:
    msg = await bot.send_poll(USER_ID, "Q", ["a", "b"], is_anonymous=False)
    poll = await bot.stop_poll(USER_ID, msg.message_id)
    assert poll.is_closed and fake.last_poll(USER_ID)["is_closed"]
    with pytest.raises(BadRequest, match=r"(?i)poll has already been closed"):
        await bot.stop_poll(USER_ID, msg.message_id)
    assert fake.violations == []


async def test_files(fake: FakeTelegram, bot: Bot) -> None:
    file_id, _ = fake.add_file(b"question bank")
    tg_file = await bot.get_file(file_id)
    assert await tg_file.download_as_bytearray() == b"question bank"
    with pytest.raises(BadRequest):
        await bot.get_file("nope")
    big = fake.user(7, "Bob").send_document("big.csv", b"x", declared_size=21 * 1024 * 1024)
    with pytest.raises(BadRequest, match=r"(?i)too big"):
        await bot.get_file(big["document"]["file_id"])

    msg = await bot.send_document(USER_ID, b"a,b\n", filename="scores.csv", caption="Scores")
    assert msg.document and msg.document.file_name == "scores.csv" and msg.caption == "Scores"
    call = fake.calls_to("sendDocument")[-1]
    assert call.params["document"] == b"a,b\n" and call.files["document"].filename == "scores.csv"
    again = await bot.send_document(USER_ID, msg.document.file_id)
    assert again.document and again.document.file_id == msg.document.file_id
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(USER_ID, b"not an image")
    assert len(fake.violations) == 1


async def test_chat_members_and_commands(fake: FakeTelegram, bot: Bot) -> None:
    group = fake.group(-1005, "Club")
    fake.user(7, "Bob")
    fake.chat_admins[group.id] = {7}
    assert (await bot.get_chat_member(group.id, 7)).status == "administrator"
    assert (await bot.get_chat_member(group.id, USER_ID)).status == "member"
    assert (await bot.get_chat(group.id)).title == "Club"
    await bot.set_my_commands([("quiz", "Start a quiz")])
    assert [c.command for c in await bot.get_my_commands()] == ["quiz"]
    with pytest.raises(BadRequest, match="characters that are not allowed"):
        await bot.set_my_commands([("Quiz-Now", "bad")])


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # retry_after
async def test_fault_hook(fake: FakeTelegram, bot: Bot) -> None:
    def fault(method: str, params: dict[str, Any]) -> FaultReply | None:
        if method == "sendMessage" and params["text"] == "flood":
            return FaultReply(429, "Too Many Requests: retry after 1", retry_after=1)
        return None

    fake.fault = fault
    with pytest.raises(RetryAfter):
        await bot.send_message(USER_ID, "flood")
    await bot.send_message(USER_ID, "fine")
    assert fake.violations == []
    assert [c.error for c in fake.calls_to("sendMessage")] == [
        "Too Many Requests: retry after 1",
        None,
    ]
    assert fake.refused() == fake.calls_to("sendMessage")[:1]


async def test_wait_for(fake: FakeTelegram, bot: Bot) -> None:
    since = fake.mark()

    async def send_later() -> None:
        await asyncio.sleep(0.05)
        await bot.send_message(USER_ID, "first")
        await bot.send_message(USER_ID, "second")

    task = asyncio.create_task(send_later())
    call: Call = await fake.wait_for(
        "sendMessage", lambda c: c.params["text"] == "second", chat_id=USER_ID, since=since
    )
    await task
    assert call.result["text"] == "second"
    with pytest.raises(AssertionError, match=r"sendMessage \{'chat_id': 42, 'text': 'first'\}"):
        await fake.wait_for("sendMessage", chat_id=7, timeout=0.1, since=since)


async def test_real_application_polls_the_fake(fake: FakeTelegram) -> None:
    user = fake.user(7, "Bob")

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message
        await update.effective_message.reply_text("Welcome!")

    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.api_url)
        .base_file_url(fake.file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        assert app.updater
        await app.updater.start_polling(poll_interval=0, timeout=2)
        await app.start()
        since = fake.mark()
        user.send("/start")
        reply = await fake.wait_for("sendMessage", chat_id=7, since=since)
        assert reply.params["text"] == "Welcome!" and fake.served
        await app.updater.stop()
        await app.stop()
    assert fake.violations == []


async def test_common_bot_mistakes(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(7, "Bob").press(
        (await bot.send_message(7, "x", reply_markup=_keyboard("a"))).to_dict(), "a"
    )
    query_id = (await bot.get_updates())[-1].callback_query
    assert query_id is not None
    with pytest.raises(BadRequest):
        await bot.answer_callback_query(query_id.id, text="t" * 201)
    with pytest.raises(BadRequest, match="reserved"):
        await bot.send_message(USER_ID, "Score: 5.", parse_mode="MarkdownV2")
    await bot.send_message(USER_ID, "Score: *5*\\.", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match="must be one of"):
        await bot.send_chat_action(USER_ID, "thinking")
    assert [v.split(":")[0] for v in fake.violations] == [
        "answerCallbackQuery",
        "sendMessage",
        "sendChatAction",
    ]


async def test_allowed_updates_and_poll_closing(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(7, "Bob")
    member = {"chat": {"id": -1, "type": "group", "title": "g"}, "from": user.to_dict()}
    fake.push_update({"chat_member": {**member, "date": 0}})
    user.send("hi")
    assert [u.message is not None for u in await bot.get_updates()] == [True]  # opt-in type

    msg = await bot.send_poll(7, "Q", ["a", "b"], is_anonymous=False, open_period=600)
    assert msg.poll is not None
    fake.close_poll(msg.poll.id)
    updates = await bot.get_updates(allowed_updates=["poll"])
    assert updates[-1].poll is not None and updates[-1].poll.is_closed
    with pytest.raises(AssertionError, match="closed"):
        user.answer_poll(msg.poll.id, [0])
    assert fake.violations == []


def _keyboard(*datas: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in datas]])
