"""The database thread: transactions in order, those waiting committed together, and one
failure never taking another's work with it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import bindparam, event, func, select
from sqlalchemy.orm import Session

from bot.delivery import DeliveryMarks
from storage import prepared
from storage.db import Database
from storage.models import InboxUpdate, utcnow


def store(update_id: int, session: Session) -> int:
    """Store an update; how many this transaction sees then (earlier ones' included)."""
    session.add(InboxUpdate(update_id=update_id, payload={"update_id": update_id}))
    session.flush()
    return int(session.scalar(select(func.count()).select_from(InboxUpdate)) or 0)


def stored(db: Database) -> set[int]:
    with db.session() as session:
        return set(session.scalars(select(InboxUpdate.update_id)))


@contextmanager
def commits(db: Database) -> Iterator[list[int]]:
    counted: list[int] = []

    def count(_connection: Any) -> None:
        counted.append(1)

    event.listen(db.engine, "commit", count)
    try:
        yield counted
    finally:
        event.remove(db.engine, "commit", count)


async def behind_a_slow_one(db: Database, *works: Any) -> list[Any]:
    """Run a first transaction that holds the thread until the others are all waiting,
    then the others: the outcomes, in order (exceptions as values)."""
    gate = threading.Event()

    def slow(session: Session) -> int:
        gate.wait(10)
        return store(1, session)

    first = asyncio.ensure_future(db.run(slow))
    await asyncio.sleep(0.05)  # the first is running
    rest = [asyncio.ensure_future(db.run(work)) for work in works]
    await asyncio.sleep(0.05)  # the others are queued behind it
    gate.set()
    return await asyncio.gather(first, *rest, return_exceptions=True)


async def test_waiting_transactions_commit_together_and_in_order(db: Database):
    with commits(db) as counted:
        outcomes = await behind_a_slow_one(db, *(lambda s, i=i: store(i, s) for i in range(2, 7)))
    assert outcomes == [1, 2, 3, 4, 5, 6]  # each saw the ones before it
    assert len(counted) == 2  # the first alone, the five waiting behind it in one
    assert stored(db) == {1, 2, 3, 4, 5, 6}


async def test_one_failing_transaction_takes_no_other_with_it(db: Database):
    def broken(session: Session) -> int:
        store(3, session)
        raise ValueError("refused")

    outcomes = await behind_a_slow_one(
        db, lambda s: store(2, s), broken, lambda s: store(4, s), lambda s: store(2, s)
    )
    first, second, failed, fourth, twin = outcomes
    assert (first, second, fourth) == (1, 2, 3)  # run again, each alone: 3 was never stored
    assert isinstance(failed, ValueError) and str(failed) == "refused"
    assert isinstance(twin, Exception)  # update 2 again: its own failure, nobody else's
    assert stored(db) == {1, 2, 4}


async def test_the_thread_finishes_its_work_when_disposed(database_url: str):
    db = Database.open(database_url)
    pending = asyncio.ensure_future(db.run(lambda s: store(9, s)))
    await asyncio.sleep(0.01)
    await asyncio.to_thread(db.dispose)
    assert await pending == 1
    db = Database.open(database_url)
    try:
        assert stored(db) == {9}
    finally:
        db.dispose()


def test_a_closed_event_loop_does_not_stop_the_thread(db: Database):
    # A test's loop (or a stopped bot's) may close while one of its transactions runs.
    gate = threading.Event()

    def slow(session: Session) -> int:
        gate.wait(10)
        return store(1, session)

    loop = asyncio.new_event_loop()
    abandoned = loop.create_task(db.run(slow))
    loop.run_until_complete(asyncio.sleep(0.05))
    abandoned.cancel()
    loop.run_until_complete(asyncio.gather(abandoned, return_exceptions=True))
    loop.close()
    gate.set()
    assert asyncio.run(db.run(lambda s: store(2, s))) == 2  # committed all the same


async def test_a_change_to_an_object_is_seen_by_the_next_transaction_of_its_group(db: Database):
    # As an admin's /stop (status set on the quiz object) before a vote read by a prepared
    # statement: the vote must see the quiz stopped, in the same group as when alone.
    await db.run(lambda s: store(7, s))
    read = select(InboxUpdate.handled_at).where(InboxUpdate.update_id == bindparam("update"))

    def handle(session: Session) -> None:
        row = session.get(InboxUpdate, 7)
        assert row is not None
        row.handled_at = utcnow()  # no flush: the session writes it when it must

    def handled(session: Session) -> bool:
        return prepared.execute(session, read, {"update": 7})[0][0] is not None

    def in_one(session: Session) -> bool:
        handle(session)
        return handled(session)

    _, _, seen = await behind_a_slow_one(db, handle, handled)
    assert seen is True
    assert await db.run(in_one) is True  # and within one transaction, as autoflush would


async def test_a_job_raising_stop_iteration_fails_its_caller_instead_of_hanging(db: Database):
    def empty(session: Session) -> int:
        return next(iter(()))  # StopIteration, which an asyncio future cannot hold

    with pytest.raises(RuntimeError, match="StopIteration"):
        await asyncio.wait_for(db.run(empty), 5)
    assert await db.run(lambda s: store(3, s)) == 1  # the thread goes on


async def test_marks_taken_by_a_failed_transaction_are_written_by_the_next(db: Database):
    marks = DeliveryMarks()
    db.prelude = marks
    await db.run(lambda s: store(5, s))
    await marks.add_shed(db, 5)  # shed in a flood: to be marked handled by the next transaction

    def broken(session: Session) -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        await db.run(broken)
    assert marks.pending  # put back, not lost with the rolled-back transaction
    await db.run(lambda s: None)
    assert not marks.pending
    with db.session() as session:
        row = session.get(InboxUpdate, 5)
        assert row is not None and row.handled_at is not None
