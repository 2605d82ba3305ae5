"""A facilitated session on disk: create, open (resume), act, rewind, replay, status.

This is the layer every front end talks to (the terminal now, a web console later): it knows nothing of
screens. A session directory holds ``journal.sqlite`` (the append-only journal) and whatever reports and
counterfactual fans were written for it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wargame._version import __version__
from wargame.errors import InputError
from wargame.model import run_keys_from_seed
from wargame.scenario import Scenario, load_scenario_with, scenario_hash
from wargame.session._commands import Command, Rewind, resolve_library, validate_command
from wargame.session._engine import Prompt, SessionEngine, SessionSetup
from wargame.session._files import FOLDER_MODE, write_private
from wargame.session._journal import JOURNAL_FILE, Journal, JournalEntry, JournalWriteError
from wargame.session._keys import create_key, external_head_path, key_folder, load_key

__all__ = ["Ack", "BranchReplay", "ReplayReport", "Session", "SessionStatus", "branch_timeline"]

SESSION_FORMAT = 2
"""Format of new sessions' headers: 2 adds the session id, signing and the head anchor."""
_READABLE_FORMATS = (1, 2)
_HEADER_KIND = "session_created"


@dataclass(frozen=True)
class Ack:
    """The acknowledgement of an accepted command: it is durable in the journal as entry ``seq``."""

    seq: int
    kind: str
    time_utc: str
    result: dict[str, Any] | None = None
    describe: str = ""
    """The command as journaled, for people (a prepared inject with its text)."""


@dataclass(frozen=True)
class SessionStatus:
    """Where a session stands."""

    directory: Path
    scenario_name: str
    scenario_path: str
    seed: int
    human_seats: tuple[str, ...]
    engine_seats: dict[str, str]
    white_cell: bool
    branch: int
    branches: int
    turn: int
    turns_total: int
    day: int
    waiting_for: str | None
    paused: bool
    finished: bool
    entries: int
    last_entry_utc: str
    outcome: dict[str, Any] | None


@dataclass(frozen=True)
class BranchReplay:
    """The replay check of one branch."""

    branch: int
    entries_checked: int
    turns_checked: int
    views_checked: int
    ended: str


@dataclass(frozen=True)
class ReplayReport:
    """Every branch of a session re-simulated from its journal and found equal to what was recorded."""

    branches: tuple[BranchReplay, ...]

    @property
    def entries_checked(self) -> int:
        return sum(branch.entries_checked for branch in self.branches)


def _rewinds(entries: list[JournalEntry]) -> list[JournalEntry]:
    return [entry for entry in entries if entry.kind == Rewind.kind]


def branch_timeline(entries: list[JournalEntry], branch: int) -> list[JournalEntry]:
    """Return the entries that make up ``branch``'s history, header excluded.

    Branch 0 is every entry written on it. Branch ``b`` (the ``b``-th rewind) is its parent's history
    before the turn it rewound to, followed by the entries written on ``b``.
    """
    if branch == 0:
        return [entry for entry in entries[1:] if entry.branch == 0]
    rewind = _rewinds(entries)[branch - 1]
    to_turn = int(rewind.payload["to_turn"])
    parent = branch_timeline(entries, rewind.branch)
    inherited = [entry for entry in parent if entry.seq < rewind.seq and entry.turn < to_turn]
    return inherited + [entry for entry in entries if entry.branch == branch]


