"""The web leaderboard over HTTP, on SQLite and PostgreSQL: tables, weeks, privacy, 404s."""

from __future__ import annotations

import asyncio
import gettext
import re
import signal
import subprocess
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event, func, select

from bot import i18n
from bot.i18n import Language
from bot.settings import SettingsError, load_settings
from bot.web import CACHE_SECONDS, accepted_language, create_web_app
from storage import banks
from storage.db import Database
from storage.models import User
from storage.weblinks import chat_by_web_token, web_token
from tests.conftest import QUESTIONS
from tests.fakebot import FakeTelegram
from tests.processes import QUIZBOT, bot_env, free_port, quizbot_process
from tests.statements import recorded
from tests.webdata import BANK_ID, MovableClock, group_round, learner, load_shipped_bank, play

GROUP = -100777
# Monday 10 March 2025, 00:30 in Berlin (CET, UTC+1): Sunday 23:30 in UTC.
BERLIN_MONDAY = datetime(2025, 3, 9, 23, 30, tzinfo=UTC)

Client = TestClient[web.Request, web.Application]


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime.now(UTC))


@pytest.fixture
async def client(db: Database, clock: MovableClock) -> AsyncIterator[Client]:
    """A client of the web app on the test database, on the test's clock."""
    async with TestClient(TestServer(create_web_app(db, clock))) as test_client:
        yield test_client


@pytest.fixture
def classroom(db: Database) -> Database:
    """Ann 3 points, Bob 2, Cleo 1 (hidden), Dan none; Ann and Cleo also in a group round."""
    load_shipped_bank(db)
    for user_id, name in ((1, "Ann"), (2, "Bob"), (4, "Dan")):
        learner(db, user_id, name)
    learner(db, 3, "Cleo", hidden=True)
    play(db, 1, right=3, wrong=1)
    play(db, 2, right=2)
    play(db, 3, right=1, wrong=2)
    play(db, 4, right=0, wrong=2)
    group_round(db, GROUP, "Class 7B", {3: True, 1: True, 2: False})
    return db


async def get_json(client: Client, path: str) -> Any:
    response = await client.get(path)
    assert response.status == 200, await response.text()
    assert response.content_type == "application/json"
    return await response.json()


async def get_html(client: Client, path: str) -> str:
    response = await client.get(path)
    assert response.status == 200, await response.text()
    assert response.content_type == "text/html"
    return await response.text()


def rows_of(page: str) -> list[tuple[str, str, str]]:
    """The table's rows as (rank, name, points) as the HTML has them (names isolated in <bdi>)."""
    return re.findall(
        r'<td class="rank">(.*?)</td><td class="name"><bdi>(.*?)</bdi></td>'
        r'<td class="points">(.*?)</td>',
        page,
    )


def entries(*rows: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"rank": i, "name": n, "points": p} for i, (n, p) in enumerate(rows, start=1)]


async def test_global_and_bank_tables_match_the_database(classroom: Database, client: Client):
    # Solo answers: one point each; the round in the group adds Ann's and Cleo's right answers.
    expected = entries(("Ann", 4), ("Bob", 2), ("anonymous learner", 2))
    for path in ("/index.json", f"/bank/{BANK_ID}.json"):
        table = await get_json(client, path)
        assert table["entries"] == expected
        assert table["period"] == "all"
        assert set(table) == {"title", "period", "entries", "updated_at"}
        assert datetime.fromisoformat(table["updated_at"]).tzinfo is not None
    assert (await get_json(client, f"/bank/{BANK_ID}.json"))["title"] == (
        "Russia and Iran: partners with a past"
    )
    page = await get_html(client, "/")
    assert rows_of(page) == [("1", "Ann", "4"), ("2", "Bob", "2"), ("3", "anonymous learner", "2")]
    assert "Cleo" not in page and "Dan" not in page


