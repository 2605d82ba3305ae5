"""Matrix-game arguments: a seat argues, another counters, the white cell adjudicates with a modifier and
2d6; all journaled, replayed, shown in views and in the report; bad arguments are one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from forked_cli import WargameProcess
from session_helpers import every_seat_passes, play_at_terminal, play_out, write_short_scenario

from wargame.errors import InputError
from wargame.session import WHITE_CELL, SeatAction, Session, write_report
from wargame.session._commands import Argument, CounterArgument, MatrixRoll


def _to_seat(session: Session, seat: str) -> None:
    while session.pending is not None and session.pending.seat != seat:
        session.submit(every_seat_passes(session.pending))


def test_an_argument_is_countered_adjudicated_replayed_and_reported(tmp_path: Path) -> None:
    scenario = write_short_scenario(tmp_path)
    with Session.create(scenario, tmp_path / "s", seats=["twn", "usa"], white_cell=True, seed=3) as session:
        _to_seat(session, "twn")
        session.submit(Argument("twn", action="Open the Penghu port to US ships", reasons="it shows resolve"))
        with pytest.raises(InputError, match="your own argument"):
            session.submit(CounterArgument("twn", argument="A1", reasons="no"))
        session.submit(SeatAction("twn", None))
        usa = session.pending
        assert usa.seat == "usa" and usa.view["arguments"][0]["id"] == "A1"
        with pytest.raises(InputError, match="no argument 'A7' to counter \\(A1\\)"):
            session.submit(CounterArgument("usa", argument="A7", reasons="x"))
        session.submit(CounterArgument("usa", argument="A1", reasons="Beijing reads it as a provocation"))
        session.submit(SeatAction("usa", None))
        white_cell = session.pending
        assert white_cell.seat == WHITE_CELL
        assert white_cell.view["arguments"][0]["counters"][0]["seat"] == "usa"
        ack = session.submit(MatrixRoll(WHITE_CELL, strength=-1, on_argument="A1"))
        assert ack.result is not None and ack.result["modifier"] == -1
        entry = session.journal.entries[ack.seq - 1]
        assert entry.payload["on_argument"] == "A1"
        assert entry.payload["argument"] == "Taiwan: Open the Penghu port to US ships"
        with pytest.raises(InputError, match="A1 was adjudicated"):
            session.submit(MatrixRoll(WHITE_CELL, strength=0, on_argument="A1"))
        play_out(session)
        report = session.replay()
        assert report.entries_checked > 0
        paths = write_report(session, tmp_path / "report")
    markdown = paths[1].read_text()
    assert "## Arguments (matrix game)" in markdown
    assert "Open the Penghu port to US ships" in markdown and "Beijing reads it as a provocation" in markdown
    outcome = "succeeded" if ack.result["success"] else "failed"
    assert f"{ack.result['total']}: {outcome}" in markdown


def test_the_terminal_argues_counters_and_adjudicates(tmp_path: Path) -> None:
    scenario = write_short_scenario(tmp_path)
    Session.create(scenario, tmp_path / "s", seats=["twn", "usa"], white_cell=True, seed=3).close()
    printed = play_at_terminal(
        tmp_path / "s",
        [
            "",
            "continue",
            "",
            "argue Open the Penghu port because it shows resolve",
            "argue no reasons",
            "pass",
            "",
            "counter A1 Beijing's hawks will use it",
            "pass",
            "",
            "adjudicate A9 1",
            "adjudicate A1 1",
        ],
    )
    assert "recorded: twn argues: Open the Penghu port (because it shows resolve)" in printed
    assert "not understood: usage: argue ACTION... because REASONS..." in printed
    assert "recorded: usa counters A1: Beijing's hawks will use it" in printed
    assert "not accepted: argument: no argument 'A9' to adjudicate (A1)" in printed
    assert "2d6 rolled" in printed
    assert "A1 t1 twn: Open the Penghu port [open]" in printed


def test_an_argument_on_a_finished_turn_or_session_is_refused_and_writes_nothing(
    tmp_path: Path, wargame_process: WargameProcess
) -> None:
    scenario = write_short_scenario(tmp_path)
    with Session.create(scenario, tmp_path / "s", seats=["twn", "usa"], white_cell=True, seed=3) as session:
        _to_seat(session, "twn")
        session.submit(SeatAction("twn", None))  # Taiwan's turn 1 is over: the US is on the move
        before = len(session.journal.entries)
        with pytest.raises(InputError, match="it is usa's move, not twn's"):
            session.submit(Argument("twn", action="Open the Penghu port", reasons="it shows resolve"))
        assert len(session.journal.entries) == before
        play_out(session)
        before = len(session.journal.entries)
        for command in (
            Argument("twn", action="Open the Penghu port", reasons="it shows resolve"),
            CounterArgument("usa", argument="A1", reasons="Beijing reads it as a provocation"),
        ):
            with pytest.raises(InputError, match=r"^the session is finished; nothing more can be played$"):
                session.submit(command)
        assert len(session.journal.entries) == before
    journal = tmp_path / "s" / "journal.sqlite"
    saved = journal.read_bytes()
    result = wargame_process(
        "session",
        "play",
        str(tmp_path / "s"),
        input="argue Open the Penghu port because it shows resolve\n",
        timeout=120,
    )
    assert result.returncode == 2, result.stdout
    assert result.stderr.count("\n") == 1 and "the session is finished" in result.stderr
    assert str(tmp_path / "s") in result.stderr and "Traceback" not in result.stderr
    assert journal.read_bytes() == saved
