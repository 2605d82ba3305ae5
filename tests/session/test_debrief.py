"""The debrief: key moments, the session's place among its scenario's sessions, and what-ifs of the
decisions people made, from the CLI into the report; too few runs is one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from forked_cli import WargameProcess
from session_helpers import write_short_scenario

from wargame.session import WHITE_CELL, Continue, SeatAction, Session
from wargame.session._fan import counterfactual_fan


@pytest.mark.slow
def test_a_debrief_weighs_the_decisions_and_goes_into_the_report(
    tmp_path: Path, wargame_process: WargameProcess
) -> None:
    scenario = write_short_scenario(tmp_path)
    with Session.create(scenario, tmp_path / "s", seats=["usa"], white_cell=True, seed=5) as session:
        while session.pending is not None:
            prompt = session.pending
            if prompt.seat == WHITE_CELL:
                session.submit(Continue(WHITE_CELL))
            else:
                allowed = [item["id"] for item in prompt.view["menu"] if item["allowed"]]
                session.submit(SeatAction("usa", allowed[0] if prompt.turn in (1, 3) and allowed else None))
    result = wargame_process("session", "debrief", str(tmp_path / "s"), "--runs", "40")
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
    report = wargame_process("session", "report", str(tmp_path / "s"), "--out", str(tmp_path / "report"))
    assert report.returncode == 0, report.stderr
    markdown = (tmp_path / "report" / "report.md").read_text()
    assert "## Debrief" in markdown and "mattered most" in markdown


def test_too_few_runs_is_one_line(tmp_path: Path, wargame_process: WargameProcess) -> None:
    scenario = write_short_scenario(tmp_path)
    Session.create(scenario, tmp_path / "s", seats=["usa"], seed=5).close()
    result = wargame_process("session", "debrief", str(tmp_path / "s"), "--runs", "3")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "--runs" in result.stderr
    assert not (tmp_path / "s" / "debrief.json").exists()


def test_an_unfinished_session_is_debriefed_against_the_ensemble_on_the_same_day(
    tmp_path: Path, wargame_process: WargameProcess
) -> None:
    scenario = write_short_scenario(tmp_path)
    with Session.create(scenario, tmp_path / "s", seats=["usa"], white_cell=True, seed=5) as session:
        for _ in range(2):  # turns 1 and 2: the white cell continues, the US passes
            session.submit(Continue(WHITE_CELL))
            session.submit(SeatAction("usa", None))
        digest = [e.payload for e in session.timeline() if e.kind == "turn_adjudicated"][-1]
    result = wargame_process("session", "debrief", str(tmp_path / "s"), "--runs", "40")
    assert result.returncode == 0, result.stderr
    assert "compared on day 21 where this session stands" in result.stdout
    saved = json.loads((tmp_path / "s" / "debrief.json").read_text())
    assert digest["day"] == saved["compared_at_day"] == 21
    assert saved["session_escalation_score"] == digest["escalation_score"]
    # The ensemble's mean score and P(war) on day 21 (three weeks of decisions), not at the 35-day horizon.
    with Session.open(tmp_path / "s", read_only=True) as session:
        ensemble = counterfactual_fan(session, turn=0, runs=40, out_dir=tmp_path / "fan", plot=False)
    fan = ensemble.summary()["actual"]
    assert saved["ensemble_escalation_score_mean"] == fan["so_far"]["escalation_score_mean"]
    assert saved["ensemble_escalation_score_mean"] != fan["escalation_score_mean"]
    assert saved["ensemble_war_probability"] == fan["so_far"]["war_probability"]
    assert 0.0 < saved["escalation_score_percentile"] < 100.0


def test_the_debrief_is_part_of_the_public_api(tmp_path: Path) -> None:
    from wargame.session import Debrief, debrief

    scenario = write_short_scenario(tmp_path)
    with Session.create(scenario, tmp_path / "s", seats=["usa"], seed=5) as session:
        session.submit(SeatAction("usa", None))
        result = debrief(session, runs=20, seed=2)
    assert isinstance(result, Debrief) and result.runs == 20 and result.compared_at_day == 14
    saved = json.loads((tmp_path / "s" / "debrief.json").read_text())
    assert saved["lines"] == result.lines()
