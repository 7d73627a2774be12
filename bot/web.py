"""The read-only web leaderboard: the global, per-bank and per-group tables as HTML and JSON.

Every page has a JSON twin at the same path plus `.json` (`/index.json` for `/`), which the
page fetches every few seconds to redraw its table. Only names, ranks and points leave the
server; never user ids.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, PackageLoader
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from yarl import URL

from bot.texts import display_name
from storage.db import Database
from storage.scores import leaderboard, week_start
from storage.weblinks import chat_by_web_token, public_bank

if TYPE_CHECKING:  # the Telegram stack: `quizbot web` need not import it
    from bot.context import QuizApplication

log = logging.getLogger(__name__)

TOP = 50  # rows a table shows
REFRESH_SECONDS = 5
# A table is read at most once in this time, however many ask: under the pages' refresh, so an
# open page still shows every change within REFRESH_SECONDS + CACHE_SECONDS.
CACHE_SECONDS = 3
READ_THREADS = 2  # the web's own, apart from the executor the bot's work uses
PERIODS = ("all", "week")
FRAMING = "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}

Clock = Callable[[], datetime]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Finds a table's title and leaderboard() arguments from the path's key; None: no such table.
Scope = tuple[str, dict[str, Any]]
Finder = Callable[[Session, str], Scope | None]
TableName = tuple[str, str, str]  # a page's route, its key, the period

_templates = Environment(
    loader=PackageLoader("bot", "templates"),
    autoescape=True,  # every name and title comes from users
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Row:
    """One line of a web table: what anyone with the address may see."""

    rank: int
    name: str
    points: int


@dataclass(frozen=True)
class Table:
    """A leaderboard as the web shows it."""

    title: str
    period: str
    entries: list[Row]
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The JSON twin's body."""
        return {
            "title": self.title,
            "period": self.period,
            "entries": [asdict(row) for row in self.entries],
            "updated_at": self.updated_at.isoformat(),
        }


def _global_scope(_session: Session, _key: str) -> Scope:
    return "Leaderboard", {}


def _bank_scope(session: Session, bank_id: str) -> Scope | None:
    bank = public_bank(session, bank_id)
    return None if bank is None else (bank.title, {"bank_id": bank.id})


def _group_scope(session: Session, token: str) -> Scope | None:
    chat = chat_by_web_token(session, token)
    return None if chat is None else (chat.title or "Group", {"chat_id": chat.id})


def read_table(db: Database, find: Finder, key: str, now: datetime, period: str) -> Table | None:
    """The table `find` names, of all time or of the week `now` falls in; None if none."""
    with db.session() as session:
        scope = find(session, key)
        if scope is None:
            return None
        title, where = scope
        week_of = now if period == "week" else None
        board = leaderboard(session, limit=TOP, week_of=week_of, **where)
    # Group tables keep hidden users' names (their group sees them); the others come blank.
    rows = [Row(e.rank, display_name(e.first_name, e.username), e.points) for e in board.top]
    return Table(title, period, rows, now)


