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


_EFFECT = "{quantity: actors.twn.readiness, add: 0.001}"
# Prepared injects the white cell could not fire (its inject command refuses them): (item, field, message).
UNFIREABLE = {
    "text over 2,000 characters": (
        f"{{id: long, name: Long, text: '{'x' * 2001}'}}",
        "inject_library[long].text",
        "a prepared inject's text is at most 2,000 characters (the white cell fires it as an inject "
        "command), got 2,001",
    ),
    "blank text": (
        "{id: blank, name: Blank, text: '  '}",
        "inject_library[blank].text",
        "a prepared inject needs text: the white cell cannot fire a blank one",
    ),
    "21 effects": (
        f"{{id: many, name: Many, text: Many, effects: [{', '.join([_EFFECT] * 21)}]}}",
        "inject_library[many].effects",
        "a prepared inject has at most 20 effects (the white cell fires it as an inject command), got 21",
    ),
}


def _unfireable(folder: Path, item: str) -> tuple[Path, int]:
    """A scenario whose library holds a good inject, then ``item``; return it and ``item``'s line."""
    path = _scenario(folder, f"inject_library:\n  - {{id: ok, name: Ok, text: fine}}\n  - {item}\n")
    return path, path.read_text().splitlines().index(f"  - {item}") + 1


@pytest.mark.parametrize("case", UNFIREABLE, ids=list(UNFIREABLE))
@pytest.mark.parametrize(
    ("command", "flags"),
    [
        (["validate"], []),
        (["validate"], ["--set", "horizon_days=21"]),
        (["session", "new"], ["--white-cell", "--seats", "twn", "--out"]),
    ],
    ids=["validate", "validate --set", "session new"],
)
def test_a_prepared_inject_the_white_cell_could_not_fire_is_refused_where_it_is(
    tmp_path: Path, case: str, command: list[str], flags: list[str], wargame_process: WargameProcess
) -> None:
    """Refused when the scenario is validated for a session, in one line naming the file, the line and
    the field, not later when the white cell fires it; ``session new`` creates nothing."""
    item, field, message = UNFIREABLE[case]
    path, line = _unfireable(tmp_path, item)
    out = tmp_path / "s"
    flags = [*flags, str(out)] if flags[-1:] == ["--out"] else flags
    result = wargame_process(*command, str(path), *flags, timeout=120)
    assert result.returncode == 2
    assert result.stderr == f"wargame: error: {path}:{line}: {field}: {message}\n"
    assert not out.exists()


def test_a_flag_that_makes_a_prepared_inject_unfireable_is_named(
    tmp_path: Path, wargame_process: WargameProcess
) -> None:
    result = wargame_process("validate", str(_scenario(tmp_path)), "--set", "inject_library.rumour.text=' '")
    assert result.returncode == 2
    assert result.stderr == (
        "wargame: error: --set inject_library.rumour.text= : inject_library[rumour].text: a prepared inject "
        "needs text: the white cell cannot fire a blank one\n"
    )


def test_a_scenario_with_unfireable_prepared_injects_still_runs(tmp_path: Path) -> None:
    """Runs do not use the library: only a session needs what it holds to be fireable."""
    from wargame.scenario import load_scenario

    path, _ = _unfireable(tmp_path, UNFIREABLE["text over 2,000 characters"][0])
    assert len(load_scenario(path).inject_library[1].text) == 2001
    with pytest.raises(InputError, match=r"inject_library\[long\]\.text"):
        load_scenario(path, playable=True)


def test_prepared_injects_at_the_limits_and_of_several_lines_fire(tmp_path: Path) -> None:
    """2,000 characters, 20 effects and a text of two lines (which a typed inject cannot have) fit."""
    library = (
        "inject_library:\n"
        f"  - {{id: long, name: Long, text: '{'x' * 2000}'}}\n"
        f"  - {{id: many, name: Many, text: Many, effects: [{', '.join([_EFFECT] * 20)}]}}\n"
        '  - {id: lines, name: Lines, text: "First line\\nSecond line"}\n'
    )
    with Session.create(
        _scenario(tmp_path, library), tmp_path / "s", seats=["twn"], white_cell=True, seed=4
    ) as session:
        fired = {}
        for library_id in ("long", "many", "lines"):
            ack = session.submit(Inject(seat=WHITE_CELL, library=library_id))
            fired[library_id] = session.journal.entries[ack.seq - 1].payload
        play_out(session)
        session.replay()
    assert len(fired["long"]["text"]) == 2000
    assert len(fired["many"]["effects"]) == 20
    assert fired["lines"]["text"] == "First line\nSecond line"


def test_a_session_created_before_the_check_refuses_to_fire_a_long_inject_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session whose scenario was accepted before prepared injects were checked still opens and plays;
    firing its over-long inject is refused in one line and journals nothing."""
    from wargame.scenario import _api

    path, _ = _unfireable(tmp_path, UNFIREABLE["text over 2,000 characters"][0])
    with monkeypatch.context() as patched:
        patched.setattr(_api, "check_playable", lambda *args, **kwargs: None)  # as an older version did
        Session.create(path, tmp_path / "s", seats=["twn"], white_cell=True, seed=4).close()
    with Session.open(tmp_path / "s") as session:
        before = len(session.journal.entries)
        with pytest.raises(
            InputError, match=r"prepared inject 'long' cannot be fired: text: .*2000 characters"
        ):
            session.submit(Inject(seat=WHITE_CELL, library="long"))
        assert len(session.journal.entries) == before
        session.submit(Inject(seat=WHITE_CELL, library="ok"))
