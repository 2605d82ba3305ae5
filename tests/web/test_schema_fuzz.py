"""Schemathesis fuzzes the console's OpenAPI schema with valid tokens: no request gets a 5xx, and every
response has a documented status and matches its documented type."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance
from web_helpers import Web, close_web, new_session, open_web, play_turn

EXAMPLES = 40


@pytest.fixture(scope="module")
def fuzzed_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    web = open_web(new_session(tmp_path_factory.mktemp("fuzz")))
    play_turn(web)  # the seats have views: their commands reach the queue and the session
    try:
        yield web
    finally:
        close_web(web)


OPERATIONS = [
    ("GET", "/"),
    ("GET", "/seats/{seat}"),
    ("GET", "/white-cell"),
    ("GET", "/report"),
    ("GET", "/api/seats/{seat}/state"),
    ("POST", "/api/seats/{seat}/commands"),
    ("GET", "/api/white-cell/state"),
    ("POST", "/api/white-cell/commands"),
]  # every operation but the event streams, which never end (tested against the real server)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_request_gets_a_server_error(fuzzed_web: Web, method: str, path: str) -> None:
    schema = schemathesis.openapi.from_asgi(
        "/api/openapi.json", fuzzed_web.client.app, headers=fuzzed_web.auth("white_cell")
    )
    operation = schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    def fuzz(case) -> None:
        seat = (case.path_parameters or {}).get("seat")
        if seat is not None and len(seat) % 3:  # mostly a real seat, so requests get past the checks
            seat = case.path_parameters["seat"] = ("twn", "usa")[len(seat) % 2]
        who = "white_cell" if path.startswith(("/api/white-cell", "/white-cell", "/report")) else seat
        token = fuzzed_web.tokens.by_seat.get(who or "", "")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if case.query is not None and "token" in case.query and token:
            case.query["token"] = token
        body = case.body
        if isinstance(body, dict) and isinstance(body.get("turn"), int) and body["turn"] % 2 == 0:
            body["turn"] = fuzzed_web.console.white_cell_state()["session"]["turn"]  # reach the session
        response = case.call(headers=headers)
        case.validate_response(
            response, checks=[not_a_server_error, status_code_conformance, response_schema_conformance]
        )

    fuzz()


def test_the_schema_documents_every_api_operation(fuzzed_web: Web) -> None:
    paths = fuzzed_web.client.get("/api/openapi.json", headers=fuzzed_web.auth("twn")).json()["paths"]
    for path in (
        "/api/seats/{seat}/state",
        "/api/seats/{seat}/commands",
        "/api/seats/{seat}/events",
        "/api/white-cell/state",
        "/api/white-cell/commands",
        "/api/white-cell/events",
    ):
        assert path in paths
