"""The flood gate and the fair update processor, on a manual clock and real Update objects."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from telegram import Update
from telegram.ext import ExtBot

from bot.callbacks import Action, encode
from bot.fairness import (
    ANSWER_PENDING,
    GROUP_MEMBER_BUDGET,
    LANE_PENDING,
    NOTICE_EVERY,
    SENDER_BUDGET,
    FairUpdateProcessor,
    FloodGate,
    Ticket,
    Verdict,
    lane_of,
)
from bot.flood import GROUP_PER_MINUTE, FloodLimiter
from tests.fakebot import FakeTelegram

ANN, BOB = 101, 102
GROUP = -100123
ANONYMOUS_ADMIN = 1087968824  # GroupAnonymousBot: every anonymous admin of every group


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


_ids = iter(range(1, 1_000_000))


def message(user: int, chat: int | None = None, text: str = "/help", **extra: Any) -> Update:
    chat_id = user if chat is None else chat
    kind = "private" if chat_id > 0 else "supergroup"
    return Update.de_json(
        {
            "update_id": next(_ids),
            "message": {
                "message_id": next(_ids),
                "date": 0,
                "chat": {"id": chat_id, "type": kind, "title": "Class"},
                "from": {"id": user, "is_bot": False, "first_name": "U"},
                "text": text,
                **extra,
            },
        },
        None,
    )


def poll_answer(user: int) -> Update:
    return Update.de_json(
        {
            "update_id": next(_ids),
            "poll_answer": {
                "poll_id": "p",
                "user": {"id": user, "is_bot": False, "first_name": "U"},
                "option_ids": [0],
                "option_persistent_ids": ["x"],
            },
        },
        None,
    )


def button(user: int, data: str) -> Update:
    return Update.de_json(
        {
            "update_id": next(_ids),
            "callback_query": {
                "id": str(next(_ids)),
                "from": {"id": user, "is_bot": False, "first_name": "U"},
                "chat_instance": "1",
                "data": data,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": user, "type": "private"},
                },
            },
        },
        None,
    )


def admit_all(gate: FloodGate, updates: list[Update]) -> list[Ticket | Verdict]:
    return [gate.admit(u) for u in updates]


def test_a_lane_holds_a_few_commands_and_asks_once_to_slow_down():
    clock = Clock()
    gate = FloodGate(clock)
    verdicts = admit_all(gate, [message(ANN) for _ in range(LANE_PENDING + 5)])
    assert all(isinstance(v, Ticket) for v in verdicts[:LANE_PENDING])
    assert verdicts[LANE_PENDING:] == [Verdict.SHED_NOTICE] + [Verdict.SHED] * 4
    # Another learner is untouched by Ann's backlog.
    assert isinstance(gate.admit(message(BOB)), Ticket)
    # Once Ann's lane has room again, her next command runs.
    first = verdicts[0]
    assert isinstance(first, Ticket)
    gate.done(first)
    assert isinstance(gate.admit(message(ANN)), Ticket)
    # Still flooding a minute later: asked once more, not more often.
    clock.now += NOTICE_EVERY
    assert gate.admit(message(ANN)) is Verdict.SHED_NOTICE
    assert gate.admit(message(ANN)) is Verdict.SHED


def test_answers_are_never_shed_by_a_flood_of_commands():
    gate = FloodGate(Clock())
    admit_all(gate, [message(ANN, text=f"spam {i}") for i in range(50)])
    answers = [
        poll_answer(ANN),
        button(ANN, encode(Action.ANSWER, 7, 1)),
        button(ANN, encode(Action.TOGGLE, 7, 3)),
        button(ANN, encode(Action.DONE, 7, 3)),
    ]
    assert all(isinstance(gate.admit(a), Ticket) for a in answers)
    # A bank button is a command like any other.
    bank = encode(Action.START_QUIZ, "some-bank")
    assert gate.admit(button(ANN, bank)) is not None
    assert not isinstance(gate.admit(button(ANN, bank)), Ticket)


def test_a_forged_flood_of_answers_is_still_bounded():
    gate = FloodGate(Clock())
    verdicts = admit_all(
        gate, [button(ANN, encode(Action.ANSWER, 7, 1)) for _ in range(ANSWER_PENDING + 3)]
    )
    assert sum(isinstance(v, Ticket) for v in verdicts) == ANSWER_PENDING
    assert verdicts[-1] is Verdict.SHED


def test_a_senders_budget_refills_with_time():
    clock = Clock()
    gate = FloodGate(clock)
    ran = 0
    for _ in range(SENDER_BUDGET.burst + 5):  # one at a time: the lane never fills
        ticket = gate.admit(message(ANN))
        if isinstance(ticket, Ticket):
            ran += 1
            gate.done(ticket)
    assert ran == SENDER_BUDGET.burst
    clock.now += 1 / SENDER_BUDGET.per_second
    ticket = gate.admit(message(ANN))
    assert isinstance(ticket, Ticket)


def test_a_group_member_gets_a_few_replies_and_others_keep_theirs():
    clock = Clock()
    gate = FloodGate(clock)
    ran = 0
    for _ in range(20):
        ticket = gate.admit(message(ANN, GROUP))
        if isinstance(ticket, Ticket):
            ran += 1
            gate.done(ticket)
    assert ran == GROUP_MEMBER_BUDGET.burst
    # Bob in the same group has his own lane and budget.
    assert isinstance(gate.admit(message(BOB, GROUP)), Ticket)
    assert lane_of(message(ANN, GROUP)) != lane_of(message(BOB, GROUP))
    assert lane_of(poll_answer(ANN)) == lane_of(message(ANN))  # answers follow their question


def test_anonymous_admins_of_different_groups_do_not_share_a_budget():
    gate = FloodGate(Clock())

    def anonymous(group: int) -> Update:
        sender_chat = {"id": group, "type": "supergroup", "title": "G"}
        return message(ANONYMOUS_ADMIN, group, sender_chat=sender_chat)

    for _ in range(30):
        gate.admit(anonymous(-1001))
    assert isinstance(gate.admit(anonymous(-1002)), Ticket)


async def test_a_busy_lane_holds_no_slot_that_other_lanes_need():
    """Two slots: Ann's second update waits in her lane, so Bob gets the free slot at once."""
    processor = FairUpdateProcessor(2)
    release = asyncio.Event()
    order: list[str] = []

    async def blocked(name: str) -> None:
        order.append(f"{name} starts")
        await release.wait()
        order.append(f"{name} ends")

    async def quick(name: str) -> None:
        order.append(name)

    ann = [
        asyncio.create_task(processor.process_update(message(ANN), blocked("ann 1"))),
        asyncio.create_task(processor.process_update(message(ANN), quick("ann 2"))),
    ]
    await asyncio.sleep(0)
    await asyncio.wait_for(processor.process_update(message(BOB), quick("bob")), 1)
    assert order == ["ann 1 starts", "bob"]
    release.set()
    await asyncio.gather(*ann)
    assert order == ["ann 1 starts", "bob", "ann 1 ends", "ann 2"]


