"""A Russian- and a Persian-speaking learner and teacher use every command end to end, and no
English sentence of the bot's reaches them (the shipped bank's own English questions aside)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.fairness import SENDER_BUDGET
from bot.i18n import FSI, PDI
from tests.conftest import TEACHER_ID
from tests.fakebot import Call, FakeTelegram, FakeUser
from tests.harness import BotRunner, keyboard_of, poll_id
from tests.leaks import english_runs, leaks

BANK = "russia-iran-partnership"
BURST = SENDER_BUDGET.burst - 4  # commands sent at once; the rest one a second


class Tour:
    """A user sending commands; each waits for the bot's answer (messages, polls, alerts)."""

    def __init__(self, fake: FakeTelegram, user: FakeUser) -> None:
        self.fake, self.user, self.start = fake, user, fake.mark()
        self.sent = 0

    async def send(self, text: str) -> Call:
        self.sent += 1
        if self.sent > BURST:  # as a person types: within the bot's flood budget
            await asyncio.sleep(1 / SENDER_BUDGET.per_second)
        mark = self.fake.mark()
        self.user.send(text)
        try:
            return await self.fake.wait_for(
                "sendMessage|sendPoll|sendDocument|sendPhoto", chat_id=self.user.id, since=mark
            )
        except AssertionError as error:
            raise AssertionError(f"no answer to {text!r}") from error

    async def press(self, message: dict[str, Any], index: int) -> Call:
        """Press the message's button `index`, counted across its rows."""
        mark = self.fake.mark()
        buttons = [button for row in keyboard_of(self.fake, message) for button in row]
        self.user.press(message, buttons[index]["callback_data"])
        return await self.fake.wait_for(
            "sendMessage|editMessageText|answerCallbackQuery|sendPoll", since=mark
        )

    async def answer(self, poll: Call) -> Call:
        mark = self.fake.mark()
        self.user.answer_poll(poll_id(poll), [0])
        return await self.fake.wait_for("sendMessage|sendPoll", chat_id=self.user.id, since=mark)

    def said(self) -> list[Call]:
        return [c for c in self.fake.calls[self.start :] if c.error is None]


@pytest.mark.parametrize("code", ["ru", "fa"])
async def test_a_learner_uses_every_command_in_their_language(
    code: str, bot: BotRunner, fake: FakeTelegram
):
    tour = Tour(fake, fake.user(101, "Learner", language_code=code))
    for command in ("/start", "/help", "/banks", "/score", "/review", "/progress", "/stop"):
        await tour.send(command)
    poll = await tour.send(f"/quiz {BANK} 2")
    poll = await tour.answer(poll)
    await tour.answer(poll)  # the last: feedback and summary
    for command in (
        "/score",
        "/leaderboard",
        "/leaderboard week",
        f"/leaderboard {BANK}",
        "/review",
        "/progress",
        "/privacy",
        "/remind 08:00",
        "/remind",
        "/remind 25:00",
        "/remind off",
        f"/quiz {BANK} many",
        "/quiz no-such-bank",
        "/nonsense",
        "hello",
        "/newbank Physics",
    ):
        await tour.send(command)
    menu = await tour.send("/language")
    await tour.press(menu.result, 2 if code == "ru" else 1)  # the other language
    await tour.send(f"/language {code}")
    assert not leaks(tour.said()), leaks(tour.said())
    assert len(english_runs()) > 300


@pytest.mark.parametrize("code", ["ru", "fa"])
async def test_a_teacher_builds_shares_and_reads_a_bank_in_their_language(
    code: str, bot: BotRunner, fake: FakeTelegram
):
    tour = Tour(fake, fake.user(TEACHER_ID, "Teacher", language_code=code))
    # A title in the teacher's own script makes an id in Latin letters.
    title, bank = {"ru": ("Физика 7", "fizika-7"), "fa": ("فیزیک ۷", "fizik-7")}[code]
    for command in ("/help", "/mybanks", "/newbank", f"/newbank {title}", "/newbank Again"):
        await tour.send(command)
    await tour.send("Where does rain fall from?\nA. Clouds\nB. Rivers\nANSWER: A")
    await tour.send("/source")
    await tour.send("Too short.")
    saved = await tour.send("/done")
    assert f"<code>{bank}</code>" in str(saved.params["text"]).replace(FSI, "").replace(PDI, "")
    for command in (
        f"/share {bank}",
        f"/publish {bank}",
        f"/unpublish {bank}",
        f"/report {bank}",
        f"/export {bank}",
        f"/bankfile {bank} gift",
        f"/edit {bank}",
        "/report no-such-bank",
        "/teacher add 5",
        "/weblink",
    ):
        await tour.send(command)
    # A bank built in chat is in its teacher's language: its passages are found by its rules.
    bankfile = await tour.send(f"/bankfile {bank}")
    assert f"\nlanguage: {code}\n" in bankfile.files["document"].data.decode()
    confirm = await tour.send(f"/deletebank {bank}")
    await tour.press(confirm.result, 1)  # keep it
    assert not leaks(tour.said()), leaks(tour.said())
