"""Migrations: they build what the models describe, keep old data, go down, run from the CLI."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, bindparam, inspect, select, text
from sqlalchemy.types import TypeEngine

from storage import banks, quizzes, schema, scores
from storage.db import Database
from storage.models import Base, WeekPointCount
from storage.schema import SchemaOutdated, current_revision, downgrade, ensure_schema, upgrade
from tests import tallies
from tests.conftest import QUESTIONS
from tests.databases import BACKENDS, fresh_database
from tests.fakebot import FakeTelegram
from tests.harness import text_of

FIRST, HEAD = "0001_initial", schema.head_revision()
QUIZBOT = str(Path(sys.executable).with_name("quizbot"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database(backend: str, tmp_path: Path) -> Iterator[Database]:
    """An empty database, with the app's engine settings, not opened: no schema yet."""
    with fresh_database(backend, tmp_path) as url:
        database = Database(url)
        yield database
        database.dispose()


@pytest.fixture
def engine(database: Database) -> Engine:
    return database.engine


@contextmanager
def another_database(backend: str, directory: Path) -> Iterator[Database]:
    """A second empty database of the same backend."""
    directory.mkdir()
    with fresh_database(backend, directory) as url:
        database = Database(url)
        yield database
        database.dispose()


def describe(engine: Engine) -> dict[str, Any]:
    """The schema as the database reports it, comparable across two databases."""
    with engine.connect() as connection:
        inspector = inspect(connection)
        tables = {
            table: {
                "columns": sorted(
                    (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
                ),
                "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
                "foreign_keys": sorted(
                    (tuple(fk["constrained_columns"]), fk["referred_table"])
                    for fk in inspector.get_foreign_keys(table)
                ),
                "unique": sorted(
                    tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
                ),
                "indexes": sorted(
                    (
                        str(i["name"]),
                        tuple(map(str, i["column_names"])),
                        bool(i["unique"]),
                        str(i.get("column_sorting", "")),
                        " ".join(str(v) for k, v in i["dialect_options"].items() if "where" in k),
                    )
                    for i in inspector.get_indexes(table)
                ),
            }
            for table in inspector.get_table_names()
            if table != schema.VERSION_TABLE
        }
        # SQLite does not reflect DESC columns: its own index DDL shows them.
        triggers: list[tuple[str, ...]]
        if connection.dialect.name == "sqlite":
            indexes = sorted(
                connection.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                ).all()
            )
            triggers = sorted(
                tuple(row)
                for row in connection.exec_driver_sql(
                    "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
                )
            )
        else:
            indexes = []
            # Each test database is a schema of its own: its name is left out of the definitions.
            rows = connection.exec_driver_sql(
                "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid),"
                " pg_get_functiondef(t.tgfoid), n.nspname"
                " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
            )
            triggers = sorted(
                (name, table, trigger.replace(f"{space}.", ""), function.replace(f"{space}.", ""))
                for name, table, trigger, function, space in rows
            )
    return {"tables": tables, "index_sql": indexes, "triggers": triggers}


