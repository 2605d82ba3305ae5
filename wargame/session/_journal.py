"""The append-only session journal: SQLite in WAL mode, every entry chained to the previous one by hash.

One table, ``entries``; a row is never updated or deleted (triggers refuse it). Each entry's ``hash`` is
the SHA-256 of its canonical form, which includes the previous entry's hash, so changing, removing or
reordering any entry breaks the chain from there on and :meth:`Journal.open` refuses the file.

A write is acknowledged only once its transaction is committed with ``synchronous=FULL``: the WAL is
fsync'd at every commit, so an acknowledged entry survives ``kill -9`` and power loss.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wargame.errors import InputError

__all__ = ["GENESIS_HASH", "JOURNAL_FILE", "Journal", "JournalEntry", "canonical_json"]

JOURNAL_FILE = "journal.sqlite"
GENESIS_HASH = "0" * 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq       INTEGER PRIMARY KEY,
    time_utc  TEXT    NOT NULL,
    branch    INTEGER NOT NULL,
    turn      INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    payload   TEXT    NOT NULL,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'the session journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'the session journal is append-only'); END;
"""


def canonical_json(value: Any) -> str:
    """Return the canonical JSON text of ``value`` (sorted keys, no spaces, exact floats)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _entry_hash(seq: int, time_utc: str, branch: int, turn: int, kind: str, payload: str, prev: str) -> str:
    text = canonical_json([seq, time_utc, branch, turn, kind, payload, prev])
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class JournalEntry:
    """One journal entry.

    Attributes:
        seq: Position in the journal, from 1.
        time_utc: Wall-clock time of writing, ISO 8601 in UTC.
        branch: Timeline branch the entry belongs to (0 is the first; a rewind starts a new one).
        turn: Turn whose decision point the session had reached (0 before the first).
        kind: What the entry records (see ``docs/sessions.md``).
        payload: The entry's content, JSON-ready.
        prev_hash: Hash of the previous entry (``GENESIS_HASH`` for the first).
        hash: SHA-256 over all the fields above.
    """

    seq: int
    time_utc: str
    branch: int
    turn: int
    kind: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class Journal:
    """An open session journal.

    Use :meth:`create` for a new session and :meth:`open` for an existing one; both verify nothing is
    wrong before returning. Writes go through :meth:`append` and become durable at :meth:`commit`.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, entries: list[JournalEntry]) -> None:
        self.path = path
        self._connection = connection
        self._entries = entries
        self._pending = 0

    # ------------------------------------------------------------------ opening
    @classmethod
    def create(cls, path: Path) -> Journal:
        """Create an empty journal at ``path`` (which must not exist)."""
        if path.exists():
            raise InputError("a session journal already exists here", source=str(path))
        connection = cls._connect(path)
        connection.executescript(_SCHEMA)
        return cls(path, connection, [])

    @classmethod
    def open(cls, path: Path) -> Journal:
        """Open an existing journal and verify its hash chain.

        Raises:
            InputError: If the file is missing, is not a SQLite database, or any entry was altered,
                removed or reordered.
        """
        if not path.is_file():
            raise InputError("no session journal here (is this a session directory?)", source=str(path))
        try:
            connection = cls._connect(path)
            rows = connection.execute(
                "SELECT seq, time_utc, branch, turn, kind, payload, prev_hash, hash FROM entries ORDER BY seq"
            ).fetchall()
        except sqlite3.DatabaseError as error:
            raise InputError(f"the session journal is corrupted ({error})", source=str(path)) from None
        entries = cls._verify(path, rows)
        return cls(path, connection, entries)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        connection = sqlite3.connect(path, isolation_level="DEFERRED", check_same_thread=False)
        mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise InputError(f"cannot put the session journal in WAL mode (got {mode})", source=str(path))
        connection.execute("PRAGMA synchronous=FULL")
        return connection

    @staticmethod
    def _verify(path: Path, rows: list[tuple]) -> list[JournalEntry]:
        entries: list[JournalEntry] = []
        previous = GENESIS_HASH
        for position, row in enumerate(rows, start=1):
            seq, time_utc, branch, turn, kind, payload_text, prev_hash, stored_hash = row
            where = f"entry #{seq}"
            if seq != position:
                raise InputError(
                    f"the journal was tampered with: entry #{position} is missing", source=str(path)
                )
            if prev_hash != previous:
                raise InputError(
                    f"the journal was tampered with: {where} does not follow the entry before it",
                    source=str(path),
                )
            if _entry_hash(seq, time_utc, branch, turn, kind, payload_text, prev_hash) != stored_hash:
                raise InputError(
                    f"the journal was tampered with: {where} ({kind}) does not match its hash",
                    source=str(path),
                )
            try:
                payload = json.loads(payload_text)
            except json.JSONDecodeError:
                raise InputError(f"the journal is corrupted: {where} is not JSON", source=str(path)) from None
            entries.append(JournalEntry(seq, time_utc, branch, turn, kind, payload, prev_hash, stored_hash))
            previous = stored_hash
        return entries

    # ------------------------------------------------------------------ reading
    @property
    def entries(self) -> list[JournalEntry]:
        """Every entry, in order (including appended ones not yet committed)."""
        return list(self._entries)

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def head_hash(self) -> str:
        return self._entries[-1].hash if self._entries else GENESIS_HASH

    # ------------------------------------------------------------------ writing
    def append(self, kind: str, payload: dict[str, Any], *, branch: int, turn: int) -> JournalEntry:
        """Append an entry inside the open transaction; it is durable after :meth:`commit`."""
        seq = len(self._entries) + 1
        time_utc = datetime.now(UTC).isoformat(timespec="microseconds")
        payload_text = canonical_json(payload)
        prev = self.head_hash
        digest = _entry_hash(seq, time_utc, branch, turn, kind, payload_text, prev)
        self._connection.execute(
            "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, time_utc, branch, turn, kind, payload_text, prev, digest),
        )
        entry = JournalEntry(seq, time_utc, branch, turn, kind, json.loads(payload_text), prev, digest)
        self._entries.append(entry)
        self._pending += 1
        return entry

    def commit(self) -> None:
        """Make every appended entry durable (fsync'd WAL)."""
        if self._pending:
            self._connection.commit()
            self._pending = 0

    def close(self) -> None:
        """Commit and close."""
        try:
            self.commit()
        finally:
            self._connection.close()
