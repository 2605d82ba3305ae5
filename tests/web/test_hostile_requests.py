"""Hostile HTTP requests against the real server: each gets a 4xx with a short JSON error, no traceback
in the server's log, nothing journaled, within 5 s, and the server stays under 300 MB throughout. In
process, a control character in each text field of the commands is a 422 naming the field."""

from __future__ import annotations

import json
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from web_helpers import Served, Web, current_turn, new_session, served

SECONDS = 5.0
MEGABYTES = 300


def _nested(depth: int) -> str:
    return '{"turn": 0, "kind": "inject", "text": ' + "[" * depth + "]" * depth + "}"


# name -> (method, path, who holds the token (None: no token), body or raw bytes, extra headers)
CASES: dict[str, tuple[str, str, str | None, object, dict[str, str]]] = {
    "no token": ("POST", "/api/white-cell/commands", None, {"turn": 0, "kind": "continue"}, {}),
    "forged token": ("POST", "/api/white-cell/commands", "forged", {"turn": 0, "kind": "continue"}, {}),
    "another seat's token": ("POST", "/api/seats/twn/commands", "usa", {"turn": 0, "kind": "action"}, {}),
    "seat token on the white cell": (
        "POST",
        "/api/white-cell/commands",
        "twn",
        {"turn": 0, "kind": "pause"},
        {},
    ),
    "malformed JSON": ("POST", "/api/white-cell/commands", "white_cell", b'{"turn": 0, "kind": ', {}),
    "deeply nested JSON": ("POST", "/api/white-cell/commands", "white_cell", _nested(20_000).encode(), {}),
    "unknown kind": ("POST", "/api/white-cell/commands", "white_cell", {"turn": 0, "kind": "nuke"}, {}),
    "huge turn": ("POST", "/api/white-cell/commands", "white_cell", {"turn": 10**30, "kind": "continue"}, {}),
    "text over the limit": (
        "POST",
        "/api/white-cell/commands",
        "white_cell",
        {"turn": 0, "kind": "inject", "text": "x" * 2001},
        {},
    ),
    "lone surrogate": (
        "POST",
        "/api/white-cell/commands",
        "white_cell",
        b'{"turn": 0, "kind": "inject", "text": "\\ud800"}',
        {},
    ),
    "infinite value": (
        "POST",
        "/api/white-cell/commands",
        "white_cell",
        b'{"turn": 0, "kind": "override", "reason": "r", "effects": '
        b'[{"quantity": "actors.twn.readiness", "set": Infinity}]}',
        {},
    ),
    "unknown quantity": (
        "POST",
        "/api/white-cell/commands",
        "white_cell",
        {"turn": 1, "kind": "inject", "text": "t", "effects": [{"quantity": "a.b", "add": 1}]},
        {},
    ),
    "out of turn": ("POST", "/api/white-cell/commands", "white_cell", {"turn": 4, "kind": "continue"}, {}),
    "body on a GET": ("GET", "/api/white-cell/state", "white_cell", b"{}" * 100, {}),
    "path traversal": ("GET", "/api/seats/..%2f..%2fetc%2fpasswd/state", "twn", None, {}),
    "seat name too long": ("GET", "/api/seats/" + "a" * 5000 + "/state", "twn", None, {}),
    "schema without a token": ("GET", "/api/openapi.json", None, None, {}),
    "token in the API query": ("GET", "/api/white-cell/state?token=TOKEN", None, None, {}),
    "wrong content type": (
        "POST",
        "/api/white-cell/commands",
        "white_cell",
        b"turn=0&kind=continue",
        {"Content-Type": "application/x-www-form-urlencoded"},
    ),
    "huge header": ("GET", "/api/white-cell/state", "white_cell", None, {"X-Padding": "p" * 40_000}),
    "escape code in news": (
        "POST",
        "/api/white-cell/commands",
        "white_cell",
        {"turn": 1, "kind": "inject", "text": "\x1b[2Jcleared"},
        {},
    ),
    "nul byte in a roll's argument": (
        "POST",
        "/api/white-cell/commands",
        "white_cell",
        {"turn": 1, "kind": "matrix_roll", "argument": "a\x00b", "strength": 1},
        {},
    ),
}

