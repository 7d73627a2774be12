"""Test databases: a real SQLite file always, and a real PostgreSQL when one is configured.

Set QUIZBOT_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run
every database test on PostgreSQL too; each test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError

PG_URL = os.environ.get("QUIZBOT_TEST_DATABASE_URL", "")


@cache
def postgres_unavailable() -> str | None:
    """Why the PostgreSQL variants cannot run, or None when they can."""
    if not PG_URL:
        return "QUIZBOT_TEST_DATABASE_URL is not set (PostgreSQL variants skipped)"
    engine = create_engine(PG_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return f"PostgreSQL at {make_url(PG_URL).render_as_string()} is not reachable: {error}"
    finally:
        engine.dispose()
    return None


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(
            postgres_unavailable() is not None, reason=postgres_unavailable() or ""
        ),
    ),
]


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of an empty database of this backend, removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'quizbot.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
