"""Helpers of the session tests: a short version of the reference scenario, a scripted table and a
scripted terminal."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from wargame.session import WHITE_CELL, Command, Continue, Prompt, SeatAction, Session, _fan, play
from wargame.session._fan import FanReport, counterfactual_fan
from wargame.session._terminal import TerminalFrontEnd

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "taiwan_strait_baseline.yaml"


def write_short_scenario(
    folder: Path, horizon_days: int = 35, name: str = "Short baseline", **overrides: str
) -> Path:
    """Write the reference scenario cut to ``horizon_days`` (five weekly turns by default)."""
    path = folder / "short_baseline.yaml"
    shutil.copyfile(REFERENCE, folder / REFERENCE.name)  # extends: reaches only the file's folder tree
    extra = "".join(f"{key}: {value}\n" for key, value in overrides.items())
    text = f"extends: {REFERENCE.name}\nname: {name}\nhorizon_days: {horizon_days}\n{extra}"
    path.write_text(text, encoding="utf-8")
    return path


def first_allowed_every_other_turn(prompt: Prompt) -> Command:
    """A deterministic table: the white cell continues; seats take their first allowed action on even
    turns."""
    if prompt.seat == WHITE_CELL:
        return Continue(WHITE_CELL)
    allowed = [item["id"] for item in prompt.view["menu"] if item["allowed"]]
    return SeatAction(prompt.seat, allowed[0] if allowed and prompt.turn % 2 == 0 else None)


def every_seat_passes(prompt: Prompt) -> Command:
    """A table where the white cell continues and every seat passes."""
    return Continue(WHITE_CELL) if prompt.seat == WHITE_CELL else SeatAction(prompt.seat, None)


def play_out(session: Session, decide: Callable[[Prompt], Command] = first_allowed_every_other_turn) -> int:
    """Answer every prompt with ``decide`` until the session ends; return the number of commands sent."""
    sent = 0
    while session.pending is not None:
        session.submit(decide(session.pending))
        sent += 1
    return sent


def journal_digest(session: Session) -> list[tuple[int, int, str, dict]]:
    """The journal without wall-clock times, hashes and the header's random session id: what must be equal
    between equal sessions."""
    return [
        (e.branch, e.turn, e.kind, {k: v for k, v in e.payload.items() if k != "session_id"})
        for e in session.journal.entries
    ]


def play_at_terminal(directory: Path, lines: Iterable[str]) -> str:
    """Play the session in ``directory`` at a terminal where ``lines`` are typed, then input ends; return
    what the terminal printed."""
    typed = iter(lines)
    out = io.StringIO()

    def read_line(prompt: str) -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    with Session.open(directory) as session:
        play(session, TerminalFrontEnd(read_line=read_line, out=out, clear_screen=False))
    return out.getvalue()


def fans_on_one_and_two_workers(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> tuple[FanReport, FanReport]:
    """The fan of 60 continuations from turn 1, in three chunks of 25, run by one worker and by two."""
    monkeypatch.setattr(_fan, "_CHUNK_RUNS", 25)
    serial = counterfactual_fan(session, turn=1, runs=60, jobs=1, plot=False)
    return serial, counterfactual_fan(session, turn=1, runs=60, jobs=2, plot=False)