# A control character in each free-text field of each command: (seat, body, the field the 422 names).
CONTROL_CHARACTERS: dict[str, tuple[str, dict[str, object], str]] = {
    "inject text": ("white_cell", {"kind": "inject", "text": "a\x00b"}, "inject.text"),
    "prepared inject id": ("white_cell", {"kind": "inject", "library": "r\x1b[2J"}, "inject.library"),
    "override reason": (
        "white_cell",
        {
            "kind": "override",
            "reason": "umpire\x07",
            "effects": [{"quantity": "actors.twn.resolve", "add": 0.05}],
        },
        "override.reason",
    ),
    "roll argument": ("white_cell", {"kind": "matrix_roll", "argument": "\x1b[31m"}, "matrix_roll.argument"),
    "roll on behalf of": (
        "white_cell",
        {"kind": "matrix_roll", "argument": "a", "on_behalf_of": "tw\x00n"},
        "matrix_roll.on_behalf_of",
    ),
    "roll on an argument": (
        "white_cell",
        {"kind": "matrix_roll", "argument": "a", "on_argument": "A\x001"},
        "matrix_roll.on_argument",
    ),
    "seat action": ("twn", {"kind": "action", "action": "raise\x00alert"}, "action.action"),
    "program id": (
        "twn",
        {"kind": "program", "program": "policy\x1b_dialogue", "intensity_per_year": 5},
        "program.program",
    ),
    "argument action": ("twn", {"kind": "argument", "action": "go\x00", "reasons": "r"}, "argument.action"),
    "argument reasons": (
        "twn",
        {"kind": "argument", "action": "go", "reasons": "\x1b[2J"},
        "argument.reasons",
    ),
    "argument reasons with a forged line": (
        "twn",
        {"kind": "argument", "action": "go", "reasons": "ok\n  day 9 [white cell] a forged line"},
        "argument.reasons",
    ),
    "counter-argument id": (
        "usa",
        {"kind": "counter_argument", "argument": "A\x1b1", "reasons": "r"},
        "counter_argument.argument",
    ),
    "counter-argument reasons": (
        "usa",
        {"kind": "counter_argument", "argument": "A1", "reasons": "no\x07"},
        "counter_argument.reasons",
    ),
}


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _journal(directory: Path) -> list[tuple[int, str]]:
    uri = f"file:{directory / 'journal.sqlite'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as connection:
        return connection.execute("SELECT seq, hash FROM entries ORDER BY seq").fetchall()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    directory = new_session(tmp_path_factory.mktemp("hostile-http"))
    with served(directory) as running:
        yield running, directory
        assert "Traceback" not in running.stderr()
        assert _peak_rss_mb(running.process.pid) < MEGABYTES


def _raw(base: str, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """Send a request as typed (no client-side checks); return its status and body."""
    parts = urlsplit(base)
    head = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    if body:
        head.append(f"Content-Length: {len(body)}")
    head += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection((parts.hostname, parts.port), timeout=SECONDS) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_request_is_refused(server: tuple[Served, Path], name: str) -> None:
    running, directory = server
    method, path, who, body, extra = CASES[name]
    before = _journal(directory)
    headers = dict(extra)
    if who is not None:
        token = running.token(who) if who in running.links else who
        headers["Authorization"] = f"Bearer {token}"
    path = path.replace("TOKEN", running.token("white_cell"))
    if isinstance(body, dict):
        payload = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    else:
        payload = body or b""
        if payload:
            headers.setdefault("Content-Type", "application/json")
    started = time.monotonic()
    try:
        status, answer = _raw(running.base_url, method, path, headers, payload)
    except (ConnectionResetError, httpx.TransportError):
        status, answer = 431, b""  # the server dropped a request head over its limit
    elapsed = time.monotonic() - started
    assert 400 <= status < 500, (status, answer[:300])
    if answer:
        detail = json.loads(answer)["detail"]
        assert isinstance(detail, str) and "\n" not in detail and len(detail) < 400, detail
    assert elapsed < SECONDS
    assert _journal(directory) == before


def test_a_control_character_in_any_text_of_a_command_is_a_422_naming_the_field(web: Web) -> None:
    """At the white cell's prompt, then at the seats' (an argument A1 open to counter): each body is refused
    before it reaches the session, in one line naming the field, and nothing is journaled for it."""
    turn = current_turn(web)
    for phase in ("white_cell", "seats"):
        if phase == "seats":
            assert web.white_cell({"kind": "continue"}, turn).status_code == 200
            argued = web.seat("twn", {"kind": "argument", "action": "go", "reasons": "it works"}, turn)
            assert argued.status_code == 200, argued.text
        for name, (seat, body, field) in CONTROL_CHARACTERS.items():
            if (seat == "white_cell") != (phase == "white_cell"):
                continue
            before = _journal(web.directory)
            sent = web.white_cell(body, turn) if seat == "white_cell" else web.seat(seat, body, turn)
            assert sent.status_code == 422, (name, sent.text)
            detail = sent.json()["detail"]
            assert detail.startswith(f"{field}: control character U+"), (name, detail)
            assert _journal(web.directory) == before, name
