"""All-or-nothing writes of a results folder's files, and the one-line error of an unwritable folder."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from wargame.errors import InputError

__all__ = ["atomic_write_bytes", "atomic_write_text", "output_error"]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, fsync and rename: all or nothing.

    A write that fails (a full disk) removes its temporary file, giving its space back.
    """
    temporary = path.with_name(path.name + ".tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _fsync_dir(path.parent)


def output_error(error: OSError, folder: str | Path) -> InputError:
    """The one-line error of a results folder that cannot be written (read-only, full, no permission)."""
    reason = error.strerror or type(error).__name__
    where = f" ({error.filename})" if error.filename else ""
    return InputError(
        f"cannot write the results: {reason}{where}; parts finished before are kept, "
        "continue with --resume once the folder is writable",
        source=str(folder),
    )


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` all or nothing."""
    atomic_write_bytes(path, text.encode("utf-8"))
