"""The read-only web leaderboard: the global, per-bank and per-group tables as HTML and JSON.

Every page has a JSON twin at the same path plus `.json` (`/index.json` for `/`), which the
page fetches every few seconds to redraw its table. Only names, ranks and points leave the
server; never user ids.

Pages and their twins speak English, Russian or Persian: the one chosen with `?lang=` (then
remembered in a cookie), else the browser's `Accept-Language`, else English. Tables are read
and cached without a language; their words (the global table's title, "anonymous learner")
are put in each response's language.
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
from babel.core import negotiate_locale
from babel.dates import format_date, format_time
from jinja2 import Environment, PackageLoader
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from yarl import URL

from bot import i18n
from bot.i18n import N_, Language, t
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
Scope = tuple[str | None, dict[str, Any]]
Finder = Callable[[Session, str], Scope | None]
TableName = tuple[str, str, str]  # a page's route, its key, the period

LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 60 * 60
# Every page and twin depends on these request headers (the cookie holds the chosen language).
VARY = "Accept-Language, Cookie"
# Error pages' headings that are translated: aiohttp's reasons for the errors a visitor meets and
# the web's own (the reason stays English in the status line); any other keeps aiohttp's.
PERIOD_REFUSED = N_("period must be week or all")
UNAVAILABLE = N_("The leaderboard is unavailable right now")
REASONS = frozenset(
    {N_("Not Found"), N_("Bad Request"), N_("Method Not Allowed"), PERIOD_REFUSED, UNAVAILABLE}
)

_templates = Environment(
    loader=PackageLoader("bot", "templates"),
    autoescape=True,  # every name and title comes from users
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
# Templates say `{{ _("Top learners") }}`, in the language `i18n.speaking` sets for the response.
_templates.install_gettext_callables(  # type: ignore[attr-defined]  # added by the extension
    i18n.gettext, i18n.ngettext, newstyle=True
)


@dataclass(frozen=True)
class Row:
    """One line of a web table: what anyone with the address may see."""

    rank: int
    name: str | None  # None: a learner with no name to show, "anonymous learner" in any language
    points: int


@dataclass(frozen=True)
class Table:
    """A leaderboard as the web shows it."""

    title: str | None  # None: `untitled`, in the response's language
    untitled: str  # a message marked with N_
    period: str
    entries: list[Row]
    updated_at: datetime

    @property
    def heading(self) -> str:
        """The table's title, in the current language when it has none of its own."""
        return self.title if self.title is not None else i18n.gettext(self.untitled)

    def shown(self) -> list[Row]:
        """The rows with every name as shown in the current language."""
        anonymous = t("anonymous learner")
        return [Row(row.rank, row.name or anonymous, row.points) for row in self.entries]

    def to_json(self) -> dict[str, Any]:
        """The JSON twin's body, in the current language."""
        return {
            "title": self.heading,
            "period": self.period,
            "entries": [asdict(row) for row in self.shown()],
            "updated_at": self.updated_at.isoformat(),
        }


def _global_scope(_session: Session, _key: str) -> Scope:
    return None, {}


def _bank_scope(session: Session, bank_id: str) -> Scope | None:
    bank = public_bank(session, bank_id)
    return None if bank is None else (bank.title, {"bank_id": bank.id})


def _group_scope(session: Session, token: str) -> Scope | None:
    chat = chat_by_web_token(session, token)
    return None if chat is None else (chat.title or None, {"chat_id": chat.id})


def _name(first_name: str, username: str | None) -> str | None:
    """The name a row shows; None for a learner with neither a name nor a username.

    The reads run on the web's threads, outside any response's language: "anonymous learner"
    is put in each response's own (Table.shown).
    """
    if not first_name.strip() and not username:
        return None
    return display_name(first_name, username)


def read_table(
    db: Database, find: Finder, key: str, now: datetime, period: str, untitled: str
) -> Table | None:
    """The table `find` names, of all time or of the week `now` falls in; None if none."""
    with db.session() as session:
        scope = find(session, key)
        if scope is None:
            return None
        title, where = scope
        week_of = now if period == "week" else None
        board = leaderboard(session, limit=TOP, week_of=week_of, **where)
    # Group tables keep hidden users' names (their group sees them); the others come blank.
    rows = [Row(e.rank, _name(e.first_name, e.username), e.points) for e in board.top]
    return Table(title, untitled, period, rows, now)


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

    async def table(
        self, path: str, find: Finder, key: str, period: str, untitled: str
    ) -> Table | None:
        """The table `find` names for `key` on the page `path`, read up to CACHE_SECONDS ago.

        A page and its JSON twin share a path, so they share a table; so do all languages.
        """
        name = (path, key, period)
        moment = self._now()
        self._forget_before(moment - timedelta(seconds=CACHE_SECONDS))
        entry = self._tables.get(name)
        if entry is None:
            loop = asyncio.get_running_loop()
            read = loop.run_in_executor(
                self._pool, read_table, self._db, find, key, moment, period, untitled
            )
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

    def page(path: str, find: Finder, untitled: str, *, as_json: bool) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            period = request.query.get("period", "all")
            if period not in PERIODS:
                raise web.HTTPBadRequest(reason=PERIOD_REFUSED)
            key = request.match_info.get("key", "")
            table = await tables.table(path, find, key, period, untitled)
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
    # A table without a title of its own: the global one, a group whose chat has none.
    routes = (
        ("/", "/index.json", _global_scope, N_("Leaderboard")),
        ("/bank/{key:[a-z0-9-]+}", "/bank/{key:[a-z0-9-]+}.json", _bank_scope, N_("Bank")),
        ("/g/{key:[A-Za-z0-9_-]+}", "/g/{key:[A-Za-z0-9_-]+}.json", _group_scope, N_("Group")),
    )
    for html_path, json_path, find, untitled in routes:
        app.router.add_get(html_path, page(html_path, find, untitled, as_json=False))
        app.router.add_get(json_path, page(html_path, find, untitled, as_json=True))
    return app


