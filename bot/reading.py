"""Uploaded files are read in a worker process with a time limit: no file can stall the bot.

A regular expression (like pydantic's validation) holds the interpreter lock until it is done, so
a thread does not keep the bot answering while a hostile file is read; another process does, and
can be stopped. One worker is kept ready and reads one file at a time; a worker that overruns the
time limit is killed, and the next file gets a new one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import signal
import struct
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import Any, BinaryIO, TypeVar, cast

from bot import texts
from bot.problems import said
from quiz.bank import UTF8_BOM, Bank, parse_bank
from quiz.convert import convert, detect_format, to_yaml
from quiz.explain import passages_for

log = logging.getLogger(__name__)
T = TypeVar("T")

BANK_SUFFIXES = (".yaml", ".yml")
# For a new worker to start and import what it reads files with, on a slow and busy machine; not
# part of a file's time limit.
START_SECONDS = 60.0


class Unreadable(StrEnum):
    """Why a file holds no bank."""

    NOT_UTF8 = "not UTF-8"
    NOT_QUESTIONS = "neither GIFT nor Aiken"
    NOTHING_CONVERTED = "nothing to convert"


class NotABank(Exception):
    """A .txt file that is neither GIFT nor Aiken, or a Moodle file with nothing to convert.

    It is raised in the worker process, which speaks no learner's language: its text is made
    when it is shown (str), in the language of the update that sent the file.
    """

    def __init__(self, reason: Unreadable, name: str, skipped: Sequence[str] = ()) -> None:
        super().__init__(reason, name, list(skipped))  # the arguments travel back pickled
        self.reason, self.name, self.skipped = reason, name, list(skipped)

    def __str__(self) -> str:
        if self.reason is Unreadable.NOT_UTF8:
            return texts.not_utf8(self.name)
        if self.reason is Unreadable.NOT_QUESTIONS:
            return texts.not_a_question_file(self.name)
        return texts.nothing_converted(self.name, [said(reason) for reason in self.skipped])


class TooSlow(Exception):
    """Reading the file took longer than its time limit; the worker was stopped."""


@dataclass(frozen=True)
class Upload:
    """A bank read from a file, what a Moodle file held that could not be converted, passages."""

    bank: Bank
    skipped: list[str]
    passages: dict[str, str | None]  # by question id, as the library stores them


def read_upload(name: str, data: bytes) -> Upload:
    """The bank in a YAML, GIFT or Aiken file; BankError or NotABank when there is none."""
    bank, skipped = _bank_of(name, data)
    # Finding passages reads the whole source for every question without a quote: part of
    # reading the file, within its time limit.
    return Upload(bank, skipped, passages_for(bank))


def _bank_of(name: str, data: bytes) -> tuple[Bank, list[str]]:
    if PurePath(name).suffix.lower() in BANK_SUFFIXES:
        return parse_bank(data, filename=name, base_dir=None), []
    try:
        text = data.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError:
        raise NotABank(Unreadable.NOT_UTF8, name) from None
    if detect_format(name, text) is None:
        raise NotABank(Unreadable.NOT_QUESTIONS, name)
    conversion = convert(name, text)
    skipped: list[str] = [u.said() for u in conversion.unsupported]  # Messages, to translate
    if not conversion.bank.get("questions"):
        raise NotABank(Unreadable.NOTHING_CONVERTED, name, skipped)
    return parse_bank(to_yaml(conversion.bank), filename=name, base_dir=None), skipped


class UploadReader:
    """Reads uploads in a worker process, one at a time, each within its time limit."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._worker: asyncio.subprocess.Process | None = None

    async def read(self, name: str, data: bytes, time_limit: float) -> Upload:
        """As read_upload, in the worker; TooSlow when that takes more than time_limit seconds."""
        upload = await self.run(read_upload, (name, data), time_limit, name)
        assert isinstance(upload, Upload)
        return upload

    async def run(
        self, job: Callable[..., T], args: tuple[Any, ...], time_limit: float, what: str
    ) -> T:
        """`job(*args)` in the worker (a module-level function: it travels by name), within
        time_limit seconds, else TooSlow; `what` names the work in the log."""
        async with self._lock:  # the worker reads one file at a time: the limit is each file's own
            worker = self._worker = self._worker or await _start()
            try:
                reply = await asyncio.wait_for(_exchange(worker, (job, args)), time_limit)
            except BaseException as error:
                # Too slow, gone, or the wait was cancelled: a reply still to come would be taken
                # for the next file's, so this worker reads no more.
                await self.close()
                if isinstance(error, TimeoutError):
                    log.warning(
                        "reading %r took over %.1f s: its worker was stopped", what, time_limit
                    )
                    raise TooSlow from None
                raise
        if isinstance(reply, Exception):
            raise reply
        return cast(T, reply)

    async def close(self) -> None:
        """Stop the worker, whatever it is doing; another starts if a file comes after all."""
        worker, self._worker = self._worker, None
        if worker is not None and worker.returncode is None:
            worker.kill()  # it holds nothing that needs cleaning up
            await worker.wait()


async def _start() -> asyncio.subprocess.Process:
    """A new worker, once it has started (not part of any file's time limit)."""
    # A new interpreter, rather than a copy of the bot: no lock held by one of the bot's threads,
    # no open connection, and none of the bot's secrets (its settings are in the environment).
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("QUIZBOT_")
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.reading import serve; serve()",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=environment,
    )
    try:
        await asyncio.wait_for(_receive(worker), START_SECONDS)  # its word that it is ready
    except BaseException:
        worker.kill()
        await worker.wait()
        raise
    return worker


# Messages between the bot and its worker: a pickle, after its length in 8 bytes.
_LENGTH = struct.Struct(">Q")


def _frame(message: object) -> bytes:
    payload = pickle.dumps(message)
    return _LENGTH.pack(len(payload)) + payload


async def _exchange(
    worker: asyncio.subprocess.Process, request: tuple[Callable[..., Any], tuple[Any, ...]]
) -> object:
    """Send the worker a job; what it sends back. IncompleteReadError if it died."""
    assert worker.stdin is not None
    worker.stdin.write(_frame(request))
    await worker.stdin.drain()
    return await _receive(worker)


async def _receive(worker: asyncio.subprocess.Process) -> object:
    assert worker.stdout is not None
    (size,) = _LENGTH.unpack(await worker.stdout.readexactly(_LENGTH.size))
    return pickle.loads(await worker.stdout.readexactly(size))


def serve() -> None:
    """The worker: run each job the bot sends (read a file, find passages); send back what it
    returned or the exception it raised.

    Runs in its own process, on its standard input and output, until the bot closes its end.
    """
    requests, replies = sys.stdin.buffer, os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # anything printed goes to the log
    # Ctrl-C in a terminal reaches the whole process group; the bot stops its worker itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _send(replies, None)  # ready
    while header := requests.read(_LENGTH.size):
        (size,) = _LENGTH.unpack(header)
        job, args = pickle.loads(requests.read(size))
        try:
            reply: object = job(*args)
        except Exception as error:  # sent back to be raised in the bot, as if read there
            reply = error
        try:
            _send(replies, reply)
        except Exception as error:  # an exception that cannot be pickled: its words at least
            _send(replies, RuntimeError(f"{type(reply).__name__}: {reply} ({error})"))


def _send(stream: BinaryIO, message: object) -> None:
    stream.write(_frame(message))
    stream.flush()
