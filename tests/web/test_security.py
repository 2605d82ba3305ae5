"""Security of the web console: every endpoint checks the token and the seat; nothing leaks."""

from __future__ import annotations

import json
import logging
import secrets
import stat

import pytest
from web_helpers import Web, play_turn

from wargame.web import redact

SEAT_ENDPOINTS = [
    ("GET", "/api/seats/{seat}/state"),
    ("POST", "/api/seats/{seat}/commands"),
    ("GET", "/api/seats/{seat}/events"),
]
WHITE_CELL_ENDPOINTS = [
    ("GET", "/api/white-cell/state"),
    ("POST", "/api/white-cell/commands"),
    ("GET", "/api/white-cell/events"),
]
BODY = {"kind": "action", "action": None, "turn": 1}
WHITE_CELL_BODY = {"kind": "continue", "turn": 1}


def _call(web: Web, method: str, path: str, token: str | None, body: dict | None = None):
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    if method == "POST":
        return web.client.post(path, json=body, headers=headers)
    return web.client.get(path, headers=headers)


def _bad_tokens(web: Web, seat: str) -> dict[str, str | None]:
    other = next(s for s in ("twn", "usa") if s != seat)
    real = web.tokens.by_seat[seat]
    return {
        "no token": None,
        "empty": "",
        "forged": secrets.token_urlsafe(32),
        "another seat's": web.tokens.by_seat[other],
        "the white cell's": web.tokens.by_seat["white_cell"],
        "truncated": real[:-1],
        "prefix": real[:8],
        "extended": real + "A",
        "case-flipped": real.swapcase(),
    }


def _reveals_nothing(response, web: Web) -> None:
    text = response.text
    for seat, token in web.tokens.by_seat.items():
        assert token not in text, f"{seat}'s token in a refusal"
    for secret in ('"view"', '"picture"', '"quantities"', '"menu"', "actors.", "incidents"):
        assert secret not in text
    assert len(text) < 600


@pytest.mark.parametrize(("method", "template"), SEAT_ENDPOINTS)
@pytest.mark.parametrize("seat", ["twn", "usa"])
def test_a_seat_endpoint_refuses_every_token_but_the_seats_own(
    web: Web, method: str, template: str, seat: str
) -> None:
    for label, token in _bad_tokens(web, seat).items():
        response = _call(web, method, template.format(seat=seat), token, BODY)
        assert response.status_code == 403, (label, response.status_code, response.text)
        _reveals_nothing(response, web)
    if not template.endswith("events"):
        own = _call(web, method, template.format(seat=seat), web.tokens.by_seat[seat], BODY)
        assert own.status_code not in (401, 403, 404)


@pytest.mark.parametrize(("method", "path"), WHITE_CELL_ENDPOINTS)
def test_the_white_cell_endpoints_refuse_seat_and_forged_tokens(web: Web, method: str, path: str) -> None:
    for token in (None, "", secrets.token_urlsafe(32), web.tokens.by_seat["twn"], web.tokens.by_seat["usa"]):
        response = _call(web, method, path, token, WHITE_CELL_BODY)
        assert response.status_code == 403, (token, response.text)
        _reveals_nothing(response, web)


def test_unknown_seats_and_other_schemes_are_refused(web: Web) -> None:
    token = web.tokens.by_seat["twn"]
    unknown = web.client.get("/api/seats/prc/state", headers={"Authorization": f"Bearer {token}"})
    assert unknown.status_code == 404 and "no seat 'prc'" in unknown.json()["detail"]
    white_cell_as_seat = web.client.get(
        "/api/seats/white_cell/state", headers={"Authorization": f"Bearer {token}"}
    )
    assert white_cell_as_seat.status_code == 404
    unknown_no_token = web.client.get("/api/seats/prc/state")
    assert unknown_no_token.status_code == 403  # nothing said about seats without a token
    basic = web.client.get("/api/seats/twn/state", headers={"Authorization": f"Basic {token}"})
    assert basic.status_code == 403
    in_query = web.client.get("/api/seats/twn/state", params={"token": token})
    assert in_query.status_code == 403  # the API takes the token only in the header


