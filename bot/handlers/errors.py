"""One place where unexpected errors are logged once and the user is told."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, NetworkError, TelegramError

from bot import i18n, texts
from bot.context import Context, QuizApplication
from bot.languages import language_of_update

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log the failure with its traceback, and apologise to the user when there is one."""
    error = context.error
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # Connection trouble is retried by polling itself; a line is enough.
        log.warning("network trouble: %s", error)
        return
    log.error("error while handling an update", exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            # The error may come before the update's language was set (or in another task).
            i18n.use(await language_of_update(update, context))
            await context.bot.send_message(update.effective_chat.id, texts.something_went_wrong())
        except TelegramError:
            log.warning("could not tell the user about the error")


def register(application: QuizApplication) -> None:
    """Install the error handler."""
    application.add_error_handler(on_error)