# Rows as the bot at revision 0001 wrote them, inserted with plain SQL (the models have moved on).
T = datetime(2025, 1, 1, 10, 0, tzinfo=UTC)
OLD_ROWS: dict[str, list[dict[str, Any]]] = {
    "users": [
        dict(id=101, first_name="Ann", username="ann", created_at=T, points=2, answered=2,
             correct=2, points_at=T + timedelta(minutes=5)),
        dict(id=102, first_name="Bob", username=None, created_at=T, points=1, answered=1,
             correct=1, points_at=T + timedelta(minutes=11)),
    ],
    "chats": [dict(id=101, type="private", title=None), dict(id=102, type="private", title=None)],
    "banks": [
        dict(id="demo", title="Demo", language="en", source_title="Notes", source_url=None,
             source_text="One is a number. Cats are animals.", content_hash="0" * 64,
             uploaded_by=None, question_count=2, created_at=T, updated_at=T),
    ],
    "questions": [
        dict(id=1, bank_id="demo", key="one", position=0, kind="true_false",
             text="Is one a number?", options=["True", "False"], correct=[0], explanation=None,
             passage="One is a number.", tags=[], retired=False),
        dict(id=2, bank_id="demo", key="cats", position=1, kind="choice", text="What are cats?",
             options=["Animals", "Numbers"], correct=[0], explanation="They are.",
             passage="Cats are animals.", tags=["cats"], retired=False),
    ],
    "quizzes": [
        dict(id=1, chat_id=101, user_id=101, bank_id="demo", status="finished", position=1,
             total=2, score=2, created_at=T, finished_at=T + timedelta(minutes=5)),
        dict(id=2, chat_id=102, user_id=102, bank_id="demo", status="active", position=1,
             total=2, score=1, created_at=T + timedelta(minutes=10), finished_at=None),
        dict(id=3, chat_id=101, user_id=101, bank_id="demo", status="stopped", position=0,
             total=2, score=0, created_at=T + timedelta(minutes=20),
             finished_at=T + timedelta(minutes=21)),
    ],
    "quiz_items": [
        dict(id=item, quiz_id=quiz, position=position, question_id=question, option_order=[0, 1],
             poll_id=f"p{item}", message_id=10 + item, sent_at=T + timedelta(minutes=item))
        for item, quiz, position, question in [
            (1, 1, 0, 1), (2, 1, 1, 2), (3, 2, 0, 1), (4, 2, 1, 2), (5, 3, 0, 1)
        ]
    ],
    "answers": [
        dict(id=1, item_id=1, user_id=101, question_id=1, chosen=[0], correct=True,
             answered_at=T + timedelta(minutes=3)),
        dict(id=2, item_id=2, user_id=101, question_id=2, chosen=[0], correct=True,
             answered_at=T + timedelta(minutes=5)),
        dict(id=3, item_id=3, user_id=102, question_id=1, chosen=[0], correct=True,
             answered_at=T + timedelta(minutes=11)),
    ],
    "scores": [
        dict(user_id=101, bank_id="demo", points=2, answered=2, correct=2,
             points_at=T + timedelta(minutes=5)),
        dict(user_id=102, bank_id="demo", points=1, answered=1, correct=1,
             points_at=T + timedelta(minutes=11)),
    ],
}  # fmt: skip
# Bind types as the old app's columns had them, so SQLite stores its own datetime format.
BIND_TYPES: dict[type, TypeEngine[Any]] = {datetime: sa.DateTime(timezone=True), list: sa.JSON()}


def insert(connection: Connection, table: str, **row: Any) -> None:
    """One row in plain SQL, as the old app's columns took it."""
    statement = text(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + name for name in row)})"
    ).bindparams(
        *(
            bindparam(name, type_=BIND_TYPES[type(value)])
            for name, value in row.items()
            if type(value) in BIND_TYPES
        )
    )
    connection.execute(statement, row)


def insert_old_rows(engine: Engine) -> None:
    with engine.begin() as connection:
        for table, rows in OLD_ROWS.items():
            for row in rows:
                insert(connection, table, **row)
        if connection.dialect.name == "postgresql":  # explicit ids leave the sequences behind
            for table in ("questions", "quizzes", "quiz_items", "answers"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100)")
                )


def old_snapshot(connection: Connection) -> dict[str, list[Any]]:
    """Every row of the first revision's tables, in its columns only."""
    return {
        table: list(
            connection.execute(text(f"SELECT {', '.join(rows[0])} FROM {table} ORDER BY 1, 2"))
        )
        for table, rows in OLD_ROWS.items()
    }


def make_legacy(engine: Engine, revision: str = FIRST) -> None:
    """The database as `create_all` left it before migrations: a revision's tables, no version."""
    upgrade(engine, revision)
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {schema.VERSION_TABLE}"))


def test_an_empty_database_migrates_to_exactly_what_the_models_describe(
    engine: Engine, backend: str, tmp_path: Path
):
    upgrade(engine)
    assert current_revision(engine) == HEAD
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    # compare_metadata overlooks index details (DESC, partial predicates): compare with a
    # database that create_all made from the models.
    with another_database(backend, tmp_path / "models") as models:
        Base.metadata.create_all(models.engine)
        assert describe(engine) == describe(models.engine)


