"""The bot's Bot API requests over aiohttp fail as python-telegram-bot's own do: TimedOut when
Telegram is slow, NetworkError when it cannot be reached, and never with the token shown.
(Every end-to-end test sends through it, uploads included.)"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot import transport
from bot.transport import AiohttpRequest

TOKEN = "123456:secret-token"


@pytest.fixture
async def slow_server() -> AsyncIterator[str]:
    """A Bot API that answers getMe at once and everything else after 2 s."""

    async def handle(request: web.Request) -> web.Response:
        if not request.path.endswith(("/getMe", "/sendDocument")):
            await asyncio.sleep(2)
        form = await request.post()
        echo = {
            name: value.filename if isinstance(value, web.FileField) else value
            for name, value in form.items()
        }
        return web.json_response({"ok": True, "result": {"echo": echo}})

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/bot{TOKEN}"
    await runner.cleanup()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_parameters_go_as_a_form_of_json_values(slow_server: str):
    request = AiohttpRequest()
    await request.initialize()
    try:
        parameters = {"chat_id": 5, "text": "héllo", "options": ["a", "b"]}
        data = RequestData([RequestParameter.from_input(k, v) for k, v in parameters.items()])
        status, body = await request.do_request(f"{slow_server}/getMe", "POST", data)
    finally:
        await request.shutdown()
    assert status == 200
    sent = json.loads(body)["result"]["echo"]
    assert sent == {"chat_id": "5", "text": "héllo", "options": '["a", "b"]'}


async def test_a_file_keeps_its_name_as_written(slow_server: str):
    request = AiohttpRequest()
    await request.initialize()
    try:
        document = InputFile(b"a;b\n", filename="отчёт 7Б.csv", attach=True)
        data = RequestData([RequestParameter.from_input("document", document)])
        _, body = await request.do_request(f"{slow_server}/sendDocument", "POST", data)
    finally:
        await request.shutdown()
    assert "отчёт 7Б.csv" in json.loads(body)["result"]["echo"].values()


async def test_a_send_waits_for_a_free_connection_no_longer_than_the_pool_timeout(
    slow_server: str,
):
    request = AiohttpRequest(1, pool_timeout=0.2)
    await request.initialize()
    try:
        busy = asyncio.ensure_future(request.do_request(f"{slow_server}/sendMessage", "POST"))
        await asyncio.sleep(0.05)
        started = asyncio.get_running_loop().time()
        with pytest.raises(TimedOut, match="Pool timeout"):
            await request.do_request(f"{slow_server}/getMe", "POST")
        assert asyncio.get_running_loop().time() - started < 1.0
        assert (await busy)[0] == 200  # the one holding the connection is not disturbed
    finally:
        await request.shutdown()


async def test_a_slow_answer_times_out(slow_server: str):
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"{slow_server}/sendMessage", "POST")
    finally:
        await request.shutdown()


async def test_an_unreachable_api_is_a_network_error_without_the_token():
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.do_request(f"http://127.0.0.1:{free_port()}/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
    assert "secret-token" not in str(raised.value)
    assert not isinstance(raised.value, TimedOut)


async def test_a_request_before_initialize_is_refused():
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:1/getMe", "POST")


async def test_the_proxy_named_in_the_environment_carries_the_requests(
    slow_server: str, monkeypatch: pytest.MonkeyPatch
):
    proxy = slow_server.split("/bot")[0]  # the test server answers proxied requests too
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    transport._proxy.cache_clear()  # read once a process: this test changes it
    request = AiohttpRequest()
    await request.initialize()
    try:
        status, _ = await request.do_request(f"http://telegram.invalid/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
        transport._proxy.cache_clear()
    assert status == 200  # telegram.invalid does not resolve: only the proxy could answer
