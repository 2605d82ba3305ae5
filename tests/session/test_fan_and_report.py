"""Counterfactual fans (same engine, shared history, jobs-independent, swaps) and the after-action report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from session_helpers import fans_on_one_and_two_workers, play_out, write_short_scenario

from wargame.errors import InputError
from wargame.scenario import Effect
from wargame.session import WHITE_CELL, Continue, Inject, MatrixRoll, SeatAction, Session
from wargame.session._fan import counterfactual_fan
from wargame.session._report import write_report


@pytest.fixture
def played(tmp_path: Path) -> Session:
    """A finished eight-turn session with people's decisions, an inject and a matrix-game roll."""
    scenario = write_short_scenario(tmp_path, horizon_days=56)
    session = Session.create(scenario, tmp_path / "s", seats=("twn", "usa", "jpn"), white_cell=True, seed=8)
    session.submit(
        Inject(WHITE_CELL, text="Cable cut", effects=(Effect(quantity="actors.twn.resolve", add=-0.05),))
    )
    session.submit(MatrixRoll(WHITE_CELL, argument="Japan joins patrols", strength=1))
    session.submit(Continue(WHITE_CELL))
    session.submit(SeatAction("twn", "publicize"))
    session.submit(SeatAction("usa", "signal"))
    play_out(session)
    yield session
    session.close()


def test_continuations_share_the_session_history_up_to_the_branch(played: Session) -> None:
    session_rungs = []
    for entry in played.timeline():
        if entry.kind == "turn_adjudicated":
            session_rungs += entry.payload["rung_by_day"]
    last_turn = played.status().turn
    fan = counterfactual_fan(played, turn=last_turn, runs=40, plot=False)
    # Branching after the last decision: every continuation is the session itself up to its end.
    assert (
        fan.actual.rung_quantiles == np.array(session_rungs)[None, : fan.actual.rung_quantiles.shape[1]]
    ).all()
    assert (fan.actual.outcomes["escalation_score"] == played.status().outcome["escalation_score"]).all()
    early = counterfactual_fan(played, turn=2, runs=200, plot=False)
    shared_days = early.branch_day
    assert (early.actual.rung_quantiles[:, :shared_days] == np.array(session_rungs[:shared_days])).all()
    assert early.actual.outcomes["escalation_score"].nunique() > 1  # then they diverge
    assert 0.0 <= early.escalation_score_percentile <= 100.0


@pytest.mark.slow
def test_fan_results_do_not_depend_on_jobs(played: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    serial, parallel = fans_on_one_and_two_workers(played, monkeypatch)
    assert serial.actual.outcomes.equals(parallel.actual.outcomes)


@pytest.mark.slow
def test_swapping_a_decision_reruns_the_same_futures(played: Session) -> None:
    fan = counterfactual_fan(played, turn=1, runs=200, swap=("usa", "offramp"))
    assert fan.swapped is not None
    difference = fan.swapped.outcomes["escalation_score"] - fan.actual.outcomes["escalation_score"]
    # The swap trades a posturing signal (+4) for a de-escalating off-ramp (-2) in every continuation.
    assert (difference != 0).any()
    summary = json.loads(fan.files[0].read_text())
    assert summary["swapped"]["label"] == "usa takes offramp at turn 1"
    assert fan.files[1].stat().st_size > 10_000
    with pytest.raises(InputError, match="played by its policy"):
        counterfactual_fan(played, turn=1, runs=10, swap=("prc", "blockade"))
    with pytest.raises(InputError, match="not on usa's menu"):
        counterfactual_fan(played, turn=1, runs=10, swap=("usa", "publicize"))
    with pytest.raises(InputError, match="cannot swap in 'signal' at turn 2"):
        counterfactual_fan(played, turn=2, runs=10, swap=("usa", "signal"))
    with pytest.raises(InputError, match="choose a turn from 0 to"):
        counterfactual_fan(played, turn=99, runs=10)


@pytest.mark.slow
def test_the_report_has_every_section_and_its_plots(played: Session, tmp_path: Path) -> None:
    counterfactual_fan(played, turn=2, runs=50)
    paths = write_report(played, tmp_path / "report")
    html_text = paths[0].read_text()
    for heading in (
        "Escalation trajectory",
        "Key moments",
        "What each seat knew against what was true",
        "Timeline: incidents, injects and decisions by seat",
        "Counterfactual fans",
    ):
        assert heading in html_text
    sources = re.findall(r"src=[\"']([^\"']+)[\"']", html_text)
    assert len(sources) >= 2
    for source in sources:
        assert (tmp_path / "report" / source).stat().st_size > 5_000
    assert "Cable cut" in html_text and "Japan joins patrols" in html_text
    assert "Publicize attributed incidents (person)" in html_text and "(engine)" in html_text
    assert re.search(r"day 7: Taiwan&#(x27|39);s first detection \(\d+ incidents\)", html_text)
    markdown = paths[1].read_text()
    assert (
        "| turn | day | rung |" in markdown and "![escalation trajectory](figures/trajectory.png)" in markdown
    )
