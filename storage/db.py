"""Engine and session factory: one engine per process, sessions passed explicitly."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from contextvars import Context, ContextVar, copy_context
from typing import Any, Literal, Protocol, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, create_engine, event, insert, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from storage import prepared
from storage.models import Base
from storage.schema import UTC_ZONE, ensure_schema
from storage.serial import Job, SerialThread

_ZONE = "quizbot.zone"  # the key of Database.zone in every session's `info`

T = TypeVar("T")


# Set in the bot's tasks on the event loop (updates' handlers, rounds, start and stop): a
# session opened there would make every chat wait for the database; ON_LOOP says what then.
_SERVING = ContextVar("the bot's work on the event loop", default=False)
ON_LOOP: Literal["warn", "raise"] = "warn"  # the tests raise, to find every such place
log = logging.getLogger(__name__)


def _off_loop() -> Context:
    """A copy of the caller's context (its language, say) that is not "the event loop's work"."""
    context = copy_context()
    context.run(_SERVING.set, False)
    return context


async def _on_thread(pool: ThreadPoolExecutor | None, function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` on a thread of `pool` (None: the loop's default), off the loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool, _off_loop().run, function, *args)


class Prelude(Protocol):
    """What every transaction of the database thread writes first (bot.delivery's marks)."""

    def taken(self) -> AbstractContextManager[Callable[[Session], None]]:
        """Take what is pending; the writer of it, for the transaction. Put back if the
        transaction fails, its commit included."""


class DatabaseOnLoop(RuntimeError):
    """A session was opened on the event loop while it serves updates; use Database.run."""


@contextmanager
def event_loop_work() -> Iterator[None]:
    """Mark the current task, and those it starts, as the bot's work on the event loop:
    their sessions belong in Database.run."""
    token = _SERVING.set(True)
    try:
        yield
    finally:
        _SERVING.reset(token)


class Database:
    """Owns the engine; `session()` yields a session inside one transaction, `run()` runs one
    on the database thread (see storage.serial), after writing what `prelude` holds.

    `zone` is where weeks start, Monday 00:00: the answers that keep weekly totals and the
    tables that read them both take it from here, so they cannot disagree.
    """

    def __init__(self, url: str, *, echo: bool = False, zone: ZoneInfo = UTC_ZONE) -> None:
        self.url = url
        self.zone = zone
        self.engine: Engine = create_engine(url, echo=echo, **_engine_options(url))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, info={_ZONE: zone})
        self._thread: SerialThread | None = None
        self.prelude: Prelude | None = None

    async def run(self, work: Callable[[Session], T]) -> T:
        """`work` in one transaction on the database thread; the event loop goes on meanwhile."""
        if self._thread is None:
            self._thread = SerialThread(self._together)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._thread.submit(Job(work, _off_loop(), future))
        return await future

    def _together(self, group: list[Job]) -> list[Any]:
        """The works of a group in one transaction, after the prelude's writes: their results."""
        with ExitStack() as stack:
            write = stack.enter_context(self.prelude.taken()) if self.prelude else None
            session = stack.enter_context(self.session())  # commits when the block ends
            if write is not None:
                write(session)
            results = []
            for job in group:
                results.append(job.context.run(job.work, session))
                session.flush()  # what it changed on ORM objects, before the next one reads
            return results

    async def call_aside(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` on a thread of its own, for long work (a report, an import) that
        should not hold up the bot's other database work meanwhile."""
        return await _on_thread(None, function, *args)

    @classmethod
    def open(cls, url: str, *, migrate: bool = False, zone: ZoneInfo = UTC_ZONE) -> Database:
        """Connect and check the schema (see ensure_schema); one clear line if either fails."""
        with unavailable(url):
            db = cls(url, zone=zone)
            try:
                ensure_schema(db.engine, migrate=migrate, zone=zone)
            except Exception:
                db.dispose()
                raise
        return db

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on error."""
        if _SERVING.get():
            _on_loop()
        with self._sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        """Close the database thread (its work done) and every pooled connection."""
        if self._thread is not None:
            self._thread.stop()
            self._thread = None
        self.engine.dispose()


def _on_loop() -> None:
    if ON_LOOP == "raise":
        raise DatabaseOnLoop("a database session on the event loop: use `await db.run(...)`")
    log.warning("a database session on the event loop", stack_info=True)


def zone_of(session: Session) -> ZoneInfo:
    """The time zone of the database the session belongs to (see Database)."""
    return cast(ZoneInfo, session.info[_ZONE])


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # The bot's handlers and the CLI may touch the file from different threads.
        return {"connect_args": {"check_same_thread": False, "timeout": 15}}
    return {"pool_pre_ping": True}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (CLI leaderboard) run while the bot writes; the busy timeout
    # makes a second writer wait instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def insert_ignore(session: Session, model: type[Base], values: dict[str, Any]) -> Any | None:
    """INSERT that does nothing on a unique-key clash; the new row's key, None if it clashed.

    One statement, so two processes racing on the same row cannot both win.
    """
    statement = _ignoring_insert(session.get_bind().dialect.name, model)
    rows = prepared.execute(session, statement, values)
    return rows[0][0] if rows else None


def insert_many_ignore(
    session: Session, model: type[Base], rows: list[dict[str, Any]]
) -> list[Any]:
    """Insert the rows whose unique keys are new, in one statement; their primary keys."""
    if not rows:
        return []
    statement = _ignoring_insert(session.get_bind().dialect.name, model)
    return list(session.execute(statement, rows[0] if len(rows) == 1 else rows).scalars())


@functools.cache
def _ignoring_insert(dialect: str, model: type[Base]) -> Any:
    # Built once per table: this runs for every answer and every batch of updates.
    table = table_of(model)
    upserting = upserting_insert(dialect, table)
    # Elsewhere the unique constraint raises instead.
    statement = upserting.on_conflict_do_nothing() if upserting is not None else insert(table)
    # RETURNING tells reliably which rows went in; rowcount is not portable here.
    return statement.returning(*table.primary_key)


def upserting_insert(dialect: str, table: Table) -> Any | None:
    """The dialect's INSERT that knows ON CONFLICT (SQLite, PostgreSQL), else None."""
    inserts = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
    return inserts[dialect](table) if dialect in inserts else None


def table_of(model: type[Base]) -> Table:
    """The Core table of a model."""
    return model.__table__  # type: ignore[return-value]  # declarative models have one


class DatabaseUnavailable(Exception):
    """The database cannot be reached or set up; the message is meant for people."""


@contextmanager
def unavailable(url: str) -> Iterator[None]:
    """Turn any database error inside into DatabaseUnavailable with one clear line."""
    try:
        yield
    except SQLAlchemyError as error:
        raise DatabaseUnavailable(
            f"cannot open the database {safe_url(url)}: {reason(error)}"
        ) from None


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return "(unparseable URL)"


def reason(error: SQLAlchemyError) -> str:
    """The driver's own first line, without SQLAlchemy's long background notes."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else error.__class__.__name__
