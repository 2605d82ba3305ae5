"""Every command names the same day for a session that ends in war: the model's war day."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from session_helpers import every_seat_passes, play_out, write_short_scenario

from wargame.cli import main
from wargame.session import Session
from wargame.session._report import write_report


@pytest.fixture
def at_war(tmp_path: Path) -> Path:
    """Thirteen weekly turns that end in war before the horizon (seed 12, every seat passing)."""
    scenario = write_short_scenario(tmp_path, horizon_days=91)
    directory = tmp_path / "s"
    seats = ("twn", "usa", "jpn")
    with Session.create(scenario, directory, seats=seats, white_cell=True, seed=12) as session:
        play_out(session, every_seat_passes)
    return directory


@pytest.mark.slow
def test_status_replay_and_report_name_the_war_day(at_war: Path, capsys) -> None:
    with Session.open(at_war, read_only=True) as session:
        status = session.status()
        replay = session.replay()
        report_md = write_report(session, at_war.parent / "report")[1].read_text(encoding="utf-8")
    assert status.finished and status.outcome["war"]
    war_day = int(status.outcome["war_day"])
    assert war_day < 91 and war_day % 7 == 0  # war came at a decision day, before its decision point
    assert status.day == war_day
    (branch,) = replay.branches
    assert branch.ended == f"finished at turn {status.turn}, day {war_day}"
    assert f"war on day {war_day};" in report_md
    assert main(["session", "status", str(at_war)]) == 0
    assert f"finished at turn {status.turn}: war on day {war_day}," in capsys.readouterr().out
    assert main(["session", "replay", str(at_war)]) == 0
    days = re.findall(r"\bday (\d+)", capsys.readouterr().out)
    assert days and set(days) == {str(war_day)}
