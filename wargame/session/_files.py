"""Private files: sessions hold seat tokens and journals, so what they create only their owner reads."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

__all__ = [
    "FILE_MODE",
    "FOLDER_MODE",
    "FileTooLargeError",
    "private_folder",
    "read_regular_file",
    "read_small_json",
    "write_private",
]

SMALL_JSON_BYTES = 1 << 20
"""The largest of the session folder's own small JSON files read (tokens, head anchor, port)."""

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path: Path) -> Path:
    """Create ``path`` (and its parents) if missing, and make it ``0700``."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    os.chmod(path, FOLDER_MODE)
    return path


class FileTooLargeError(ValueError):
    """A file over the size a reader takes."""


def read_regular_file(path: Path, limit: int, *, follow_links: bool = True) -> bytes:
    """Return the bytes of ``path``: a regular file of at most ``limit`` bytes.

    It is opened without blocking and checked with ``fstat`` before a byte is read, so a FIFO, a folder or
    a device (``/dev/zero``) is refused at once.

    Args:
        path: The file.
        limit: The most bytes read.
        follow_links: Whether a symbolic link is followed (otherwise it is refused).

    Raises:
        FileTooLargeError: If it is larger than ``limit`` bytes (or grows past it while being read).
        ValueError: If it is not a regular file, or is a symbolic link that is not followed.
        OSError: If it cannot be opened.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow_links else os.O_NOFOLLOW)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        if not follow_links and os.path.islink(path):
            raise ValueError("is a symbolic link; only files in the session folder are read") from None
        raise
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise ValueError("not a regular file")
        if status.st_size > limit:
            raise FileTooLargeError(f"over {limit} bytes")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise FileTooLargeError(f"over {limit} bytes")
    return data


def read_small_json(path: Path, limit: int = SMALL_JSON_BYTES) -> Any:
    """Read one of the session folder's small JSON files, whatever was written there.

    Raises:
        ValueError: If it is not a regular file, larger than ``limit`` bytes, not UTF-8, not JSON, or nested
            too deep.
        OSError: If it cannot be read.
    """
    data = read_regular_file(path, limit)
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
