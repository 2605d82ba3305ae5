"""Journals written by earlier versions: format 1 (no head anchor, no key, the scenario hashed with its
defaults) keeps its chain verifiable and its commands readable. It was recorded before the gray-zone
mechanics changed, so re-simulating it now disagrees: that is said in one line, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from forked_cli import WargameProcess
from pydantic import ValidationError

from wargame.errors import InputError
from wargame.session import Journal, Session
from wargame.session._commands import INPUT_KINDS, command_from_payload

FIXTURE = Path(__file__).parent / "fixtures" / "journal_v1"


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    folder = tmp_path / "session"
    folder.mkdir()
    shutil.copy(FIXTURE / "journal.sqlite", folder / "journal.sqlite")
    return folder


def test_a_format_1_journal_verifies_and_its_commands_read(legacy: Path) -> None:
    journal = Journal.open(legacy / "journal.sqlite", read_only=True)
    entries = journal.entries
    journal.close()
    assert entries[0].payload["format"] == 1
    inputs = [entry for entry in entries if entry.kind in INPUT_KINDS]
    kinds = {entry.kind for entry in inputs}
    assert {"action", "inject", "matrix_roll", "program", "override", "pause", "resume", "rewind"} <= kinds
    described = [command_from_payload(entry.kind, entry.payload).describe() for entry in inputs]
    assert any("Japan's" in text for text in described)
    assert sorted(path.name for path in legacy.iterdir()) == ["journal.sqlite"]  # nothing written


def test_a_format_1_session_from_other_mechanics_is_refused_in_one_line(
    legacy: Path, wargame_process: WargameProcess
) -> None:
    with pytest.raises(InputError, match="the scenario changed after the session started"):
        Session.open(legacy, read_only=True, scenario_path=FIXTURE / "scenario.yaml")
    result = wargame_process(
        "session", "replay", str(legacy), "--scenario", str(FIXTURE / "scenario.yaml"), timeout=120
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "schema grew" in result.stderr


def test_a_field_at_its_default_does_not_change_the_scenario_fingerprint(tmp_path: Path) -> None:
    """Format 2 records what the scenario says, not the schema's defaults: a later schema that adds a
    field with a neutral default leaves the fingerprint of an existing scenario as it was."""
    from wargame.scenario import load_scenario
    from wargame.session._folder import scenario_fingerprint

    # The reference as users had it before the field existed.
    legacy = Path(__file__).resolve().parent.parent / "legacy_scenarios" / "taiwan_strait_baseline.yaml"
    text = legacy.read_text(encoding="utf-8")
    assert "delivery_time_cv" not in text
    spelled = tmp_path / "spelled.yaml"
    spelled.write_text(
        text.replace("gray_zone:\n", "gray_zone:\n  delivery_time_cv: 0.5\n", 1), encoding="utf-8"
    )
    plain, explicit = load_scenario(legacy), load_scenario(spelled)
    assert explicit.gray_zone.delivery_time_cv == plain.gray_zone.delivery_time_cv == 0.5
    assert scenario_fingerprint(plain) == scenario_fingerprint(explicit)


def test_a_journal_holding_control_characters_from_before_they_were_refused_replays(tmp_path: Path) -> None:
    """Commands now refuse control characters in their text; one journaled earlier (built here without
    validation, as the journal stored it) still reads, replays and plays on, its text as recorded."""
    from session_helpers import every_seat_passes, play_out, write_short_scenario

    from wargame.session import WHITE_CELL
    from wargame.session._commands import Argument, Inject, MatrixRoll

    scenario = write_short_scenario(tmp_path)
    folder = tmp_path / "session"
    news, action = "a\x00b \x1b[2Jcleared", "go\x07"
    with Session.create(scenario, folder, seats=["twn"], white_cell=True, seed=5) as session:
        with pytest.raises(ValidationError, match="control character U\\+0000"):
            Inject(WHITE_CELL, text=news)
        session.submit(Inject.model_construct(seat=WHITE_CELL, text=news, effects=()))
        while session.pending is not None and session.pending.seat != "twn":
            session.submit(every_seat_passes(session.pending))
        session.submit(Argument.model_construct(seat="twn", action=action, reasons="it\x1bworks"))
        session.submit(every_seat_passes(session.pending))
        session.submit(MatrixRoll(WHITE_CELL, strength=1, on_argument="A1"))
    with Session.open(folder, read_only=True) as stored:
        stored.replay()
        payloads = {entry.kind: entry.payload for entry in stored.journal.entries}
        assert payloads["inject"]["text"] == news and payloads["argument"]["action"] == action
        assert command_from_payload("inject", payloads["inject"]).describe() == f"inject: {news}"
        assert payloads["matrix_roll"]["argument"] == f"Taiwan: {action}"
    with Session.open(folder) as resumed:
        assert play_out(resumed, every_seat_passes) > 0
