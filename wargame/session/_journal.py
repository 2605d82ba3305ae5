"""The append-only session journal: SQLite in WAL mode, every entry chained to the previous one by hash.

One table, ``entries``; a row is never updated or deleted (triggers refuse it). Each entry's ``hash`` is
the SHA-256 of its canonical form, which includes the previous entry's hash, so changing, removing or
reordering any entry breaks the chain from there on and :meth:`Journal.open` refuses the file. The first
entry is the session header, so the chain covers it too.

The head (entry count and last hash) is anchored in ``head.json`` beside the journal after every commit,
so a journal cut from its end (rows deleted, a write-ahead log lost) no longer matches its anchor. A signed
session (see :mod:`wargame.session._keys`) also stores an HMAC of every entry's hash and signs its anchor.

A write is acknowledged only once its transaction is committed with ``synchronous=FULL``: the WAL is
fsync'd at every commit, so an acknowledged entry survives ``kill -9`` and power loss. A read-only journal
is opened so that SQLite creates and changes nothing in the folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wargame.errors import InputError, WargameError
from wargame.session._files import FILE_MODE, write_private
from wargame.session._keys import sign
from wargame.session._saved import read_head_anchor

__all__ = [
    "GENESIS_HASH",
    "HEAD_FILE",
    "JOURNAL_FILE",
    "Journal",
    "JournalEntry",
    "JournalWriteError",
    "canonical_json",
]

JOURNAL_FILE = "journal.sqlite"
HEAD_FILE = "head.json"
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
    hash      TEXT    NOT NULL,
    mac       TEXT
);
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'the session journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'the session journal is append-only'); END;
"""


class JournalWriteError(WargameError):
    """The journal could not be written (a full disk, a file-size limit, a read-only folder).

    Nothing of the failed transaction is kept; the session must be opened again to go on.
    """


def canonical_json(value: Any) -> str:
    """Return the canonical JSON text of ``value`` (sorted keys, no spaces, exact floats)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _entry_hash(seq: int, time_utc: str, branch: int, turn: int, kind: str, payload: str, prev: str) -> str:
    text = canonical_json([seq, time_utc, branch, turn, kind, payload, prev])
    return hashlib.sha256(text.encode()).hexdigest()


def _head_text(entries: int, head_hash: str) -> str:
    return f"{entries}:{head_hash}"


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
        mac: HMAC-SHA256 of ``hash`` under the session key (signed sessions only).
    """

    seq: int
    time_utc: str
    branch: int
    turn: int
    kind: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    mac: str | None = None


def _write_error(path: Path, error: BaseException) -> JournalWriteError:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return JournalWriteError(
        f"{path}: cannot write the session journal ({reason}); is the disk full or a file-size limit "
        "reached? Nothing of the last command was kept"
    )


