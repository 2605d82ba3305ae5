"""The web console's requests and responses as pydantic models: the OpenAPI schema documents them and
the schema tests check every response against them.

A request body is the session's own command (one model: the journal's, the terminal's and the web's) with
an envelope: the turn it is for and an idempotency key; the seat is taken from the URL. Views are the
session's own JSON-ready views (journaled as shown), typed here as objects; everything the console adds
around them is spelled out.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from wargame import session

__all__ = [
    "REQUEST_ID_PATTERN",
    "ActionBody",
    "ArgumentBody",
    "ContinueBody",
    "CounterArgumentBody",
    "ErrorResponse",
    "InjectBody",
    "LibraryItem",
    "Notice",
    "OverrideBody",
    "PauseBody",
    "ProgramBody",
    "ResumeBody",
    "RewindBody",
    "RollBody",
    "SeatCommandBody",
    "SeatRow",
    "SeatStateResponse",
    "SessionSummary",
    "SubmissionResponse",
    "Truth",
    "WhiteCellCommandBody",
    "WhiteCellStateResponse",
    "command_of",
]

REQUEST_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


class _Envelope(BaseModel):
    """What every submission carries beside its command: the turn it is for and an idempotency key."""

    turn: int = Field(
        ge=0, le=1_000_000, description="The turn the command is for (`session.turn` of the state)."
    )
    request_id: str | None = Field(
        None,
        pattern=REQUEST_ID_PATTERN,
        description="A fresh random id per submission: a repeated id is refused with 409.",
    )
    seat: SkipJsonSchema[str] = ""  # the seat comes from the path and the token, never from the body

    @field_validator("seat")
    @classmethod
    def _no_seat(cls, value: str) -> str:
        if value:
            raise ValueError("the seat comes from the URL and its token, not from the body")
        return value


# A request body is the session's own command (one model: the journal's, the terminal's and the web's)
# with the envelope's fields; the seat is taken from the URL.
class ActionBody(_Envelope, session.SeatAction):
    """A seat's move: an action of its menu, or ``null`` to pass. Ends the seat's move."""


class ProgramBody(_Envelope, session.ProgramChange):
    """Set the intensity of a cooperation program the seat is a partner in (does not end the move)."""


class ArgumentBody(_Envelope, session.Argument):
    """A matrix-game argument: an action the seat's side takes and why it works (does not end the move)."""


class CounterArgumentBody(_Envelope, session.CounterArgument):
    """Reasons why another seat's argument (its id: ``A1``...) should fail (does not end the move)."""


class ContinueBody(_Envelope, session.Continue):
    """The white cell is done at this decision point: the seats move."""


class PauseBody(_Envelope, session.Pause):
    """Pause the session."""


class ResumeBody(_Envelope, session.Resume):
    """Resume a paused session."""


class InjectBody(_Envelope, session.Inject):
    """An event: public text and the effects it has now (none for a narrative inject)."""


class OverrideBody(_Envelope, session.Override):
    """Override an adjudication: effects, with the reason recorded."""


class RollBody(_Envelope, session.MatrixRoll):
    """A matrix-game roll: 2d6 + strength; 7 or more succeeds and applies the effects."""


class RewindBody(_Envelope, session.Rewind):
    """Rewind to the decision point of an earlier turn (a new branch; nothing is deleted)."""


SeatCommandBody = Annotated[
    ActionBody | ProgramBody | ArgumentBody | CounterArgumentBody, Field(discriminator="kind")
]
WhiteCellCommandBody = Annotated[
    ContinueBody | PauseBody | ResumeBody | InjectBody | OverrideBody | RollBody | RewindBody,
    Field(discriminator="kind"),
]


def command_of(body: session.Command, seat: str) -> session.Command:
    """The session's command a request body holds, for ``seat``."""
    command_class: type[session.Command] = next(
        base for base in type(body).__mro__ if isinstance(base, type) and base.__base__ is session.Command
    )
    data = body.model_dump(exclude={"turn", "request_id", "seat"})
    return command_class.model_validate({**data, "seat": seat})


# ---------------------------------------------------------------------- responses


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