async def test_a_shed_update_is_not_run_and_is_reported():
    processor = FairUpdateProcessor(4)
    shed: list[tuple[int, bool]] = []

    async def on_shed(update: object, notice: bool) -> None:
        assert isinstance(update, Update)
        shed.append((update.update_id, notice))

    processor.on_shed = on_shed
    ran: list[int] = []
    gate_open = asyncio.Event()

    async def work(i: int) -> None:
        await gate_open.wait()
        ran.append(i)

    updates = [message(ANN) for _ in range(LANE_PENDING + 2)]
    tasks = [
        asyncio.create_task(processor.process_update(u, work(i))) for i, u in enumerate(updates)
    ]
    await asyncio.sleep(0.01)
    gate_open.set()
    await asyncio.gather(*tasks)
    assert ran == list(range(LANE_PENDING))  # in order
    assert [notice for _, notice in shed] == [True, False]
    assert [i for i, _ in shed] == [u.update_id for u in updates[LANE_PENDING:]]


async def test_reading_a_member_does_not_wait_behind_a_groups_sends(fake: FakeTelegram):
    """A group that used its 20 messages a minute still gets its admin checks at once."""
    group = fake.group(GROUP, "Class")
    fake.user(ANN, "Ann")
    fake.chat_admins[group.id] = {ANN}
    async with ExtBot(fake.token, base_url=fake.api_url, rate_limiter=FloodLimiter()) as bot:
        for i in range(GROUP_PER_MINUTE):
            await bot.send_message(group.id, f"message {i}")
        started = time.monotonic()
        member = await bot.get_chat_member(group.id, ANN)
        assert member.status == "administrator"
        assert time.monotonic() - started < 1  # a 21st message would wait about 3 s
