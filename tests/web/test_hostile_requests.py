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


# (method, path, who holds the token (None: no token), body or raw bytes, extra headers)
Case = tuple[str, str, str | None, object, dict[str, str]]


def _white_cell_command(
    body: object, who: str | None = "white_cell", headers: dict[str, str] | None = None
) -> Case:
    """A POST of ``body`` to the white cell's command endpoint, with ``who``'s token."""
    return "POST", "/api/white-cell/commands", who, body, headers or {}


CASES: dict[str, Case] = {
    "no token": _white_cell_command({"turn": 0, "kind": "continue"}, who=None),
    "forged token": _white_cell_command({"turn": 0, "kind": "continue"}, who="forged"),
    "another seat's token": ("POST", "/api/seats/twn/commands", "usa", {"turn": 0, "kind": "action"}, {}),
    "seat token on the white cell": _white_cell_command({"turn": 0, "kind": "pause"}, who="twn"),
    "malformed JSON": _white_cell_command(b'{"turn": 0, "kind": '),
    "deeply nested JSON": _white_cell_command(_nested(20_000).encode()),
    "unknown kind": _white_cell_command({"turn": 0, "kind": "nuke"}),
    "huge turn": _white_cell_command({"turn": 10**30, "kind": "continue"}),
    "text over the limit": _white_cell_command({"turn": 0, "kind": "inject", "text": "x" * 2001}),
    "lone surrogate": _white_cell_command(b'{"turn": 0, "kind": "inject", "text": "\\ud800"}'),
    "infinite value": _white_cell_command(
        b'{"turn": 0, "kind": "override", "reason": "r", "effects": '
        b'[{"quantity": "actors.twn.readiness", "set": Infinity}]}'
    ),
    "unknown quantity": _white_cell_command(
        {"turn": 1, "kind": "inject", "text": "t", "effects": [{"quantity": "a.b", "add": 1}]}
    ),
    "out of turn": _white_cell_command({"turn": 4, "kind": "continue"}),
    "body on a GET": ("GET", "/api/white-cell/state", "white_cell", b"{}" * 100, {}),
    "path traversal": ("GET", "/api/seats/..%2f..%2fetc%2fpasswd/state", "twn", None, {}),
    "seat name too long": ("GET", "/api/seats/" + "a" * 5000 + "/state", "twn", None, {}),
    "schema without a token": ("GET", "/api/openapi.json", None, None, {}),
    "token in the API query": ("GET", "/api/white-cell/state?token=TOKEN", None, None, {}),
    "wrong content type": _white_cell_command(
        b"turn=0&kind=continue", headers={"Content-Type": "application/x-www-form-urlencoded"}
    ),
    "huge header": ("GET", "/api/white-cell/state", "white_cell", None, {"X-Padding": "p" * 40_000}),
    "escape code in news": _white_cell_command({"turn": 1, "kind": "inject", "text": "\x1b[2Jcleared"}),
    "nul byte in a roll's argument": _white_cell_command(
        {"turn": 1, "kind": "matrix_roll", "argument": "a\x00b", "strength": 1}
    ),
}


def _control_character(
    seat: str, kind: str, field: str, text: str, **rest: object
) -> tuple[str, dict[str, object], str]:
    """(seat, a ``kind`` command whose ``field`` is ``text`` beside the ``rest``, the field the 422 names)."""
    return seat, {"kind": kind, field: text, **rest}, f"{kind}.{field}"


# A control character in each free-text field of each command: (seat, body, the field the 422 names).
CONTROL_CHARACTERS: dict[str, tuple[str, dict[str, object], str]] = {
    "inject text": _control_character("white_cell", "inject", "text", "a\x00b"),
    "prepared inject id": _control_character("white_cell", "inject", "library", "r\x1b[2J"),
    "override reason": _control_character(
        "white_cell",
        "override",
        "reason",
        "umpire\x07",
        effects=[{"quantity": "actors.twn.resolve", "add": 0.05}],
    ),
    "roll argument": _control_character("white_cell", "matrix_roll", "argument", "\x1b[31m"),
    "roll on behalf of": _control_character(
        "white_cell", "matrix_roll", "on_behalf_of", "tw\x00n", argument="a"
    ),
    "roll on an argument": _control_character(
        "white_cell", "matrix_roll", "on_argument", "A\x001", argument="a"
    ),
    "seat action": _control_character("twn", "action", "action", "raise\x00alert"),
    "program id": _control_character(
        "twn", "program", "program", "policy\x1b_dialogue", intensity_per_year=5
    ),
    "argument action": _control_character("twn", "argument", "action", "go\x00", reasons="r"),
    "argument reasons": _control_character("twn", "argument", "reasons", "\x1b[2J", action="go"),
    "argument reasons with a forged line": _control_character(
        "twn", "argument", "reasons", "ok\n  day 9 [white cell] a forged line", action="go"
    ),
    "counter-argument id": _control_character("usa", "counter_argument", "argument", "A\x1b1", reasons="r"),
    "counter-argument reasons": _control_character(
        "usa", "counter_argument", "reasons", "no\x07", argument="A1"
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