class Session:
    """An open session. Use :meth:`create` or :meth:`open`; close it (or use ``with``) when done.

    Attributes:
        directory: The session directory.
        scenario: The session's scenario (checked against the hash recorded at creation).
        header: The journal header: scenario, seed, run key, seats.
    """

    def __init__(
        self,
        directory: Path,
        journal: Journal,
        scenario: Scenario,
        read_only: bool,
        lock: int | None,
        authentication: str = "unsigned",
        scenario_file: Path | None = None,
    ) -> None:
        self.directory = directory
        self.journal = journal
        self.scenario = scenario
        self.read_only = read_only
        self.authentication = authentication
        self._lock = lock
        self.header: dict[str, Any] = journal.entries[0].payload
        self.setup = SessionSetup(
            run_key=int(self.header["run_key"]),
            human_seats=tuple(self.header["human_seats"]),
            white_cell=bool(self.header["white_cell"]),
        )
        self.scenario_dir = Path(scenario_file or self.header["scenario_path"]).parent
        self.branch = len(_rewinds(journal.entries))
        self.engine = self._engine_for(self.branch, sink=None if read_only else journal)
        self.engine.advance()

    # ------------------------------------------------------------------ creating and opening
    @classmethod
    def create(
        cls,
        scenario_path: str | Path,
        directory: str | Path,
        *,
        seats: tuple[str, ...] | list[str] = (),
        white_cell: bool = False,
        seed: int | None = None,
        overrides: Mapping[str, Any] | None = None,
        allow_dirs: Sequence[str | Path] = (),
        secret: bool = False,
    ) -> Session:
        """Create a session directory and open the new session.

        Args:
            scenario_path: The scenario file.
            directory: Where the session lives (created; must not hold a session already).
            seats: Actors played by people; every other actor is played by its policy.
            white_cell: Whether facilitators sit as the white cell.
            seed: Root seed of the session's random draws (random if ``None``; it is journaled).
            overrides: ``--set`` overrides of scenario fields (journaled, applied again on every open).
            allow_dirs: Folders besides the scenario's own that its files may come from (journaled).
            secret: Sign the journal with a new session key kept outside the session folder (in
                :func:`~wargame.session._keys.key_folder`).

        Raises:
            InputError: For an unknown or neutral seat, a turn length that is not a whole number of decision
                intervals, or a directory that already holds a session.
            JournalWriteError: If the journal cannot be written (nothing is left behind).
        """
        scenario_path = Path(scenario_path).resolve()
        allow_dirs = [str(Path(folder).resolve()) for folder in allow_dirs]
        overrides = dict(overrides or {})
        scenario = load_scenario_with(
            scenario_path, overrides=overrides, allow_dirs=allow_dirs, playable=True
        )
        deciding = [scenario.adversary, *(actor.id for actor in scenario.allied_actors)]
        seen: set[str] = set()
        for seat in seats:
            if seat in seen:
                raise InputError(f"seat {seat!r} is given twice", source="--seats")
            seen.add(seat)
            if seat not in deciding:
                raise InputError(
                    f"{seat!r} is not an actor that decides in this scenario "
                    f"(choose from {', '.join(deciding)})",
                    source="--seats",
                )
        if seed is not None and seed < 0:
            raise InputError(f"the seed must be non-negative, got {seed}", source="--seed")
        directory = Path(directory)
        if (directory / JOURNAL_FILE).exists():
            raise InputError("a session already exists here", source=str(directory))
        seed = secrets.randbelow(2**32) if seed is None else int(seed)
        human_seats = [seat for seat in deciding if seat in seen]
        session_id = secrets.token_hex(16)
        header = {
            "format": SESSION_FORMAT,
            "session_id": session_id,
            "signed": bool(secret),
            "wargame_version": __version__,
            "scenario_path": str(scenario_path),
            "scenario_name": scenario.name,
            "scenario_sha256": scenario_fingerprint(scenario),
            **({"scenario_overrides": overrides} if overrides else {}),
            **({"scenario_allow_dirs": allow_dirs} if allow_dirs else {}),
            "seed": seed,
            "run_key": int(run_keys_from_seed(seed, 1)[0]),
            "human_seats": human_seats,
            "engine_seats": {seat: _policy_kind(scenario, seat) for seat in deciding if seat not in seen},
            "white_cell": bool(white_cell),
            "turn_length_days": scenario.turn_length_days,
            "decision_interval_days": scenario.decision_interval_days,
            "horizon_days": scenario.horizon_days,
        }
        made = not directory.exists()
        try:
            directory.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
            os.chmod(directory, FOLDER_MODE)
        except OSError as error:
            raise InputError(
                f"cannot create the session folder ({error.strerror or error})", source=str(directory)
            ) from None
        journal = None
        try:
            journal = Journal.create(directory / JOURNAL_FILE)
            # A session holds seat tokens and its journal: never committed by accident where it lands.
            try:
                write_private(
                    directory / ".gitignore", "# a wargame session: seat tokens and its journal\n*\n"
                )
            except OSError as error:
                raise JournalWriteError(
                    f"{directory}: cannot write the session folder ({error.strerror or error})"
                ) from None
            if secret:
                _, key = create_key(session_id)
                journal.sign_with(key, external_head_path(session_id))
            journal.append(_HEADER_KIND, header, branch=0, turn=0)
            journal.close()
        except BaseException:
            if journal is not None:
                journal.close_quietly()
                Journal.remove(directory / JOURNAL_FILE)
                (directory / ".gitignore").unlink(missing_ok=True)
            if made:
                directory.rmdir()
            raise
        return cls.open(directory)

    @classmethod
    def open(
        cls,
        directory: str | Path,
        *,
        read_only: bool = False,
        key_file: str | Path | None = None,
        scenario_path: str | Path | None = None,
    ) -> Session:
        """Open a session: verify its journal and scenario, then re-simulate to where it stopped.

        Args:
            directory: The session directory.
            read_only: Never write (status, replay, report); otherwise the session is locked against
                a second writer and play resumes at the last acknowledged entry.
            key_file: The session key, if not in the key folder (signed sessions).
            scenario_path: The scenario file, if it moved since the session started (it must still hash
                to what the header recorded).

        Raises:
            InputError: If the directory holds no session, the journal is corrupted or tampered with, the
                scenario changed since the session started, the session is open for play elsewhere, or the
                journal does not replay. Nothing is written in any of these cases.
        """
        directory = Path(directory)
        lock = None if read_only else _lock(directory)
        journal = None
        try:
            journal = Journal.open(directory / JOURNAL_FILE, read_only=read_only)
            header = _checked_header(journal)
            authentication = _authenticate(journal, header, read_only, key_file)
            scenario = _load_checked_scenario(header, scenario_path)
            scenario_file = Path(scenario_path) if scenario_path is not None else None
            return cls(directory, journal, scenario, read_only, lock, authentication, scenario_file)
        except BaseException:
            if journal is not None:
                journal.close_quietly()
            if lock is not None:
                os.close(lock)
            raise

    def close(self) -> None:
        """Commit anything pending and release the session."""
        try:
            self.journal.close()
        finally:
            if self._lock is not None:
                os.close(self._lock)
                self._lock = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _engine_for(self, branch: int, sink: Journal | None) -> SessionEngine:
        return SessionEngine(
            self.scenario,
            self.setup,
            timeline=branch_timeline(self.journal.entries, branch),
            sink=sink,
            branch=branch,
            scenario_dir=self.scenario_dir,
        )

    # ------------------------------------------------------------------ playing
    @property
    def pending(self) -> Prompt | None:
        """The prompt waiting for a person, or ``None`` when the session is finished."""
        return self.engine.pending

    @property
    def finished(self) -> bool:
        return self.engine.finished

    def submit(self, command: Command) -> Ack:
        """Validate, journal (durably) and apply a command, then run on to the next prompt.

        Raises:
            InputError: If the command is not acceptable now; the session is left as it was.
        """
        if self.read_only:
            raise InputError("the session was opened read-only")
        if self.engine.pending is None:
            raise InputError("the session is finished; nothing more can be played")
        command = resolve_library(command, self.scenario)
        command = self.engine.arguments.resolve(command, {a.id: a.name for a in self.scenario.actors})
        validate_command(command, self.engine.context(), self.engine.model)
        self.engine.advance(command)
        entry = self.engine.last_input_entry
        assert entry is not None and entry.kind == command.kind
        if self.engine.rewind_to is not None:
            self.branch = len(_rewinds(self.journal.entries))
            self.engine = self._engine_for(self.branch, self.journal)
            self.engine.advance()
        result = None
        if entry.kind == "matrix_roll":
            result = self.journal.entries[entry.seq].payload  # the roll_result right after the input
        return Ack(entry.seq, entry.kind, entry.time_utc, result, command.describe())

    # ------------------------------------------------------------------ inspecting
    def status(self) -> SessionStatus:
        """Return where the session stands."""
        pending = self.engine.pending
        entries = self.journal.entries
        outcome = None
        if self.engine.finished:
            outcome = next(
                e.payload for e in reversed(entries) if e.kind == "finished" and e.branch == self.branch
            )
        model = self.engine.model
        return SessionStatus(
            directory=self.directory,
            scenario_name=self.scenario.name,
            scenario_path=self.header["scenario_path"],
            seed=int(self.header["seed"]),
            human_seats=self.setup.human_seats,
            engine_seats=dict(self.header["engine_seats"]),
            white_cell=self.setup.white_cell,
            branch=self.branch,
            branches=self.branch + 1,
            turn=self.engine.turn,
            turns_total=self.scenario.horizon_days // self.scenario.turn_length_days,
            day=pending.day if pending is not None else model.day,
            waiting_for=pending.seat if pending is not None else None,
            paused=pending is not None and pending.kind == "paused",
            finished=self.engine.finished,
            entries=len(entries),
            last_entry_utc=entries[-1].time_utc,
            outcome=outcome,
        )

    def last_saved_command(self) -> tuple[int, str, str] | None:
        """Return the last command the active branch's journal holds (``seq``, time, description).

        Front ends show it on resume: a command durable in the journal whose acknowledgement may never
        have reached the screen (the process stopped in between) is applied and must not be sent again.
        """
        from wargame.session._commands import INPUT_KINDS, command_from_payload

        for entry in reversed(self.timeline()):
            if entry.kind in INPUT_KINDS:
                return entry.seq, entry.time_utc, command_from_payload(entry.kind, entry.payload).describe()
        return None

    def timeline(self, branch: int | None = None) -> list[JournalEntry]:
        """Return the entries of a branch's history (the active branch by default), header excluded."""
        return branch_timeline(self.journal.entries, self.branch if branch is None else branch)

    def replay(self) -> ReplayReport:
        """Re-simulate every branch from the journal and check each entry equals what was recorded.

        Raises:
            JournalMismatchError: At the first entry that differs.
        """
        results = []
        for branch in range(len(_rewinds(self.journal.entries)) + 1):
            engine = self._engine_for(branch, sink=None)
            engine.advance()
            timeline = engine.timeline
            if engine.cursor != len(timeline):
                entry = timeline[engine.cursor]
                raise InputError(
                    f"journal entry #{entry.seq} ({entry.kind}) was never reached on replay "
                    f"of branch {branch}"
                )
            if engine.rewind_to is not None:
                ended = f"rewound to turn {engine.rewind_to} at turn {engine.turn}"
            elif engine.finished:
                ended = f"finished at turn {engine.turn}, day {engine.model.day}"
            else:
                ended = f"in play at turn {engine.turn}, day {engine.model.day}"
            results.append(
                BranchReplay(
                    branch=branch,
                    entries_checked=len(timeline),
                    turns_checked=sum(1 for e in timeline if e.kind == "turn_adjudicated"),
                    views_checked=sum(1 for e in timeline if e.kind == "view"),
                    ended=ended,
                )
            )
        return ReplayReport(tuple(results))