def chosen_language(request: web.Request) -> Language | None:
    """The language the address asks for with `?lang=` (en, ru or fa), if any."""
    return i18n.language_of(request.query.get("lang"))


def accepted_language(header: str) -> Language | None:
    """The best of the bot's languages for an `Accept-Language` header, by its q-values.

    "ru-RU,ru;q=0.9,en;q=0.8" gives Russian; "de" or garbage give None.
    """
    ranked: list[tuple[float, str]] = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag.strip() and tag.strip() != "*" and 0 < quality <= 1:
            ranked.append((quality, tag.strip()))
    ranked.sort(key=lambda item: -item[0])  # stable: equal q-values keep the header's order
    available = [language.value for language in Language]
    best = negotiate_locale([tag for _, tag in ranked], available, sep="-", aliases={})
    return i18n.language_of(best)


def page_language(request: web.Request) -> Language:
    """`?lang=`, else the `lang` cookie, else the browser's Accept-Language, else English."""
    return (
        chosen_language(request)
        or i18n.language_of(request.cookies.get(LANGUAGE_COOKIE))
        or accepted_language(request.headers.get("Accept-Language", ""))
        or i18n.DEFAULT
    )


def _kept_query(request: web.Request, **query: str) -> dict[str, str]:
    """`query`, plus the language the address chose: links keep it without cookies too."""
    chosen = chosen_language(request)
    return query | ({"lang": chosen.value} if chosen is not None else {})


def _json_twin(request: web.Request, period: str) -> str:
    path = "/index.json" if request.path == "/" else f"{request.path}.json"
    return str(URL(path).with_query(_kept_query(request, period=period)))


def _html_page(request: web.Request, table: Table, zone: ZoneInfo) -> web.Response:
    language = i18n.current().value
    monday = week_start(table.updated_at, zone) if table.period == "week" else None
    # Isolated, as t() does: "(Europe/Berlin)" keeps its direction in a Persian sentence.
    since = None if monday is None else i18n.isolate(format_date(monday, "d MMMM", locale=language))
    return _render(
        request,
        "leaderboard.html",
        200,
        table=table,
        since=since,
        zone=i18n.isolate(zone.key),
        updated=format_time(table.updated_at.astimezone(zone), "HH:mm:ss", locale=language),
        periods={
            period: str(URL().with_query(_kept_query(request, period=period))) for period in PERIODS
        },
        json_url=_json_twin(request, table.period),
        refresh_ms=REFRESH_SECONDS * 1000,
    )


def _language_links(request: web.Request) -> list[tuple[Language, str]]:
    """The language switch: each language with the current address in it."""
    return [
        (language, str(request.rel_url.update_query(lang=language.value))) for language in Language
    ]


def _render(request: web.Request, template: str, status: int, **context: Any) -> web.Response:
    """A page whose inline style and script run under a nonce of its own, nothing else."""
    nonce = secrets.token_urlsafe(16)
    body = _templates.get_template(template).render(
        nonce=nonce,
        status=status,
        language=i18n.current(),
        languages=_language_links(request),
        **context,
    )
    response = web.Response(status=status, text=body, content_type="text/html")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        f"connect-src 'self'; {FRAMING}"
    )
    return response


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every response in the page's language; error pages for every failure; security headers."""
    language = page_language(request)
    with i18n.speaking(language):
        try:
            response = await handler(request)
        except web.HTTPException as error:
            reason = i18n.gettext(error.reason) if error.reason in REASONS else error.reason
            response = _render(request, "error.html", error.status, reason=reason)
        except SQLAlchemyError:
            log.exception("the web leaderboard cannot read the database")
            response = _render(request, "error.html", 503, reason=i18n.gettext(UNAVAILABLE))
    # JSON and anything else may run nothing; the /g/ token must not leak through Referer.
    response.headers.setdefault("Content-Security-Policy", f"default-src 'none'; {FRAMING}")
    response.headers.update(SECURITY_HEADERS)
    response.headers["Content-Language"] = language.value
    response.headers["Vary"] = VARY
    if chosen_language(request) is language and request.cookies.get(LANGUAGE_COOKIE) != language:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language.value,
            path="/",
            max_age=LANGUAGE_COOKIE_SECONDS,
            samesite="Lax",
            httponly=True,
        )
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
