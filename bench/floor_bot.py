"""The floor: a bare PTB bot making the quiz's call per update, with no logic and no DB.

python -m bench.floor_bot TOKEN API_URL FILE_URL [CONCURRENCY] [TRANSPORT]

TRANSPORT: "aiohttp" (default), the quiz bot's own (bot.transport), so the floor pays no
more for a request than the bot it is the floor of; "httpx", python-telegram-bot's default.
"""

from __future__ import annotations

import sys

from telegram import InputPollOption, Poll, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.transport import CONNECTIONS, AiohttpRequest

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
    transport = rest[1] if len(rest) > 1 else "aiohttp"
    builder = Application.builder().token(token).base_url(api_url).base_file_url(file_url)
    if transport == "aiohttp":  # the quiz bot's requests, pool size included
        builder = builder.request(AiohttpRequest(CONNECTIONS)).get_updates_request(AiohttpRequest())
    if concurrency > 1:  # the quiz bot's own setting, so both handle updates alike
        builder = builder.concurrent_updates(concurrency)
    application = builder.build()
    application.add_handler(MessageHandler(filters.ALL, answer))
    # Dropping what is pending discards updates left over from the quiz bot's run.
    application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
