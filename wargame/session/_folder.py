"""A session folder on disk: creating it (its journal header, private files, signing key) and opening it
(the play lock, the header, the signature, the scenario it was made of)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wargame._version import __version__
from wargame.errors import InputError
from wargame.model import run_keys_from_seed
from wargame.scenario import Scenario, load_scenario_with, scenario_hash
from wargame.session._files import FOLDER_MODE, write_private
from wargame.session._journal import JOURNAL_FILE, Journal, JournalWriteError
from wargame.session._keys import create_key, external_head_path, key_folder, load_key
from wargame.session._turns import deciding_seats

__all__ = ["SESSION_FORMAT", "OpenedFolder", "create_folder", "opened_folder", "scenario_fingerprint"]

SESSION_FORMAT = 2
"""Format of new sessions' headers: 2 adds the session id, signing and the head anchor."""
_READABLE_FORMATS = (1, 2)
_HEADER_KIND = "session_created"


@dataclass(frozen=True)
class OpenedFolder:
    """A session folder opened and checked.

    Attributes:
        journal: Its journal, verified.
        scenario: The session's scenario, checked against the hash the header recorded.
        lock: The descriptor holding the play lock (``None`` when opened read-only).
        authentication: ``signed``, ``unsigned`` or ``key missing``.
    """

    journal: Journal
    scenario: Scenario
    lock: int | None
    authentication: str


def create_folder(
    scenario_path: str | Path,
    directory: str | Path,
    *,
    seats: tuple[str, ...] | list[str],
    white_cell: bool,
    seed: int | None,
    overrides: Mapping[str, Any] | None,
    allow_dirs: Sequence[str | Path],
    secret: bool,
) -> None:
    """Create a session folder with its journal and header (see :meth:`Session.create`); on any error,
    nothing is left behind."""
    scenario_path = Path(scenario_path).resolve()
    allow_dirs = [str(Path(folder).resolve()) for folder in allow_dirs]
    overrides = dict(overrides or {})
    scenario = load_scenario_with(scenario_path, overrides=overrides, allow_dirs=allow_dirs, playable=True)
    deciding = deciding_seats(scenario)
    seen: set[str] = set()
    for seat in seats:
        if seat in seen:
            raise InputError(f"seat {seat!r} is given twice", source="--seats")
        seen.add(seat)
        if seat not in deciding:
            raise InputError(
                f"{seat!r} is not an actor that decides in this scenario (choose from {', '.join(deciding)})",
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
            write_private(directory / ".gitignore", "# a wargame session: seat tokens and its journal\n*\n")
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


@contextmanager
def opened_folder(
    directory: Path, *, read_only: bool, key_file: str | Path | None, scenario_path: str | Path | None
) -> Iterator[OpenedFolder]:
    """Open and check a session folder (see :meth:`Session.open`) for the ``with`` block; if opening or
    the block fails, the journal is closed and the lock released."""
    lock = None if read_only else _lock(directory)
    journal = None
    try:
        journal = Journal.open(directory / JOURNAL_FILE, read_only=read_only)
        header = _checked_header(journal)
        authentication = _authenticate(journal, header, read_only, key_file)
        scenario = _load_checked_scenario(header, scenario_path)
        yield OpenedFolder(journal, scenario, lock, authentication)
    except BaseException:
        if journal is not None:
            journal.close_quietly()
        if lock is not None:
            os.close(lock)
        raise


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
