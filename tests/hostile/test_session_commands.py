"""Hostile session folders, journals and flags through the real `wargame session` commands, under the
harness's limits: each is refused in one line and leaves the session folder as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hostile_harness import REFERENCE, Hostile, assert_refused, snapshot
from journal_tampering import tamper

from wargame.session import Session


@pytest.fixture
def session_dir(tmp_path: Path) -> Path:
    shutil.copyfile(REFERENCE, tmp_path / REFERENCE.name)
    scenario = tmp_path / "short.yaml"
    scenario.write_text(f"extends: {REFERENCE.name}\nname: Short\nhorizon_days: 21\n", encoding="utf-8")
    Session.create(scenario, tmp_path / "s", seats=["twn"], white_cell=True, seed=9).close()
    return tmp_path / "s"


@pytest.mark.parametrize("command", ["replay", "status", "report", "play"])
def test_a_zero_length_journal(hostile: Hostile, tmp_path: Path, command: str) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "journal.sqlite").write_bytes(b"")
    before = snapshot(folder)
    assert_refused(hostile.run("session", command, folder), "journal.sqlite", "empty", unchanged=[before])


def test_a_journal_that_is_not_a_database(hostile: Hostile, session_dir: Path) -> None:
    (session_dir / "journal.sqlite").write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    before = snapshot(session_dir)
    assert_refused(hostile.run("session", "replay", session_dir), "journal.sqlite", unchanged=[before])


def test_a_journal_cut_from_its_end(hostile: Hostile, session_dir: Path) -> None:
    tamper(session_dir / "journal.sqlite", "DELETE FROM entries WHERE seq > 1")
    before = snapshot(session_dir)
    assert_refused(hostile.run("session", "status", session_dir), "cut short", unchanged=[before])


def test_a_header_rewritten_to_another_format(hostile: Hostile, session_dir: Path) -> None:
    tamper(session_dir / "journal.sqlite", "UPDATE entries SET payload = '{\"format\": 99}' WHERE seq = 1")
    before = snapshot(session_dir)
    assert_refused(hostile.run("session", "replay", session_dir), "entry #1", unchanged=[before])


def test_a_malformed_head_anchor(hostile: Hostile, session_dir: Path) -> None:
    (session_dir / "head.json").write_text("[" * 10_000)
    before = snapshot(session_dir)
    assert_refused(
        hostile.run("session", "replay", session_dir), "head.json", "unreadable", unchanged=[before]
    )


def test_a_key_file_that_is_not_a_key(hostile: Hostile, session_dir: Path, tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("not a key at all\n")
    before = snapshot(session_dir)
    result = hostile.run("session", "replay", session_dir, "--key", key)
    assert_refused(result, "not signed by this session's key", unchanged=[before])


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["branch", "--turn", "99"], "--turn"),
        (["branch", "--turn", "0", "--runs", "0"], "--runs"),
        (["debrief", "--runs", "5"], "--runs"),
        (["report", "--scenario", "/dev/zero"], "/dev/zero"),
    ],
)
def test_bad_flags_of_session_commands(
    hostile: Hostile, session_dir: Path, args: list[str], fragment: str
) -> None:
    before = snapshot(session_dir)
    result = hostile.run("session", args[0], session_dir, *args[1:])
    assert_refused(result, fragment, unchanged=[before])


def test_a_white_cell_seat_at_creation(hostile: Hostile, tmp_path: Path) -> None:
    result = hostile.run("session", "new", REFERENCE, "--seats", "white_cell", "--out", tmp_path / "new")
    assert_refused(result, "--seats", "white_cell", unchanged=[tmp_path / "new"])


def test_hostile_lines_at_the_prompt_stop_cleanly(hostile: Hostile, session_dir: Path) -> None:
    """Bad lines at the white cell's prompt are refused one by one, and play stops cleanly at the end
    of input, under the limits (the rule's exit code 2 is for commands, not for lines at a prompt)."""
    lines = [
        "",
        "x" * 1_000_000,
        "inject \x1b[2J",
        "roll 99 argument",
        "fire nothing",
        "rewind 10000000000000",
    ]
    result = hostile.run("session", "play", session_dir, stdin="\n".join(lines) + "\n")
    assert result.killed_by is None and result.code == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    refusals = [
        line for line in result.stdout.splitlines() if "not understood" in line or "not accepted" in line
    ]
    assert len(refusals) == 5 and all(len(line) < 400 for line in refusals)
