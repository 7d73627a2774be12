"""Teachers add banks by sending files: YAML banks, Moodle GIFT or Aiken files, source texts."""

from __future__ import annotations

import functools
from pathlib import PurePath

from sqlalchemy.orm import Session
from telegram import Document, Update
from telegram.constants import ChatAction
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import problems, texts
from bot.access import is_admin, owns
from bot.context import Context, QuizApplication
from bot.handlers.common import remember, reply, teacher
from bot.library import attach_source, bank_language, import_bank, source_questions
from bot.reading import BANK_SUFFIXES, NotABank, TooSlow, Upload
from quiz.bank import MAX_BANK_BYTES, MAX_SOURCE_CHARS, BankError, read_source_text
from quiz.explain import Asked, source_passages
from storage import banks, drafts
from storage.banks import BankOwnedElsewhere
from storage.drafts import Waiting
from storage.models import BankRow

MOODLE_SUFFIXES = (".gift", ".txt")
SOURCE_SUFFIXES = (".txt", ".md")
MAX_PROBLEMS_SHOWN = 40
MAX_SOURCE_BYTES = 4 * MAX_SOURCE_CHARS  # UTF-8 needs at most 4 bytes a character


async def document(update: Update, context: Context) -> None:
    """A bank (YAML, GIFT, Aiken) to store whole, or the source text asked for by /source."""
    message, user = update.effective_message, update.effective_user
    if message is None or message.document is None or user is None:
        return
    await remember(update, context)
    doc = message.document
    name = doc.file_name or "file"
    suffix = PurePath(name).suffix.lower()
    if not await teacher(context, user.id):
        await reply(update, texts.upload_not_teacher())
        return
    if suffix not in BANK_SUFFIXES + MOODLE_SUFFIXES + SOURCE_SUFFIXES:
        await reply(update, texts.upload_wrong_type(name))
        return
    waits = await context.db.run(lambda session: drafts.waiting(session, user.id))
    if waits is not None and waits.what is Waiting.SOURCE and suffix in SOURCE_SUFFIXES:
        await _take_source_file(update, context, waits.bank_id, doc, name)
        return
    if suffix == ".md":
        await reply(update, texts.source_without_command(name))
        return
    data = await _download(update, doc, MAX_BANK_BYTES)
    if data is None:
        return
    upload = await read_upload(update, context, name, data)
    if upload is None:
        return
    try:
        result = await context.db.call_aside(
            functools.partial(
                import_bank,
                context.db,
                upload.bank,
                uploaded_by=user.id,
                replace_others=is_admin(context.settings, user.id),
                passages=upload.passages,
            )
        )
    except BankOwnedElsewhere:
        await reply(update, texts.upload_not_yours(upload.bank.id))
        return
    await reply(update, texts.upload_loaded(result))
    if upload.skipped:
        head = texts.conversion_skipped(name, len(upload.skipped))
        await _reply_lines(update, head, [problems.said(reason) for reason in upload.skipped])


async def _download(update: Update, doc: Document, limit: int) -> bytes | None:
    """The file's bytes; None (and a reply) when it is too large, checked before downloading."""
    if doc.file_size is not None and doc.file_size > limit:
        await reply(update, texts.upload_too_large(doc.file_size, limit))
        return None
    message = update.effective_message
    if message is not None:
        await message.reply_chat_action(ChatAction.TYPING)
    data = bytes(await (await doc.get_file()).download_as_bytearray())
    if len(data) > limit:
        await reply(update, texts.upload_too_large(len(data), limit))
        return None
    return data


async def read_upload(update: Update, context: Context, name: str, data: bytes) -> Upload | None:
    """The bank in a YAML, GIFT or Aiken file, read in the worker; None (problems replied)."""
    limit = context.settings.upload_time_limit
    try:
        return await context.bot_data.reader.read(name, data, limit)
    except BankError as error:
        await reply_problems(update, name, [problems.shown(p) for p in error.problems])
    except NotABank as error:
        await reply(update, str(error))
    except TooSlow:
        await reply(update, texts.upload_too_slow(name, limit))
    return None


async def reply_problems(update: Update, name: str, problems: list[str]) -> None:
    await _reply_lines(update, texts.upload_problems(name, len(problems)), problems)


async def _reply_lines(update: Update, head: str, lines: list[str]) -> None:
    """A heading and a bullet per line, the first MAX_PROBLEMS_SHOWN, in as many messages."""
    shown = lines[:MAX_PROBLEMS_SHOWN]
    if len(lines) > len(shown):
        shown.append(texts.more_lines(len(lines) - len(shown)))
    for chunk in texts.split_message(texts.bullets(head, shown).split("\n")):
        await reply(update, chunk)


