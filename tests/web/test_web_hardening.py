"""Issue 14's web findings, each reproduced: an unauthenticated huge body, forged log lines, a token
logged under an encoded name, an open schema, a version that tells a seat when others act, unlimited
queues, narrative injects refused and empty numbers, and slow clients never timed out."""

from __future__ import annotations

import logging
import os
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from web_helpers import Web, new_session, play_turn, served

from wargame.web._guard import MAX_BODY_BYTES
from wargame.web._submissions import MAX_QUEUED_PER_SEAT


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _raw_post(base: str, path: str, headers: dict[str, str], body_bytes: int, timeout: float = 10.0) -> str:
    """POST ``body_bytes`` bytes of JSON-looking text over a raw socket; return the status line."""
    parts = urlsplit(base)
    lines = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", f"Content-Length: {body_bytes}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        chunk = b'{"kind":"inject","text":"' + b"x" * (1 << 20)
        sent = 0
        try:
            while sent < body_bytes:
                piece = chunk[: body_bytes - sent]
                sock.sendall(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed without reading the rest: what we want
        try:
            return sock.recv(4096).decode("latin-1").split("\r\n", 1)[0]
        except ConnectionResetError:
            return "reset"


@pytest.mark.slow  # a real server process sent 57 MiB
def test_a_huge_unauthenticated_body_is_refused_unread(tmp_path: Path) -> None:
    with served(new_session(tmp_path)) as server:
        pid = server.process.pid
        before = _peak_rss_kib(pid)
        started = time.monotonic()
        status = _raw_post(server.base_url, "/api/white-cell/commands", {}, 57 * 1024 * 1024)
        elapsed = time.monotonic() - started
        grown_mib = (_peak_rss_kib(pid) - before) / 1024
        token = server.token("white_cell")
        too_big = _raw_post(
            server.base_url,
            "/api/white-cell/commands",
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            MAX_BODY_BYTES + 1,
        )
    assert status.startswith("HTTP/1.1 403") or status == "reset", status
    assert grown_mib < 20, f"the server grew by {grown_mib:.0f} MiB"
    assert elapsed < 5
    assert too_big.startswith("HTTP/1.1 413"), too_big


def test_a_chunked_body_over_the_limit_is_refused(web: Web) -> None:
    def chunks():
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b"x" * 1024

    response = web.client.post(
        "/api/white-cell/commands",
        content=chunks(),
        headers={**web.auth("white_cell"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "limit" in response.json()["detail"] or "over" in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/seats/twn%0a127.0.0.1%20GET%20/admin%20200",
        "/seats/%1b[31mred%1b[0m",
        "/white-cell?note=%0d%0aforged",
    ],
)
def test_control_characters_never_reach_the_log(
    web: Web, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="wargame.web.access"):
        web.client.get(path)
    (record,) = [r for r in caplog.records if r.name == "wargame.web.access"]
    line = record.getMessage()
    assert "\n" not in line and "\r" not in line and "\x1b" not in line
    assert any(word in line for word in ("admin", "red", "forged"))  # shown, on the request's own line


@pytest.mark.parametrize("name", ["%74oken", "tok%65n", "TOKEN", "token%00"])
def test_the_token_is_redacted_whatever_its_name_looks_like(
    web: Web, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = web.tokens.by_seat["white_cell"]
    with caplog.at_level(logging.INFO, logger="wargame.web.access"):
        web.client.get(f"/white-cell?{name}={token}")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert token not in text
    assert token[8:20] not in text


def test_the_schema_needs_a_token(web: Web) -> None:
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert web.client.get(path).status_code == 404
    assert web.client.get("/api/openapi.json").status_code == 403
    response = web.client.get("/api/openapi.json", headers=web.auth("twn"))
    assert response.status_code == 200
    assert "/api/seats/{seat}/state" in response.json()["paths"]


def test_a_seat_does_not_learn_when_another_seat_queues(web: Web) -> None:
    turn = play_turn(web) + 1
    assert web.white_cell({"kind": "continue"}, turn).status_code == 200
    # twn moves now; usa's move comes after: usa's submission waits in the queue.
    before = web.seat_state("twn")["version"]
    response = web.seat("usa", {"kind": "action", "action": None}, turn)
    assert response.status_code == 202, response.text
    assert web.seat_state("twn")["version"] == before
    assert web.seat_state("usa")["queued"]


def test_queued_commands_are_capped(web: Web) -> None:
    turn = play_turn(web) + 1
    assert web.white_cell({"kind": "continue"}, turn).status_code == 200
    program = {"kind": "program", "program": "policy_dialogue", "intensity_per_year": 40.0}
    codes = [web.seat("usa", program, turn).status_code for _ in range(MAX_QUEUED_PER_SEAT + 3)]
    assert codes[:MAX_QUEUED_PER_SEAT] == [202] * MAX_QUEUED_PER_SEAT
    assert set(codes[MAX_QUEUED_PER_SEAT:]) == {429}


def test_program_changes_at_one_decision_point_are_capped(web: Web) -> None:
    turn = play_turn(web) + 1
    assert web.white_cell({"kind": "continue"}, turn).status_code == 200
    program = {"kind": "program", "program": "policy_dialogue", "intensity_per_year": 40.0}
    codes = [web.seat("twn", program, turn).status_code for _ in range(12)]
    assert codes[:10] == [200] * 10
    assert codes[10:] == [422, 422]


def test_a_narrative_inject_needs_no_effect(web: Web) -> None:
    response = web.white_cell({"kind": "inject", "text": "A typhoon closes Keelung harbour"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "recorded"


@pytest.mark.parametrize("value", ["", None, "nan", "zero"])
def test_an_empty_or_textual_number_is_refused_not_sent_as_zero(web: Web, value: object) -> None:
    effect = {"quantity": "actors.twn.readiness", "set": value}
    response = web.white_cell({"kind": "override", "reason": "umpire", "effects": [effect]})
    assert response.status_code == 422
    assert "effects.0" in response.json()["detail"]


@pytest.mark.slow  # a real server process and its idle timeout
def test_a_slow_client_is_disconnected(tmp_path: Path) -> None:
    with served(new_session(tmp_path), extra=["--idle-timeout", "1"]) as server:
        parts = urlsplit(server.base_url)
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
            started = time.monotonic()
            assert sock.recv(1024) == b""  # closed by the server
            waited = time.monotonic() - started
    assert 0.5 < waited < 5


def test_a_token_file_that_is_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    """Opening a FIFO for reading would wait for a writer: the tokens are read only from a regular file."""
    from wargame.errors import InputError
    from wargame.web._tokens import TOKEN_FILE, SeatTokens

    (tmp_path / TOKEN_FILE).parent.mkdir()
    os.mkfifo(tmp_path / TOKEN_FILE)
    with pytest.raises(InputError, match="not a regular file"):
        SeatTokens.load_or_create(tmp_path, ("twn", "white_cell"))