async def test_group_table_names_hidden_learners_to_their_group(
    classroom: Database, client: Client
):
    with classroom.session() as session:
        token = web_token(session, GROUP)
    table = await get_json(client, f"/g/{token}.json")
    assert table["title"] == "Class 7B"
    assert table["entries"] == entries(("Cleo", 1000), ("Ann", 1000))  # Cleo answered first
    page = await get_html(client, f"/g/{token}")
    assert rows_of(page) == [("1", "Cleo", "1000"), ("2", "Ann", "1000")]
    assert "<h1><bdi>Class 7B</bdi></h1>" in page


@pytest.mark.parametrize(
    ("timezone", "this_week", "next_monday"),
    [
        ("Europe/Berlin", [("Bob", 1)], "17 March"),
        ("UTC", [("Ann", 2), ("Bob", 1)], "10 March"),  # still Sunday in UTC
    ],
)
async def test_week_starts_on_monday_in_the_configured_zone(
    database_url: str, timezone: str, this_week: list[tuple[str, int]], next_monday: str
):
    db = Database.open(database_url, zone=ZoneInfo(timezone))
    load_shipped_bank(db)
    learner(db, 1, "Ann")
    learner(db, 2, "Bob")
    sunday = BERLIN_MONDAY - timedelta(minutes=40)  # 23:50 in Berlin
    group_round(db, GROUP, "Class 7B", {1: True}, at=sunday)
    group_round(db, GROUP, "Class 7B", {1: True}, at=sunday + timedelta(minutes=1))
    group_round(db, GROUP, "Class 7B", {2: True}, at=BERLIN_MONDAY - timedelta(minutes=20))
    clock = MovableClock(BERLIN_MONDAY)  # Monday 00:30 in Berlin

    async def tables(path: str) -> tuple[Any, Any]:
        async with TestClient(TestServer(create_web_app(db, now=clock))) as client:
            week = await get_json(client, f"{path}?period=week")
            return week, await get_json(client, f"{path}?period=all")

    try:
        with db.session() as session:
            token = web_token(session, GROUP)
        for path, points in (("/index.json", 1), (f"/g/{token}.json", 1000)):
            week, all_time = await tables(path)
            assert week["period"] == "week"
            assert week["entries"] == entries(*((name, n * points) for name, n in this_week))
            assert all_time["entries"] == entries(("Ann", 2 * points), ("Bob", points))

        clock.now += timedelta(days=7)  # a week on: a new, empty week
        week, all_time = await tables("/index.json")
        assert week["entries"] == []
        assert all_time["entries"] == entries(("Ann", 2), ("Bob", 1))
        async with TestClient(TestServer(create_web_app(db, now=clock))) as client:
            page = await get_html(client, "/?period=week")
        assert rows_of(page) == []
        assert "Nobody has scored here yet." in page
        assert f"since Monday {next_monday} ({timezone})" in page
    finally:
        db.dispose()


async def test_pages_link_their_json_twin_and_both_periods(classroom: Database, client: Client):
    page = await get_html(client, f"/bank/{BANK_ID}?period=week")
    assert f'data-source="/bank/{BANK_ID}.json?period=week"' in page
    assert '<a href="?period=week" aria-current="page">' in page
    assert '<a href="?period=all">' in page
    assert 'data-source="/index.json?period=all"' in await get_html(client, "/")
    assert (await client.get("/?period=month")).status == 400


