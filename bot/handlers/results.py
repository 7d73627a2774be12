"""Class results for a bank's teacher: /report (text and chart) and /export (CSV)."""

from __future__ import annotations

import asyncio
import io
import tempfile
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session
from telegram import Update
from telegram.constants import ChatAction, ChatType
from telegram.ext import CommandHandler

from bot import texts
from bot.access import owns
from bot.charts import accuracy_chart
from bot.context import Context, QuizApplication
from bot.exporting import write_csv
from bot.handlers.common import reply, teacher_sender
from storage import banks
from storage.db import Database
from storage.reports import BankReport, bank_report, export_rows

# Bots may send files up to 50 MB (Bot API, "Sending files").
DOCUMENT_LIMIT = 50 * 1000 * 1000


@dataclass(frozen=True)
class OwnBank:
    """A bank the caller may see the results of."""

    id: str
    title: str


@dataclass(frozen=True)
class CsvExport:
    """A bank's answers as a CSV file."""

    answers: int
    size: int  # bytes
    data: bytes | None  # None: too big to send


async def report_command(update: Update, context: Context) -> None:
    """/report <bank-id>: learners, attempts, average, each question hardest first, a chart."""
    bank, message = await _own_bank(update, context, "report"), update.effective_message
    if bank is None or message is None:
        return
    await message.reply_chat_action(ChatAction.TYPING)
    # Off the event loop: a bank with many answers takes a moment to add up and to draw.
    now = context.bot_data.clock.now()
    report = await context.db.call_aside(_read_report, context.db, bank.id, now)
    if not report.stats.attempts:
        await reply(update, texts.results_none_yet(bank.id, bank.title))
        return
    for chunk in texts.split_message(texts.report_lines(bank.id, bank.title, report)):
        await reply(update, chunk)
    if report.answered:
        await message.reply_chat_action(ChatAction.UPLOAD_PHOTO)
        chart = await asyncio.to_thread(accuracy_chart, report)
        await message.reply_photo(chart, caption=texts.report_chart_caption(bank.title))


async def export_command(update: Update, context: Context) -> None:
    """/export <bank-id>: every answer to the bank as a CSV file, in a private chat only."""
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        # The file names every learner: it is not for the whole group to download.
        await reply(update, texts.export_in_private())
        return
    bank, message = await _own_bank(update, context, "export"), update.effective_message
    if bank is None or message is None:
        return
    await message.reply_chat_action(ChatAction.UPLOAD_DOCUMENT)
    export = await context.db.call_aside(_export_csv, context.db, bank.id)
    if not export.answers:
        await reply(update, texts.results_none_yet(bank.id, bank.title))
    elif export.data is None:
        await reply(update, texts.export_too_large(bank.id, export.size, DOCUMENT_LIMIT))
    else:
        await message.reply_document(
            export.data,
            filename=f"{bank.id}-answers.csv",
            caption=texts.export_caption(bank.id, export.answers),
        )


async def _own_bank(update: Update, context: Context, command: str) -> OwnBank | None:
    """The bank the command's argument names, if the sender owns it or is an admin.

    Another teacher, and an unknown or deleted id, get the same answer: no bank's existence
    leaks. Learners hear that results are for teachers, whatever the id.
    """
    user_id = await teacher_sender(update, context)
    if user_id is None:
        return None
    if not context.args:
        await reply(update, texts.results_usage(command))
        return None
    bank_id = context.args[0].strip().lower()

    def find(session: Session) -> OwnBank | None:
        row = banks.get_bank(session, bank_id)
        if row is None or row.deleted_at is not None or not owns(context.settings, row, user_id):
            return None
        return OwnBank(row.id, row.title)

    bank = await context.db.run(find)
    if bank is None:
        await reply(update, texts.not_your_bank(bank_id))
    return bank


def _read_report(db: Database, bank_id: str, now: datetime) -> BankReport:
    with db.session() as session:
        return bank_report(session, bank_id, now)


def _export_csv(db: Database, bank_id: str) -> CsvExport:
    # Spooled to disk past a megabyte: a big bank's file is held in memory only once, to send.
    with tempfile.SpooledTemporaryFile(max_size=1_000_000) as spool:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        with db.session() as session:
            answers = write_csv(export_rows(session, bank_id), text)
        text.flush()
        size = spool.tell()
        text.detach()  # the spool closes itself, once
        if size > DOCUMENT_LIMIT:
            return CsvExport(answers, size, None)
        spool.seek(0)
        return CsvExport(answers, size, spool.read())


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("report", report_command))
    application.add_handler(CommandHandler("export", export_command))
