"""The web leaderboard in a real headless Chromium: it shows the table and follows new answers.

Drives the system's Chromium (Debian's `chromium` package) through Playwright; `playwright
install` is never needed. The screenshot goes to the test's own folder; with
QUIZBOT_SCREENSHOT=1 it replaces the README's, docs/web-leaderboard.png.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright

from storage.db import Database
from tests.conftest import ROOT
from tests.webdata import MovableClock, learner, load_shipped_bank, play, web_server

CHROMIUM = Path("/usr/bin/chromium")
README_SCREENSHOT = ROOT / "docs" / "web-leaderboard.png"
REFRESH_TIMEOUT_MS = 15_000  # the page refreshes every 5 s
# A fixed "updated" time, browser zone and locale keep the screenshot the same from run to run.
SHOT_TIME = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: apt-get install chromium"
)

# A plausible class for the screenshot: (user id, name, right answers, wrong answers).
CLASS = [
    (11, "Amira", 9, 1),
    (12, "Jonas", 8, 2),
    (13, "Sofia", 7, 1),
    (14, "Mateo", 6, 4),
    (15, "Lena", 5, 3),
    (16, "Kwame", 3, 2),
]
LATECOMER = (17, "Yuki", 10, 0)  # answers while the page is open, and goes to the top


def sit_in(db: Database, user_id: int, name: str, right: int, wrong: int) -> None:
    learner(db, user_id, name)
    play(db, user_id, right, wrong)


async def test_the_page_shows_the_table_and_refreshes_itself(tmp_path: Path):
    db = Database.open(f"sqlite:///{tmp_path / 'web.db'}")
    clock = MovableClock(SHOT_TIME)
    load_shipped_bank(db)
    for pupil in CLASS:
        sit_in(db, *pupil)
    expected = [[str(rank), name, str(right)] for rank, (_, name, right, _) in enumerate(CLASS, 1)]
    try:
        async with (
            web_server(db, clock) as base,
            async_playwright() as playwright,
        ):
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
            page = await browser.new_page(
                viewport={"width": 420, "height": 540}, timezone_id="UTC", locale="en-GB"
            )
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            await page.goto(base + "/")
            assert await table_rows(page) == expected

            sit_in(db, *LATECOMER)
            clock.past_the_cache()
            await page.wait_for_function(
                "() => document.querySelector('#board tbody td.name')?.textContent === 'Yuki'",
                timeout=REFRESH_TIMEOUT_MS,
            )
            rows = await table_rows(page)
            assert rows[0] == ["1", "Yuki", "10"]
            assert rows[1:] == [[str(int(r) + 1), n, p] for r, n, p in expected]
            assert errors == []  # no CSP refusal, no script error
            # A test run leaves the repository as it was, unless asked to renew the README's.
            renew = os.environ.get("QUIZBOT_SCREENSHOT") == "1"
            shot = README_SCREENSHOT if renew else tmp_path / "web-leaderboard.png"
            await page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 0
            await browser.close()
    finally:
        db.dispose()


async def table_rows(page: Page) -> list[list[str]]:
    """The table's rows as the browser shows them."""
    rows: list[list[str]] = await page.eval_on_selector_all(
        "#board tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"
    )
    return rows
