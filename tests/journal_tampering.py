"""Tampering with a session's journal as someone who can write its file would: the database's append-only
triggers dropped, then any statement run. Shared by the session tests and the hostile corpus."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def tamper(journal: Path, statement: str, parameters: Sequence[Any] = ()) -> None:
    """Run ``statement`` on the journal database at ``journal`` past its append-only triggers."""
    connection = sqlite3.connect(journal)
    connection.execute("DROP TRIGGER IF EXISTS entries_no_update")
    connection.execute("DROP TRIGGER IF EXISTS entries_no_delete")
    connection.execute(statement, parameters)
    connection.commit()
    connection.close()
