"""Totals of incidents in a session's outputs count each incident once, though activities nest.

In the reference scenario ADIZ entries are a subset of the aircraft detected around Taiwan and median-line
crossings a subset of ADIZ entries: one aircraft is in up to three activities' counts. The model's
outcomes (``incidents_total``, ``detected_total``) count each incident once; the report, its plots and the
debrief's key moments must agree with them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from session_helpers import every_seat_passes, play_out, write_short_scenario

from wargame.session import Session
from wargame.session._report import read_record, write_report


@pytest.fixture
def finished(tmp_path: Path) -> Session:
    """Five weekly turns and a sixth decision day (36 days: every day's incidents are in some seat's view),
    every seat passing."""
    scenario = write_short_scenario(tmp_path, horizon_days=36)
    session = Session.create(scenario, tmp_path / "s", seats=("twn", "usa", "jpn"), white_cell=True, seed=12)
    play_out(session, every_seat_passes)
    yield session
    session.close()


def test_the_reference_scenario_nests_activities(finished: Session) -> None:
    nested = [a.id for a in finished.scenario.gray_zone.activities if a.subset_of is not None]
    assert nested  # else the other tests of this module test nothing


def test_the_report_true_incidents_add_up_to_the_outcome(finished: Session) -> None:
    record = read_record(finished)
    outcome = finished.status().outcome
    assert [turn.turn for turn in record.turns] == [1, 2, 3, 4, 5]
    assert sum(turn.true_incidents for turn in record.turns) == outcome["incidents_total"]


def test_what_a_seat_detected_adds_up_to_its_picture_s_total(finished: Session) -> None:
    record = read_record(finished)
    outcome = finished.status().outcome
    defender = finished.scenario.defender
    detected = [turn.knowledge[defender]["detected"] for turn in record.turns]
    assert sum(detected) == outcome["detected_total"]
    first = next(text for _, text in record.moments if text.startswith("Taiwan's first detection"))
    assert first == f"Taiwan's first detection ({detected[0]} incidents)"


@pytest.mark.slow
def test_the_report_says_subsets_are_within_their_parent(finished: Session) -> None:
    html_path, md_path, *_ = write_report(finished)
    outcome = finished.status().outcome
    markdown = md_path.read_text(encoding="utf-8")
    timeline = markdown.split("## Timeline", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in timeline.splitlines() if re.match(r"\| \d+ \|", line)]
    assert sum(int(row.split("|")[4]) for row in rows) == outcome["incidents_total"]
    html = html_path.read_text(encoding="utf-8").replace("&#39;", "'")
    for text in (markdown, html):
        assert "Totals count each incident once" in text
        assert "PLA aircraft entering Taiwan's ADIZ within PLA aircraft detected around Taiwan" in text
        assert "Median-line crossings within PLA aircraft entering Taiwan's ADIZ" in text
