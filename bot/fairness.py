"""Fair turns: a busy chat delays only itself, and a flood is shed before it costs anything.

python-telegram-bot's update processor takes one of its concurrent-update slots before the
handler runs, and our handlers then wait for their chat's turn: one chat's backlog, each
update waiting for Telegram's per-chat send limit (about a message a second), held every
slot while other chats waited. Here an update first waits in its own lane (a private chat,
or one member of a group), and takes a slot only when its turn comes. Each lane holds a few
updates at most and each sender has a budget of commands: beyond either, an update is shed
(marked handled, never run) and the sender is asked once to slow down. Answers to questions
are never shed: they are what the learner came for, and each costs no message to the chat.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from telegram import Bot, Chat, Update
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor

from bot import i18n, texts
from bot.delivery import DeliveryMarks
from bot.i18n import Language
from bot.keyboards import parse_answer
from storage.db import Database, event_loop_work

log = logging.getLogger(__name__)

Lane = tuple[int, int]  # (chat, sender): a private chat is (user, user)

# A lane's updates waiting or running, beyond which commands and texts are shed. Answers have
# a far higher ceiling that no real client reaches (a forged flood of them is still bounded).
LANE_PENDING = 3
ANSWER_PENDING = 32
SENDER_PENDING = 6  # one sender's updates in all their lanes (a user in many groups)


@dataclass(frozen=True)
class Budget:
    """A token bucket's size and how fast it refills."""

    burst: int
    per_second: float


# Commands a sender may send, anywhere: a burst, then one a second, which is also as fast
# as Telegram lets the bot answer in one private chat.
SENDER_BUDGET = Budget(burst=20, per_second=1)
# A group shares 20 messages a minute between all its members and its rounds: one member
# gets a few replies at once, then one every 6 seconds, half the group's budget at most.
GROUP_MEMBER_BUDGET = Budget(burst=8, per_second=1 / 6)
NOTICE_EVERY = 60.0  # seconds: at most one "slow down" per chat in this time


class Verdict(Enum):
    """What becomes of an update."""

    RUN = "run"
    SHED = "shed"  # dropped without a word
    SHED_NOTICE = "shed and ask to slow down"


@dataclass(frozen=True)
class Ticket:
    """An admitted update's place in its lane and its sender's count."""

    lane: Lane
    sender: int | None
    answer: bool


@dataclass
class _Bucket:
    tokens: float
    at: float

    def take(self, budget: Budget, now: float) -> bool:
        self.tokens = min(budget.burst, self.tokens + (now - self.at) * budget.per_second)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class FloodGate:
    """Counts each lane's and sender's pending updates and budgets; decides what runs.

    All in memory and O(1) per update: it runs on the event loop for every update.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock  # monotonic seconds; tests pass a manual one
        self._lanes: dict[Lane, int] = {}
        self._senders: dict[int, int] = {}
        self._buckets: dict[Lane | int, _Bucket] = {}
        self._noticed: dict[int, float] = {}

    def busy(self, lane: Lane) -> bool:
        """Whether the lane has updates admitted and not done."""
        return lane in self._lanes

    def admit(self, update: object) -> Ticket | Verdict:
        """A ticket for an update that runs (give it back with `done`), or why it doesn't."""
        lane, sender = lane_of(update), sender_of(update)
        answer = is_answer(update)
        pending = self._lanes.get(lane, 0)
        if answer:
            if pending >= ANSWER_PENDING:
                return Verdict.SHED
        elif not self._within_budget(lane, sender, pending):
            return self._shed(lane[0])
        self._lanes[lane] = pending + 1
        if sender is not None:
            self._senders[sender] = self._senders.get(sender, 0) + 1
        return Ticket(lane, sender, answer)

    def done(self, ticket: Ticket) -> None:
        """The update's handling ended: its lane and sender have room again."""
        _decrement(self._lanes, ticket.lane)
        if ticket.sender is not None:
            _decrement(self._senders, ticket.sender)

    def _within_budget(self, lane: Lane, sender: int | None, pending: int) -> bool:
        if pending >= LANE_PENDING:
            return False
        if sender is None:
            return True
        if self._senders.get(sender, 0) >= SENDER_PENDING:
            return False
        now = self.clock()
        if not self._bucket(sender, SENDER_BUDGET, now).take(SENDER_BUDGET, now):
            return False
        in_group = lane[0] != lane[1]
        return not in_group or self._bucket(lane, GROUP_MEMBER_BUDGET, now).take(
            GROUP_MEMBER_BUDGET, now
        )

    def _bucket(self, key: Lane | int, budget: Budget, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) > 4096:
                self._forget_full_buckets(now)
            bucket = self._buckets[key] = _Bucket(budget.burst, now)
        return bucket

    def _forget_full_buckets(self, now: float) -> None:
        """Drop buckets idle long enough to be full again: they would start full anyway."""
        longest = max(b.burst / b.per_second for b in (SENDER_BUDGET, GROUP_MEMBER_BUDGET))
        for key, bucket in list(self._buckets.items()):
            if now - bucket.at > longest:
                del self._buckets[key]

    def _shed(self, chat_id: int) -> Verdict:
        now = self.clock()
        last = self._noticed.get(chat_id)
        if last is not None and now - last < NOTICE_EVERY:
            return Verdict.SHED
        if len(self._noticed) > 4096:
            self._noticed = {k: t for k, t in self._noticed.items() if now - t < NOTICE_EVERY}
        self._noticed[chat_id] = now
        return Verdict.SHED_NOTICE