def _policy_kind(scenario: Scenario, seat: str) -> str:
    policy = scenario.actor(seat).policy
    return policy.kind if policy is not None else "default"


def _lock(directory: Path) -> int:
    """Lock the session folder itself (``flock`` on its descriptor): no file whose deletion unlocks it."""
    if not directory.is_dir():
        raise InputError("no such session directory", source=str(directory))
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise InputError("the session is open for play in another process", source=str(directory)) from None
    return descriptor


def _checked_header(journal: Journal) -> dict[str, Any]:
    entries = journal.entries
    source = str(journal.path)
    if not entries or entries[0].kind != _HEADER_KIND:
        raise InputError("the journal has no session header", source=source)
    header = entries[0].payload
    if header.get("format") not in _READABLE_FORMATS:
        raise InputError(f"unknown session format {header.get('format')!r}", source=source)
    if header["format"] >= 2:
        journal.require_anchor()
    try:
        seed, run_key = int(header["seed"]), int(header["run_key"])
    except (KeyError, TypeError, ValueError):
        raise InputError("the journal header has no valid seed and run key", source=source) from None
    if seed < 0 or int(run_keys_from_seed(seed, 1)[0]) != run_key:
        raise InputError(
            f"the journal was tampered with: the header's seed {seed} does not give its run key {run_key}",
            source=source,
        )
    return header


