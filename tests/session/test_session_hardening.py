"""Issue 14's session findings, each reproduced: quotes at the prompt, a saved command on resume, a
truncated journal, a forged header, a re-hashed forgery against the session key, read-only commands that
write, a lock whose file can be deleted, world-readable files, and a full disk."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from forked_cli import Launcher, WargameProcess
from journal_tampering import tamper
from session_helpers import every_seat_passes, play_out, write_short_scenario

from wargame.errors import InputError
from wargame.scenario import Effect
from wargame.session import WHITE_CELL, Command, Inject, Prompt, SeatAction, Session
from wargame.session._command_lines import parse_seat_command, parse_white_cell_command
from wargame.session._journal import GENESIS_HASH, _entry_hash
from wargame.session._terminal import TerminalFrontEnd


def _one_line_refusal(result: subprocess.CompletedProcess, needle: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert needle in lines[0], lines[0]


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Session keys go to a folder of the test, never to the user's home."""
    folder = tmp_path / "keys"
    monkeypatch.setenv("WARGAME_SESSION_KEYS", str(folder))
    return folder


def _played(
    tmp_path: Path,
    *,
    secret: bool = False,
    name: str = "s",
    decide: Callable[[Prompt], Command] | None = None,
) -> Path:
    scenario = write_short_scenario(tmp_path)
    with Session.create(
        scenario, tmp_path / name, seats=["twn"], white_cell=True, seed=7, secret=secret
    ) as session:
        play_out(session, decide) if decide else play_out(session)
    return tmp_path / name


def _rehash(path: Path, change: dict[int, tuple[str, str]] | None = None, keep: int | None = None) -> None:
    """Rewrite the journal as a forger without the key would: edit payloads, drop the tail, re-hash."""
    connection = sqlite3.connect(path)
    connection.execute("DROP TRIGGER entries_no_update")
    connection.execute("DROP TRIGGER entries_no_delete")
    if keep is not None:
        connection.execute("DELETE FROM entries WHERE seq > ?", (keep,))
    rows = connection.execute(
        "SELECT seq, time_utc, branch, turn, kind, payload FROM entries ORDER BY seq"
    ).fetchall()
    previous = GENESIS_HASH
    for seq, time_utc, branch, turn, kind, payload in rows:
        old, new = (change or {}).get(seq, ("", ""))
        if old:
            assert old in payload
            payload = payload.replace(old, new, 1)
        digest = _entry_hash(seq, time_utc, branch, turn, kind, payload, previous)
        connection.execute(
            "UPDATE entries SET payload=?, prev_hash=?, hash=? WHERE seq=?", (payload, previous, digest, seq)
        )
        previous = digest
    connection.commit()
    connection.close()


def _rewrite_anchor(folder: Path) -> None:
    """What a forger without the key does next: make the head anchor agree with the rewritten journal."""
    rows = sqlite3.connect(folder / "journal.sqlite").execute("SELECT seq, hash FROM entries").fetchall()
    anchor = folder / "head.json"
    data = json.loads(anchor.read_text())
    data.update(entries=rows[-1][0], head_hash=rows[-1][1])
    anchor.write_text(json.dumps(data))


