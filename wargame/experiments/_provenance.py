"""Provenance: what produced a sweep's results, written beside them as ``provenance.json``.

One record per sweep with one session per start or resume: package versions, the git commit of the
wargame source (and whether it had uncommitted changes), the experiment file hash, the root seed, start
and end times and the executor.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from wargame.experiments._files import atomic_write_text
from wargame.experiments._store import PROVENANCE_FILE

__all__ = ["ProvenanceRecorder", "git_state", "package_versions", "utc_now"]

_PACKAGES = (
    "wargame",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "SALib",
    "dask",
    "distributed",
    "mesa",
    "simpy",
    "pydantic",
    "matplotlib",
)


def utc_now() -> str:
    """Return the current time as an ISO 8601 UTC string."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def package_versions() -> dict[str, str | None]:
    """Return the installed version of each package the results depend on (``None`` if absent)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_state() -> dict[str, Any]:
    """Return the git commit of the wargame source tree and whether it had uncommitted changes.

    Returns ``{"commit": None}`` when wargame is not installed from a git checkout.
    """
    source = Path(__file__).resolve().parents[2]

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(source), *args], capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None}
    status = git("status", "--porcelain", "--untracked-files=no", "--", "wargame")
    return {"commit": commit, "uncommitted_changes_in_wargame": bool(status)}


class ProvenanceRecorder:
    """Keeps ``provenance.json`` of one sweep folder up to date across sessions.

    Args:
        root: The sweep's results folder.
        static: Facts of the sweep that never change (experiment hash, root seed, ...).
    """

    def __init__(self, root: Path, static: dict[str, Any]) -> None:
        self.path = Path(root) / PROVENANCE_FILE
        self.record = self._load() or {**static, "sessions": []}
        self.session: dict[str, Any] = {}

    def _load(self) -> dict[str, Any] | None:
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return record if isinstance(record, dict) and isinstance(record.get("sessions"), list) else None

    def start(self, *, executor: dict[str, Any], resumed: bool, runs_to_do: int) -> None:
        """Record the start of a session."""
        self.session = {
            "started": utc_now(),
            "ended": None,
            "status": "running",
            "resumed": resumed,
            "runs_to_do": runs_to_do,
            "executor": executor,
            "host": socket.gethostname(),
            "platform": platform.platform(),
            "command": sys.argv,
            "packages": package_versions(),
            "git": git_state(),
        }
        self.record["sessions"].append(self.session)
        self._save()

    def finish(
        self, *, status: str, runs_done: int, runs_failed: int, error: str | None = None, **details: Any
    ) -> None:
        """Record the end of the current session: ``complete``, ``interrupted`` or ``error`` (with the
        error's message), and details.

        Never raises: on a full disk, where a new file cannot be written, the record is rewritten in
        place; if even that fails the error the sweep stopped with is still reported to the caller.
        """
        self.session.update(
            ended=utc_now(), status=status, runs_done=runs_done, runs_failed=runs_failed, **details
        )
        if error is not None:
            self.session["error"] = error
        text = json.dumps(self.record, indent=2, default=str) + "\n"
        try:
            atomic_write_text(self.path, text)
        except OSError:
            with contextlib.suppress(OSError), open(self.path, "r+b") as handle:
                handle.write(text.encode("utf-8"))
                handle.truncate()
                handle.flush()
                os.fsync(handle.fileno())

    def _save(self) -> None:
        atomic_write_text(self.path, json.dumps(self.record, indent=2, default=str) + "\n")
