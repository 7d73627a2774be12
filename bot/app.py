"""The application factory: one place that wires settings, database and handlers."""

from __future__ import annotations

import logging
from typing import cast

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, Defaults

from bot import delivery, languages, menus
from bot.context import CONTEXT_TYPES, QuizApplication
from bot.delivery import DeliveryMarks
from bot.fairness import FairUpdateProcessor, shedding
from bot.flood import FloodLimiter
from bot.handlers import (
    banks,
    drafts,
    editing,
    errors,
    fallback,
    groups,
    mybanks,
    progress,
    quiz,
    remind,
    results,
    review,
    roles,
    scores,
    start,
    typed,
    upload,
    weblink,
)
from bot.i18n import Language
from bot.library import import_directory
from bot.settings import Settings
from bot.transport import CONNECTIONS, AiohttpRequest
from bot.updates import DurableApplication, DurableBot, replay_unhandled
from storage.db import Database, event_loop_work

log = logging.getLogger(__name__)

# Order matters: the first matching handler wins, so the catch-alls come last.
FEATURES = (
    languages,  # first: every update's language, before any handler speaks
    start,
    mybanks,
    roles,
    weblink,
    groups,  # before quiz: /quiz and /stop in groups run live rounds
    quiz,
    review,
    progress,
    remind,
    drafts,
    editing,
    typed,
    banks,
    scores,
    results,
    upload,
    errors,
    fallback,
)
# Updates of different chats are handled side by side, each chat's in order (bot.fairness).
CONCURRENT_UPDATES = 32
POOL_TIMEOUT = 10.0  # seconds a send may wait for a free connection under load


def build_application(settings: Settings, db: Database) -> QuizApplication:
    """Build the bot's Application (not started) for these settings and database."""
    marks = DeliveryMarks()
    db.prelude = marks  # every transaction of the database thread writes them first
    bot = DurableBot(
        settings.require_token(),
        base_url=settings.api_url,
        base_file_url=settings.file_url,
        # Every text of bot/texts.py is HTML, each value escaped there (a bank's own words in a
        # poll are sent as written: bot.delivery.ask).
        defaults=Defaults(do_quote=False, parse_mode=ParseMode.HTML),
        rate_limiter=FloodLimiter() if settings.rate_limit else None,
        request=AiohttpRequest(CONNECTIONS, pool_timeout=POOL_TIMEOUT),
        get_updates_request=AiohttpRequest(),
        inbox_db=db,
        marks=marks,
    )
    processor = FairUpdateProcessor(CONCURRENT_UPDATES)
    # The builder's generics cannot follow application_class(); the types below are ours.
    application = cast(
        "QuizApplication",
        Application.builder()
        .application_class(DurableApplication)
        .bot(bot)
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(processor)
        .post_init(_on_start)
        .post_stop(_on_stop)
        .build(),
    )
    application.bot_data.settings = settings
    application.bot_data.db = db
    application.bot_data.marks = marks

    async def language_of(update: Update) -> Language:
        context = CONTEXT_TYPES.context.from_update(update, application)
        return await languages.language_of_update(update, context)

    processor.on_shed = shedding(bot, db, marks, language_of)
    for feature in FEATURES:
        feature.register(application)
    return application


def prepare(settings: Settings, *, migrate: bool = False) -> QuizApplication:
    """Open the database, load the banks folder into it, and build the application."""
    db = Database.open(settings.database_url, migrate=migrate, zone=settings.zone)
    results, errors = import_directory(db, settings.questions_dir)
    log.info(
        "%d bank(s) ready from %s, %d skipped", len(results), settings.questions_dir, len(errors)
    )
    return build_application(settings, db)


async def _on_start(application: QuizApplication) -> None:
    with event_loop_work():
        await _start(application)


async def _start(application: QuizApplication) -> None:
    db = application.bot_data.db
    await menus.set_menus(application.bot, application.bot_data.settings, db)
    # Finish what the last run left undone, before any new update is fetched.
    await replay_unhandled(application, db)
    owed = await delivery.deliver_owed(application.bot, db, application.bot_data.clock)
    if owed:
        log.info("delivered %d message(s) owed since the last stop", owed)
    # Rounds go on where they were; a question whose time ran out meanwhile closes at once.
    resumed = await application.bot_data.rounds.resume(application.bot, db)
    if resumed:
        log.info("resumed %d group round(s)", resumed)
    # Reminders whose minute passed while the bot was down go out now, then each at its minute.
    application.bot_data.reminders.start(application.bot, db, application.bot_data.clock)


async def _on_stop(application: QuizApplication) -> None:
    with event_loop_work():
        marks, db = application.bot_data.marks, application.bot_data.db
        if marks.pending:  # delivered but not yet written: write them, or they are sent again
            await db.run(lambda session: None)  # every transaction writes them first
        # Round timers would keep a stopping bot busy for minutes: the next start resumes them.
        await application.bot_data.rounds.shutdown(db)
        await application.bot_data.reminders.shutdown(db)
