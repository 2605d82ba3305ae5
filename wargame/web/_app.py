"""The FastAPI application: pages, the JSON API, live updates (server-sent events) and their checks.

Every page and API endpoint that shows or changes a session checks a token: pages take it from the link's
``?token=`` query, the API from an ``Authorization: Bearer`` header (so it never appears in API URLs). A
token opens exactly one seat (or the white cell's dashboard). No token, a forged one, or another seat's
token gets 403 and nothing else; an unknown seat gets 404 once the token is valid. The only open routes
are the landing page and the two static files, which hold no session data.
"""

import asyncio
import base64
import json
import re
import tempfile
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from wargame.errors import InputError
from wargame.session import WHITE_CELL, Session
from wargame.web._console import ConsoleError, Submission, WebConsole
from wargame.web._guard import Guard
from wargame.web._models import (
    ErrorResponse,
    SeatCommandBody,
    SeatStateResponse,
    SubmissionResponse,
    WhiteCellCommandBody,
    WhiteCellStateResponse,
    command_of,
)
from wargame.web._pages import landing_page, message_page, seat_page, white_cell_page
from wargame.web._tokens import SeatTokens

__all__ = ["create_app"]

SEAT_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
_HEARTBEAT_SECONDS = 15.0

_PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'"
)


_Refused = SubmissionResponse | ErrorResponse


def _outcome(item: Submission) -> JSONResponse:
    body = item.public()
    if item.status == "recorded":
        body["message"] = f"recorded as journal entry #{item.seq}"
        return JSONResponse(body, status_code=200)
    if item.status == "queued":
        body["message"] = "queued: it applies when your move comes (watch your page)"
        return JSONResponse(body, status_code=202)
    body["detail"] = f"not accepted: {item.error}"
    return JSONResponse(body, status_code=409 if item.status == "dropped" else 422)


# ---------------------------------------------------------------------- the application
def render_report(session: Session) -> str:
    """Write the session's after-action report to a temporary folder and return it as one HTML page."""
    from wargame.session import write_report  # its plotting library loads with the first report, not at start

    with tempfile.TemporaryDirectory(prefix="wargame-report-") as folder:
        out = Path(folder)
        write_report(session, out)
        page = (out / "report.html").read_text(encoding="utf-8")

        def inline(match: re.Match[str]) -> str:
            image = (out / match.group(2)).resolve()
            if not image.is_relative_to(out.resolve()) or not image.is_file():
                return match.group(0)
            data = base64.b64encode(image.read_bytes()).decode()
            return f"src={match.group(1)}data:image/png;base64,{data}{match.group(1)}"

        return re.sub(r"src=(['\"])([^'\"]+\.png)\1", inline, page)


def _within(error: InputError, directory: Path) -> str:
    """The error's line with its file named within the session folder (the server's paths stay there)."""
    source = error.source
    if source is not None and Path(source).is_relative_to(directory):
        source = str(Path(source).relative_to(directory))
    return str(InputError(error.message, source=source, field=error.field))


