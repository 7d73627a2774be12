"""The database schema's revision: find it, upgrade it, and refuse to run on the wrong one."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from storage.models import Base

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

# The newest revision, known without importing alembic (a third of a second at every start);
# tests/test_migrations.py checks it is the migrations' head.
HEAD = "0011_languages"

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Revisions whose schema `Base.metadata.create_all` made before there were migrations.
LEGACY = ("0001_initial", "0002_durable_updates")
VERSION_TABLE = "alembic_version"
UTC_ZONE = ZoneInfo("UTC")

log = logging.getLogger(__name__)
# Alembic's INFO lines ("Context impl SQLiteImpl", "Will assume non-transactional DDL", wrong
# here) would greet every start; the upgrades that happen are logged below instead.
logging.getLogger("alembic").setLevel(logging.WARNING)


class SchemaOutdated(Exception):
    """The database schema is not the one this version needs; the message says what to do."""


def alembic_config(connection: Connection | None = None, zone: ZoneInfo = UTC_ZONE) -> Config:
    """The alembic configuration, built in code, running on `connection`.

    `zone` is where weeks start: revisions that back-fill weekly totals need it.
    """
    from alembic.config import Config

    config = Config(attributes={"connection": connection, "zone": zone})
    # The ini parser interpolates values: a literal % in the path must be doubled.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    return config


def _command() -> Any:
    """alembic.command, imported when the schema really changes."""
    from alembic import command

    return command


@cache
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision this version of quizbot knows."""
    head = _scripts().get_current_head()
    assert head is not None, "storage/migrations holds no revision"
    return head


def known_revisions() -> set[str]:
    """Every revision this version of quizbot knows."""
    return {script.revision for script in _scripts().walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The database's revision; None when it has none (empty, or made before migrations)."""
    with engine.connect() as connection:
        return _current(connection)


def upgrade(engine: Engine, revision: str = "head", *, zone: ZoneInfo = UTC_ZONE) -> None:
    """Upgrade the database to `revision`, adopting a database made before migrations."""
    with _migrating(engine) as connection:
        _adopt_legacy(connection)
        _command().upgrade(alembic_config(connection, zone), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Downgrade the database to `revision` ("base" drops every table)."""
    with _migrating(engine) as connection:
        _command().downgrade(alembic_config(connection), revision)


def ensure_schema(engine: Engine, *, migrate: bool, zone: ZoneInfo = UTC_ZONE) -> None:
    """Create the schema in an empty database; upgrade an older one only when `migrate`."""
    if _at_head(engine):
        return
    with _migrating(engine) as connection:
        current = _adopt_legacy(connection)
        if current is None:
            log.info("creating the database schema at %s", HEAD)
            _create_at_head(connection)
            return
        head = head_revision()
        if current == head:
            return
        if current not in known_revisions():
            raise SchemaOutdated(
                f"the database schema is at revision {current}, which this version of quizbot"
                f" does not know (its newest is {head}): the bot is older than the database,"
                " so install the newer quizbot that upgraded it"
            )
        if not migrate:
            raise SchemaOutdated(
                f"the database schema is at revision {current} but this version needs {head}:"
                " run `quizbot db upgrade` (or start with `quizbot run --migrate`)"
            )
        log.info("upgrading the database schema from %s to %s", current, head)
        _command().upgrade(alembic_config(connection, zone), "head")


def _at_head(engine: Engine) -> bool:
    """Whether the database is at HEAD, read with one query and without alembic."""
    try:
        with engine.connect() as connection:
            version = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
            return version.scalars().all() == [HEAD]
    except SQLAlchemyError:  # no version table yet: the full check says what to do
        return False


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction, committed at the end, with other migrators locked out."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # pysqlite begins transactions only before INSERT/UPDATE/DELETE, so DDL would run
            # outside one; in its autocommit mode our own BEGIN makes the migration atomic.
            # IMMEDIATE takes the write lock at once: a second process waits its turn.
            raw: Any = connection.connection.driver_connection
            isolation, raw.isolation_level = raw.isolation_level, None
            # Batch migrations rebuild a table by copying it and dropping the original, which
            # enforced foreign keys forbid; the pragma only works outside a transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif connection.dialect.name == "postgresql":
            # Two processes starting at once must not both create the tables.
            connection.execute(text("SELECT pg_advisory_xact_lock(7362019)"))
        try:
            yield connection
            connection.commit()
        finally:
            connection.rollback()
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                raw.isolation_level = isolation


def _create_at_head(connection: Connection) -> None:
    """An empty database: the models' tables and triggers, stamped HEAD.

    Alembic's own recipe for a new database ("create_all, then stamp"), without importing
    alembic or replaying every migration: a new file is ready in a few hundredths of a second.
    tests/test_migrations.py checks the result equals what the migrations build.
    """
    Base.metadata.create_all(connection)
    connection.execute(
        text(
            f"CREATE TABLE {VERSION_TABLE} (version_num VARCHAR(32) NOT NULL,"
            f" CONSTRAINT {VERSION_TABLE}_pkc PRIMARY KEY (version_num))"
        )
    )
    connection.execute(text(f"INSERT INTO {VERSION_TABLE} VALUES (:head)"), {"head": HEAD})


def _current(connection: Connection) -> str | None:
    """The revision in the version table, as alembic reads it; None without one."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    versions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    match versions.all():
        case []:
            return None
        case [version]:
            return str(version)
        case several:
            raise SchemaOutdated(
                f"the database's {VERSION_TABLE} table names several revisions"
                f" ({', '.join(sorted(several))}): repair it by hand"
            )


def _adopt_legacy(connection: Connection) -> str | None:
    """The revision; a database made by create_all before migrations is stamped with its own."""
    current = _current(connection)
    if current is not None:
        return current
    tables = _tables(connection)
    if not tables:
        return None
    for revision in reversed(LEGACY):
        if tables == _legacy_tables(revision):
            log.info("the database predates migrations; its tables are revision %s", revision)
            _command().stamp(alembic_config(connection), revision)
            return revision
    raise SchemaOutdated(
        "the database has quizbot tables but no schema revision, and they match none this"
        f" version knows ({', '.join(sorted(tables))}): repair it by hand or use a new database"
    )


def _tables(connection: Connection) -> dict[str, frozenset[str]]:
    """Quizbot's tables in the database and their columns; other applications' are ignored."""
    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    ours = present & set(Base.metadata.tables)
    if present - ours:  # another application's tables, or ones only older revisions had
        ours |= present & set().union(*(_legacy_tables(revision) for revision in LEGACY))
    return {name: frozenset(c["name"] for c in inspector.get_columns(name)) for name in ours}


@cache
def _legacy_tables(revision: str) -> dict[str, frozenset[str]]:
    """The tables and columns of `revision`, found by migrating an in-memory database."""
    scratch = create_engine("sqlite://")
    try:
        with scratch.begin() as connection:
            _command().upgrade(alembic_config(connection), revision)
            inspector = inspect(connection)
            return {
                name: frozenset(column["name"] for column in inspector.get_columns(name))
                for name in inspector.get_table_names()
                if name != VERSION_TABLE
            }
    finally:
        scratch.dispose()