class Journal:
    """An open session journal.

    Use :meth:`create` for a new session and :meth:`open` for an existing one; both verify nothing is
    wrong before returning. Writes go through :meth:`append` and become durable at :meth:`commit`.
    """

    def __init__(
        self,
        path: Path,
        connection: sqlite3.Connection,
        entries: list[JournalEntry],
        *,
        read_only: bool = False,
        has_mac_column: bool = True,
    ) -> None:
        self.path = path
        self.read_only = read_only
        self._connection = connection
        self._entries = entries
        self._pending = 0
        self._has_mac_column = has_mac_column
        self._key: bytes | None = None
        self._external_head: Path | None = None

    @property
    def head_path(self) -> Path:
        return self.path.with_name(HEAD_FILE)

    # ------------------------------------------------------------------ opening
    @classmethod
    def create(cls, path: Path) -> Journal:
        """Create an empty journal at ``path`` (which must not exist), readable by its owner only.

        Raises:
            InputError: If a journal exists there.
            JournalWriteError: If the file cannot be written (the half-made file is removed).
        """
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
        except FileExistsError:
            raise InputError("a session journal already exists here", source=str(path)) from None
        except OSError as error:
            raise _write_error(path, error) from None
        try:
            connection = cls._connect(path)
            connection.executescript(_SCHEMA)
        except sqlite3.Error as error:
            cls.remove(path)
            raise _write_error(path, error) from None
        return cls(path, connection, [])

    @staticmethod
    def remove(path: Path) -> None:
        """Delete a journal that was never acknowledged (a failed creation), with its side files."""
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.with_name(HEAD_FILE).unlink(missing_ok=True)

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> Journal:
        """Open an existing journal and verify its hash chain and head anchor.

        Args:
            path: The journal file.
            read_only: Open it without creating or changing any file.

        Raises:
            InputError: If the file is missing or empty, is not a SQLite database, any entry was altered,
                removed or reordered, or the journal is shorter than its head anchor.
        """
        if not path.is_file():
            raise InputError("no session journal here (is this a session directory?)", source=str(path))
        if path.stat().st_size == 0:
            raise InputError("the session journal is empty (0 bytes): it holds no session", source=str(path))
        try:
            connection = cls._connect_read_only(path) if read_only else cls._connect(path)
            columns = [row[1] for row in connection.execute("PRAGMA table_info(entries)")]
            if "hash" not in columns:
                raise InputError("the file holds no session journal (no entries table)", source=str(path))
            has_mac = "mac" in columns
            rows = connection.execute(
                "SELECT seq, time_utc, branch, turn, kind, payload, prev_hash, hash"
                + (", mac" if has_mac else ", NULL")
                + " FROM entries ORDER BY seq"
            ).fetchall()
        except sqlite3.OperationalError as error:
            if read_only:
                raise InputError(f"cannot read the session journal ({error})", source=str(path)) from None
            raise _write_error(path, error) from None
        except sqlite3.DatabaseError as error:
            raise InputError(f"the session journal is corrupted ({error})", source=str(path)) from None
        entries = cls._verify(path, rows)
        journal = cls(path, connection, entries, read_only=read_only, has_mac_column=has_mac)
        journal._check_anchor(journal.head_path, signed_by=None)
        return journal

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        connection = sqlite3.connect(path, isolation_level="DEFERRED", check_same_thread=False)
        mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise InputError(f"cannot put the session journal in WAL mode (got {mode})", source=str(path))
        connection.execute("PRAGMA synchronous=FULL")
        return connection

    @staticmethod
    def _connect_read_only(path: Path) -> sqlite3.Connection:
        # Without a write-ahead log the file is complete: `immutable` reads it without side files. With
        # one (a writer is running, or was killed), read-only mode reads through the existing log.
        wal = Path(f"{path}-wal")
        mode = "ro" if wal.exists() and wal.stat().st_size else "ro&immutable=1"
        uri = f"{path.resolve().as_uri()}?mode={mode}"
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    @staticmethod
    def _verify(path: Path, rows: list[tuple[Any, ...]]) -> list[JournalEntry]:
        entries: list[JournalEntry] = []
        previous = GENESIS_HASH
        for position, row in enumerate(rows, start=1):
            seq, time_utc, branch, turn, kind, payload_text, prev_hash, stored_hash, mac = row
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
            if not isinstance(payload, dict):
                raise InputError(f"the journal is corrupted: {where} is not an object", source=str(path))
            entries.append(
                JournalEntry(seq, time_utc, branch, turn, kind, payload, prev_hash, stored_hash, mac)
            )
            previous = stored_hash
        return entries

    # ------------------------------------------------------------------ the head anchor
    def _read_anchor(self, path: Path) -> dict[str, Any] | None:
        anchor = read_head_anchor(path)
        return None if anchor is None else anchor.model_dump()

    def _check_anchor(self, path: Path, signed_by: bytes | None) -> bool:
        """Check the journal against the anchor at ``path``; return whether there was one."""
        anchor = self._read_anchor(path)
        if anchor is None:
            return False
        count, head_hash = anchor["entries"], anchor["head_hash"]
        if signed_by is not None:
            expected = sign(signed_by, _head_text(count, head_hash))
            if not isinstance(anchor["mac"], str) or not hmac.compare_digest(anchor["mac"], expected):
                raise InputError(
                    "the journal is not signed by this session's key: its head anchor's signature does not "
                    "verify",
                    source=str(path),
                )
        if len(self._entries) < count:
            raise InputError(
                f"the journal was cut short: its head anchor records {count} entries ending in "
                f"{head_hash[:12]}…, the journal holds {len(self._entries)}",
                source=str(self.path),
            )
        if count and self._entries[count - 1].hash != head_hash:
            raise InputError(
                f"the journal was tampered with: entry #{count} does not match its head anchor",
                source=str(self.path),
            )
        return True

    def require_anchor(self) -> None:
        """Refuse a journal whose head anchor is missing (every journal of format 2 and later has one)."""
        if not self.head_path.exists():
            raise InputError(
                "the journal's head anchor (head.json) is missing: entries may have been removed",
                source=str(self.path),
            )

    def _write_anchor(self) -> None:
        count, head = len(self._entries), self.head_hash
        data: dict[str, Any] = {"entries": count, "head_hash": head}
        if self._key is not None:
            data["mac"] = sign(self._key, _head_text(count, head))
        text = json.dumps(data) + "\n"
        write_private(self.head_path, text)
        if self._external_head is not None:
            write_private(self._external_head, text)

    # ------------------------------------------------------------------ signing
    def sign_with(self, key: bytes, external_head: Path) -> None:
        """Sign every entry appended from now on, and anchor the head beside the key too."""
        self._key = key
        self._external_head = external_head

    def authenticate(self, key: bytes, external_head: Path) -> None:
        """Check every entry's signature and both head anchors against the session key.

        Raises:
            InputError: If any entry is unsigned or signed with another key, or an anchor is missing,
                unsigned or ahead of the journal.
        """
        for entry in self._entries:
            expected = sign(key, entry.hash)
            if entry.mac is None or not hmac.compare_digest(entry.mac, expected):
                raise InputError(
                    f"the journal is not signed by this session's key: entry #{entry.seq} ({entry.kind}) "
                    "does not verify",
                    source=str(self.path),
                )
        for path in (self.head_path, external_head):
            if not self._check_anchor(path, signed_by=key):
                raise InputError(
                    "the journal is not signed by this session's key: a head anchor is missing",
                    source=str(path),
                )

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
        """Append an entry inside the open transaction; it is durable after :meth:`commit`.

        Raises:
            JournalWriteError: If the journal cannot be written; the open transaction is rolled back.
        """
        if self.read_only:
            raise RuntimeError("the journal was opened read-only")
        seq = len(self._entries) + 1
        time_utc = datetime.now(UTC).isoformat(timespec="microseconds")
        payload_text = canonical_json(payload)
        prev = self.head_hash
        digest = _entry_hash(seq, time_utc, branch, turn, kind, payload_text, prev)
        mac = sign(self._key, digest) if self._key is not None else None
        row: tuple[Any, ...] = (seq, time_utc, branch, turn, kind, payload_text, prev, digest)
        try:
            if self._has_mac_column:
                self._connection.execute(
                    "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (*row, mac)
                )
            else:
                self._connection.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
        except sqlite3.Error as error:
            self._roll_back()
            raise _write_error(self.path, error) from None
        entry = JournalEntry(seq, time_utc, branch, turn, kind, json.loads(payload_text), prev, digest, mac)
        self._entries.append(entry)
        self._pending += 1
        return entry

    def _roll_back(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._connection.rollback()
        if self._pending:
            del self._entries[-self._pending :]
        self._pending = 0

    def commit(self) -> None:
        """Make every appended entry durable (fsync'd WAL), then move the head anchor to it.

        Raises:
            JournalWriteError: If the journal or its anchor cannot be written.
        """
        if not self._pending:
            return
        try:
            self._connection.commit()
        except sqlite3.Error as error:
            self._roll_back()
            raise _write_error(self.path, error) from None
        self._pending = 0
        try:
            self._write_anchor()
        except OSError as error:
            raise _write_error(self.head_path, error) from None

    def close_quietly(self) -> None:
        """Close without committing (after a failure); never raises."""
        with contextlib.suppress(sqlite3.Error):
            self._connection.close()

    def close(self) -> None:
        """Commit and close."""
        try:
            if not self.read_only:
                self.commit()
        finally:
            self._connection.close()
