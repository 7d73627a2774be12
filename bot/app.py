"""The application factory: one place that wires settings, database and handlers."""

from __future__ import annotations

import logging

from telegram import BotCommand
from telegram.ext import Application, Defaults

from bot import texts
from bot.context import CONTEXT_TYPES, QuizApplication
from bot.handlers import banks, errors, fallback, quiz, scores, start, upload
from bot.library import import_directory
from bot.settings import Settings
from storage.db import Database

log = logging.getLogger(__name__)

# Order matters: the first matching handler wins, so the catch-alls come last.
FEATURES = (start, quiz, banks, scores, upload, errors, fallback)


def build_application(settings: Settings, db: Database) -> QuizApplication:
    """Build the bot's Application (not started) for these settings and database."""
    application: QuizApplication = (
        Application.builder()
        .token(settings.require_token())
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .context_types(CONTEXT_TYPES)
        .defaults(Defaults(do_quote=False))
        .post_init(_announce_commands)
        .build()
    )
    application.bot_data.settings = settings
    application.bot_data.db = db
    for feature in FEATURES:
        feature.register(application)
    return application


def prepare(settings: Settings) -> QuizApplication:
    """Open the database, load the banks folder into it, and build the application."""
    db = Database.open(settings.database_url)
    results, errors = import_directory(db, settings.questions_dir)
    log.info(
        "%d bank(s) ready from %s, %d skipped", len(results), settings.questions_dir, len(errors)
    )
    return build_application(settings, db)


async def _announce_commands(application: QuizApplication) -> None:
    # Telegram shows these in the command menu.
    await application.bot.set_my_commands(
        [BotCommand(name, description) for name, description in texts.COMMANDS]
    )
