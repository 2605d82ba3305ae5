"""Hostile files in a session folder that `wargame session report` reads back (the fans `branch` saved,
the debrief), under the harness's limits: each is refused in one line naming the file and the field, and
no report is written."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hostile_harness import REFERENCE, Hostile, assert_refused, snapshot

from wargame.session import SeatAction, Session
from wargame.session._debrief import debrief
from wargame.session._fan import counterfactual_fan

FAN = "turn-1"


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An unfinished session (Taiwan passed at turn 1) with a fan from turn 1 and a debrief."""
    folder = tmp_path_factory.mktemp("saved")
    shutil.copyfile(REFERENCE, folder / REFERENCE.name)
    scenario = folder / "short.yaml"
    scenario.write_text(f"extends: {REFERENCE.name}\nname: Short\nhorizon_days: 21\n", encoding="utf-8")
    with Session.create(scenario, folder / "s", seats=["twn"], seed=9) as session:
        session.submit(SeatAction("twn", None))
        counterfactual_fan(session, turn=1, runs=20)
        debrief(session, runs=20)
    return folder / "s"


@pytest.fixture
def session_dir(saved: Path, tmp_path: Path) -> Path:
    """A copy of the saved session to spoil."""
    return shutil.copytree(saved, tmp_path / "s")


def _report(hostile: Hostile, session_dir: Path, *fragments: str) -> None:
    before = snapshot(session_dir)
    result = hostile.run("session", "report", session_dir)
    assert_refused(result, *fragments, unchanged=[before])


def test_a_50_megabyte_fan(hostile: Hostile, session_dir: Path) -> None:
    path = session_dir / "fans" / f"{FAN}.json"
    with path.open("wb") as handle:
        handle.truncate(50 << 20)
    _report(hostile, session_dir, str(path), "over 8 MB")


def test_a_fan_of_the_densest_json_under_the_size_limit(hostile: Hostile, session_dir: Path) -> None:
    """Eight megabytes of empty lists: millions of objects once parsed."""
    path = session_dir / "fans" / f"{FAN}.json"
    path.write_text('{"turn": [' + ",".join(["[]"] * (((8 << 20) - 20) // 3)) + "]}")
    _report(hostile, session_dir, str(path), "turn", "integer")


def test_a_fan_percentile_that_is_nan(hostile: Hostile, session_dir: Path) -> None:
    path = session_dir / "fans" / f"{FAN}.json"
    data = json.loads(path.read_text())
    data["escalation_score_percentile"] = float("nan")
    path.write_text(json.dumps(data))
    _report(hostile, session_dir, str(path), "escalation_score_percentile", "finite")


def test_a_fan_plot_linked_to_an_endless_device(hostile: Hostile, session_dir: Path) -> None:
    path = session_dir / "fans" / f"{FAN}.png"
    path.unlink()
    path.symlink_to("/dev/zero")
    _report(hostile, session_dir, str(path), "symbolic link")


def test_a_fan_that_is_a_fifo(hostile: Hostile, session_dir: Path) -> None:
    path = session_dir / "fans" / f"{FAN}.json"
    path.unlink()
    os.mkfifo(path)
    _report(hostile, session_dir, str(path), "not a regular file")


def test_a_debrief_linked_out_of_the_folder(hostile: Hostile, session_dir: Path) -> None:
    path = session_dir / "debrief.json"
    path.unlink()
    path.symlink_to("/dev/urandom")
    _report(hostile, session_dir, str(path), "symbolic link")


def test_a_debrief_without_its_lines(hostile: Hostile, session_dir: Path) -> None:
    path = session_dir / "debrief.json"
    data = json.loads(path.read_text())
    del data["lines"]
    path.write_text(json.dumps(data))
    _report(hostile, session_dir, str(path), "lines", "missing")


@pytest.mark.parametrize("command", ["status", "replay", "report"])
def test_a_head_anchor_that_is_a_fifo(hostile: Hostile, session_dir: Path, command: str) -> None:
    path = session_dir / "head.json"
    path.unlink()
    os.mkfifo(path)  # opening it for reading would wait for a writer
    before = snapshot(session_dir)
    result = hostile.run("session", command, session_dir)
    assert_refused(result, str(path), "unreadable", unchanged=[before])


@pytest.mark.parametrize(
    ("entries", "field"), [("Infinity", "entries"), ("1e400", "entries"), ('"11"', "entries")]
)
def test_a_head_anchor_with_a_count_that_is_not_a_whole_number(
    hostile: Hostile, session_dir: Path, entries: str, field: str
) -> None:
    path = session_dir / "head.json"
    anchor = json.loads(path.read_text())
    path.write_text(f'{{"entries": {entries}, "head_hash": "{anchor["head_hash"]}"}}\n')
    before = snapshot(session_dir)
    result = hostile.run("session", "status", session_dir)
    assert_refused(result, str(path), "unreadable", field, unchanged=[before])


@pytest.mark.parametrize("key", ["/dev/zero", "fifo"])
def test_a_key_flag_naming_an_endless_device_or_a_fifo(
    hostile: Hostile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setenv("WARGAME_SESSION_KEYS", str(tmp_path / "keys"))
    shutil.copyfile(REFERENCE, tmp_path / REFERENCE.name)
    Session.create(tmp_path / REFERENCE.name, tmp_path / "signed", seats=["twn"], seed=9, secret=True).close()
    if key == "fifo":
        key = str(tmp_path / "key")
        os.mkfifo(key)
    before = snapshot(tmp_path / "signed")
    result = hostile.run("session", "replay", tmp_path / "signed", "--key", key)
    assert_refused(result, key, "cannot read the session key", unchanged=[before])


def test_a_report_folder_that_is_a_file(hostile: Hostile, session_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "not-a-folder"
    out.write_text("a file where the report's folder would go\n")
    before, folder = snapshot(out), snapshot(session_dir)
    result = hostile.run("session", "report", session_dir, "--out", out)
    assert_refused(result, str(out), "cannot write the report", unchanged=[before, folder])


def test_a_fans_folder_that_is_a_file(hostile: Hostile, session_dir: Path) -> None:
    fans = session_dir / "fans"
    shutil.rmtree(fans)
    fans.write_text("a file where branch saves its fans\n")
    before = snapshot(session_dir)
    result = hostile.run("session", "branch", session_dir, "--turn", "1", "--runs", "20")
    assert_refused(result, str(fans), "not a folder", unchanged=[before])


def test_a_debrief_that_is_a_folder(hostile: Hostile, session_dir: Path) -> None:
    path = session_dir / "debrief.json"
    path.unlink()
    path.mkdir()
    before = snapshot(session_dir)
    result = hostile.run("session", "debrief", session_dir, "--runs", "20")
    assert_refused(result, str(path), "not a regular file", unchanged=[before])