def test_upgrading_keeps_the_first_revisions_data_and_marks_it_delivered(
    database: Database, engine: Engine
):
    upgrade(engine, FIRST)
    insert_old_rows(engine)
    with engine.connect() as connection:
        before = old_snapshot(connection)
    upgrade(engine)
    assert current_revision(engine) == HEAD
    with engine.connect() as connection:
        assert old_snapshot(connection) == before
        delivered = connection.execute(
            text("SELECT id, status, summary_sent_at, finished_at FROM quizzes ORDER BY id")
        ).all()
        answers = connection.execute(
            text("SELECT feedback_sent_at, answered_at FROM answers ORDER BY id")
        ).all()
    # Ended quizzes count as summed up when they ended; the running one's summary is to come.
    assert [status for _, status, _, _ in delivered] == ["finished", "active", "stopped"]
    for _, status, sent, finished in delivered:
        assert sent == (None if status == "active" else finished)
    assert all(sent is not None and sent == answered for sent, answered in answers)

    with database.session() as session:
        board = scores.leaderboard(session, user_id=102)
        assert [(e.rank, e.first_name, e.points) for e in board.top] == [
            (1, "Ann", 2),
            (2, "Bob", 1),
        ]
        assert board.me is not None and board.me.rank == 2
        stats = scores.user_stats(session, 101)
        assert stats is not None and (stats.points, stats.answered, stats.correct) == (2, 2, 2)
        assert [(b.bank_id, b.bank_title, b.points) for b in stats.banks] == [("demo", "Demo", 2)]
        # Banks from before owners and versions stay listed for everyone, as version 1.
        assert [(b.id, b.visibility) for b in banks.list_banks(session, 999)] == [
            ("demo", "public")
        ]
        demo = banks.get_bank(session, "demo")
        assert demo is not None and (demo.version, demo.deleted_at) == (1, None)
        # Nothing is owed: an upgraded bot does not send old feedback or summaries again.
        assert quizzes.feedback_owed(session) == []
        assert quizzes.summaries_owed(session) == []
        assert quizzes.questions_owed(session) == []
        running = quizzes.active_quiz(session, 102)
        assert running is not None and running.created_at == T + timedelta(minutes=10)
        view = quizzes.current_item(session, running)
        assert view is not None and quizzes.item_by_poll(session, "p4") == view


def test_downgrade_to_the_first_revision_and_to_nothing(
    engine: Engine, backend: str, tmp_path: Path
):
    with another_database(backend, tmp_path / "first") as first:
        upgrade(first.engine, FIRST)
        first_schema = describe(first.engine)
    upgrade(engine, FIRST)
    insert_old_rows(engine)
    with engine.connect() as connection:
        before = old_snapshot(connection)
    upgrade(engine)
    downgrade(engine, FIRST)
    assert current_revision(engine) == FIRST
    assert describe(engine) == first_schema  # SQLite rebuilt tables: indexes kept
    with engine.connect() as connection:
        assert old_snapshot(connection) == before
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert inspect(engine).get_table_names() == [schema.VERSION_TABLE]
    upgrade(engine)
    assert current_revision(engine) == HEAD


def test_the_head_known_without_alembic_is_the_migrations_head():
    assert schema.HEAD == HEAD, "set storage.schema.HEAD to the newest revision"


def test_ensure_schema_creates_an_empty_database_at_head(
    engine: Engine, backend: str, tmp_path: Path
):
    ensure_schema(engine, migrate=False)
    assert current_revision(engine) == HEAD
    ensure_schema(engine, migrate=False)  # and then has nothing to do
    # Made from the models, not by the migrations: it must be what the migrations make.
    with another_database(backend, tmp_path / "migrated") as migrated:
        upgrade(migrated.engine)
        assert describe(engine) == describe(migrated.engine)
        assert describe(engine)["triggers"]
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        version = connection.execute(text(f"SELECT version_num FROM {schema.VERSION_TABLE}"))
        assert version.scalars().all() == [HEAD]
    upgrade(engine)  # alembic takes the stamp as its own: nothing to do
    assert current_revision(engine) == HEAD
    downgrade(engine, FIRST)  # and goes down from it
    assert current_revision(engine) == FIRST


def test_several_revisions_in_the_version_table_are_refused(engine: Engine):
    ensure_schema(engine, migrate=False)
    with engine.begin() as connection:
        connection.execute(text(f"INSERT INTO {schema.VERSION_TABLE} VALUES ('0004_rounds')"))
    with pytest.raises(SchemaOutdated, match="several revisions"):
        ensure_schema(engine, migrate=True)


def test_ensure_schema_upgrades_an_older_database_only_when_asked(engine: Engine):
    upgrade(engine, FIRST)
    with pytest.raises(SchemaOutdated) as refused:
        ensure_schema(engine, migrate=False)
    assert str(refused.value) == (
        f"the database schema is at revision {FIRST} but this version needs {HEAD}:"
        " run `quizbot db upgrade` (or start with `quizbot run --migrate`)"
    )
    assert current_revision(engine) == FIRST
    ensure_schema(engine, migrate=True)
    assert current_revision(engine) == HEAD


def test_a_database_made_before_migrations_is_recognised_then_upgradable(engine: Engine):
    make_legacy(engine)
    with pytest.raises(SchemaOutdated, match=f"at revision {FIRST} but .*quizbot db upgrade"):
        ensure_schema(engine, migrate=False)
    assert current_revision(engine) is None  # a refusal writes nothing
    upgrade(engine)  # what `quizbot db upgrade` does
    assert current_revision(engine) == HEAD


