"""The web console's totals of incidents count each incident once, though the reference scenario's
activities nest (ADIZ entries within the aircraft detected around Taiwan, median-line crossings within
ADIZ entries)."""

from __future__ import annotations

from pathlib import Path

from web_helpers import close_web, open_web, write_short_scenario

from wargame.session import WHITE_CELL, Continue, SeatAction, Session


def test_the_trajectory_and_a_seat_s_history_count_each_incident_once(tmp_path: Path) -> None:
    # 36 days: five weekly turns and a sixth decision day, so every day's incidents are in some view.
    scenario = write_short_scenario(tmp_path, horizon_days=36)
    directory = tmp_path / "session"
    with Session.create(scenario, directory, seats=("twn", "usa"), white_cell=True, seed=12) as session:
        assert any(a.subset_of is not None for a in session.scenario.gray_zone.activities)
        while (prompt := session.pending) is not None:
            passing = Continue(WHITE_CELL) if prompt.seat == WHITE_CELL else SeatAction(prompt.seat, None)
            session.submit(passing)
        outcome = session.status().outcome
    web = open_web(directory)
    try:
        trajectory = web.white_cell_state()["trajectory"]
        history = web.seat_state("twn")["history"]
    finally:
        close_web(web)
    assert trajectory[-1]["incidents"] == outcome["incidents_total"]
    assert len(history) == 5
    assert sum(turn["detected"] for turn in history) == outcome["detected_total"]
