"""Banks built in chat: /newbank, quiz polls and Aiken text as questions, /done and /cancel.

The draft lives in the database (storage.drafts), so the teacher's next message may reach any
process, after any restart. Saving it goes the way of an uploaded file: the whole bank is
written out and read in the upload worker, so the same checks apply and nothing half-made is
stored.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks, i18n, texts
from bot.access import person
from bot.callbacks import Action
from bot.context import Context, QuizApplication
from bot.handlers import editing, fallback
from bot.handlers.common import in_group, note_sender, reply, teacher
from bot.handlers.upload import read_upload, take_source
from bot.library import import_bank
from bot.problems import shown
from bot.reading import TooSlow
from quiz.bank import MAX_TITLE_CHARS
from quiz.convert import to_yaml
from quiz.drafting import proposed_questions
from quiz.explain import clip
from quiz.polls import (
    Made,
    PollData,
    Refusal,
    bank_id_for,
    looks_like_aiken,
    question_from_poll,
    questions_from_aiken,
)
from storage import banks, drafts
from storage.drafts import Waiting

PROPOSALS = 20  # questions /draft proposes at most
MIN_PASTED_SOURCE = 200  # characters: shorter pasted text is a question, not a source


async def newbank_command(update: Update, context: Context) -> None:
    """/newbank <title>: open a draft bank in this private chat."""
    user = person(update)
    if user is None:
        return
    if in_group(update):
        await reply(update, texts.newbank_in_private())
        return
    # A bank's title is 200 characters at most: a longer one is cut on a word, marked "…".
    title = clip(" ".join(context.args or []).strip(), MAX_TITLE_CHARS)
    if not await teacher(context, user.id):
        await reply(update, texts.teachers_only())
        return
    if not title:
        await reply(update, texts.newbank_usage())
        return

    def open_draft(session: Session) -> str:
        note_sender(session, update)
        if drafts.open_draft(session, user.id, title, i18n.current().value):
            return texts.newbank_started(title)
        draft = drafts.draft_of(session, user.id)
        assert draft is not None
        return texts.draft_already_open(draft.title, len(draft.questions))

    await reply(update, await context.db.run(open_draft))


async def poll_received(update: Update, context: Context) -> None:
    """A poll sent in private: a question for the open draft, or why not."""
    message, user = update.effective_message, person(update)
    if message is None or message.poll is None or user is None:
        return
    if not await teacher(context, user.id):
        await reply(update, texts.poll_for_teachers())
        return
    poll = message.poll
    data = PollData(
        question=poll.question,
        options=[option.text for option in poll.options],
        quiz=poll.type == poll.QUIZ,
        correct=list(poll.correct_option_ids or ()),
        explanation=poll.explanation,
    )
    await _add(update, context, lambda taken: question_from_poll(data, taken))


async def text_received(update: Update, context: Context) -> None:
    """Plain text in private when no typed question waits: a pasted source, Aiken questions
    for the open draft, or the usual hint."""
    message, user = update.effective_message, person(update)
    if message is None or message.text is None or user is None:
        return
    text = message.text

    def state(session: Session) -> tuple[drafts.WaitState | None, bool]:
        return drafts.waiting(session, user.id), drafts.draft_of(session, user.id) is not None

    waits, drafting = await context.db.run(state)
    if waits is not None and waits.what is Waiting.SOURCE:
        if len(text) < MIN_PASTED_SOURCE:
            await reply(update, texts.source_too_short(len(text), MIN_PASTED_SOURCE))
            return
        await take_source(update, context, waits.bank_id, texts.pasted_source_title(), text)
        return
    replacing = waits is not None and waits.what is Waiting.REPLACE
    if (drafting or replacing) and looks_like_aiken(text):
        await _add(update, context, lambda taken: questions_from_aiken(text, taken))
    elif replacing:
        await reply(update, texts.replace_help())
    elif drafting:
        await reply(update, texts.draft_text_help())
    else:
        await fallback.anything_else(update, context)


async def _add(
    update: Update, context: Context, make: Callable[[set[str]], Made | Refusal]
) -> None:
    """Add the questions `make(taken ids)` gives to the draft, or say why none were."""
    user = person(update)
    if user is None:
        return
    waits = await context.db.run(lambda session: drafts.waiting(session, user.id))
    if waits is not None and waits.what is Waiting.REPLACE:  # /edit's Replace comes first
        await editing.replace_question(update, context, waits, make(set()))
        return

    def add(session: Session) -> tuple[Made | Refusal | None, int]:
        draft = drafts.draft_of(session, user.id)
        if draft is None:
            return None, 0
        made = make({q["id"] for q in draft.questions})
        if isinstance(made, Made) and made.questions:
            count = drafts.add_questions(session, user.id, made.questions) or 0
            return made, count
        return made, len(draft.questions)

    made, count = await context.db.run(add)
    if made is None:
        await reply(update, texts.poll_without_draft())
    elif made is Refusal.NOT_A_QUIZ:
        await reply(update, texts.poll_not_a_quiz())
    elif made is Refusal.ANSWER_HIDDEN:
        await reply(update, texts.poll_answer_hidden())
    elif isinstance(made, Made):
        await _confirm(update, made, count)


async def _confirm(update: Update, made: Made, count: int) -> None:
    first = count - len(made.questions) + 1
    for number, question in enumerate(made.questions, first):
        undo = InlineKeyboardButton(
            texts.undo_button(), callback_data=callbacks.encode(Action.UNDO, question["id"])
        )
        await reply(
            update,
            texts.question_added(number, question["question"]),
            InlineKeyboardMarkup([[undo]]),
        )
    if made.problems:
        await reply(update, texts.questions_refused([shown(p) for p in made.problems]))


async def undo_button(update: Update, context: Context) -> None:
    """Undo under an added question: take it out of the draft (only its teacher's draft)."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    pressed = callbacks.decode(query.data)
    question_id = (pressed.text(0) if pressed is not None else None) or ""
    removed = await context.db.run(
        lambda session: drafts.remove_question(session, query.from_user.id, question_id)
    )
    await query.answer(texts.already_undone() if removed is None else None)
    if removed is not None and isinstance(query.message, Message):
        await query.edit_message_text(texts.question_undone(removed))


async def _sender_draft(
    update: Update, context: Context
) -> tuple[User | None, drafts.DraftState | None]:
    """The sender and their open draft; a sender with none is told so."""
    user = person(update)
    if user is None:
        return None, None
    draft = await context.db.run(lambda session: drafts.draft_of(session, user.id))
    if draft is None:
        await reply(update, texts.no_draft())
    return user, draft


async def draft_command(update: Update, context: Context) -> None:
    """/draft: questions proposed from the open bank's source, each with Keep and Drop."""
    user, draft = await _sender_draft(update, context)
    if user is None or draft is None:
        return
    if not draft.source_text:
        await reply(update, texts.draft_needs_source())
        return
    limit = context.settings.upload_time_limit
    try:  # rules over a long text: in the worker, within the time limit of a file
        proposed = await context.bot_data.reader.run(
            proposed_questions, (draft.source_text, PROPOSALS, draft.language), limit, "/draft"
        )
    except TooSlow:
        await reply(update, texts.upload_too_slow(draft.source_title or "/draft", limit))
        return
    have = {q["id"] for q in draft.questions}
    fresh = [q for q in proposed if q["id"] not in have]
    await context.db.run(lambda session: drafts.propose(session, user.id, fresh))
    if not fresh:
        await reply(update, texts.proposals_intro(0))
        return
    # One message, edited to the next proposal at each Keep or Drop: one send, not twenty.
    first = texts.proposal(fresh[0], len(fresh) - 1)
    await reply(update, f"{texts.proposals_intro(len(fresh))}\n\n{first}", _keep_or_drop(fresh[0]))


def _keep_or_drop(question: dict[str, Any]) -> InlineKeyboardMarkup:
    question_id = str(question["id"])
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.keep_button(), callback_data=callbacks.encode(Action.KEEP, question_id)
                ),
                InlineKeyboardButton(
                    texts.drop_button(), callback_data=callbacks.encode(Action.DROP, question_id)
                ),
            ]
        ]
    )


