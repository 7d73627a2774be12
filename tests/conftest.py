"""Shared fixtures: a real SQLite file, the fake Bot API server and the real bot polling it."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from storage import db as database
from storage.db import Database
from tests.clocks import ManualClock
from tests.databases import BACKENDS, fresh_database
from tests.fakebot import FakeTelegram
from tests.harness import BotRunner

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "questions"
TEACHER_ID = 9001
ADMIN_ID = 9000

# A database session opened on the event loop while the bot works there fails the test: the
# bot's database work belongs on its database thread (Database.run), never on the loop.
database.ON_LOOP = "raise"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a real SQLite file, and a real PostgreSQL schema when configured."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A fresh database with the schema in place."""
    database = Database.open(database_url)
    yield database
    database.dispose()


@pytest.fixture
def questions_dir(tmp_path: Path) -> Path:
    """A copy of the shipped banks, so tests may add files without touching the repo."""
    target = tmp_path / "questions"
    shutil.copytree(QUESTIONS, target)
    return target


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """The fake Bot API server; any call Telegram would refuse fails the test."""
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()
    assert not server.violations, "calls Telegram would refuse:\n" + "\n".join(server.violations)


@pytest.fixture
def settings(fake: FakeTelegram, database_url: str, questions_dir: Path) -> Settings:
    """Settings pointing the bot at the fake server and a fresh SQLite file."""
    return Settings(
        _env_file=None,
        token=fake.token,
        database_url=database_url,
        questions_dir=questions_dir,
        teachers=frozenset({TEACHER_ID}),
        admins=frozenset({ADMIN_ID}),
        # Telegram's send limits would make every test wait; the flood tests turn them on.
        rate_limit=False,
        api_url=fake.api_url,
        file_url=fake.file_url,
    )


@pytest.fixture
def clock() -> ManualClock:
    """A clock the test moves by hand: rounds, answers, reviews and reminders read it."""
    return ManualClock()


@pytest.fixture
async def clocked_bot(settings: Settings, clock: ManualClock) -> AsyncIterator[BotRunner]:
    """The real application on the manual clock (a module's `bot` may return it)."""
    runner = BotRunner(settings, clock)
    await runner.start()
    yield runner
    await runner.stop()


@pytest.fixture
async def bot(settings: Settings) -> AsyncIterator[BotRunner]:
    """The real application, polling the fake server over HTTP."""
    runner = BotRunner(settings)
    await runner.start()
    yield runner
    await runner.stop()