class TableCache:
    """Tables read on a small thread pool of the web's own, each at most once per CACHE_SECONDS.

    The pages are public: a burst of requests must neither queue in the executor the bot's own
    work uses nor read the database once per request. Requests for a table being read wait for
    that read; a failed read is not kept.
    """

    def __init__(self, db: Database, now: Clock) -> None:
        self._db, self._now = db, now
        self._pool = ThreadPoolExecutor(READ_THREADS, thread_name_prefix="web-leaderboard")
        # Oldest first: expired tables are dropped from the front.
        self._tables: OrderedDict[TableName, tuple[datetime, asyncio.Future[Table | None]]] = (
            OrderedDict()
        )

    async def table(self, path: str, find: Finder, key: str, period: str) -> Table | None:
        """The table `find` names for `key` on the page `path`, read up to CACHE_SECONDS ago.

        A page and its JSON twin share a path, so they share a table.
        """
        name = (path, key, period)
        moment = self._now()
        self._forget_before(moment - timedelta(seconds=CACHE_SECONDS))
        entry = self._tables.get(name)
        if entry is None:
            loop = asyncio.get_running_loop()
            read = loop.run_in_executor(self._pool, read_table, self._db, find, key, moment, period)
            read.add_done_callback(lambda done: self._forget_failed(name, done))
            self._tables[name] = entry = (moment, read)
        # Shielded: one request giving up must not cancel the read the others wait for.
        return await asyncio.shield(entry[1])

    def _forget_before(self, oldest: datetime) -> None:
        while self._tables and next(iter(self._tables.values()))[0] <= oldest:
            self._tables.popitem(last=False)

    def _forget_failed(self, name: TableName, read: asyncio.Future[Table | None]) -> None:
        if read.cancelled() or read.exception() is not None:
            entry = self._tables.get(name)
            if entry is not None and entry[1] is read:
                del self._tables[name]

    def close(self) -> None:
        """Stop the pool's threads; reads still queued are dropped."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def create_web_app(db: Database, now: Clock = lambda: datetime.now(UTC)) -> web.Application:
    """The aiohttp app serving the web leaderboard; `now` is injectable for tests."""
    tables = TableCache(db, now)

    def page(path: str, find: Finder, *, as_json: bool) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            period = request.query.get("period", "all")
            if period not in PERIODS:
                raise web.HTTPBadRequest(reason="period must be week or all")
            key = request.match_info.get("key", "")
            table = await tables.table(path, find, key, period)
            if table is None:
                raise web.HTTPNotFound()
            if as_json:
                return web.json_response(table.to_json())
            return _html_page(request, table, db.zone)

        return handle

    async def close(_app: web.Application) -> None:
        tables.close()

    app = web.Application(middlewares=[_guard])
    app.on_cleanup.append(close)
    routes = (
        ("/", "/index.json", _global_scope),
        ("/bank/{key:[a-z0-9-]+}", "/bank/{key:[a-z0-9-]+}.json", _bank_scope),
        ("/g/{key:[A-Za-z0-9_-]+}", "/g/{key:[A-Za-z0-9_-]+}.json", _group_scope),
    )
    for html_path, json_path, find in routes:
        app.router.add_get(html_path, page(html_path, find, as_json=False))
        app.router.add_get(json_path, page(html_path, find, as_json=True))
    return app


def _json_twin(request: web.Request, period: str) -> str:
    path = "/index.json" if request.path == "/" else f"{request.path}.json"
    return str(URL(path).with_query(period=period))


def _html_page(request: web.Request, table: Table, zone: ZoneInfo) -> web.Response:
    weekly = table.period == "week"
    return _render(
        "leaderboard.html",
        200,
        table=table,
        since=week_start(table.updated_at, zone) if weekly else None,
        zone=zone.key,
        updated=table.updated_at.astimezone(zone),
        json_url=_json_twin(request, table.period),
        refresh_ms=REFRESH_SECONDS * 1000,
    )


def _render(template: str, status: int, **context: Any) -> web.Response:
    """A page whose inline style and script run under a nonce of its own, nothing else."""
    nonce = secrets.token_urlsafe(16)
    body = _templates.get_template(template).render(nonce=nonce, status=status, **context)
    response = web.Response(status=status, text=body, content_type="text/html")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        f"connect-src 'self'; {FRAMING}"
    )
    return response


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Error pages for every failure, and security headers on every response."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        response = _render("error.html", error.status, reason=error.reason)
    except SQLAlchemyError:
        log.exception("the web leaderboard cannot read the database")
        reason = "The leaderboard is unavailable right now"
        response = _render("error.html", 503, reason=reason)
    # JSON and anything else may run nothing; the /g/ token must not leak through Referer.
    response.headers.setdefault("Content-Security-Policy", f"default-src 'none'; {FRAMING}")
    response.headers.update(SECURITY_HEADERS)
    return response


@asynccontextmanager
async def serving(app: web.Application, host: str, port: int) -> AsyncIterator[web.AppRunner]:
    """Serve `app` on host:port for the duration of the block."""
    runner = web.AppRunner(app, access_log=None)  # an access log would record /g/ tokens
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        log.info("serving the web leaderboard on http://%s:%d/", host, port)
        yield runner
    finally:
        await runner.cleanup()


async def serve_web(db: Database, host: str, port: int) -> None:
    """`quizbot web`: serve the web leaderboard alone until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with serving(create_web_app(db), host, port):
        await stop.wait()


def serve_alongside(application: QuizApplication, host: str, port: int) -> None:
    """Serve the web leaderboard in the bot's own event loop, from its start to its stop."""
    app = create_web_app(application.bot_data.db)
    started, stopped = application.post_init, application.post_stop
    stack = AsyncExitStack()

    async def start(bot: QuizApplication) -> None:
        if started is not None:
            await started(bot)
        await stack.enter_async_context(serving(app, host, port))

    async def stop(bot: QuizApplication) -> None:
        await stack.aclose()
        if stopped is not None:
            await stopped(bot)

    application.post_init = start
    application.post_stop = stop