async def test_private_deleted_and_unknown_tables_are_not_found(
    db: Database, client: Client, clock: MovableClock
):
    load_shipped_bank(db)
    learner(db, 1, "Ann")
    play(db, 1, right=1)
    with db.session() as session:
        bank = banks.get_bank(session, BANK_ID)
        assert bank is not None
        banks.set_visibility(session, bank, "private")
    paths = [f"/bank/{BANK_ID}", f"/bank/{BANK_ID}.json", "/bank/nope", "/g/unknown-token"]
    paths += ["/g/unknown-token.json", "/admin", "/g/", "/bank/Upper"]
    for path in paths:
        response = await client.get(path)
        assert response.status == 404, path
        assert "no leaderboard at this address" in await response.text()
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    with db.session() as session:
        bank = banks.get_bank(session, BANK_ID)
        assert bank is not None
        banks.set_visibility(session, bank, "public")
    clock.past_the_cache()
    assert (await client.get(f"/bank/{BANK_ID}")).status == 200
    with db.session() as session:
        bank = banks.get_bank(session, BANK_ID)
        assert bank is not None
        banks.delete_bank(session, bank)
    clock.past_the_cache()
    assert (await client.get(f"/bank/{BANK_ID}")).status == 404


async def test_a_revoked_group_address_is_not_found(
    classroom: Database, client: Client, clock: MovableClock
):
    with classroom.session() as session:
        old = web_token(session, GROUP)
        assert web_token(session, GROUP) == old  # made once, then kept
    assert (await client.get(f"/g/{old}")).status == 200
    with classroom.session() as session:
        new = web_token(session, GROUP, renew=True)
    assert new != old
    clock.past_the_cache()  # until then, the table read before the revocation
    assert (await client.get(f"/g/{old}")).status == 404
    assert (await client.get(f"/g/{old}.json")).status == 404
    assert (await get_json(client, f"/g/{new}.json"))["title"] == "Class 7B"


def test_web_tokens_belong_to_recorded_chats(db: Database):
    with db.session() as session, pytest.raises(LookupError):
        web_token(session, GROUP)
    with db.session() as session:
        assert chat_by_web_token(session, "") is None
        assert chat_by_web_token(session, "x" * 22) is None


async def test_hostile_names_are_escaped(db: Database, client: Client):
    script, drop = "<script>alert(1)</script>", "Robert'); DROP TABLE users;--"
    load_shipped_bank(db)
    learner(db, 1, script)
    learner(db, 2, drop)
    play(db, 1, right=2)
    play(db, 2, right=1)
    group_round(db, GROUP, '"><img src=x onerror=alert(2)>', {1: True})
    with db.session() as session:
        token = web_token(session, GROUP)
    for path in ("/", f"/g/{token}"):
        page = await get_html(client, path)
        assert "<script>alert" not in page and "<img" not in page
    page = await get_html(client, "/")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Robert&#39;); DROP TABLE users;--" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in await get_html(client, f"/g/{token}")
    table = await get_json(client, "/index.json")
    assert [e["name"] for e in table["entries"]] == [script, drop]  # JSON carries the text as is
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 2


async def test_security_headers_and_a_fresh_nonce_per_page(classroom: Database, client: Client):
    nonces = []
    for _ in range(2):
        response = await client.get("/")
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        policy = headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "unsafe-inline" not in policy
        nonce = re.search(r"script-src 'nonce-([^']+)'", policy)
        assert nonce is not None
        assert f'<script nonce="{nonce[1]}">' in await response.text()
        nonces.append(nonce[1])
    assert nonces[0] != nonces[1]
    json_headers = (await client.get("/index.json")).headers
    assert json_headers["X-Content-Type-Options"] == "nosniff"


def said(language: Language, message: str) -> str:
    """`message` as the catalogs say it in `language` (the English text until translated)."""
    with i18n.speaking(language):
        return i18n.gettext(message)


def page_language(page: str) -> tuple[str, str]:
    """The page's <html lang=.. dir=..>."""
    found = re.search(r'<html lang="([^"]*)" dir="([^"]*)">', page)
    assert found is not None, page[:200]
    return found[1], found[2]


def language_links(page: str) -> dict[str, tuple[str, bool]]:
    """The language switch: each link's language, its address and whether it is the current."""
    links = re.findall(
        r'<a href="([^"]*)" lang="([a-z]+)" hreflang="\2"( aria-current="true")?>', page
    )
    return {lang: (href.replace("&amp;", "&"), bool(current)) for href, lang, current in links}