@pytest.mark.parametrize(
    "path",
    [
        "/seats/{seat}",
        "/white-cell",
        "/report",
    ],
)
def test_pages_refuse_bad_tokens_and_do_not_echo_them(web: Web, path: str) -> None:
    forged = secrets.token_urlsafe(32)
    for token in (None, forged, web.tokens.by_seat["usa"]):
        params = {} if token is None else {"token": token}
        response = web.client.get(path.format(seat="twn"), params=params)
        assert response.status_code == 403, (path, token)
        assert forged not in response.text
        _reveals_nothing(response, web)


@pytest.mark.parametrize(
    "path",
    [
        "/api/seats/../white-cell/state",
        "/api/seats/%2e%2e/white-cell/state",
        "/api/seats/twn/../usa/state",
        "/api/seats/twn%2F..%2Fusa/state",
        "/api/seats/twn%2f..%2fusa/state",
        "/api/seats/..%2Fwhite-cell/state",
        "/api/seats/twn%00/state",
        "/api/seats/%74wn/../../white-cell/state",
        "/api/white-cell/../seats/usa/state",
        "/seats/..%2Fwhite-cell",
        "/seats/twn/../../white-cell",
        "/static/../_tokens.py",
        "/static/%2e%2e/_tokens.py",
        "/static/..%2F_tokens.py",
        "/static/console.js/../../_app.py",
        "/static/%2e%2e%2f%2e%2e%2fweb%2ftokens.json",
        "/web/tokens.json",
        "/tokens.json",
        "/journal.sqlite",
        "//etc/passwd",
    ],
)
def test_path_tricks_get_403_or_404_and_reveal_nothing(web: Web, path: str) -> None:
    token = web.tokens.by_seat["twn"]
    for headers in ({}, {"Authorization": f"Bearer {token}"}):
        response = web.client.get(path, headers=headers, params={"token": token})
        if response.status_code == 200:
            # Only a normalised path to the caller's own seat may open, and only with its own token.
            assert response.request.url.path in ("/api/seats/twn/state", "/seats/twn"), path
            continue
        assert response.status_code in (403, 404), (path, response.status_code)
        _reveals_nothing(response, web)


def test_a_seat_state_holds_only_its_own_view(web: Web) -> None:
    play_turn(web)
    state = web.seat_state("twn")
    text = json.dumps(state)
    view = state["view"]
    assert view["seat"] == "twn" and "pictures" not in view and "quantities" not in view
    assert all(path.startswith("actors.twn.") or "twn" in path.split(".")[1] for path in view["own"])
    assert "actors.usa." not in text and "actors.prc." not in text and "actors.jpn." not in text
    assert "United States" not in text or "usa" in state["session"]["order"]
    assert all(entry["turn"] for entry in state["history"])
    usa_view = web.seat_state("usa")["view"]
    assert usa_view["picture"] != view["picture"]  # each seat has its own picture
    assert json.dumps(usa_view["picture"]) not in text


def test_tokens_are_long_random_private_and_never_logged_in_full(web: Web, caplog) -> None:
    tokens = web.tokens.by_seat
    assert set(tokens) == {"twn", "usa", "white_cell"}
    assert len(set(tokens.values())) == 3
    assert all(len(token) >= 43 for token in tokens.values())  # 32 bytes of token_urlsafe
    folder = web.directory / "web"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "tokens.json").stat().st_mode) == 0o600
    with caplog.at_level(logging.INFO, logger="wargame.web"):
        web.client.get("/seats/twn", params={"token": tokens["twn"]})
        web.client.get("/white-cell", params={"token": tokens["white_cell"]})
        web.client.get("/api/seats/usa/state", headers=web.auth("usa"))
        web.client.get("/seats/usa", params={"token": tokens["twn"]})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/seats/twn?token=" + redact(tokens["twn"]) in logged
    for token in tokens.values():
        assert token not in logged


def test_responses_carry_protective_headers(web: Web) -> None:
    response = web.client.get("/seats/twn", params={"token": web.tokens.by_seat["twn"]})
    assert response.status_code == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
