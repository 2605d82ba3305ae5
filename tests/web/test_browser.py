"""End to end in a real browser: Playwright drives Debian's Chromium through three turns with two seats
and the white cell (each in its own browser context, as on separate laptops), with a reload mid-turn.

Screenshots of each page go to ``$WARGAME_WEB_SCREENSHOTS`` when it is set (``docs/figures`` for the
docs), else to the test's temporary folder.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from web_helpers import new_session, served

from wargame.session import Session

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not at /usr/bin/chromium: run tools/install-browser.sh as root "
        "(or apt-get install chromium) to run the browser tests",
    ),
]


def _wait_turn(pages, turn: int) -> None:
    for page in pages:
        page.wait_for_selector(f"body[data-turn='{turn}']", timeout=TIMEOUT_MS)


def _your_move(page) -> None:
    page.wait_for_selector("body.your-move", timeout=TIMEOUT_MS)


def _pass_in_turn(*seats) -> None:
    """Each seat in turn waits until its move comes (pushed to its page: no reload), then passes."""
    for page in seats:
        _your_move(page)
        page.click("#pass")


def _roll(white_cell, strength: str, logged: str) -> None:
    """The white cell rolls the matrix-game move its form holds, with ``strength`` as the modifier, and
    sees ``logged`` in its log."""
    white_cell.select_option("#wc-strength", strength)
    white_cell.click("#wc-roll")
    playwright_api.expect(white_cell.locator("#log")).to_contain_text(logged)


@contextmanager
def _seat_pages(directory: Path) -> Iterator[tuple[Any, Any, Any]]:
    """The served session's white cell, twn and usa pages, each in its own browser context (as on
    separate laptops) and live; when the block ends, none of them has had a script error."""
    with served(directory) as server, playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            pages = {}
            for seat in ("white_cell", "twn", "usa"):
                page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
                errors: list[str] = []
                page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
                page.goto(server.links[seat])
                playwright_api.expect(page.locator("#live")).to_have_text("live", timeout=TIMEOUT_MS)
                pages[seat] = (page, errors)
            yield pages["white_cell"][0], pages["twn"][0], pages["usa"][0]
            assert [errors for _, errors in pages.values()] == [[], [], []]
        finally:
            browser.close()


def _open_report(white_cell) -> Any:
    """The after-action report, opened in a new tab from the white cell's link."""
    with white_cell.context.expect_page() as opened:
        white_cell.click("#report-link")
    report = opened.value
    report.wait_for_load_state()
    return report


