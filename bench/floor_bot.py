"""The floor: a bare PTB bot making the quiz's call per update, with no logic and no DB.

python -m bench.floor_bot TOKEN API_URL FILE_URL [CONCURRENCY]
"""

from __future__ import annotations

import sys

from telegram import InputPollOption, Poll, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, MessageHandler, filters

# About the size of the quiz's feedback and of one of its generated questions.
FEEDBACK = (
    "✅ <b>Correct!</b>\nAnswer: <b>c17b</b>\n\n<blockquote>record 17 lists c17b</blockquote>\n"
    "— Generated ledger for bench\n\nScore so far: 1/1"
)
QUESTION = "[2/200] Which code does the tariff record 18 list?"
OPTIONS = [InputPollOption(o) for o in ("c18a", "c18b", "c18c", "c18d")]


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The next question, with the feedback as its description."""
    assert update.effective_chat is not None
    await context.bot.send_poll(
        update.effective_chat.id,
        QUESTION,
        OPTIONS,
        is_anonymous=False,
        type=Poll.QUIZ,
        correct_option_ids=[1],
        description=FEEDBACK,
        description_parse_mode=ParseMode.HTML,
    )


def main(argv: list[str]) -> int:
    """Poll until SIGINT."""
    token, api_url, file_url, *rest = argv
    concurrency = int(rest[0]) if rest else 1
    builder = Application.builder().token(token).base_url(api_url).base_file_url(file_url)
    if concurrency > 1:  # the quiz bot's own setting, so both handle updates alike
        builder = builder.concurrent_updates(concurrency)
    application = builder.build()
    application.add_handler(MessageHandler(filters.ALL, answer))
    # Dropping what is pending discards updates left over from the quiz bot's run.
    application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
