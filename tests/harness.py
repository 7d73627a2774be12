"""Runs the real bot Application (polling over HTTP) inside the test's event loop."""

from __future__ import annotations

import asyncio
import html
import re
from typing import Any

from sqlalchemy import select

from bot.app import prepare
from bot.context import QuizApplication
from bot.settings import Settings
from bot.timers import RoundClock
from bot.updates import ALLOWED_UPDATES
from storage.db import Database
from storage.models import InboxUpdate
from tests.fakebot import Call, FakeTelegram, FakeUser


class BotRunner:
    """Start, stop and restart the bot as its process would, on the same database."""

    def __init__(
        self,
        settings: Settings,
        clock: RoundClock | None = None,
        heartbeat: float | None = None,
        *,
        polling: bool = True,
    ) -> None:
        self.settings = settings
        self.clock = clock  # the rounds' clock, kept across restarts; None: the real one
        self.heartbeat = heartbeat  # seconds between the rounds' lease renewals; None: default
        # False: a second process on the same database that gets no updates (a webhook process
        # nothing is posted to), as two getUpdates would end each other's.
        self.polling = polling
        self.app: QuizApplication | None = None

    @property
    def db(self) -> Database:
        """The database of the running bot."""
        assert self.app is not None, "bot not started"
        return self.app.bot_data.db

    async def start(self) -> None:
        """Build the application as `quizbot run` does and start polling."""
        self.app = prepare(self.settings)
        if self.clock is not None:
            self.app.bot_data.rounds.clock = self.clock
        if self.heartbeat is not None:
            self.app.bot_data.rounds.heartbeat = self.heartbeat
        # The same steps, in the same order, as Application.run_polling.
        await self.app.initialize()
        if self.app.post_init is not None:
            await self.app.post_init(self.app)
        assert self.app.updater is not None
        if self.polling:
            await self.app.updater.start_polling(
                poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES
            )
        await self.app.start()

    async def stop(self) -> None:
        """Stop polling and shut down, like a clean exit."""
        if self.app is None:
            return
        assert self.app.updater is not None
        if self.app.updater.running:
            await self.app.updater.stop()
        await self.app.stop()
        if self.app.post_stop is not None:  # as run_polling does
            await self.app.post_stop(self.app)
        await self.app.shutdown()
        self.app.bot_data.db.dispose()
        self.app = None

    async def restart(self) -> None:
        """Stop and start again on the same settings and database file."""
        await self.stop()
        await self.start()


def poll_text(call: Call) -> str:
    """The question of a sendPoll call without its [n/N] prefix."""
    return str(call.params["question"]).split("] ", 1)[1]


def wrong_option(call: Call) -> int:
    """A shown option index that is not a correct one."""
    correct = set(call.params["correct_option_ids"])
    return next(i for i in range(len(call.params["options"])) if i not in correct)


def poll_id(call: Call) -> str:
    """The id Telegram gave the poll that this call sent."""
    return str(call.result["poll"]["id"])


# What a learner reads: messages, and the descriptions of quiz polls (the previous answer's
# feedback travels in the next question's description).
SHOWN = "sendMessage|sendPoll"


def text_of(call: Call) -> str:
    """The text a sendMessage/editMessageText call sent, or a sendPoll's description."""
    return str(call.params.get("text") or call.params.get("description") or "")


def plain(text: str) -> str:
    """HTML message text as the user reads it."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def redeliver_poll_answer(
    fake: FakeTelegram, user: FakeUser, poll: Call, option_ids: list[int]
) -> int:
    """Push a poll answer again, as Telegram does when it redelivers updates after a restart."""
    options = poll.result["poll"]["options"]
    return fake.push_update(
        {
            "poll_answer": {
                "poll_id": poll_id(poll),
                "user": user.to_dict(),
                "option_ids": option_ids,
                "option_persistent_ids": [options[i]["persistent_id"] for i in option_ids],
            }
        }
    )


def keyboard_of(fake: FakeTelegram, message: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The inline keyboard a bot message shows now, after any edits."""
    latest = next(
        m
        for m in reversed(fake.messages_to(message["chat"]["id"]))
        if m["message_id"] == message["message_id"]
    )
    return list(latest.get("reply_markup", {}).get("inline_keyboard", []))


async def reply_of(fake: FakeTelegram, user: FakeUser, text: str, **kw: Any) -> Call:
    """Send a message as the user (`kw`: FakeUser.send's, e.g. chat=); the bot's next
    message to them."""
    mark = fake.mark()
    user.send(text, **kw)
    return await fake.wait_for("sendMessage", chat_id=user.id, since=mark)


async def say(fake: FakeTelegram, user: FakeUser, text: str, **kw: Any) -> str:
    """Send a message as the user; the bot's next message to them, as they read it."""
    return plain(text_of(await reply_of(fake, user, text, **kw)))


async def feedback_after(fake: FakeTelegram, chat_id: int, since: int) -> Call:
    """The next feedback message (verdict and answer) sent to the chat."""
    return await fake.wait_for(
        SHOWN, chat_id=chat_id, since=since, predicate=lambda c: "Answer" in text_of(c)
    )


async def handled(bot: BotRunner, update_id: int) -> None:
    """Wait until the bot has recorded the effect of an update (it sends nothing back)."""
    for _ in range(500):
        with bot.db.session() as session:
            at = session.scalar(
                select(InboxUpdate.handled_at).where(InboxUpdate.update_id == update_id)
            )
        if at is not None:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"update {update_id} was never handled")
