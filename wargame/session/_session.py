"""A facilitated session on disk: create, open (resume), act, rewind, replay, status.

This is the layer every front end talks to (the terminal now, a web console later): it knows nothing of
screens. A session directory holds ``journal.sqlite`` (the append-only journal) and whatever reports and
counterfactual fans were written for it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wargame.errors import InputError
from wargame.session._commands import INPUT_KINDS, Command, Rewind, command_from_payload
from wargame.session._engine import SessionEngine
from wargame.session._folder import OpenedFolder, create_folder, opened_folder
from wargame.session._journal import Journal, JournalEntry
from wargame.session._turns import Prompt, SessionSetup
from wargame.session._validation import resolve_library, validate_command

__all__ = ["Ack", "BranchReplay", "ReplayReport", "Session", "SessionStatus", "branch_timeline"]


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
        self, directory: Path, folder: OpenedFolder, *, read_only: bool, scenario_file: Path | None = None
    ) -> None:
        self.directory = directory
        self.journal = folder.journal
        self.scenario = folder.scenario
        self.read_only = read_only
        self.authentication = folder.authentication
        self._lock = folder.lock
        self.header: dict[str, Any] = self.journal.entries[0].payload
        self.setup = SessionSetup(
            run_key=int(self.header["run_key"]),
            human_seats=tuple(self.header["human_seats"]),
            white_cell=bool(self.header["white_cell"]),
        )
        self.scenario_dir = Path(scenario_file or self.header["scenario_path"]).parent
        self.branch = len(_rewinds(self.journal.entries))
        self.engine = self._engine_for(self.branch, sink=None if read_only else self.journal)
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
        create_folder(
            scenario_path,
            directory,
            seats=seats,
            white_cell=white_cell,
            seed=seed,
            overrides=overrides,
            allow_dirs=allow_dirs,
            secret=secret,
        )
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
        scenario_file = Path(scenario_path) if scenario_path is not None else None
        with opened_folder(
            directory, read_only=read_only, key_file=key_file, scenario_path=scenario_path
        ) as folder:
            return cls(directory, folder, read_only=read_only, scenario_file=scenario_file)

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
            day=pending.day if pending is not None else self.engine.day,
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
                ended = f"finished at turn {engine.turn}, day {engine.day}"
            else:
                ended = f"in play at turn {engine.turn}, day {engine.day}"
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
