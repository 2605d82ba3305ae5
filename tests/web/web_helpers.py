"""Helpers of the web console tests: a short session, the app on a live console, a real server process."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from wargame.session import Session
from wargame.web import SeatTokens, WebConsole, create_app

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "taiwan_strait_baseline.yaml"
SEATS = ("twn", "usa")


def write_short_scenario(folder: Path, horizon_days: int = 35) -> Path:
    """The reference scenario cut to ``horizon_days`` (five weekly turns by default)."""
    path = folder / "short_baseline.yaml"
    shutil.copyfile(REFERENCE, folder / REFERENCE.name)  # extends: reaches only the file's folder tree
    text = f"extends: {REFERENCE.name}\nname: Short baseline\nhorizon_days: {horizon_days}\n"
    path.write_text(text, "utf-8")
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
    printed: str = ""

    def token(self, seat: str) -> str:
        return self.links[seat].split("token=", 1)[1]

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


_LINK = re.compile(r"^\s+(white cell|\S+)\s+(http://\S+)$", re.MULTILINE)


@contextmanager
def served(
    directory: Path, timeout: float = 30.0, extra: list[str] | None = None, port: int | None = 0
) -> Iterator[Served]:
    """Run the real server on 127.0.0.1 until the block ends; stop it with SIGINT.

    ``port`` 0 picks a free port; ``None`` leaves the server its default (the session's last port).
    """
    stderr_path = directory.parent / f"server-{time.monotonic_ns()}.err"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "wargame.web",
                str(directory),
                *([] if port is None else ["--port", str(port)]),
                *(extra or []),
            ],
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
        yield Served(process, base, found, stderr_path, text)
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


@dataclass
class Web:
    """A session served in-process: the console, its tokens and a client of its app."""

    directory: Path
    session: Session
    console: WebConsole
    tokens: SeatTokens
    client: TestClient

    def auth(self, seat: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens.by_seat[seat]}"}

    def seat_state(self, seat: str) -> dict:
        response = self.client.get(f"/api/seats/{seat}/state", headers=self.auth(seat))
        assert response.status_code == 200, response.text
        return response.json()

    def white_cell_state(self) -> dict:
        response = self.client.get("/api/white-cell/state", headers=self.auth("white_cell"))
        assert response.status_code == 200, response.text
        return response.json()

    def seat(self, seat: str, body: dict, turn: int | None = None):
        turn = self.white_cell_state()["session"]["turn"] if turn is None else turn
        return self.client.post(
            f"/api/seats/{seat}/commands", json={"turn": turn, **body}, headers=self.auth(seat)
        )

    def white_cell(self, body: dict, turn: int | None = None):
        turn = self.white_cell_state()["session"]["turn"] if turn is None else turn
        return self.client.post(
            "/api/white-cell/commands", json={"turn": turn, **body}, headers=self.auth("white_cell")
        )


def open_web(directory: Path) -> Web:
    """Open the session in ``directory`` and serve it in-process (close with :func:`close_web`)."""
    session = Session.open(directory)
    console = WebConsole(session)
    tokens = SeatTokens.load_or_create(directory, console.seats)
    console.start()
    client = TestClient(create_app(console, tokens))
    return Web(directory, session, console, tokens, client)


def close_web(web: Web) -> None:
    web.client.close()
    web.console.stop()
    web.session.close()


def current_turn(web: Web) -> int:
    return web.white_cell_state()["session"]["turn"]


def play_turn(web: Web, twn: str | None = None, usa: str | None = None) -> int:
    """Play one turn through the API: the white cell continues, then each seat moves when prompted."""
    turn = current_turn(web)
    response = web.white_cell({"kind": "continue"}, turn)
    assert response.status_code == 200, response.text
    for seat, action in (("twn", twn), ("usa", usa)):
        response = web.seat(seat, {"kind": "action", "action": action}, turn)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "recorded"
    session = web.white_cell_state()["session"]
    assert session["turn"] == turn + 1 or session["finished"]
    return turn
