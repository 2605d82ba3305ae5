"""A whole session through the real CLI at a real terminal (pexpect): killed with SIGKILL at three points,
resumed each time, finished, then checked with ``wargame session replay``.

Only the terminal that is killed runs in a process of its own; ``new``, ``status`` and ``replay`` run in the
test's (:func:`wargame.cli.main`)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from session_helpers import write_short_scenario

from wargame.cli import main
from wargame.session import Session

pexpect = pytest.importorskip("pexpect")

HAND_OVER = "Press Enter when only they are looking: "


def _command() -> list[str]:
    script = Path(sys.executable).with_name("wargame")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wargame.cli"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*_command(), *args], capture_output=True, text=True, timeout=120)


def _play(session_dir: Path):
    command = _command()
    return pexpect.spawn(
        command[0], [*command[1:], "session", "play", str(session_dir)], encoding="utf-8", timeout=60
    )


def _in_process(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run ``wargame ARGS`` in this process; return what it printed (it must succeed)."""
    capsys.readouterr()
    code = main(list(args))
    printed = capsys.readouterr()
    assert code == 0, printed.err
    return printed.out


def _kill(child) -> None:
    child.kill(signal.SIGKILL)
    child.close(force=True)
    assert child.signalstatus == signal.SIGKILL


def _answer(child, pattern: str, line: str) -> None:
    child.expect_exact(pattern)
    child.sendline(line)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_session_survives_kill_9_and_replays_equal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = write_short_scenario(tmp_path)
    session_dir = tmp_path / "session"
    created = _in_process(
        capsys,
        "session",
        "new",
        str(scenario),
        "--seats",
        "twn,usa,jpn",
        "--white-cell",
        "--out",
        str(session_dir),
        "--seed",
        "8",
    )
    assert "Created session" in created

    # Turn 1: the white cell injects and rolls, Taiwan moves; killed at the hand-over to the US.
    child = _play(session_dir)
    _answer(child, HAND_OVER, "")
    _answer(child, "white_cell> ", "inject actors.twn.resolve add -0.02 Cable cut near Matsu")
    child.expect_exact("recorded: inject: Cable cut near Matsu")
    _answer(child, "white_cell> ", "roll 2 Japan joins patrols => commitments.jpn-twn.credibility add 0.05")
    child.expect(r"2d6 rolled \d \+ \d, modifier \+2: \d+ against 7")
    _answer(child, "white_cell> ", "")
    _answer(child, HAND_OVER, "")
    _answer(child, "twn> ", "signal")
    child.expect_exact("not accepted: action: 'signal' is not on twn's menu")
    _answer(child, "twn> ", "publicize")
    child.expect_exact("recorded: twn publicize")
    child.expect_exact(HAND_OVER)
    _kill(child)  # point 1: right after an acknowledged move
    status = _in_process(capsys, "session", "status", str(session_dir))
    assert "turn 1 of 5, day 7: waiting for usa" in status

    # The US changes a program, then the terminal is killed in the middle of its move.
    child = _play(session_dir)
    child.expect_exact("Resuming")
    _answer(child, HAND_OVER, "")
    _answer(child, "usa> ", "program intelligence_sharing 60")
    child.expect_exact("recorded: usa sets intelligence_sharing to 60 a year")
    child.expect_exact("usa> ")
    _kill(child)  # point 2: mid-move, waiting at the prompt

    # The US moves, Japan moves and the terminal is killed at once, while the turn is adjudicated.
    child = _play(session_dir)
    _answer(child, HAND_OVER, "")
    _answer(child, "usa> ", "signal")
    child.expect_exact("recorded: usa signal")
    _answer(child, HAND_OVER, "")
    _answer(child, "jpn> ", "pass")
    _kill(child)  # point 3: the acknowledgement may or may not have been written

    # Resume and play to the end: the white cell continues, every seat passes.
    child = _play(session_dir)
    answers = {HAND_OVER: "", "white_cell> ": "", "twn> ": "pass", "usa> ": "pass", "jpn> ": "pass"}
    patterns = [*answers, "The session is finished"]
    while (index := child.expect_exact(patterns)) < len(answers):
        child.sendline(answers[patterns[index]])
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    replay = _in_process(capsys, "session", "replay", str(session_dir))
    assert "all equal to the journal" in replay and "replay OK" in replay
    assert "finished" in _in_process(capsys, "session", "status", str(session_dir))

    with Session.open(session_dir, read_only=True) as session:
        turn_one = [(e.kind, e.payload) for e in session.timeline() if e.turn == 1 and e.kind != "view"]
    inputs = [
        (kind, payload)
        for kind, payload in turn_one
        if kind not in ("policy_action", "roll_result", "turn_adjudicated")
    ]
    assert [kind for kind, _ in inputs] == [
        "inject",
        "matrix_roll",
        "continue",
        "action",
        "program",
        "action",
        "action",
    ]
    assert inputs[3][1] == {"seat": "twn", "action": "publicize"}
    assert inputs[4][1]["intensity_per_year"] == 60
    assert inputs[5][1] == {"seat": "usa", "action": "signal"}
    assert inputs[6][1] == {"seat": "jpn", "action": None}


@pytest.mark.slow
def test_bad_input_at_the_cli_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = _run(
        "session",
        "new",
        str(write_short_scenario(tmp_path)),
        "--seats",
        "twn,xyz",
        "--out",
        str(tmp_path / "s"),
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "'xyz' is not an actor that decides" in result.stderr
    assert not (tmp_path / "s" / "journal.sqlite").exists()
