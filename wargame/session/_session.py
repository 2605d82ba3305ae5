"""A facilitated session on disk: create, open (resume), act, rewind, replay, status.

This is the layer every front end talks to (the terminal now, a web console later): it knows nothing of
screens. A session directory holds ``journal.sqlite`` (the append-only journal) and whatever reports and
counterfactual fans were written for it.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from wargame._version import __version__
from wargame.errors import InputError
from wargame.model import run_keys_from_seed
from wargame.scenario import Scenario, load_scenario_with, scenario_hash
from wargame.session._commands import Command, Rewind, validate_command
from wargame.session._engine import Prompt, SessionEngine, SessionSetup
from wargame.session._journal import JOURNAL_FILE, Journal, JournalEntry

__all__ = ["Ack", "BranchReplay", "ReplayReport", "Session", "SessionStatus", "branch_timeline"]

SESSION_FORMAT = 1
_HEADER_KIND = "session_created"
_LOCK_FILE = ".lock"


@dataclass(frozen=True)
class Ack:
    """The acknowledgement of an accepted command: it is durable in the journal as entry ``seq``."""

    seq: int
    kind: str
    time_utc: str
    result: dict[str, Any] | None = None


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
        self, directory: Path, journal: Journal, scenario: Scenario, read_only: bool, lock: IO[str] | None
    ) -> None:
        self.directory = directory
        self.journal = journal
        self.scenario = scenario
        self.read_only = read_only
        self._lock = lock
        self.header: dict[str, Any] = journal.entries[0].payload
        self.setup = SessionSetup(
            run_key=int(self.header["run_key"]),
            human_seats=tuple(self.header["human_seats"]),
            white_cell=bool(self.header["white_cell"]),
        )
        self.scenario_dir = Path(self.header["scenario_path"]).parent
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

        Raises:
            InputError: For an unknown or neutral seat, a turn length that is not a whole number of decision
                intervals, or a directory that already holds a session.
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
        directory.mkdir(parents=True, exist_ok=True)
        seed = secrets.randbelow(2**32) if seed is None else int(seed)
        human_seats = [seat for seat in deciding if seat in seen]
        header = {
            "format": SESSION_FORMAT,
            "wargame_version": __version__,
            "scenario_path": str(scenario_path),
            "scenario_name": scenario.name,
            "scenario_sha256": scenario_hash(scenario),
            **({"scenario_overrides": overrides} if overrides else {}),
            **({"scenario_allow_dirs": allow_dirs} if allow_dirs else {}),
            "seed": seed,
            "run_key": int(run_keys_from_seed(seed, 1)[0]),
            "human_seats": human_seats,
            "engine_seats": {
                seat: (scenario.actor(seat).policy.kind if scenario.actor(seat).policy else "default")
                for seat in deciding
                if seat not in seen
            },
            "white_cell": bool(white_cell),
            "turn_length_days": scenario.turn_length_days,
            "decision_interval_days": scenario.decision_interval_days,
            "horizon_days": scenario.horizon_days,
        }
        journal = Journal.create(directory / JOURNAL_FILE)
        journal.append(_HEADER_KIND, header, branch=0, turn=0)
        journal.close()
        return cls.open(directory)

    @classmethod
    def open(cls, directory: str | Path, *, read_only: bool = False) -> Session:
        """Open a session: verify its journal and scenario, then re-simulate to where it stopped.

        Args:
            directory: The session directory.
            read_only: Never write (status, replay, report); otherwise the session is locked against
                a second writer and play resumes at the last acknowledged entry.

        Raises:
            InputError: If the directory holds no session, the journal is corrupted or tampered with, the
                scenario changed since the session started, the session is open for play elsewhere, or the
                journal does not replay. Nothing is written in any of these cases.
        """
        directory = Path(directory)
        lock = None if read_only else _lock(directory)
        try:
            journal = Journal.open(directory / JOURNAL_FILE)
            entries = journal.entries
            if not entries or entries[0].kind != _HEADER_KIND:
                raise InputError("the journal has no session header", source=str(journal.path))
            header = entries[0].payload
            if header.get("format") != SESSION_FORMAT:
                raise InputError(f"unknown session format {header.get('format')!r}", source=str(journal.path))
            scenario = _load_checked_scenario(header)
            return cls(directory, journal, scenario, read_only, lock)
        except BaseException:
            if lock is not None:
                lock.close()
            raise

    def close(self) -> None:
        """Commit anything pending and release the session."""
        self.journal.close()
        if self._lock is not None:
            self._lock.close()
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
        return Ack(entry.seq, entry.kind, entry.time_utc, result)

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


def _lock(directory: Path) -> IO[str]:
    if not directory.is_dir():
        raise InputError("no such session directory", source=str(directory))
    handle = open(directory / _LOCK_FILE, "a", encoding="utf-8")  # noqa: SIM115 - held until close()
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise InputError("the session is open for play in another process", source=str(directory)) from None
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def _load_checked_scenario(header: dict[str, Any]) -> Scenario:
    path = header["scenario_path"]
    if not Path(path).is_file():
        raise InputError(
            "the session's scenario file is missing; restore it to open the session", source=path
        )
    scenario = load_scenario_with(
        path, overrides=header.get("scenario_overrides"), allow_dirs=header.get("scenario_allow_dirs", ())
    )
    now = scenario_hash(scenario)
    if now != header["scenario_sha256"]:
        raise InputError(
            f"the scenario changed after the session started (sha256 {header['scenario_sha256'][:12]}… at "
            f"the start, {now[:12]}… now); restore the original file to open the session",
            source=path,
        )
    return scenario
