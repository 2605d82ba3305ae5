"""Journals written by earlier versions keep opening and replaying (format 1: no head anchor, no key)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from wargame.errors import InputError
from wargame.session import Session

FIXTURE = Path(__file__).parent / "fixtures" / "journal_v1"


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    folder = tmp_path / "session"
    folder.mkdir()
    shutil.copy(FIXTURE / "journal.sqlite", folder / "journal.sqlite")
    return folder


def test_a_format_1_journal_replays_every_branch(legacy: Path) -> None:
    with Session.open(legacy, read_only=True, scenario_path=FIXTURE / "scenario.yaml") as session:
        report = session.replay()
        status = session.status()
        kinds = [entry.kind for entry in session.journal]
    rows = sqlite3.connect(FIXTURE / "journal.sqlite").execute("SELECT seq, branch, turn, kind FROM entries")
    rows = rows.fetchall()
    rewind_seq = next(seq for seq, _, _, kind in rows if kind == "rewind")
    on_0 = [seq for seq, branch, _, _ in rows if branch == 0 and seq > 1]
    inherited = [seq for seq, branch, turn, _ in rows if branch == 0 and 1 < seq < rewind_seq and turn < 2]
    on_1 = [seq for seq, branch, _, _ in rows if branch == 1]
    assert [(b.branch, b.entries_checked) for b in report.branches] == [
        (0, len(on_0)),
        (1, len(inherited) + len(on_1)),
    ]
    assert status.finished and status.branch == 1
    assert session.header["format"] == 1
    for kind in ("inject", "matrix_roll", "roll_result", "program", "override", "pause", "resume", "rewind"):
        assert kind in kinds
    assert sorted(path.name for path in legacy.iterdir()) == ["journal.sqlite"]


def test_a_format_1_journal_names_its_moved_scenario(legacy: Path) -> None:
    with pytest.raises(InputError, match="scenario file is missing"):
        Session.open(legacy, read_only=True)
