"""Helpers of the web console tests: a short session, the app on a live console, a real server process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from wargame.session import Session

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "taiwan_strait_baseline.yaml"
SEATS = ("twn", "usa")


def write_short_scenario(folder: Path, horizon_days: int = 35) -> Path:
    """The reference scenario cut to ``horizon_days`` (five weekly turns by default)."""
    path = folder / "short_baseline.yaml"
    path.write_text(f"extends: {REFERENCE}\nname: Short baseline\nhorizon_days: {horizon_days}\n", "utf-8")
    return path


def new_session(
    folder: Path, *, seats: tuple[str, ...] = SEATS, white_cell: bool = True, seed: int = 7
) -> Path:
    """Create a session of the short scenario in ``folder / 'session'`` and return its directory."""
    scenario = write_short_scenario(folder)
    directory = folder / "session"
    Session.create(scenario, directory, seats=seats, white_cell=white_cell, seed=seed).close()
    return directory


@dataclass
class Served:
    """A ``python -m wargame.web`` process and its links."""

    process: subprocess.Popen
    base_url: str
    links: dict[str, str]
    stderr_path: Path

    def token(self, seat: str) -> str:
        return self.links[seat].split("token=", 1)[1]

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


_LINK = re.compile(r"^\s+(white cell|\S+)\s+(http://\S+)$", re.MULTILINE)


@contextmanager
def served(directory: Path, timeout: float = 30.0) -> Iterator[Served]:
    """Run the real server on 127.0.0.1 (a free port) until the block ends; stop it with SIGINT."""
    stderr_path = directory.parent / f"server-{time.monotonic_ns()}.err"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "wargame.web", str(directory), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        lines = []
        deadline = time.monotonic() + timeout
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Links stay the same"):
                break
        text = "".join(lines)
        found = {("white_cell" if name == "white cell" else name): url for name, url in _LINK.findall(text)}
        if not found:
            raise RuntimeError(f"the server printed no links:\n{text}\n{stderr_path.read_text()}")
        base = re.search(r"at (http://\S+)", text).group(1)
        _wait_until_up(base, deadline)
        yield Served(process, base, found, stderr_path)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _wait_until_up(base: str, deadline: float) -> None:
    import httpx

    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"the server at {base} did not come up")