def _authenticate(
    journal: Journal, header: dict[str, Any], read_only: bool, key_file: str | Path | None
) -> str:
    """Check a signed journal against its key; return ``signed``, ``unsigned`` or ``key missing``."""
    session_id = header.get("session_id")
    if not header.get("signed"):
        if key_file is not None:
            raise InputError(
                "the journal is not signed by this session's key: its header says it is unsigned",
                source=str(journal.path),
            )
        return "unsigned"
    assert isinstance(session_id, str)
    key = load_key(session_id, Path(key_file) if key_file is not None else None)
    if key is None:
        if not read_only:
            raise InputError(
                f"this session is signed and its key is not in {key_folder()} (set WARGAME_SESSION_KEYS "
                "or pass --key); without it nothing can be added",
                source=str(journal.path),
            )
        return "key missing"
    external = external_head_path(session_id)
    journal.authenticate(key, external)
    if not read_only:
        journal.sign_with(key, external)
    return "signed"


def _load_checked_scenario(header: dict[str, Any], override: str | Path | None = None) -> Scenario:
    path = str(override) if override is not None else header["scenario_path"]
    if not Path(path).is_file():
        raise InputError(
            "the session's scenario file is missing; restore it to open the session", source=path
        )
    scenario = load_scenario_with(
        path, overrides=header.get("scenario_overrides"), allow_dirs=header.get("scenario_allow_dirs", ())
    )
    now = scenario_fingerprint(scenario) if header["format"] >= 2 else scenario_hash(scenario)
    if now != header["scenario_sha256"]:
        since = (
            ""
            if header["format"] >= 2
            else f" (or wargame's scenario schema grew since {header.get('wargame_version')})"
        )
        raise InputError(
            f"the scenario changed after the session started{since}: sha256 "
            f"{header['scenario_sha256'][:12]}… at the start, {now[:12]}… now; restore the original file to "
            "open the session",
            source=path,
        )
    return scenario


def scenario_fingerprint(scenario: Scenario) -> str:
    """Return the SHA-256 of what the scenario says: its canonical JSON without the fields left at their
    defaults, so a later version of wargame that adds a field (with a default that changes nothing) still
    opens the sessions made before it."""
    text = json.dumps(
        scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True),
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()
