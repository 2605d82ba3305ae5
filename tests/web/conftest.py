"""Fixtures of the web console tests: a served session on a live console and its API client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import new_session

from wargame.session import Session
from wargame.web import SeatTokens, WebConsole, create_app


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


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    """Two seats (twn, usa) and the white cell on a five-turn session, served in-process."""
    served = open_web(new_session(tmp_path))
    try:
        yield served
    finally:
        close_web(served)
