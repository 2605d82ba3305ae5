"""Prepared injects: named in the scenario, fired by id at the terminal and on the web, journaled with
their text and effects; an unknown id is one line; the scenario refuses a malformed library."""

from __future__ import annotations

from pathlib import Path

import pytest
from forked_cli import WargameProcess
from session_helpers import play_at_terminal, play_out, write_short_scenario

from wargame.errors import InputError
from wargame.session import WHITE_CELL, Inject, Session

LIBRARY = (
    "inject_library:\n"
    "  - {id: typhoon, name: Typhoon season, text: A typhoon closes Kaohsiung for a week,"
    " effects: [{quantity: actors.twn.readiness, add: -0.05}]}\n"
    "  - {id: rumour, name: Rumour, text: Rumours of a blockade spread online}\n"
)


def _scenario(folder: Path, library: str = LIBRARY) -> Path:
    path = write_short_scenario(folder)
    path.write_text(path.read_text() + library, encoding="utf-8")
    return path


def test_a_prepared_inject_is_fired_by_id_and_journaled_whole(tmp_path: Path) -> None:
    with Session.create(
        _scenario(tmp_path), tmp_path / "s", seats=["twn"], white_cell=True, seed=4
    ) as session:
        readiness = session.engine.model.state.row("actors.twn.readiness")[0]
        ack = session.submit(Inject(seat=WHITE_CELL, library="typhoon"))
        entry = session.journal.entries[ack.seq - 1]
        assert entry.payload["library"] == "typhoon"
        assert entry.payload["text"] == "A typhoon closes Kaohsiung for a week"
        assert entry.payload["effects"] == [{"quantity": "actors.twn.readiness", "add": -0.05}]
        assert session.engine.model.state.row("actors.twn.readiness")[0] == pytest.approx(readiness - 0.05)
        session.submit(Inject(seat=WHITE_CELL, library="rumour"))
        with pytest.raises(InputError, match="no prepared inject 'storm' \\(typhoon, rumour\\)"):
            session.submit(Inject(seat=WHITE_CELL, library="storm"))
        play_out(session)
        session.replay()


def test_the_terminal_lists_and_fires_prepared_injects(tmp_path: Path) -> None:
    Session.create(_scenario(tmp_path), tmp_path / "s", seats=["twn"], white_cell=True, seed=4).close()
    printed = play_at_terminal(tmp_path / "s", ["", "fire storm", "fire rumour"])
    with Session.open(tmp_path / "s", read_only=True) as session:
        kinds = [entry.kind for entry in session.journal]
    assert "Prepared injects (fire ID):" in printed and "typhoon" in printed and "Typhoon season" in printed
    assert "not accepted: library: no prepared inject 'storm'" in printed
    assert "recorded: inject: Rumours of a blockade spread online" in printed
    assert kinds.count("inject") == 1


@pytest.mark.parametrize(
    ("library", "message"),
    [
        (
            "inject_library:\n  - {id: a, name: A, text: x}\n  - {id: a, name: B, text: y}\n",
            "inject_library",
        ),
        (
            "inject_library:\n  - {id: a, name: A, text: x,"
            " effects: [{quantity: actors.nobody.resolve, add: 1}]}\n",
            "inject_library[a].effects[0].quantity: unknown quantity",
        ),
    ],
)
def test_a_malformed_library_is_refused_by_validate(
    tmp_path: Path, library: str, message: str, wargame_process: WargameProcess
) -> None:
    path = _scenario(tmp_path, library)
    result = wargame_process("validate", str(path), timeout=120)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr


def test_a_prepared_inject_over_a_commands_length_is_refused_in_one_line_and_lines_fire(
    tmp_path: Path,
) -> None:
    """The scenario allows prepared texts of 5,000 characters and of several lines; a command's text is at
    most 2,000: firing a longer one is refused in one line, a two-line one fires."""
    library = (
        "inject_library:\n"
        f"  - {{id: long, name: Long, text: '{'x' * 3000}'}}\n"
        '  - {id: lines, name: Lines, text: "First line\\nSecond line"}\n'
    )
    path = _scenario(tmp_path, library)
    with Session.create(path, tmp_path / "s", seats=["twn"], white_cell=True, seed=4) as session:
        before = len(session.journal.entries)
        with pytest.raises(
            InputError, match=r"prepared inject 'long' cannot be fired: text: .*2000 characters"
        ):
            session.submit(Inject(seat=WHITE_CELL, library="long"))
        assert len(session.journal.entries) == before
        ack = session.submit(Inject(seat=WHITE_CELL, library="lines"))
        assert session.journal.entries[ack.seq - 1].payload["text"] == "First line\nSecond line"