@pytest.mark.parametrize("revision", schema.LEGACY)
def test_every_schema_create_all_made_is_recognised(engine: Engine, revision: str):
    make_legacy(engine, revision)
    upgrade(engine, revision)  # recognised as that revision: stamped, nothing to run
    assert current_revision(engine) == revision
    ensure_schema(engine, migrate=True)
    assert current_revision(engine) == HEAD


def test_ensure_schema_refuses_a_newer_database(engine: Engine):
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text(f"UPDATE {schema.VERSION_TABLE} SET version_num = '0099_future'"))
    with pytest.raises(SchemaOutdated, match=r"0099_future.*the bot is older than the database"):
        ensure_schema(engine, migrate=True)


def test_unrecognised_tables_are_refused_and_other_applications_tables_ignored(engine: Engine):
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE other_app (id INTEGER PRIMARY KEY)"))
    ensure_schema(engine, migrate=False)  # not ours: the database counts as empty
    assert current_revision(engine) == HEAD
    assert "other_app" in inspect(engine).get_table_names()
    downgrade(engine, "base")
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {schema.VERSION_TABLE}"))
        connection.execute(text("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)"))
    with pytest.raises(SchemaOutdated, match="match none"):
        ensure_schema(engine, migrate=True)


def test_database_open_checks_the_schema(database: Database, engine: Engine):
    upgrade(engine, FIRST)
    with pytest.raises(SchemaOutdated):
        Database.open(database.url)
    Database.open(database.url, migrate=True).dispose()
    assert current_revision(engine) == HEAD


