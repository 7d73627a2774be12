"""Bot API requests over aiohttp, python-telegram-bot's own request interface underneath.

python-telegram-bot sends through httpx by default. On every request httpcore's pool checks
each pooled connection for a server-side close (a readability poll of each socket, through
anyio's attribute machinery): with the eight connections Telegram's send rate needs, a
request cost about 1.0 ms of CPU, against 0.17 ms through aiohttp's pool on the same machine
(3,000 form POSTs, 50 at a time, to a local server). The bot already depends on aiohttp for
its webhook and web pages. Timeouts, errors and uploads behave as with PTB's HTTPXRequest.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

# Telegram takes about 30 messages a second in all: at up to 250 ms a request, 8 connections
# carry them (more would cost aiohttp no CPU, but Telegram takes no more).
CONNECTIONS = 8


class AiohttpRequest(BaseRequest):
    """A pool of `connections` keep-alive connections to the Bot API, with PTB's timeouts."""

    __slots__ = (
        "_connect",
        "_connections",
        "_media_write",
        "_pool",
        "_read",
        "_session",
        "_slots",
        "_write",
    )

    def __init__(
        self,
        connections: int = 1,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._connections = connections
        self._read, self._write, self._connect = read_timeout, write_timeout, connect_timeout
        self._pool, self._media_write = pool_timeout, media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        # aiohttp times waiting for a pooled connection and opening one as one: the pool's own
        # wait is timed here, so a send waits for a connection no longer than PTB's would.
        self._slots = asyncio.Semaphore(connections)  # made again in each initialize's loop

    @property
    def read_timeout(self) -> float | None:
        """The read timeout of requests that name none."""
        return self._read

    async def initialize(self) -> None:
        """Open the connection pool (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            self._slots = asyncio.Semaphore(self._connections)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the pool and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See BaseRequest.do_request: the status and body of Telegram's answer."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else {}
        read = _given(read_timeout, self._read)
        write = _given(write_timeout, self._media_write if files else self._write)
        pool, connect = _given(pool_timeout, self._pool), _given(connect_timeout, self._connect)
        # aiohttp times no write on its own: an upload is bounded by the sum of all.
        waits = [wait for wait in (pool, connect, write, read) if wait is not None]
        timeout = aiohttp.ClientTimeout(
            total=sum(waits) if files and len(waits) == 4 else None,
            connect=connect,
            sock_read=read,
        )
        try:
            async with asyncio.timeout(pool):
                await self._slots.acquire()
        except TimeoutError as error:
            raise TimedOut(
                "Pool timeout: all connections in the pool are in use. The request was not sent."
            ) from error
        proxy, proxy_auth = _proxy(url.split("/", 3)[2], url.partition(":")[0])
        try:
            async with self._session.request(
                method,
                url,
                data=_body(request_data, files),
                timeout=timeout,
                proxy=proxy,
                proxy_auth=proxy_auth,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts are asyncio's, TimeoutError itself
            raise TimedOut from error
        except aiohttp.ClientError as error:
            why = _hidden(str(error), url)
            raise NetworkError(f"aiohttp.{type(error).__name__}: {why}") from error
        finally:
            self._slots.release()


@functools.cache
def _proxy(host: str, scheme: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
    """The proxy the environment names for the Bot API's host (HTTPS_PROXY, NO_PROXY, …), as
    httpx honours it; read once: aiohttp's `trust_env` reads it again on every request, which
    cost 0.37 ms of CPU a request."""
    try:
        return get_env_proxy_for_url(URL(f"{scheme}://{host}/"))
    except LookupError:  # none named, or NO_PROXY covers the host
        return None, None


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _body(
    request_data: RequestData | None, files: Mapping[str, tuple[str, object, str]]
) -> aiohttp.FormData | dict[str, str] | None:
    """The parameters as a form (JSON values, as PTB encodes them), multipart with files."""
    if request_data is None:
        return None
    if not files:
        return request_data.json_parameters
    form = aiohttp.FormData(quote_fields=False)  # file names in UTF-8, as httpx sends them
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


def _hidden(text: str, url: str) -> str:
    """The text without the bot's token, which the request's URL holds (/bot<token>/...)."""
    for part in url.split("/"):
        if part.startswith("bot") and ":" in part:
            text = text.replace(part, "bot<token>")
    return text
