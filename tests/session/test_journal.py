"""The journal: WAL mode, append-only, hash-chained; tampering and corruption are refused clearly."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from journal_tampering import tamper

from wargame.errors import InputError
from wargame.session import Journal


def _journal(tmp_path: Path, entries: int = 4) -> Path:
    path = tmp_path / "journal.sqlite"
    journal = Journal.create(path)
    for index in range(entries):
        journal.append("note", {"index": index, "value": index / 3}, branch=0, turn=index)
    journal.close()
    return path


def test_entries_are_chained_and_read_back_exactly(tmp_path: Path) -> None:
    path = _journal(tmp_path)
    journal = Journal.open(path)
    entries = journal.entries
    assert [e.payload["value"] for e in entries] == [i / 3 for i in range(4)]
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    journal.close()


def test_the_database_refuses_updates_and_deletes(tmp_path: Path) -> None:
    connection = sqlite3.connect(_journal(tmp_path))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute("UPDATE entries SET payload = '{}' WHERE seq = 2")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute("DELETE FROM entries WHERE seq = 4")


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            """UPDATE entries SET payload = '{"index":1,"value":9}' WHERE seq = 2""",
            "entry #2 .* does not match",
        ),
        ("DELETE FROM entries WHERE seq = 2", "entry #2 is missing"),
        ("UPDATE entries SET prev_hash = hash WHERE seq = 3", "entry #3 does not follow"),
    ],
)
def test_tampering_is_detected(tmp_path: Path, statement: str, message: str) -> None:
    path = _journal(tmp_path)
    tamper(path, statement)
    with pytest.raises(InputError, match=f"tampered with: {message}"):
        Journal.open(path)


def test_a_corrupted_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(InputError, match="corrupted"):
        Journal.open(path)
    with pytest.raises(InputError, match="no session journal"):
        Journal.open(tmp_path / "missing.sqlite")