def create_app(console: WebConsole, tokens: SeatTokens) -> FastAPI:
    """Build the web application of a session served by ``console``, guarded by ``tokens``."""
    app = FastAPI(
        title="wargame session console",
        version="1",
        description=(
            "The web console of a facilitated session: each seat's view and moves, the white cell's "
            "dashboard, live updates and the after-action report. Every endpoint needs the seat's token."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served behind a token at /api/openapi.json
    )
    app.add_middleware(Guard, tokens=tokens, page_csp=_PAGE_CSP)
    bearer = HTTPBearer(auto_error=False, description="The seat's (or the white cell's) token from its link.")
    seat_names = list(console.human_seats)
    session_dir = console.session.directory
    static = resources.files("wargame.web") / "static"

    def forbidden(message: str = "forbidden: this token does not open this page") -> ConsoleError:
        return ConsoleError(403, message)

    def api_token(credentials: HTTPAuthorizationCredentials | None) -> str:
        token = credentials.credentials if credentials is not None else None
        if tokens.seat_of(token) is None:
            raise forbidden("forbidden: a valid token is needed (Authorization: Bearer TOKEN from your link)")
        assert token is not None
        return token

    def seat_for(seat: str, token: str | None) -> str:
        """The seat, if ``token`` opens it: 403 for a bad token, 404 for an unknown seat."""
        if tokens.seat_of(token) is None:
            raise forbidden("forbidden: a valid token is needed")
        if seat not in console.human_seats:
            raise ConsoleError(404, f"no seat {seat!r} is played by a person in this session")
        if not tokens.opens(token, seat):
            raise forbidden()
        return seat

    def white_cell_for(token: str | None) -> None:
        if not tokens.opens(token, WHITE_CELL):
            raise forbidden()

    refusals: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorResponse, "description": text}
        for code, text in (
            (400, "Malformed JSON, or a body on a GET"),
            (403, "Not this token's seat"),
            (404, "No such seat"),
            (408, "The body did not arrive in time"),
            (413, "The body is over the size limit"),
            (422, "Malformed request"),
            (431, "The request's headers are over the size limit"),
        )
    }
    page_refusals: dict[int | str, dict[str, Any]] = {
        code: {"description": text, "content": {"text/html": {}}}
        for code, text in (
            (400, "A body on a GET"),
            (403, "Not this token's page"),
            (404, "No such seat"),
            (422, "Malformed query"),
        )
    }

    def command_answers(conflict: str, refused: str, queues: bool) -> dict[int | str, dict[str, Any]]:
        """The answers of a command endpoint: ``conflict`` says what gets 409, ``refused`` what the session
        refuses with 422; a seat's endpoint ``queues`` a move that comes early (202, and 429 when full)."""
        answers = {**refusals, 200: {"model": SubmissionResponse, "description": "Recorded in the journal"}}
        if queues:
            answers[202] = {
                "model": SubmissionResponse,
                "description": "Queued: applied when the seat's move comes",
            }
        answers[409] = {"model": _Refused, "description": conflict}
        answers[422] = {"model": _Refused, "description": f"Malformed, or refused by the session ({refused})"}
        if queues:
            answers[429] = {"model": ErrorResponse, "description": "Too many queued commands"}
        answers[503] = {"model": ErrorResponse, "description": "The server is stopping"}
        return answers

    bearer_token = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
    seat_name = Annotated[
        str,
        PathParam(
            pattern=SEAT_PATTERN,
            description="The seat: an actor played by a person",
            json_schema_extra={"examples": seat_names},
        ),
    ]
    page_token = Annotated[str | None, Query(max_length=200, description="The token from the link")]

    # ------------------------------------------------------------------ errors
    @app.exception_handler(ConsoleError)
    async def console_error(request: Request, error: ConsoleError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": error.message}, status_code=error.status_code)
        return HTMLResponse(message_page(error.message), status_code=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        if any(item.get("loc", ("",))[0] == "path" for item in error.errors()):
            return await http_error(request, StarletteHTTPException(404))  # no such seat: a bad name
        problems = []
        malformed = False
        for item in error.errors():
            where = ".".join(str(part) for part in item.get("loc", ()) if part != "body")
            if item.get("type") == "json_invalid":
                malformed = True
                problems.append(f"malformed JSON: {item.get('ctx', {}).get('error', item.get('msg'))}")
            else:
                problems.append(f"{where or 'body'}: {str(item.get('msg')).removeprefix('Value error, ')}")
        message = "; ".join(problems[:5]) or "bad request"
        status = 400 if malformed else 422
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=status)
        return HTMLResponse(message_page(message), status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        message = "not found" if error.status_code == 404 else str(error.detail)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=error.status_code, headers=error.headers)
        return HTMLResponse(message_page(message), status_code=error.status_code, headers=error.headers)

    # ------------------------------------------------------------------ open routes (no session data)
    @app.get("/", response_class=HTMLResponse, summary="Landing page (no session data)")
    def landing() -> HTMLResponse:
        return HTMLResponse(landing_page())

    @app.get("/static/console.js", summary="The pages' script", include_in_schema=False)
    def script() -> Response:
        text = (static / "console.js").read_text(encoding="utf-8")
        return Response(text, media_type="text/javascript; charset=utf-8")

    @app.get("/static/console.css", summary="The pages' style sheet", include_in_schema=False)
    def style() -> Response:
        return Response((static / "console.css").read_text(encoding="utf-8"), media_type="text/css")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    # ------------------------------------------------------------------ pages
    @app.get("/seats/{seat}", response_class=HTMLResponse, summary="A seat's page", responses=page_refusals)
    def seat_html(seat: seat_name, token: page_token = None) -> HTMLResponse:
        seat_for(seat, token)
        return HTMLResponse(seat_page(seat, console.seat_state(seat)))

    @app.get(
        "/white-cell",
        response_class=HTMLResponse,
        summary="The white cell's dashboard",
        responses=page_refusals,
    )
    def white_cell_html(token: page_token = None) -> HTMLResponse:
        white_cell_for(token)
        return HTMLResponse(white_cell_page(console.white_cell_state()))

    @app.get(
        "/report",
        response_class=HTMLResponse,
        summary="The after-action report",
        responses={
            **page_refusals,
            409: {
                "description": "A fan or the debrief saved in the session folder is malformed",
                "content": {"text/html": {}},
            },
        },
    )
    def report_html(token: page_token = None) -> HTMLResponse:
        seat = tokens.seat_of(token)
        if seat is None:
            raise forbidden()
        if seat != WHITE_CELL and not console.seat_state(seat)["session"]["finished"]:
            raise forbidden("the after-action report opens to the seats when the session is finished")
        try:
            page = console.report_html(render_report)
        except InputError as error:
            raise ConsoleError(
                409, f"the after-action report cannot be written: {_within(error, session_dir)}"
            ) from None
        return HTMLResponse(page, headers={"Content-Security-Policy": _REPORT_CSP})

    # ------------------------------------------------------------------ the API
    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi(credentials: bearer_token) -> JSONResponse:
        api_token(credentials)
        return JSONResponse(app.openapi())

    @app.get(
        "/api/seats/{seat}/state",
        summary="A seat's state: its own view, moves, timeline, news",
        response_model=SeatStateResponse,
        responses=refusals,
    )
    def seat_state(seat: seat_name, credentials: bearer_token) -> dict[str, Any]:
        seat_for(seat, api_token(credentials))
        return console.seat_state(seat)

    @app.post(
        "/api/seats/{seat}/commands",
        summary="Send a seat's move or program change",
        response_model=SubmissionResponse,
        responses=command_answers("Out of turn, already moved, replayed, paused", "not on the menu...", True),
    )
    def seat_command(seat: seat_name, body: SeatCommandBody, credentials: bearer_token) -> JSONResponse:
        seat_for(seat, api_token(credentials))
        item = console.submit(seat, command_of(body, seat), turn=body.turn, request_id=body.request_id)
        return _outcome(item)

    @app.get("/api/seats/{seat}/events", summary="Server-sent events: `changed` at every change")
    async def seat_events(seat: seat_name, credentials: bearer_token) -> StreamingResponse:
        seat_for(seat, api_token(credentials))
        return _event_stream(console, seat)

    @app.get(
        "/api/white-cell/state",
        summary="The white cell's dashboard: ground truth, every seat, its log",
        response_model=WhiteCellStateResponse,
        responses=refusals,
    )
    def white_cell_state(credentials: bearer_token) -> dict[str, Any]:
        white_cell_for(api_token(credentials))
        return console.white_cell_state()

    @app.post(
        "/api/white-cell/commands",
        summary="Send a white-cell command: continue, inject, override, matrix_roll, pause, resume, rewind",
        response_model=SubmissionResponse,
        responses=command_answers(
            "Not the white cell's phase, replayed, paused", "unknown quantity...", False
        ),
    )
    def white_cell_command(body: WhiteCellCommandBody, credentials: bearer_token) -> JSONResponse:
        white_cell_for(api_token(credentials))
        item = console.submit(
            WHITE_CELL, command_of(body, WHITE_CELL), turn=body.turn, request_id=body.request_id
        )
        return _outcome(item)

    @app.get("/api/white-cell/events", summary="Server-sent events: `changed` at every change")
    async def white_cell_events(credentials: bearer_token) -> StreamingResponse:
        white_cell_for(api_token(credentials))
        return _event_stream(console, WHITE_CELL)

    return app


def _event_stream(console: WebConsole, seat: str) -> StreamingResponse:
    """A stream of ``changed`` events when what ``seat`` sees changes (the client then fetches its own
    state); a comment every 15 s. A seat is never woken by what only others see (their queued moves)."""
    listener = console.subscribe(asyncio.get_running_loop())

    async def events() -> AsyncIterator[str]:
        try:
            version = await asyncio.to_thread(console.version_for, seat)
            yield f"retry: 1000\nevent: changed\ndata: {json.dumps({'version': version})}\n\n"
            while not console.stopping:
                try:
                    await asyncio.wait_for(listener.event.wait(), timeout=_HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield ": still here\n\n"
                    continue
                listener.event.clear()
                if console.stopping:
                    break
                now = await asyncio.to_thread(console.version_for, seat)
                if now != version:
                    version = now
                    yield f"event: changed\ndata: {json.dumps({'version': version})}\n\n"
        finally:
            console.unsubscribe(listener)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"X-Accel-Buffering": "no"})
