"""Webhook mode: Telegram (or a load balancer) posts updates to us over HTTPS.

Each request must carry the secret token Telegram was given in setWebhook; the update is
stored in the inbox before we answer 200, so several processes behind a load balancer can
receive the same update and only one of them handles it.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
from json import JSONDecodeError
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.context import QuizApplication
from bot.updates import ALLOWED_UPDATES, readable, store_fresh

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"


def webhook_routes(application: QuizApplication, path: str, secret: str) -> web.Application:
    """The aiohttp app: POST `path` takes updates, GET /healthz reports health."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403, text="forbidden")
        try:
            payload: Any = await request.json()
        except (JSONDecodeError, ValueError):
            return web.Response(status=400, text="not JSON")
        # As with polling: an update PTB cannot read is skipped and confirmed, not refused, so
        # that Telegram does not send it again and again.
        update = readable(payload, application.bot) if isinstance(payload, dict) else None
        if update is None:
            return web.Response(status=400, text="not an update")
        data = application.bot_data
        for fresh in await store_fresh(data.db, data.marks, (update,)):
            await application.update_queue.put(fresh)
        return web.Response(text="ok")

    async def health(_request: web.Request) -> web.Response:
        try:
            await application.bot_data.db.run(lambda session: session.execute(text("SELECT 1")))
        except SQLAlchemyError:
            return web.json_response({"ok": False, "database": "unreachable"}, status=503)
        return web.json_response({"ok": True, "running": application.running})

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(path, receive)
    app.router.add_get(HEALTH_PATH, health)
    return app


def webhook_path(url: str) -> str:
    """The path part of the public webhook URL, where updates are posted."""
    return urlsplit(url).path or "/"


async def serve_webhook(
    application: QuizApplication, *, url: str, secret: str, listen: str, port: int
) -> None:
    """Register the webhook with Telegram and serve it until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    # Another process may get the answer to a question this one asks: no deferred marks.
    application.bot_data.marks.deferred = False
    runner = web.AppRunner(webhook_routes(application, webhook_path(url), secret))
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        await application.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        await application.start()
        await runner.setup()
        await web.TCPSite(runner, listen, port).start()
        log.info("serving the webhook on %s:%d%s", listen, port, webhook_path(url))
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
            await application.stop()
            if application.post_stop is not None:  # as run_polling does
                await application.post_stop(application)
