"""Each chat's chosen language is read once a minute at most, and a choice another process
made is seen within that minute."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.choices import FRESH_FOR, Choices
from bot.i18n import Language
from storage.db import Database
from storage.languages import choose_language

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_choice_made_elsewhere_is_seen_within_a_minute(db: Database) -> None:
    clock = Clock()
    choices = Choices(clock)
    assert await choices.of(db, 101) is None
    with db.session() as session:  # another process: this one's memory does not know
        choose_language(session, 101, "fa", NOW)
    clock.now += FRESH_FOR - 1
    assert await choices.of(db, 101) is None  # read less than a minute ago: no statement
    clock.now += 2
    assert await choices.of(db, 101) is Language.FA


async def test_a_choice_made_here_counts_at_once(db: Database) -> None:
    choices = Choices(Clock())
    assert await choices.of(db, 101) is None
    choices.remember(101, Language.RU)
    assert await choices.of(db, 101) is Language.RU
