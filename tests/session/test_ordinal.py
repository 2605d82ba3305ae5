"""Percentiles read as English ordinals (1st, 2nd, 3rd, 11th, 22nd) in the debrief and in the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from session_helpers import play_out, write_short_scenario

from wargame.session import Session
from wargame.session._debrief import Debrief
from wargame.session._fan import counterfactual_fan
from wargame.session._report import write_report


def _debrief(percentile: float) -> Debrief:
    return Debrief(
        finished=True,
        moments=[],
        runs=50,
        ensemble_war_probability=0.0,
        ensemble_escalation_score_mean=8.4,
        session_escalation_score=8.0,
        session_war=False,
        escalation_score_percentile=percentile,
        what_ifs=[],
    )


@pytest.mark.parametrize(
    ("percentile", "shown"),
    [
        (61.0, "61st"),
        (60.6, "61st"),
        (1.2, "1st"),
        (2.0, "2nd"),
        (3.4, "3rd"),
        (12.0, "12th"),
        (22.0, "22nd"),
        (0.3, "0th"),
        (99.7, "100th"),
    ],
)
def test_the_debrief_names_the_percentile_as_an_ordinal(percentile: float, shown: str) -> None:
    place = _debrief(percentile).lines()[3]
    assert f"at the {shown} percentile (mean 8.4)" in place


def test_the_report_names_a_fans_percentile_as_an_ordinal(tmp_path: Path) -> None:
    scenario = write_short_scenario(tmp_path)
    with Session.create(scenario, tmp_path / "s", seats=("usa",), seed=5) as session:
        play_out(session)
        counterfactual_fan(session, turn=2, runs=8)
        (summary_path,) = (tmp_path / "s" / "fans").glob("*.json")
        summary = json.loads(summary_path.read_text())
        summary["escalation_score_percentile"] = 22.0
        summary_path.write_text(json.dumps(summary))
        html_path, markdown_path = write_report(session, tmp_path / "report")[:2]
    for path in (html_path, markdown_path):
        text = path.read_text()
        assert "sits at the 22nd percentile" in text
        assert "22th" not in text