def _actions(folder: Path) -> list[str]:
    rows = sqlite3.connect(folder / "journal.sqlite").execute(
        "SELECT payload FROM entries WHERE kind = 'action' ORDER BY seq"
    )
    return [json.loads(payload)["action"] for (payload,) in rows]


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(path.relative_to(folder)): (path.stat().st_mtime_ns, path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# ---------------------------------------------------------------------- the prompt
@pytest.mark.parametrize(
    "line",
    [
        "inject actors.twn.readiness add 0.1 Japan's ports close",
        "roll 1 Japan's envoy argues => actors.twn.readiness add 0.1",
        'inject actors.twn.readiness add 0.1 "unbalanced',
        "override actors.twn.readiness set 0.5 the umpire's call",
    ],
)
def test_quotes_typed_by_the_white_cell_are_text(line: str) -> None:
    command = parse_white_cell_command(line)
    text = getattr(command, "text", None) or getattr(command, "argument", None) or command.reason
    assert ("'" in text) or ('"' in text)


def test_a_quote_at_a_seat_prompt_is_one_line_not_a_traceback() -> None:
    with pytest.raises(InputError, match="one action at a time"):
        parse_seat_command("twn", "publicize 'now", [])
    out = io.StringIO()
    lines = iter(["", 'publicize "now', "pass"])
    front = TerminalFrontEnd(read_line=lambda prompt: next(lines), out=out, clear_screen=False)
    prompt = Prompt("twn", "move", 1, 7, {"menu": [], "adversary_posture": {}, "actor_name": "Taiwan"})
    front._shown = (1, 7, "twn", "move")  # the view is on screen already
    assert front.choose(prompt) == SeatAction("twn", None)
    assert "not understood" in out.getvalue()


@pytest.mark.slow
def test_resume_names_the_command_saved_before_a_crash(
    tmp_path: Path, keys: Path, wargame_process: WargameProcess
) -> None:
    """A command durable in the journal whose acknowledgement never reached the screen is shown on resume."""
    scenario = write_short_scenario(tmp_path)
    effect = Effect.model_validate({"quantity": "actors.twn.readiness", "add": 0.05})
    with Session.create(scenario, tmp_path / "s", seats=["twn"], white_cell=True, seed=3) as session:
        session.submit(Inject(WHITE_CELL, text="Typhoon closes the ports", effects=(effect,)))
        # the process dies here, before the terminal printed "recorded"
    result = wargame_process("session", "play", str(tmp_path / "s"))
    assert result.returncode == 0, result.stderr
    assert "saved before the last stop" in result.stdout
    assert "inject: Typhoon closes the ports" in result.stdout
    assert "do not type it again" in result.stdout


# ---------------------------------------------------------------------- what the journal proves
def test_a_journal_cut_from_the_end_is_detected(
    tmp_path: Path, keys: Path, wargame_process: WargameProcess
) -> None:
    folder = _played(tmp_path)
    with contextlib.closing(sqlite3.connect(folder / "journal.sqlite")) as connection:
        count = connection.execute("SELECT count(*) FROM entries").fetchone()[0]
    tamper(folder / "journal.sqlite", "DELETE FROM entries WHERE seq > ?", (count - 3,))
    result = wargame_process("session", "replay", str(folder))
    _one_line_refusal(result, f"the journal was cut short: its head anchor records {count} entries")


def test_a_lost_write_ahead_log_is_detected(
    tmp_path: Path, keys: Path, wargame_process: WargameProcess, launcher: Launcher
) -> None:
    """A writer killed with its last commits only in the WAL, then the WAL deleted: the anchor notices."""
    scenario = write_short_scenario(tmp_path)
    Session.create(scenario, tmp_path / "s", seats=["twn"], seed=7).close()
    script = (
        "import os, sys\n"
        "from wargame.session import Session, SeatAction\n"
        "session = Session.open(sys.argv[1])\n"
        "session.submit(SeatAction('twn', None))\n"
        "os._exit(0)\n"
    )
    writer = launcher.run("-c", script, [tmp_path / "s"], cwd=tmp_path, wall_seconds=60)
    assert (writer.code, writer.killed_by) == (0, None), writer.stderr.decode()
    assert (tmp_path / "s" / "journal.sqlite-wal").stat().st_size > 0
    (tmp_path / "s" / "journal.sqlite-wal").unlink()
    (tmp_path / "s" / "journal.sqlite-shm").unlink(missing_ok=True)
    result = wargame_process("session", "replay", str(tmp_path / "s"))
    _one_line_refusal(result, "the journal was cut short")


def test_a_changed_header_seed_is_detected(
    tmp_path: Path, keys: Path, wargame_process: WargameProcess
) -> None:
    folder = _played(tmp_path)
    _rehash(folder / "journal.sqlite", {1: ('"seed":7', '"seed":8')})
    _rewrite_anchor(folder)
    result = wargame_process("session", "replay", str(folder))
    _one_line_refusal(result, "the header's seed 8 does not give its run key")


@pytest.mark.slow
def test_a_rehashed_forgery_passes_without_the_key_and_fails_with_it(
    tmp_path: Path, keys: Path, wargame_process: WargameProcess
) -> None:
    """Without the session key a forger who re-runs the engine makes a journal nobody can tell apart."""
    plain = _played(tmp_path, name="plain")
    signed = _played(tmp_path, secret=True, name="signed")
    (tmp_path / "forger").mkdir()
    # the forger's own session: same scenario, seed and seats, other decisions (Taiwan always passes)
    forged = _played(tmp_path / "forger", decide=every_seat_passes)
    assert _actions(forged) != _actions(plain)
    for target in (plain, signed):
        header = (
            sqlite3.connect(target / "journal.sqlite")
            .execute("SELECT payload FROM entries WHERE seq = 1")
            .fetchone()[0]
        )
        shutil.copy(forged / "journal.sqlite", target / "journal.sqlite")
        forged_header = (
            sqlite3.connect(target / "journal.sqlite")
            .execute("SELECT payload FROM entries WHERE seq = 1")
            .fetchone()[0]
        )
        _rehash(target / "journal.sqlite", {1: (forged_header, header)})
        _rewrite_anchor(target)
    assert wargame_process("session", "replay", str(plain)).returncode == 0  # not provable without the key
    assert _actions(plain) == _actions(forged)
    result = wargame_process("session", "replay", str(signed))
    _one_line_refusal(result, "not signed by this session's key")
    assert list(keys.iterdir())  # the key is outside the session folder
    assert not list(signed.glob("*.key"))


@pytest.mark.slow
def test_a_signed_session_reports_its_authentication(
    tmp_path: Path, keys: Path, wargame_process: WargameProcess
) -> None:
    signed = _played(tmp_path, secret=True)
    result = wargame_process("session", "replay", str(signed))
    assert result.returncode == 0, result.stderr
    assert "signed with the session key" in result.stdout
    plain = _played(tmp_path, name="plain")
    result = wargame_process("session", "replay", str(plain))
    assert "not signed" in result.stdout


# ---------------------------------------------------------------------- read-only, locks, modes
def test_replay_of_a_zero_length_journal_writes_nothing(
    tmp_path: Path, wargame_process: WargameProcess
) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "journal.sqlite").write_bytes(b"")
    result = wargame_process("session", "replay", str(folder))
    _one_line_refusal(result, "empty")
    assert sorted(p.name for p in folder.iterdir()) == ["journal.sqlite"]
    assert (folder / "journal.sqlite").stat().st_size == 0


