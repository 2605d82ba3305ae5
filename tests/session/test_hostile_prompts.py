"""Hostile lines typed at `wargame session play` prompts: each one is refused in one line, with no
traceback, nothing journaled for it, handled within 5 s and 300 MB (measured around the terminal loop)."""

from __future__ import annotations

import io
import sqlite3
import time
import tracemalloc
from pathlib import Path

import pytest
from session_helpers import write_short_scenario

from wargame.session import Session, play
from wargame.session._terminal import TerminalFrontEnd

SECONDS = 5.0
MEGABYTES = 300

WHITE_CELL_LINES = {
    "no arguments": "inject",
    "unknown quantity": "inject actors.nobody.readiness add 0.1 a rumour",
    "not a number": "inject actors.twn.readiness add lots a rumour",
    "infinite value": "inject actors.twn.readiness add 1e999 a rumour",
    "nan value": "override actors.twn.readiness set nan the umpire",
    "strength out of range": "roll 99 a brilliant argument",
    "strength just out of range": "roll 4 a brilliant argument",
    "strength just under range": "roll -4 a brilliant argument",
    "rewind to turn 0": "rewind 0",
    "strength not a number": "roll strong a brilliant argument",
    "rewind far ahead": "rewind 99999999999999999999999",
    "terminal escape codes": "\x1b[2J\x1b[31mred",
    "nul bytes": "inject\x00 actors.twn.readiness add 1 x",
    "nul byte in news": "news a\x00b",
    "escape code in news": "news \x1b[2Jcleared",
    "escape code in an inject's text": "inject actors.twn.readiness add 0.1 \x1b[31mred",
    "bell in an override's reason": "override actors.twn.readiness set 0.5 umpire\x07",
    "nul byte in a roll's argument": "roll 1 a\x00b",
    "nul byte in an argument ruled on": "adjudicate A\x001 1",
    "one megabyte word": "x" * 1_000_000,
    "text over the limit": "news " + "y" * 3000,
}
SEAT_LINES = {
    "two words": "publicize now",
    "no such action number": "99",
    "unknown action": "launch_everything",
    "negative intensity": "program policy_dialogue -5",
    "infinite intensity": "program policy_dialogue inf",
    "unbalanced quote": "raise_alert 'now",
    "nul byte in an action": "raise\x00alert",
    "nul byte in an argument's action": "argue go\x00 because it works",
    "escape code in an argument's reasons": "argue go because \x1b[2Jit works",
    "escape code in a counter-argument": "counter A1 \x1b[31mit fails",
}
CONTROL_CHARACTER_FIELDS = {  # line -> the field its refusal names
    "nul byte in news": "text",
    "escape code in news": "text",
    "escape code in an inject's text": "text",
    "bell in an override's reason": "reason",
    "nul byte in a roll's argument": "argument",
    "nul byte in an argument ruled on": "on_argument",
    "nul byte in an action": "action",
    "nul byte in an argument's action": "action",
    "escape code in an argument's reasons": "reasons",
    "escape code in a counter-argument": "reasons",
}


def _play(folder: Path, lines: list[str]) -> tuple[str, float, float]:
    """Play the session at a terminal fed ``lines`` (then end of input), in this process.

    Returns what the terminal printed, the longest time from reading a line to asking for the next one
    (the handling of one input) and the peak memory allocated meanwhile, in MB.
    """
    out = io.StringIO()
    fed = iter(lines)
    handling: list[float] = []
    read_at: list[float] = []

    def read_line(prompt: str) -> str:
        now = time.monotonic()
        if read_at:
            handling.append(now - read_at[-1])
        read_at.append(now)
        try:
            return next(fed)
        except StopIteration:
            raise EOFError from None

    tracemalloc.start()
    try:
        with Session.open(folder) as session:
            play(session, TerminalFrontEnd(read_line=read_line, out=out, clear_screen=False))
        peak = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
    return out.getvalue(), max(handling, default=0.0), peak


def _entries(folder: Path) -> list[tuple[str, str]]:
    connection = sqlite3.connect(f"file:{folder / 'journal.sqlite'}?mode=ro", uri=True)
    rows = connection.execute("SELECT kind, payload FROM entries ORDER BY seq").fetchall()
    connection.close()
    return rows


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, str]]]:
    """A session with the white cell's first prompt reached and nothing else typed."""
    root = tmp_path_factory.mktemp("hostile-prompts")
    scenario = write_short_scenario(root)
    folder = root / "session"
    Session.create(scenario, folder, seats=["twn"], white_cell=True, seed=11).close()
    _play(folder, [""])
    return folder, _entries(folder)


def _copy(baseline: tuple[Path, list], tmp_path: Path) -> Path:
    import shutil

    folder = tmp_path / "session"
    shutil.copytree(baseline[0], folder)
    return folder


def _check(name: str, printed: str, seconds: float, peak: float) -> None:
    refusals = [line for line in printed.splitlines() if "not understood:" in line or "not accepted:" in line]
    assert len(refusals) == 1, printed[-2000:]
    assert len(refusals[0]) < 400
    assert "\x1b" not in refusals[0]
    if name in CONTROL_CHARACTER_FIELDS:
        expected = f"not understood: {CONTROL_CHARACTER_FIELDS[name]}: control character U+"
        assert expected in refusals[0], refusals[0]
    assert seconds < SECONDS
    assert peak < MEGABYTES


@pytest.mark.parametrize("name", sorted(WHITE_CELL_LINES))
def test_a_hostile_white_cell_line_is_refused(baseline, tmp_path: Path, name: str) -> None:
    folder = _copy(baseline, tmp_path)
    _check(name, *_play(folder, ["", WHITE_CELL_LINES[name]]))
    assert _entries(folder) == baseline[1]  # nothing journaled


@pytest.mark.parametrize("name", sorted(SEAT_LINES))
def test_a_hostile_seat_line_is_refused(baseline, tmp_path: Path, name: str) -> None:
    folder = _copy(baseline, tmp_path)
    _check(name, *_play(folder, ["", "continue", "", SEAT_LINES[name]]))
    kinds = {kind for kind, _ in _entries(folder)}
    assert not kinds & {"action", "program", "argument", "counter_argument"}  # the line left no trace