def test_processes_starting_together_create_the_schema_once(database: Database, tmp_path: Path):
    # Processes, not threads: alembic's `context` and `op` are process-wide.
    env = {**os.environ, "PYTHONPATH": str(QUESTIONS.parent), "QUIZBOT_DATABASE_URL": database.url}
    starting = [
        subprocess.Popen(
            [QUIZBOT, "leaderboard"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for process in starting:
        out, err = process.communicate(timeout=60)
        assert (process.returncode, out, err) == (0, "Nobody has scored yet.\n", "")
    assert current_revision(database.engine) == HEAD


def quizbot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [QUIZBOT, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env, "PYTHONPATH": str(QUESTIONS.parent)},
        cwd=cwd,
        timeout=60,
    )


def outdated_sqlite(path: Path) -> str:
    url = f"sqlite:///{path}"
    database = Database(url)
    upgrade(database.engine, FIRST)
    insert_old_rows(database.engine)
    database.dispose()
    return url


def test_cli_refuses_an_outdated_database_and_upgrades_it(tmp_path: Path):
    env = {"QUIZBOT_TOKEN": "123:abc", "QUIZBOT_DATABASE_URL": outdated_sqlite(tmp_path / "q.db")}
    run = quizbot("run", env=env, cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr == (
        f"quizbot: the database schema is at revision {FIRST} but this version needs {HEAD}:"
        " run `quizbot db upgrade` (or start with `quizbot run --migrate`)\n"
    )
    assert quizbot("db", "current", env=env, cwd=tmp_path).stdout.startswith(f"{FIRST} (")
    up = quizbot("db", "upgrade", env=env, cwd=tmp_path)
    assert up.returncode == 0, up.stderr
    assert up.stdout == f"Upgraded the database schema from {FIRST} to {HEAD} (head).\n"
    again = quizbot("db", "upgrade", env=env, cwd=tmp_path)
    assert again.stdout == f"The database schema is already at {HEAD} (head).\n"
    current = quizbot("db", "current", env=env, cwd=tmp_path)
    assert (current.returncode, current.stdout) == (0, f"{HEAD} (head)\n")
    unknown = quizbot("db", "upgrade", "--revision", "nonsense", env=env, cwd=tmp_path)
    assert unknown.returncode == 2 and "nonsense" in unknown.stderr
    assert "Traceback" not in run.stderr + up.stderr + unknown.stderr


async def test_quizbot_run_migrate_upgrades_and_resends_nothing_old(
    fake: FakeTelegram, tmp_path: Path
):
    env = {
        **os.environ,
        "PYTHONPATH": str(QUESTIONS.parent),
        "QUIZBOT_TOKEN": fake.token,
        "QUIZBOT_API_URL": fake.api_url,
        "QUIZBOT_FILE_URL": fake.file_url,
        "QUIZBOT_DATABASE_URL": outdated_sqlite(tmp_path / "bot.db"),
        "QUIZBOT_QUESTIONS_DIR": str(QUESTIONS),
    }
    log = tmp_path / "bot.log"
    with log.open("w") as sink:
        process = await asyncio.create_subprocess_exec(
            QUIZBOT, "run", "--migrate", env=env, cwd=tmp_path, stdout=sink, stderr=sink
        )
    try:
        ann = fake.user(101, "Ann")
        ann.send("/score")
        reply = await fake.wait_for("sendMessage", chat_id=ann.id, timeout=30)
        assert "Points: <b>2</b>" in text_of(reply)
    finally:
        process.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(process.wait(), 30)
    output = log.read_text()
    assert code == 0, output
    assert f"upgrading the database schema from {FIRST} to {HEAD}" in output
    # Old answers and quizzes count as delivered: the only message is the reply to /score.
    assert len(fake.calls_to("sendMessage")) == 1, output
    assert fake.calls_to("sendPoll") == []
    database = Database(env["QUIZBOT_DATABASE_URL"])
    assert current_revision(database.engine) == HEAD
    database.dispose()


def test_0007_back_fills_this_weeks_and_the_groups_totals_from_the_answers(
    database: Database, engine: Engine, backend: str, tmp_path: Path
):
    # The week turns at Monday 00:00 in Berlin: answers either side of it, in a group's rounds
    # and a solo quiz, are counted into the totals the bot keeps from then on.
    zone = ZoneInfo("Europe/Berlin")
    now = datetime.now(UTC)
    since = scores.week_start(now, zone).astimezone(UTC)
    last_week, this_week = since - timedelta(hours=1), since + (now - since) / 2
    upgrade(engine, FIRST)
    insert_old_rows(engine)
    upgrade(engine, "0006_round_leases")
    with engine.begin() as connection:
        insert(connection, "chats", id=-500, type="supergroup", title="Class")
        for quiz, chat, kind, at in [
            (10, -500, "round", last_week),
            (11, -500, "round", this_week),
            (12, 102, "solo", this_week),
        ]:
            insert(
                connection,
                "quizzes",
                id=quiz,
                chat_id=chat,
                user_id=101,
                bank_id="demo",
                status="finished",
                kind=kind,
                position=2,
                total=2,
                score=0,
                created_at=at,
            )
            for position in (0, 1):
                insert(
                    connection,
                    "quiz_items",
                    id=10 * quiz + position,
                    quiz_id=quiz,
                    position=position,
                    question_id=1 + position,
                    option_order=[0, 1],
                )
        for n, (item, user, correct, points, at) in enumerate([
            (100, 101, True, 900, last_week),
            (101, 101, True, 1000, last_week),
            (100, 102, True, 800, last_week),
            (110, 102, True, 1000, this_week),
            (110, 101, False, 0, this_week),
            (111, 102, False, 0, this_week),
            (111, 101, True, 700, this_week),
            (120, 102, True, 1, this_week),
            (121, 102, True, 1, this_week),
        ]):  # fmt: skip
            insert(connection, "answers", id=10 + n, item_id=item, user_id=user,
                   question_id=1 + item % 10, chosen=[0], correct=correct, points=points,
                   answered_at=at + timedelta(seconds=n))  # fmt: skip
    upgrade(engine, zone=zone)

    migrated = Database(database.url, zone=zone)
    try:
        with migrated.session() as session:
            assert tallies.assert_kept_equals_counted(session, week_of=now) == [(102, 3), (101, 1)]
            group = tallies.assert_kept_equals_counted(session, chat_id=-500, week_of=now)
            assert group == [(102, 1000), (101, 700)]
            assert tallies.assert_kept_equals_counted(session, chat_id=-500) == [
                (101, 2600),
                (102, 1800),
            ]
            tallies.assert_kept_equals_counted(session, bank_id="demo", week_of=now)
            monday = scores.monday_of(now, zone)
            counts = select(WeekPointCount.week, WeekPointCount.points, WeekPointCount.users)
            assert sorted(session.execute(counts).all()) == [(monday, 1, 1), (monday, 3, 1)]
            # From here the bot keeps them, and the triggers the counts.
            quizzes.add_points(session, user_id=101, bank_id="demo", points=1, now=now)
            in_use = counts.where(WeekPointCount.users > 0)
            assert sorted(session.execute(in_use).all()) == [(monday, 2, 1), (monday, 3, 1)]
            me = scores.leaderboard(session, week_of=now, user_id=101).me
            assert me is not None and (me.rank, me.points) == (2, 2)
    finally:
        migrated.dispose()

    # Down again: exactly the schema 0006 made (no table rebuilt, no index or trigger lost).
    downgrade(engine, "0006_round_leases")
    with another_database(backend, tmp_path / "at-0006") as at_0006:
        upgrade(at_0006.engine, "0006_round_leases")
        assert describe(engine) == describe(at_0006.engine)