async def proposal_button(update: Update, context: Context) -> None:
    """Keep or Drop under a proposed question: only its teacher's draft changes, and the
    message turns to the next proposal."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    pressed = callbacks.decode(query.data)
    question_id = (pressed.text(0) if pressed is not None else None) or ""
    keep = pressed is not None and pressed.action is Action.KEEP
    settled = await context.db.run(
        lambda session: drafts.settle_proposal(session, query.from_user.id, question_id, keep)
    )
    await query.answer(texts.already_settled() if settled is None else None)
    if settled is None or not isinstance(query.message, Message):
        return
    done = (texts.proposal_kept if keep else texts.proposal_dropped)(settled.question)
    markup = None
    if settled.following is None:
        text = f"{done}\n\n{texts.proposals_done(settled.questions)}"
    else:
        text = f"{done}\n\n{texts.proposal(settled.following, settled.left - 1)}"
        markup = _keep_or_drop(settled.following)
    await query.edit_message_text(text, reply_markup=markup)


async def done_command(update: Update, context: Context) -> None:
    """/done: save the draft as a private bank (version 1) and give its share links."""
    user, draft = await _sender_draft(update, context)
    if user is None or draft is None:
        return
    if not draft.questions:
        await reply(update, texts.draft_empty())
        return
    bank_id = await context.db.run(
        lambda session: bank_id_for(draft.title, lambda b: banks.get_bank(session, b) is not None)
    )
    name = f"{bank_id}.yaml"
    upload = await read_upload(update, context, name, to_yaml(_bank_file(bank_id, draft)).encode())
    if upload is None:
        return  # the problems were said; the draft stays open to be fixed
    result = await context.db.call_aside(
        functools.partial(
            import_bank, context.db, upload.bank, uploaded_by=user.id, passages=upload.passages
        )
    )

    def share(session: Session) -> str:
        drafts.drop_draft(session, user.id)
        bank = banks.get_bank(session, result.bank_id)
        assert bank is not None
        code = banks.share_code(session, bank)
        base = f"https://t.me/{context.bot.username}"
        links = (f"{base}?start={code}", f"{base}?startgroup={code}")
        return texts.draft_saved(result, links)

    await reply(update, await context.db.run(share))


def _bank_file(bank_id: str, draft: drafts.DraftState) -> dict[str, Any]:
    """The draft as a bank file: private, its source inline when it has one."""
    bank: dict[str, Any] = {"bank": 1, "id": bank_id, "title": draft.title}
    if draft.language is not None:
        bank["language"] = draft.language
    bank["visibility"] = "private"
    if draft.source_text:
        bank["source"] = {"title": draft.source_title or draft.title, "text": draft.source_text}
    bank["questions"] = draft.questions
    return bank


async def cancel_command(update: Update, context: Context) -> None:
    """/cancel: drop the draft, and whatever the next message was awaited for."""
    user = person(update)
    if user is None:
        return

    def cancel(session: Session) -> str:
        waited = drafts.waiting(session, user.id)
        dropped = drafts.drop_draft(session, user.id)  # and whatever the next message was for
        if dropped is not None:
            return texts.draft_cancelled(dropped.title, len(dropped.questions))
        return texts.nothing_to_cancel() if waited is None else texts.wait_cancelled()

    await reply(update, await context.db.run(cancel))


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("newbank", newbank_command))
    application.add_handler(CommandHandler("done", done_command, filters=private))
    application.add_handler(CommandHandler("cancel", cancel_command, filters=private))
    application.add_handler(MessageHandler(private & filters.POLL, poll_received))
    application.add_handler(
        CallbackQueryHandler(undo_button, pattern=callbacks.pattern(Action.UNDO))
    )
    application.add_handler(CommandHandler("draft", draft_command, filters=private))
    application.add_handler(
        CallbackQueryHandler(proposal_button, pattern=callbacks.pattern(Action.KEEP, Action.DROP))
    )