def assert_speaks(response: aiohttp.ClientResponse, language: Language) -> None:
    """A response in `language`, marked so for caches."""
    assert response.headers["Content-Language"] == language.value
    assert response.headers["Vary"] == "Accept-Language, Cookie"
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    ("accept", "language"),
    [
        ("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", Language.RU),
        ("fa-IR", Language.FA),
        ("en;q=0.2, de, FA;q=0.5", Language.FA),  # by q-value, not by order; any case
        ("de-DE,de;q=0.9", Language.EN),
        ("ru;q=0, fa;q=0", Language.EN),  # q=0: not wanted
        ("*", Language.EN),
        (";;,q=abc, ru;q=x, ,;q=", Language.EN),  # garbage: English, never an error
        ("", Language.EN),
    ],
)
async def test_the_browsers_accept_language_chooses_the_pages_language(
    classroom: Database, client: Client, accept: str, language: Language
):
    assert accepted_language(accept) in (language, None)
    response = await client.get("/", headers={"Accept-Language": accept})
    assert response.status == 200
    page = await response.text()
    assert_speaks(response, language)
    assert "Set-Cookie" not in response.headers  # only a chosen language is remembered
    assert page_language(page) == (language.value, "rtl" if language is Language.FA else "ltr")
    assert f"<h1><bdi>{said(language, 'Leaderboard')}</bdi></h1>" in page
    assert f"<th>{said(language, 'Learner')}</th>" in page
    assert f'aria-current="page">{said(language, "All time")}</a>' in page
    anonymous = said(language, "anonymous learner")
    assert rows_of(page) == [("1", "Ann", "4"), ("2", "Bob", "2"), ("3", anonymous, "2")]
    # The JSON twin the page redraws from speaks the same language, from the same cached table.
    response = await client.get("/index.json", headers={"Accept-Language": accept})
    assert_speaks(response, language)
    table = await response.json()
    assert table["title"] == said(language, "Leaderboard")
    assert table["entries"][2]["name"] == anonymous


async def test_a_language_chosen_in_the_address_is_remembered_in_a_cookie(
    classroom: Database, client: Client
):
    russian = {"Accept-Language": "ru"}
    response = await client.get(f"/bank/{BANK_ID}?period=week&lang=fa", headers=russian)
    assert response.status == 200
    assert_speaks(response, Language.FA)
    page = await response.text()
    assert page_language(page) == ("fa", "rtl")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=fa;")
    for attribute in ("Path=/", "SameSite=Lax", "Max-Age=31536000"):
        assert attribute in cookie
    # The address's choice stays in the page's own links, which work without the cookie too.
    assert f'data-source="/bank/{BANK_ID}.json?period=week&amp;lang=fa"' in page
    assert '<a href="?period=all&amp;lang=fa">' in page
    assert f'<th class="points">{said(Language.FA, "Points")}</th>' in page

    # Later pages without ?lang: the cookie's language, before the browser's.
    response = await client.get("/", headers=russian)
    assert_speaks(response, Language.FA)
    assert page_language(await response.text()) == ("fa", "rtl")
    assert "Set-Cookie" not in response.headers  # already remembered
    assert (await client.get("/index.json", headers=russian)).headers["Content-Language"] == "fa"

    response = await client.get("/?lang=en", headers=russian)
    assert response.headers["Set-Cookie"].startswith("lang=en;")
    response = await client.get("/", headers=russian)
    assert_speaks(response, Language.EN)
    assert page_language(await response.text()) == ("en", "ltr")

    # A language the web does not speak is no choice: the cookie's, then the browser's.
    response = await client.get("/?lang=xx", headers=russian)
    assert response.status == 200
    assert_speaks(response, Language.EN)
    assert "Set-Cookie" not in response.headers
    client.session.cookie_jar.clear()
    response = await client.get("/?lang=xx", headers=russian)
    assert_speaks(response, Language.RU)
    response = await client.get("/?lang=xx")
    assert_speaks(response, Language.EN)