def _decrement(counts: dict[Any, int], key: Any) -> None:
    left = counts[key] - 1
    if left:
        counts[key] = left
    else:
        del counts[key]


def lane_of(update: object) -> Lane:
    """Where an update waits its turn: its private chat, or its sender's place in a group.

    Poll answers carry only the user: they queue with the user's private chat, so an answer
    always comes after the question that asked it.
    """
    if not isinstance(update, Update):
        return (0, 0)
    chat, sender = update.effective_chat, sender_of(update)
    if chat is None or chat.type == Chat.PRIVATE:
        key = chat.id if chat is not None else sender
        if key is None:
            return (0, -update.update_id)  # nobody to keep in order with
        return (key, key)
    return (chat.id, sender if sender is not None else chat.id)


def sender_of(update: object) -> int | None:
    """Who sent it: the user, or the chat a message was sent on behalf of.

    Anonymous group admins all share one account (GroupAnonymousBot), and so do channels
    posting into groups: their budgets belong to the chat they speak as.
    """
    if not isinstance(update, Update):
        return None
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id
    if update.poll_answer is not None and update.poll_answer.voter_chat is not None:
        return update.poll_answer.voter_chat.id
    user = update.effective_user
    return user.id if user is not None else None


def is_answer(update: object) -> bool:
    """An answer to a quiz question: a poll vote, an answer button pressed, or a reply to one
    of the bot's own messages in private (a typed question asks for one)."""
    if not isinstance(update, Update):
        return False
    if update.poll_answer is not None:
        return True
    query = update.callback_query
    if query is not None:
        return query.data is not None and parse_answer(query.data) is not None
    message = update.message
    replied = message.reply_to_message if message is not None else None
    return (
        message is not None
        and message.chat.type == Chat.PRIVATE
        and replied is not None
        and replied.from_user is not None
        and replied.from_user.is_bot
    )


ShedHandler = Callable[[object, bool], Awaitable[None]]


def shedding(
    bot: Bot,
    db: Database,
    marks: DeliveryMarks,
    speaks: Callable[[Update], Awaitable[Language]] | None = None,
) -> ShedHandler:
    """What happens to a shed update: marked handled, and at most now and then one notice, in
    the update's language (`speaks`; no handler ran to set it)."""

    async def shed(update: object, notice: bool) -> None:
        if not isinstance(update, Update):
            return
        await marks.add_shed(db, update.update_id)
        if notice:
            language = await speaks(update) if speaks is not None else i18n.DEFAULT
            try:
                with i18n.speaking(language):
                    await _ask_to_slow_down(bot, update)
            except TelegramError as error:  # e.g. no longer allowed to post in that group
                log.info("could not ask chat to slow down: %s", error)

    return shed


async def _ask_to_slow_down(bot: Bot, update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(texts.slow_down(), show_alert=True)
    elif update.effective_chat is not None:
        await bot.send_message(update.effective_chat.id, texts.slow_down())


class FairUpdateProcessor(BaseUpdateProcessor):
    """Each lane's updates strictly in order; a lane's turn is taken before a global slot."""

    def __init__(self, max_concurrent_updates: int, gate: FloodGate | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self.gate = gate or FloodGate()
        self.on_shed: ShedHandler | None = None  # the application's: mark handled, say why
        self._locks: dict[Lane, asyncio.Lock] = {}

    async def process_update(  # type: ignore[misc]  # PTB marks it final: the order is the fix
        self, update: object, coroutine: Awaitable[Any]
    ) -> None:
        """Admit the update or shed it; then wait for its lane's turn, then for a slot."""
        admitted = self.gate.admit(update)
        if isinstance(admitted, Verdict):
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never started: nothing to clean up, no "never awaited"
            if self.on_shed is not None:
                await self.on_shed(update, admitted is Verdict.SHED_NOTICE)
            return
        lock = self._locks.setdefault(admitted.lane, asyncio.Lock())
        try:
            # The lane's turn first (asyncio.Lock wakes waiters first come, first served), and
            # only then a slot: waiting in a busy lane holds nothing that others need.
            async with lock, self._semaphore:
                with event_loop_work():
                    await self.do_process_update(update, coroutine)
        finally:
            self.gate.done(admitted)
            if not self.gate.busy(admitted.lane):
                del self._locks[admitted.lane]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handlers."""
        await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
