"""Text from a session's journal on a terminal: a journal written before control characters were refused
(or crafted: it is a file people pass around) may hold escape codes, bells, carriage returns and
bidirectional overrides in its texts. Every command that prints journal text (``status``, ``play``,
``replay``, ``debrief``, and their one-line errors) shows each such character as its escape (``\\x1b``) and
the rest of the text as it is; ``report.md`` (read on terminals too) holds none of them raw."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from session_helpers import every_seat_passes, write_short_scenario

from wargame.cli import main
from wargame.scenario import Effect
from wargame.session import WHITE_CELL, Journal, Session
from wargame.session._commands import Argument, CounterArgument, Inject, MatrixRoll, Override
from wargame.session._report import write_report

EVIL = "\x1b]0;evil\x07\x1b[2J\r\x08\x9b\u202e"
"""A window-title change, a bell, a screen clear, a carriage return, a backspace, a C1 CSI, a right-to-left
override."""
SHOWN = "\\x1b]0;evil\\x07\\x1b[2J\\x0d\\x08\\x9b\\u202e"
"""``EVIL`` as the terminal shows it."""
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""What must never reach a terminal raw (tabs and newlines may)."""
PLAIN = "Kaohsiung — 高雄, Ünited"
"""Ordinary text beside it, shown as it is."""


def _old_session(folder: Path) -> Path:
    """A session whose journal holds ``EVIL`` in every free text, written as a version that did not refuse
    control characters wrote it (commands built without validation); its scenario's folder name holds
    ``EVIL`` too (the header records the path). It waits for the white cell at turn 2, whose last command
    was an inject."""
    scenarios = folder / f"scenarios{EVIL}"
    scenarios.mkdir()
    scenario = write_short_scenario(scenarios)
    directory = folder / "session"
    readiness = (Effect(quantity="actors.twn.readiness", add=0.01),)
    with Session.create(scenario, directory, seats=["twn", "usa"], white_cell=True, seed=5) as session:
        session.submit(Inject.model_construct(seat=WHITE_CELL, text=f"{PLAIN} news{EVIL}", effects=()))
        session.submit(Override.model_construct(seat=WHITE_CELL, reason=f"why{EVIL}", effects=readiness))
        session.submit(
            MatrixRoll.model_construct(
                seat=WHITE_CELL,
                argument=f"roll{EVIL}",
                strength=1,
                effects=(),
                on_behalf_of=f"who{EVIL}",
                on_argument=None,
            )
        )
        session.submit(every_seat_passes(session.pending))
        session.submit(Argument.model_construct(seat="twn", action=f"act{EVIL}", reasons=f"since{EVIL}"))
        session.submit(every_seat_passes(session.pending))
        session.submit(CounterArgument.model_construct(seat="usa", argument="A1", reasons=f"no{EVIL}"))
        session.submit(every_seat_passes(session.pending))
        session.submit(Inject.model_construct(seat=WHITE_CELL, text=f"late{EVIL}", effects=()))
    return directory


@pytest.fixture(scope="module")
def old_session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _old_session(tmp_path_factory.mktemp("old"))


@pytest.fixture
def session_copy(old_session: Path, tmp_path: Path) -> Path:
    """A copy of the old session that a command may write in."""
    return shutil.copytree(old_session, tmp_path / "session")


def _wargame(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(arg) for arg in args])
    printed = capsys.readouterr()
    return code, printed.out, printed.err


def _prints_escaped(capsys: pytest.CaptureFixture[str], args: tuple[str | Path, ...], *shown: str) -> None:
    """``wargame ARGS`` succeeds, prints no control character raw, and prints each of ``shown``."""
    code, out, err = _wargame(capsys, *args)
    assert (code, err) == (0, "")
    assert RAW_CONTROL.search(out) is None
    missing = [text for text in shown if text not in out]
    assert missing == [], out


def test_status_shows_the_recorded_scenario_path_escaped(
    old_session: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _prints_escaped(capsys, ("session", "status", old_session), f"scenarios{SHOWN}/short_baseline.yaml")


def test_play_shows_the_journal_s_texts_escaped(
    session_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The resume line, the news and the arguments of the white cell's view; the people press Enter at the
    hand-over, then input ends."""
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    _prints_escaped(
        capsys,
        ("session", "play", session_copy),
        f"saved before the last stop: inject: late{SHOWN} (journal entry #",
        f"[white cell] {PLAIN} news{SHOWN}\n",
        f"Taiwan argues (A1): act{SHOWN}, because since{SHOWN}\n",
        f"  A1 t1 twn: act{SHOWN} [open]\n      because since{SHOWN}\n",
        f"      usa counters: no{SHOWN}\n",
    )


def test_debrief_shows_the_white_cell_s_texts_escaped(
    session_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _prints_escaped(
        capsys,
        ("session", "debrief", session_copy, "--runs", "20"),
        f"white cell inject: {PLAIN} news{SHOWN}\n",
        f"white cell override: why{SHOWN}\n",
        f"white cell matrix-game argument (strength +1): roll{SHOWN}\n",
    )


def test_an_error_echoing_a_crafted_entry_is_one_escaped_line(
    session_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An entry whose payload has a key of its own (a newline and an escape code in it): the error names the
    key, on one line, escaped."""
    journal = Journal.open(session_copy / "journal.sqlite")
    last = journal.entries[-1]
    payload = {"seat": "usa", "argument": "A1", "reasons": "r", f"key\n{EVIL}": 1}
    journal.append("counter_argument", payload, branch=last.branch, turn=last.turn)
    journal.commit()
    journal.close()
    for command in ("replay", "status"):
        code, out, err = _wargame(capsys, "session", command, session_copy)
        assert (code, out) == (2, "")
        assert err.startswith("wargame: error: journal entry #") and err.count("\n") == 1
        assert RAW_CONTROL.search(err) is None
        assert f"key\\x0a{SHOWN}: malformed counter_argument command" in err


def test_the_markdown_report_holds_the_texts_escaped(old_session: Path, tmp_path: Path) -> None:
    with Session.open(old_session, read_only=True) as session:
        write_report(session, tmp_path / "report")
    markdown = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert RAW_CONTROL.search(markdown) is None
    assert "news\\\\x1b\\]0;evil\\\\x07" in markdown  # the escape's backslash and bracket kept for Markdown
    assert PLAIN in markdown
