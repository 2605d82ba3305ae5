"""The web console's responses as pydantic models: the OpenAPI schema documents them and the schema
tests check every response against them.

Views are the session's own JSON-ready views (journaled as shown), typed here as objects; everything the
console adds around them is spelled out.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "ErrorResponse",
    "LibraryItem",
    "Notice",
    "SeatRow",
    "SeatStateResponse",
    "SessionSummary",
    "SubmissionResponse",
    "Truth",
    "WhiteCellStateResponse",
]


class _Response(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorResponse(_Response):
    """A refusal: one line saying what is wrong."""

    detail: str


class SubmissionResponse(_Response):
    """A submitted command and what became of it."""

    seat: str
    kind: str
    command: dict[str, Any]
    describe: str
    turn: int
    request_id: str | None
    received_utc: str
    status: Literal["queued", "recorded", "rejected", "dropped"]
    seq: int | None
    result: dict[str, Any] | None
    error: str | None
    message: str | None = None
    detail: str | None = None


class Notice(_Response):
    """A message for one seat (a refused or dropped move, a roll's result)."""

    time_utc: str
    text: str
    kind: Literal["error", "info"]


class SessionSummary(_Response):
    """Where the session stands, as every page shows it."""

    scenario_name: str
    turn: int
    turns_total: int
    day: int
    turn_length_days: int
    branch: int
    paused: bool
    finished: bool
    waiting_for: str | None
    phase: str | None
    turn_opened_utc: str | None
    now_utc: str
    order: list[str]
    human_seats: list[str]
    white_cell: bool
    outcome: dict[str, Any] | None
    error: str | None


class SeatStateResponse(_Response):
    """Everything a seat's page shows: only what the seat's own views and moves hold."""

    version: int
    seat: str
    actor_name: str
    session: SessionSummary
    your_move: bool
    moved: dict[str, Any] | None
    programs_this_turn: list[dict[str, Any]]
    queued: list[SubmissionResponse]
    view: dict[str, Any] | None
    view_seq: int | None
    history: list[dict[str, Any]]
    news: list[dict[str, Any]]
    notices: list[Notice]


class SeatRow(_Response):
    """One deciding seat on the white cell's dashboard."""

    seat: str
    name: str
    played_by: Literal["person", "engine"]
    state: Literal["moved", "to move now", "queued", "waiting", "engine"]
    move: dict[str, Any] | None
    programs: list[dict[str, Any]]
    queued: list[SubmissionResponse]


class Truth(_Response):
    """The ground truth at the last adjudicated turn."""

    turn: int | None
    day: int | None
    rung: str | None
    pending_mobilization: str | None
    war_day: int | None
    escalation_score: int | None
    quantities: dict[str, float]
    programs: dict[str, float]


class LibraryItem(_Response):
    """A prepared inject of the scenario, fired by its id."""

    id: str
    name: str
    text: str
    effects: list[dict[str, Any]]


class WhiteCellStateResponse(_Response):
    """The white cell's dashboard: ground truth, every seat's move and queue, its own log."""

    version: int
    seat: Literal["white_cell"]
    session: SessionSummary
    your_move: bool
    seats: list[SeatRow]
    queue: list[SubmissionResponse]
    view: dict[str, Any] | None
    truth: Truth
    posture: dict[str, Any] | None
    rungs: list[str]
    trajectory: list[dict[str, Any]]
    log: list[dict[str, Any]]
    notices: list[Notice]
    rewind_turns: list[int]
    inject_library: list[LibraryItem]