def test_two_seats_and_the_white_cell_play_three_turns_in_chromium(tmp_path: Path) -> None:
    shots = Path(os.environ.get("WARGAME_WEB_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    directory = new_session(tmp_path)
    expect = playwright_api.expect
    with _seat_pages(directory) as (white_cell, twn, usa):
        everyone = [white_cell, twn, usa]

        # Turn 1: the white cell continues, then each seat passes when its move comes.
        expect(white_cell.locator("#wc-continue")).to_be_enabled()
        expect(twn.locator("#move-status")).to_contain_text("Waiting for your first view")
        white_cell.click("#wc-continue")
        _pass_in_turn(twn, usa)
        _wait_turn(everyone, 2)

        # Turn 2: an inject, then a reload mid-turn; usa commits early and its move waits its turn.
        white_cell.fill("#wc-text", "A typhoon closes the strait to shipping for three days.")
        white_cell.select_option("#wc-quantity", "actors.twn.readiness")
        white_cell.fill("#wc-value", "-0.02")
        white_cell.click("#wc-inject")
        expect(white_cell.locator("#log")).to_contain_text("A typhoon closes the strait")
        usa.click("button[data-action='signal']")
        expect(usa.locator("#feedback")).to_contain_text("Queued")
        expect(white_cell.locator("#seats")).to_contain_text("queued")
        white_cell.click("#wc-continue")
        _your_move(twn)
        twn.reload()  # mid-turn: the page comes back as it was, live again
        expect(twn.locator("#live")).to_have_text("live", timeout=TIMEOUT_MS)
        expect(twn.locator("#move-status")).to_contain_text("It is your move")
        expect(twn.locator("#news")).to_contain_text("A typhoon closes the strait")
        twn.click("button[data-action='raise_alert']")
        _wait_turn(everyone, 3)
        expect(usa.locator("#timeline")).to_contain_text("signal")
        expect(twn.locator("#timeline")).to_contain_text("raise_alert")

        # Turn 3: a matrix-game roll; raise_alert is cooling down; both seats pass.
        white_cell.fill("#wc-argument", "Back-channel talks lower the temperature")
        _roll(white_cell, "1", "Back-channel talks")
        white_cell.click("#wc-continue")
        _your_move(twn)
        expect(twn.locator("button[data-action='raise_alert']")).to_be_disabled()
        twn.screenshot(path=str(shots / "web_seat.png"), full_page=True)
        usa.screenshot(path=str(shots / "web_seat_waiting.png"), full_page=True)
        twn.click("#pass")
        _pass_in_turn(usa)
        _wait_turn(everyone, 4)
        expect(white_cell.locator("#move-status")).to_contain_text("your phase")
        white_cell.screenshot(path=str(shots / "web_white_cell.png"), full_page=True)

        report = _open_report(white_cell)
        expect(report.locator("h1")).to_have_text("After-action report")
        report.screenshot(path=str(shots / "web_report.png"), full_page=True)
    with Session.open(directory, read_only=True) as session:
        inputs = Counter(
            (entry.turn, entry.payload["seat"], entry.kind)
            for entry in session.timeline()
            if entry.kind in ("action", "continue", "inject", "matrix_roll")
        )
        session.replay()
    assert set(inputs.values()) == {1}
    assert sum(1 for key in inputs if key[2] == "action") == 6
    assert sum(1 for key in inputs if key[2] == "continue") == 3
    for name in ("web_seat.png", "web_seat_waiting.png", "web_white_cell.png", "web_report.png"):
        assert (shots / name).stat().st_size > 10_000


def test_an_argument_is_played_through_to_the_report_in_chromium(tmp_path: Path) -> None:
    """A seat argues, another counters, the white cell adjudicates it with a modifier: all in the browser,
    then the after-action report shows the argument, the counter-argument and the roll."""
    directory = new_session(tmp_path)
    expect = playwright_api.expect
    with _seat_pages(directory) as (white_cell, twn, usa):
        white_cell.click("#wc-continue")
        _your_move(twn)
        twn.fill("#argue-action", "Open Penghu's port to allied ships")
        twn.fill("#argue-reasons", "it shows resolve without firing a shot")
        twn.click("#argue")
        expect(twn.locator("#feedback")).to_contain_text("Recorded")
        twn.click("#pass")
        _your_move(usa)
        expect(usa.locator("#arguments")).to_contain_text("Open Penghu's port")
        usa.fill(".counter-reasons[data-argument='A1']", "Beijing's hawks will call it a provocation")
        # usa presses Pass; before the button is released, its counter-argument is recorded and the page
        # renders again. The press and the release must still make one click: the move is not lost.
        usa.hover("#pass")
        usa.mouse.down()
        with usa.expect_response(lambda response: response.url.endswith("/state")) as refreshed:
            usa.evaluate("document.querySelector(\"button.counter[data-argument='A1']\").click()")
        refreshed.value.finished()
        usa.evaluate("new Promise((resolve) => setTimeout(resolve, 100))")  # the page renders what it fetched
        expect(usa.locator("#feedback")).to_contain_text("Recorded")
        usa.mouse.up()
        _wait_turn([white_cell, twn, usa], 2)

        white_cell.select_option("#wc-on-argument", "A1")
        _roll(white_cell, "1", "Open Penghu's port")
        report = _open_report(white_cell)
        expect(report.locator("h2", has_text="Arguments (matrix game)")).to_be_visible()
        expect(report.locator("body")).to_contain_text("Beijing's hawks will call it a provocation")
        expect(report.locator("body")).to_contain_text("2d6")
    with Session.open(directory, read_only=True) as session:
        kinds = [entry.kind for entry in session.timeline()]
        session.replay()
    assert kinds.count("argument") == 1 and kinds.count("counter_argument") == 1
    assert "matrix_roll" in kinds and "roll_result" in kinds
