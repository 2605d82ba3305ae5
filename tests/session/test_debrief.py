"""The debrief: key moments, the session's place among its scenario's sessions, and what-ifs of the
decisions people made, from the CLI into the report; too few runs is one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from session_helpers import write_short_scenario

from wargame.session import WHITE_CELL, Continue, SeatAction, Session


def _wargame(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wargame.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_a_debrief_weighs_the_decisions_and_goes_into_the_report(tmp_path: Path) -> None:
    scenario = write_short_scenario(tmp_path)
    with Session.create(scenario, tmp_path / "s", seats=["usa"], white_cell=True, seed=5) as session:
        while session.pending is not None:
            prompt = session.pending
            if prompt.seat == WHITE_CELL:
                session.submit(Continue(WHITE_CELL))
            else:
                allowed = [item["id"] for item in prompt.view["menu"] if item["allowed"]]
                session.submit(SeatAction("usa", allowed[0] if prompt.turn in (1, 3) and allowed else None))
    result = _wargame("session", "debrief", str(tmp_path / "s"), "--runs", "40")
    assert result.returncode == 0, result.stderr
    assert "Key moments:" in result.stdout
    assert "This session among 40 sessions of its scenario" in result.stdout
    assert "The decisions that mattered most" in result.stdout
    saved = json.loads((tmp_path / "s" / "debrief.json").read_text())
    assert 1 <= len(saved["what_ifs"]) <= 3
    weights = [
        abs(w["escalation_score_mean"] - w["escalation_score_mean_if_passed"]) for w in saved["what_ifs"]
    ]
    assert weights == sorted(weights, reverse=True)
    assert all(w["seat"] == "United States" for w in saved["what_ifs"])
    assert 0.0 <= saved["escalation_score_percentile"] <= 100.0
    report = _wargame("session", "report", str(tmp_path / "s"), "--out", str(tmp_path / "report"))
    assert report.returncode == 0, report.stderr
    markdown = (tmp_path / "report" / "report.md").read_text()
    assert "## Debrief" in markdown and "mattered most" in markdown


def test_too_few_runs_is_one_line(tmp_path: Path) -> None:
    scenario = write_short_scenario(tmp_path)
    Session.create(scenario, tmp_path / "s", seats=["usa"], seed=5).close()
    result = _wargame("session", "debrief", str(tmp_path / "s"), "--runs", "3")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "--runs" in result.stderr
    assert not (tmp_path / "s" / "debrief.json").exists()
