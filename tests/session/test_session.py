"""Sessions through the public API: a full reference session, resume after a crash, rewind, pause, the
white cell, and bad input that leaves the session intact."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from session_helpers import REFERENCE, every_seat_passes, journal_digest, play_out, write_short_scenario

from wargame.errors import InputError
from wargame.scenario import Effect
from wargame.session import (
    WHITE_CELL,
    Continue,
    Inject,
    JournalMismatchError,
    MatrixRoll,
    Override,
    Pause,
    ProgramChange,
    Resume,
    Rewind,
    SeatAction,
    Session,
)
from wargame.session._journal import _entry_hash

SEATS = ("twn", "usa", "jpn")


def _new(scenario: Path, directory: Path, seed: int = 5) -> Session:
    return Session.create(scenario, directory, seats=SEATS, white_cell=True, seed=seed)


@pytest.mark.slow
def test_a_full_reference_session_plays_to_the_end_and_replays_equal(tmp_path: Path) -> None:
    with _new(REFERENCE, tmp_path / "s", seed=3) as session:
        sent = play_out(session)
        status = session.status()
        report = session.replay()
    assert status.finished and status.outcome is not None
    last_turn = status.outcome["war_day"] // 7 if status.outcome["war"] else 52
    assert status.turn == pytest.approx(last_turn, abs=1)
    assert sent >= 4 * (status.turn - 1)
    (branch,) = report.branches
    assert branch.entries_checked == status.entries - 1
    assert branch.views_checked == 4 * status.turn


def _crash(session: Session) -> None:
    """Drop the session as ``kill -9`` would: nothing uncommitted reaches the disk."""
    session.journal._connection.close()
    os.close(session._lock)


@pytest.mark.parametrize("crash_after", [0, 1, 3, 6, 11, 15])
def test_resume_after_a_crash_loses_nothing_acknowledged(tmp_path: Path, crash_after: int) -> None:
    scenario = write_short_scenario(tmp_path)
    with _new(scenario, tmp_path / "straight") as straight:
        play_out(straight)
        expected = journal_digest(straight)

    crashed = _new(scenario, tmp_path / "crashed")
    acknowledged = []
    for _ in range(crash_after):
        from session_helpers import first_allowed_every_other_turn

        acknowledged.append(crashed.submit(first_allowed_every_other_turn(crashed.pending)).seq)
    waiting_for = crashed.pending.seat
    _crash(crashed)

    with Session.open(tmp_path / "crashed") as resumed:
        assert resumed.pending.seat == waiting_for
        assert [e.seq for e in resumed.journal.entries if e.seq in acknowledged] == acknowledged
        play_out(resumed)
        assert journal_digest(resumed) == expected
        resumed.replay()


def test_rewind_starts_a_branch_and_keeps_the_old_one(tmp_path: Path) -> None:
    scenario = write_short_scenario(tmp_path)
    with _new(scenario, tmp_path / "s") as session:
        while session.pending.turn < 3:
            session.submit(every_seat_passes(session.pending))
        entries_before = len(session.journal)
        with pytest.raises(InputError, match="rewind only to a turn from 1 to the current turn 3"):
            session.submit(Rewind(WHITE_CELL, to_turn=4))
        session.submit(Rewind(WHITE_CELL, to_turn=2))
        status = session.status()
        assert (status.branch, status.turn, status.waiting_for) == (1, 2, WHITE_CELL)
        old = session.journal.entries[:entries_before]
        assert all(entry.branch == 0 for entry in old)
        session.submit(Continue(WHITE_CELL))
        session.submit(SeatAction("twn", "raise_alert"))
        play_out(session)
        report = session.replay()
    assert [b.branch for b in report.branches] == [0, 1]
    assert "rewound to turn 2" in report.branches[0].ended
    assert report.branches[1].ended.startswith("finished")
    with Session.open(tmp_path / "s", read_only=True) as reopened:
        assert reopened.status().branch == 1 and reopened.finished
        actions = [e.payload for e in reopened.timeline() if e.kind == "action" and e.turn == 2]
        assert {"seat": "twn", "action": "raise_alert"} in actions


def test_pause_and_resume(tmp_path: Path) -> None:
    scenario = write_short_scenario(tmp_path)
    with _new(scenario, tmp_path / "s") as session:
        session.submit(Pause(WHITE_CELL))
        assert session.pending.kind == "paused" and session.status().paused
        with pytest.raises(InputError, match="paused"):
            session.submit(Continue(WHITE_CELL))
    with Session.open(tmp_path / "s") as session:
        assert session.pending.kind == "paused"
        session.submit(Resume(WHITE_CELL))
        assert session.pending.kind == "white_cell"
        play_out(session)
        session.replay()


def test_white_cell_injects_overrides_and_rolls_are_applied_journaled_and_replayed(tmp_path: Path) -> None:
    # The Japan link's fidelity fixed (the reference draws it per run) so the rolls' sum can be checked.
    scenario = write_short_scenario(tmp_path, links="[{from: jpn, to: twn, fidelity: 0.75}]")
    with _new(scenario, tmp_path / "s") as session:
        session.submit(
            Inject(WHITE_CELL, text="Cable cut", effects=(Effect(quantity="actors.twn.resolve", set=0.5),))
        )
        session.submit(
            Override(
                WHITE_CELL,
                reason="exercise ran long",
                effects=(Effect(quantity="actors.usa.readiness", set=0.9),),
            )
        )
        for _ in range(3):
            ack = session.submit(
                MatrixRoll(
                    WHITE_CELL,
                    argument="Japan joins patrols",
                    strength=2,
                    effects=(Effect(quantity="links.jpn-twn.fidelity", add=0.01),),
                )
            )
            assert ack.result["total"] == sum(ack.result["dice"]) + 2
            assert all(1 <= die <= 6 for die in ack.result["dice"])
            assert ack.result["success"] == (ack.result["total"] >= 7)
        rolls = [e.payload for e in session.journal.entries if e.kind == "roll_result"]
        assert len({tuple(r["dice"]) for r in rolls}) >= 2  # each roll of the day draws fresh dice
        session.submit(Continue(WHITE_CELL))
        view = session.pending.view
        assert view["own"]["actors.twn.resolve"] == pytest.approx(0.5)
        assert any(item["text"] == "Cable cut" for item in view["news"])
        successes = sum(r["success"] for r in rolls)
        play_out(session)
        digest = next(
            e.payload for e in session.journal.entries if e.kind == "turn_adjudicated" and e.turn == 1
        )
        assert digest["quantities"]["actors.usa.readiness"] > 0.8  # 0.9, recovering towards 0.7
        fidelity = digest["quantities"]["links.jpn-twn.fidelity"]  # no program moves it
        assert fidelity == pytest.approx(0.75 + 0.01 * successes)
        session.replay()


def _rejected(session: Session, command, message: str) -> None:
    before = journal_digest(session)
    with pytest.raises(InputError, match=message):
        session.submit(command)
    assert journal_digest(session) == before


def test_invalid_commands_are_refused_and_leave_the_session_intact(tmp_path: Path) -> None:
    scenario = write_short_scenario(tmp_path)
    with _new(scenario, tmp_path / "s") as session:
        _rejected(session, SeatAction("twn", "publicize"), "it is white_cell's move, not twn's")
        _rejected(
            session,
            Inject(WHITE_CELL, text="x", effects=(Effect(quantity="actors.twn.resolv", add=1),)),
            "did you mean 'actors.twn.resolve'",
        )
        _rejected(
            session,
            Inject(WHITE_CELL, text=" ", effects=(Effect(quantity="actors.twn.resolve", add=1),)),
            "needs its text",
        )
        _rejected(session, MatrixRoll(WHITE_CELL, argument="x", strength=5), "strength must be")
        session.submit(Continue(WHITE_CELL))
        _rejected(session, SeatAction("twn", "nuke"), "not on twn's menu")
        _rejected(session, SeatAction("twn", "signal"), "not on twn's menu")
        _rejected(
            session,
            ProgramChange("twn", program="policy_dialogue", intensity_per_year=-1),
            "intensity must be",
        )
        _rejected(session, ProgramChange("twn", program="nope", intensity_per_year=5), "no program 'nope'")
        _rejected(session, Continue(WHITE_CELL), "it is twn's move")
        session.submit(SeatAction("twn", None))
        _rejected(session, Pause("usa"), "only the white cell can pause")
        session.submit(SeatAction("usa", "signal"))
        session.submit(SeatAction("jpn", None))
        session.submit(Continue(WHITE_CELL))
        session.submit(SeatAction("twn", None))
        _rejected(session, SeatAction("usa", "signal"), "not allowed now")
        play_out(session)
        _rejected(session, SeatAction("usa", None), "finished")
        session.replay()


def test_a_changed_scenario_is_refused_and_the_session_left_intact(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    shutil.copy(REFERENCE, scenario)
    _new(scenario, tmp_path / "s").close()
    journal = (tmp_path / "s" / "journal.sqlite").read_bytes()
    scenario.write_text(scenario.read_text().replace("horizon_days: 365", "horizon_days: 364"))
    with pytest.raises(InputError, match="scenario changed after the session started"):
        Session.open(tmp_path / "s")
    assert (tmp_path / "s" / "journal.sqlite").read_bytes() == journal


def test_a_journal_rewritten_with_a_valid_chain_fails_replay(tmp_path: Path) -> None:
    """Even a forger who recomputes every hash cannot make the journal say what did not happen."""
    scenario = write_short_scenario(tmp_path)
    with _new(scenario, tmp_path / "s") as session:
        play_out(session)
    path = tmp_path / "s" / "journal.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("DROP TRIGGER entries_no_update")
    rows = connection.execute("SELECT * FROM entries ORDER BY seq").fetchall()
    previous = "0" * 64
    for seq, time_utc, branch, turn, kind, payload, *_ in rows:
        if kind == "turn_adjudicated" and turn == 2:
            payload = payload.replace('"escalation_score":', '"escalation_score":1', 1)
        digest = _entry_hash(seq, time_utc, branch, turn, kind, payload, previous)
        connection.execute(
            "UPDATE entries SET payload=?, prev_hash=?, hash=? WHERE seq=?", (payload, previous, digest, seq)
        )
        previous = digest
    connection.commit()
    count, head = connection.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
    connection.close()
    (tmp_path / "s" / "head.json").write_text(f'{{"entries": {count}, "head_hash": "{head}"}}')
    with pytest.raises(
        JournalMismatchError, match="turn_adjudicated differs from re-simulation at escalation_score"
    ):
        Session.open(tmp_path / "s", read_only=True)


def test_create_and_open_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'chn' is not an actor that decides"):
        Session.create(REFERENCE, tmp_path / "a", seats=["chn"])
    with pytest.raises(InputError, match="given twice"):
        Session.create(REFERENCE, tmp_path / "a", seats=["twn", "twn"])
    bad = write_short_scenario(tmp_path, turn_length_days=10)
    with pytest.raises(InputError, match="whole number of decision_interval_days"):
        Session.create(bad, tmp_path / "a", seats=["twn"])
    with Session.create(REFERENCE, tmp_path / "b", seats=["twn"], seed=1) as session:
        with pytest.raises(InputError, match="open for play in another process"):
            Session.open(tmp_path / "b")
        assert session.pending.seat == "twn"
    with pytest.raises(InputError, match="already exists"):
        Session.create(REFERENCE, tmp_path / "b", seats=["twn"])
    with pytest.raises(InputError, match="no such session directory"):
        Session.open(tmp_path / "missing")
