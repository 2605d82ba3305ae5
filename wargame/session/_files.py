"""Private files: sessions hold seat tokens and journals, so what they create only their owner reads."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["FILE_MODE", "FOLDER_MODE", "private_folder", "read_small_json", "write_private"]

SMALL_JSON_BYTES = 1 << 20
"""The largest of the session folder's own JSON files read (tokens, head anchor, port, fans, debrief)."""

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path: Path) -> Path:
    """Create ``path`` (and its parents) if missing, and make it ``0700``."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    os.chmod(path, FOLDER_MODE)
    return path


def read_small_json(path: Path, limit: int = SMALL_JSON_BYTES) -> Any:
    """Read one of the session folder's small JSON files, whatever was written there.

    Raises:
        ValueError: If it is larger than ``limit`` bytes, not UTF-8, not JSON, or nested too deep.
        OSError: If it cannot be read.
    """
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"over {limit} bytes")
    try:
        return json.loads(data.decode("utf-8"))
    except RecursionError:
        raise ValueError("nested too deep") from None


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode ``0600``, atomically (a temporary file, fsync, rename).

    Raises:
        OSError: If the disk is full, a file-size limit is reached or the folder is not writable; the
            previous content of ``path`` is then left as it was.
    """
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