async def test_every_page_has_the_language_switch_keeping_its_address(
    classroom: Database, client: Client
):
    page = await get_html(client, f"/bank/{BANK_ID}?period=week&lang=ru")
    assert language_links(page) == {
        "en": (f"/bank/{BANK_ID}?period=week&lang=en", False),
        "ru": (f"/bank/{BANK_ID}?period=week&lang=ru", True),
        "fa": (f"/bank/{BANK_ID}?period=week&lang=fa", False),
    }
    assert ">English</a>" in page and ">Русский</a>" in page and ">فارسی</a>" in page
    client.session.cookie_jar.clear()
    page = await get_html(client, "/")
    assert language_links(page) == {
        "en": ("/?lang=en", True),
        "ru": ("/?lang=ru", False),
        "fa": ("/?lang=fa", False),
    }
    response = await client.get("/g/unknown-token", headers={"Accept-Language": "fa"})
    assert response.status == 404
    assert language_links(await response.text())["fa"] == ("/g/unknown-token?lang=fa", True)


RUSSIAN_WORDS = {  # a few messages as a filled catalog would have them
    "Leaderboard": "Рейтинг",
    "Learner": "Ученик",
    "anonymous learner": "аноним",
    "This week, since Monday %(date)s (%(zone)s)": "Неделя с понедельника %(date)s (%(zone)s)",
}


