"""A typed callback context that carries the bot's services (settings, database)."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.choices import Choices
from bot.delivery import DeliveryMarks
from bot.reading import UploadReader
from bot.reminders import Reminders
from bot.rounds import Rounds
from bot.settings import Settings
from bot.timers import RoundClock
from storage.db import Database


class BotData:
    """Services shared by every handler; filled in by `build_application`."""

    settings: Settings
    db: Database
    marks: DeliveryMarks  # shared with the bot, which writes them with each batch of updates

    def __init__(self) -> None:
        # Updates whose handler already marked them handled, in its own transaction.
        self.handled: set[int] = set()
        # Groups' live rounds: their timers and clock.
        self.rounds = Rounds()
        # Learners' daily reminders: one sweep a minute, on the same clock.
        self.reminders = Reminders()
        # Teachers' files are read in a worker process, started at the first one.
        self.reader = UploadReader()
        # The name this process last stored for each answering user: an answer stores it only
        # when it changed (one statement less per answer). Users are never deleted.
        self.names: dict[int, tuple[str, str | None]] = {}
        # The language chosen in each chat, read once (bot.languages).
        self.languages = Choices()

    @property
    def clock(self) -> RoundClock:
        """The bot's clock: rounds, answers, reviews and reminders all read it (tests move it)."""
        return self.rounds.clock


class Context(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler receives."""

    @property
    def db(self) -> Database:
        """The database."""
        return self.bot_data.db

    @property
    def settings(self) -> Settings:
        """The validated settings."""
        return self.bot_data.settings


CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotData)

QuizApplication = Application[ExtBot[int], Context, dict[Any, Any], dict[Any, Any], BotData, Any]
