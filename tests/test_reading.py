"""Uploads read in a worker process: the same results as reading them here, within a time limit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.reading import NotABank, TooSlow, UploadReader, read_upload
from quiz.bank import MAX_QUESTIONS, BankError
from tests.processes import children
from tests.test_e2e_upload import BAD, GOOD, big_bank

LIMIT = 20.0  # seconds: far more than any file here takes


@pytest.fixture
async def reader() -> AsyncIterator[UploadReader]:
    started = children()
    reader = UploadReader()
    yield reader
    await reader.close()
    assert children() == started, "a worker outlived its reader"


async def test_a_file_reads_as_it_does_here_in_a_worker_kept_for_the_next(reader: UploadReader):
    upload = await reader.read("water.yaml", GOOD.encode(), LIMIT)
    assert upload == read_upload("water.yaml", GOOD.encode())
    assert upload.passages == {
        "evaporation": "Water evaporates from the sea.",
        "rain": "Rain falls from clouds.",
    }
    worker = children()
    assert len(worker) == 1
    gift = b"::Rain::Where does rain fall from?{=Clouds ~The sea}\n\nAn essay.{}"
    upload = await reader.read("rain.gift", gift, LIMIT)
    assert [q.id for q in upload.bank.questions] == ["rain"]
    assert upload.skipped == ["line 3: essay question is not supported: An essay.{}"]
    assert children() == worker, "the same worker reads the next file"


async def test_every_problem_comes_back_from_the_worker(reader: UploadReader):
    with pytest.raises(BankError) as here:
        read_upload("bad.yaml", BAD.encode())
    with pytest.raises(BankError) as there:
        await reader.read("bad.yaml", BAD.encode(), LIMIT)
    assert there.value.problems == here.value.problems
    assert len(there.value.problems) >= 4 and str(there.value) == str(here.value)
    with pytest.raises(NotABank, match="not UTF-8"):
        await reader.read("quiz.txt", b"\xff\xfe", LIMIT)


async def test_a_file_read_too_slowly_is_refused_and_its_worker_replaced(reader: UploadReader):
    await reader.read("water.yaml", GOOD.encode(), LIMIT)
    first = children()
    with pytest.raises(TooSlow):
        await reader.read("big.yaml", big_bank(MAX_QUESTIONS), 0.05)
    assert not first & children(), "the worker that overran is gone"
    upload = await reader.read("water.yaml", GOOD.encode(), LIMIT)
    assert upload.bank.id == "water"
    assert len(children() - first) == 1, "a new worker read the next file"


@pytest.mark.parametrize("stop", ["close", "cancel"])
async def test_a_worker_is_stopped_in_the_middle_of_a_file(reader: UploadReader, stop: str):
    await reader.read("water.yaml", GOOD.encode(), LIMIT)  # started: the next read is under way
    reading = asyncio.create_task(reader.read("big.yaml", big_bank(MAX_QUESTIONS), LIMIT))
    await asyncio.sleep(0.05)
    if stop == "close":
        await reader.close()
        with pytest.raises(asyncio.IncompleteReadError):
            await reading
    else:
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading
    assert not children()
    assert (await reader.read("water.yaml", GOOD.encode(), LIMIT)).bank.id == "water"