async def source_command(update: Update, context: Context) -> None:
    """/source <bank-id>: the next .txt or .md file (or long pasted text) becomes that bank's
    source; /source alone, while a draft is open, the draft's."""
    user = update.effective_user
    if user is None:
        return
    await remember(update, context)
    if not await teacher(context, user.id):
        await reply(update, texts.teachers_only())
        return
    bank_id = context.args[0].strip().lower() if context.args else None

    def ask(session: Session) -> str:
        if bank_id is None:
            draft = drafts.draft_of(session, user.id)
            if draft is None:
                return texts.source_usage()
            drafts.wait_for(session, user.id, Waiting.SOURCE)
            return texts.draft_source_waiting(draft.title)
        bank = banks.get_bank(session, bank_id)
        if bank is None or bank.deleted_at is not None or not owns(context.settings, bank, user.id):
            return texts.not_your_bank(bank_id)
        drafts.wait_for(session, user.id, Waiting.SOURCE, bank_id)
        return texts.source_waiting(bank_id)

    await reply(update, await context.db.run(ask))


async def _take_source_file(
    update: Update, context: Context, bank_id: str | None, doc: Document, name: str
) -> None:
    data = await _download(update, doc, MAX_SOURCE_BYTES)
    if data is None:
        return
    # The same rules as a source file next to a bank: UTF-8, not empty, no control characters.
    text, problem = read_source_text(data, name)
    if text is None:
        await reply(update, texts.source_refused(problems.said(problem) if problem else name))
        return
    await take_source(update, context, bank_id, name, text)


async def take_source(
    update: Update, context: Context, bank_id: str | None, name: str, text: str
) -> None:
    """Make `text` (from the file `name`, or pasted) the source of a bank (bank_id) or of the
    teacher's draft (None); its title is the file's name without its suffix."""
    user = update.effective_user
    if user is None:
        return
    title = PurePath(name).stem[:200] or name
    if bank_id is None:

        def set_draft_source(session: Session) -> int | None:
            drafts.clear_wait(session, user.id)
            if not drafts.set_draft_source(session, user.id, title, text):
                return None
            draft = drafts.draft_of(session, user.id)
            return len(draft.questions) if draft is not None else 0

        questions = await context.db.run(set_draft_source)
        if questions is None:
            await reply(update, texts.no_draft())
        else:
            await reply(update, texts.draft_source_set(title, len(text), questions))
        return
    await _attach_to_bank(update, context, bank_id, name, text)


async def _attach_to_bank(
    update: Update, context: Context, bank_id: str, name: str, text: str
) -> None:
    user = update.effective_user
    if user is None:
        return

    def allowed(bank: BankRow) -> bool:
        return owns(context.settings, bank, user.id)

    def questions_of(session: Session) -> tuple[list[Asked], str | None] | None:
        drafts.clear_wait(session, user.id)
        asked = source_questions(session, bank_id, allowed)
        return None if asked is None else (asked, bank_language(session, bank_id))

    found_questions = await context.db.run(questions_of)
    if found_questions is None:
        await reply(update, texts.not_your_bank(bank_id))
        return
    # The source is read in the bank's language: its sentences, stop words and stems.
    questions, language = found_questions
    # A hostile source (every line matching every question) takes long to search: in the
    # worker, within the same time limit as a file of questions.
    limit = context.settings.upload_time_limit
    try:
        found = await context.bot_data.reader.run(
            source_passages, (text, questions, language), limit, name
        )
    except TooSlow:
        await reply(update, texts.upload_too_slow(name, limit))
        return
    title = PurePath(name).stem[:200] or name
    attached = await context.db.run(
        lambda session: attach_source(session, bank_id, title, text, found, allowed)
    )
    if attached is None:  # deleted, or given away, meanwhile
        await reply(update, texts.not_your_bank(bank_id))
    else:
        await reply(update, texts.source_attached(bank_id, name, attached))


def register(application: QuizApplication) -> None:
    """Add this module's handlers, and stop the worker reading uploads when the bot stops."""
    stopped = application.post_stop

    async def stop(bot: QuizApplication) -> None:
        try:
            if stopped is not None:
                await stopped(bot)
        finally:
            await bot.bot_data.reader.close()

    application.post_stop = stop
    application.add_handler(CommandHandler("source", source_command))
    # Private chats only: files members share in a group are not for the bot.
    application.add_handler(
        MessageHandler(filters.Document.ALL & filters.ChatType.PRIVATE, document)
    )