@pytest.mark.parametrize("command", ["replay", "status", "report"])
def test_read_only_commands_leave_the_session_folder_as_it_was(
    tmp_path: Path, keys: Path, command: str, wargame_process: WargameProcess
) -> None:
    folder = _played(tmp_path)
    before = _snapshot(folder)
    extra = ["--out", str(tmp_path / "report")] if command == "report" else []
    result = wargame_process("session", command, str(folder), *extra)
    assert result.returncode == 0, result.stderr
    assert _snapshot(folder) == before


def test_deleting_files_under_a_running_session_does_not_unlock_it(tmp_path: Path) -> None:
    scenario = write_short_scenario(tmp_path)
    with Session.create(scenario, tmp_path / "s", seats=["twn"], seed=1) as session:
        for path in (tmp_path / "s").iterdir():
            if path.name.startswith(".lock"):
                path.unlink()
        with pytest.raises(InputError, match="open for play in another process"):
            Session.open(tmp_path / "s")
        assert session.pending is not None


def test_session_files_are_private(tmp_path: Path, keys: Path) -> None:
    folder = _played(tmp_path, secret=True)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    for path in keys.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


# ---------------------------------------------------------------------- a full disk
def test_a_file_size_limit_at_creation_is_one_line_and_leaves_nothing(
    tmp_path: Path, keys: Path, wargame_process: WargameProcess
) -> None:
    scenario = write_short_scenario(tmp_path)
    result = wargame_process(
        "session",
        "new",
        str(scenario),
        "--seats",
        "twn",
        "--out",
        str(tmp_path / "s"),
        limits={"RLIMIT_FSIZE": (2048, 2048)},
    )
    _one_line_refusal(result, "cannot write the session journal")
    assert not (tmp_path / "s" / "journal.sqlite").exists()


def test_a_file_size_limit_during_play_is_one_line(
    tmp_path: Path, keys: Path, wargame_process: WargameProcess
) -> None:
    scenario = write_short_scenario(tmp_path)
    Session.create(scenario, tmp_path / "s", seats=["twn"], white_cell=True, seed=5).close()
    biggest = max(path.stat().st_size for path in (tmp_path / "s").iterdir())
    lines = "\n".join(["", "continue", "", "pass"] * 6) + "\n"
    limit = max(biggest, 32768) + 16384
    result = wargame_process(
        "session",
        "play",
        str(tmp_path / "s"),
        input=lines,
        limits={"RLIMIT_FSIZE": (limit, limit)},
    )
    _one_line_refusal(result, "cannot write the session journal")
    replay = wargame_process("session", "replay", str(tmp_path / "s"))
    assert replay.returncode == 0, replay.stderr


# ---------------------------------------------------------------------- the report
def test_scenario_and_white_cell_text_is_escaped_in_both_reports(
    tmp_path: Path, keys: Path, wargame_process: WargameProcess
) -> None:
    hostile = "<img src=x onerror=alert(1)> | **bold** [link](http://x) `code`"
    scenario = write_short_scenario(tmp_path, name=f'"Strait {hostile}"')
    with Session.create(scenario, tmp_path / "s", seats=["twn"], white_cell=True, seed=2) as session:
        session.submit(Inject(WHITE_CELL, text=f"Rumour: {hostile}"))
        play_out(session)
    result = wargame_process("session", "report", str(tmp_path / "s"), "--out", str(tmp_path / "report"))
    assert result.returncode == 0, result.stderr
    markdown = (tmp_path / "report" / "report.md").read_text()
    page = (tmp_path / "report" / "report.html").read_text()
    assert "<img src=x" not in markdown and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert r"&lt;img src=x onerror=alert\(1\)&gt;" in markdown
    assert "Rumour: &lt;img" in markdown
    assert r"\*\*bold\*\*" in markdown and r"\[link\]\(http://x\)" in markdown and r"\`code\`" in markdown
    assert r"\|" in markdown  # a pipe in a table cell does not split it


def test_a_session_made_inside_a_git_repository_is_ignored_by_it(tmp_path: Path, keys: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    scenario = write_short_scenario(tmp_path)
    Session.create(scenario, tmp_path / "repo" / "sessions" / "s", seats=["twn"], seed=1).close()
    status = subprocess.run(
        ["git", "-C", str(tmp_path / "repo"), "status", "--porcelain", "--untracked-files=all"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""
    assert (tmp_path / "repo" / "sessions" / "s" / "journal.sqlite").exists()