class StubCatalog(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return RUSSIAN_WORDS.get(message, message)


async def test_translations_reach_the_page_its_twin_and_its_dates(
    classroom: Database, client: Client, monkeypatch: pytest.MonkeyPatch
):
    catalogs = {Language.EN: gettext.NullTranslations(), Language.RU: StubCatalog()}
    monkeypatch.setattr(i18n, "translations", catalogs.__getitem__)
    page = await get_html(client, "/?period=week&lang=ru")
    assert "<h1><bdi>Рейтинг</bdi></h1>" in page and "<title>Рейтинг · quizbot</title>" in page
    assert "<th>Ученик</th>" in page
    assert re.search(r"Неделя с понедельника \d+ [а-я]+ \(UTC\)", page)  # Babel's month
    assert [row[1] for row in rows_of(page)] == ["Ann", "Bob", "аноним"]
    table = await get_json(client, "/index.json?lang=ru")
    assert table["title"] == "Рейтинг" and table["entries"][2]["name"] == "аноним"
    english = await get_json(client, "/index.json?lang=en")  # the same cached table
    assert english["title"] == "Leaderboard" and english["entries"][2]["name"] == (
        "anonymous learner"
    )


@pytest.mark.parametrize("language", list(Language))
async def test_error_pages_speak_the_visitors_language(
    db: Database, client: Client, language: Language
):
    headers = {"Accept-Language": language.value}
    response = await client.get("/bank/nope", headers=headers)
    assert response.status == 404
    assert_speaks(response, language)
    page = await response.text()
    assert page_language(page)[0] == language.value
    assert f"<h1>{said(language, 'Not Found')}</h1>" in page
    assert said(language, "The overall leaderboard") in page
    response = await client.get("/?period=month", headers=headers)
    assert response.status == 400
    assert_speaks(response, language)
    assert f"<h1>{said(language, 'period must be week or all')}</h1>" in await response.text()


def test_settings_check_the_time_zone_and_web_address(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(Path(__file__).parent)  # no .env here
    monkeypatch.setenv("QUIZBOT_TIMEZONE", "Mars/Olympus_Mons")
    with pytest.raises(SettingsError, match=r"QUIZBOT_TIMEZONE: .*unknown time zone"):
        load_settings()
    monkeypatch.setenv("QUIZBOT_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("QUIZBOT_WEB_URL", "quiz.example.org")
    with pytest.raises(SettingsError, match=r"QUIZBOT_WEB_URL: .*http"):
        load_settings()
    monkeypatch.setenv("QUIZBOT_WEB_URL", "https://quiz.example.org/")
    settings = load_settings()
    assert settings.web_url == "https://quiz.example.org"
    assert str(settings.zone) == "Europe/Berlin"


async def wait_for_page(port: int) -> str:
    """The front page of a web leaderboard process, once it answers (bounded)."""
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(f"http://127.0.0.1:{port}/") as response:
                    assert response.status == 200
                    return await response.text()
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
    raise AssertionError(f"nothing served on port {port}")


async def test_quizbot_web_serves_alone_and_stops_on_sigterm(fake: FakeTelegram, tmp_path: Path):
    port = free_port()
    env = bot_env(fake, f"sqlite:///{tmp_path / 'bot.db'}", QUESTIONS)
    del env["QUIZBOT_TOKEN"]  # the web pages need no bot token
    process = await asyncio.create_subprocess_exec(
        QUIZBOT, "web", "--port", str(port), env=env, stderr=subprocess.PIPE
    )
    try:
        assert "Nobody has scored here yet." in await wait_for_page(port)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert f"serving the web leaderboard on http://127.0.0.1:{port}/" in stderr.decode()


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_quizbot_run_serves_the_web_beside_the_bot(
    fake: FakeTelegram, tmp_path: Path, mode: str
):
    port = free_port()
    env = bot_env(fake, f"sqlite:///{tmp_path / 'bot.db'}", QUESTIONS)
    args = ["--web-port", str(port)]
    if mode == "webhook":
        args += ["--webhook", "https://quiz.example.org/hook", "--port", str(free_port())]
        args += ["--listen", "127.0.0.1"]
    log = tmp_path / "bot.log"
    async with quizbot_process(env, log, *args) as process:
        assert "<title>Leaderboard · quizbot</title>" in await wait_for_page(port)
    assert process.returncode == 0, log.read_text()
    with pytest.raises(aiohttp.ClientConnectionError):  # stopped with the bot
        await wait_for_page_once(port)


async def wait_for_page_once(port: int) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/"):
        pass


async def test_a_burst_reads_each_table_once_per_cache_period_on_the_webs_threads(
    classroom: Database, client: Client, clock: MovableClock
):
    path = "/index.json?period=week"
    async with TestClient(TestServer(create_web_app(classroom, clock))) as alone:
        with recorded(classroom.engine) as one:  # what one request reads
            table = await get_json(alone, path)
    threads: list[str] = []

    def on_thread(*_: Any) -> None:
        threads.append(threading.current_thread().name)

    async def burst() -> None:
        """50 requests at once for one table, its page and its JSON twin: all get it."""
        paths = [path, "/?period=week"] * 25
        responses = await asyncio.gather(*(client.get(p) for p in paths))
        assert [response.status for response in responses] == [200] * len(paths)
        assert [await r.json() for r in responses if r.content_type != "text/html"] == [table] * 25

    event.listen(classroom.engine, "before_cursor_execute", on_thread)
    try:
        with recorded(classroom.engine) as cold:
            await burst()
        assert one and cold == one  # read once, not once a request
        clock.now += timedelta(seconds=CACHE_SECONDS - 0.5)
        with recorded(classroom.engine) as warm:
            await burst()  # the same table, updated_at and all
        assert warm == []
        clock.now += timedelta(seconds=0.5)  # now CACHE_SECONDS old: read afresh
        with recorded(classroom.engine) as again:
            assert (await get_json(client, path))["updated_at"] == clock.now.isoformat()
        assert again == one
    finally:
        event.remove(classroom.engine, "before_cursor_execute", on_thread)
    # Never in the default executor, where the bot's own work would wait behind them.
    assert threads and all(name.startswith("web-leaderboard") for name in threads)
