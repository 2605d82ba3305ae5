"""What seats and the white cell can do: the commands, one discriminated union, and their journal form.

A command is an input to the session. What a field alone can say (lengths, ranges, finite numbers, no
control characters in text) is checked when it is built; whether it is acceptable now, by
:func:`~wargame.session._validation.validate_command`.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from wargame.errors import InputError
from wargame.scenario import MAX_COMMAND_EFFECTS, MAX_COMMAND_TEXT_CHARS, Effect, refuse_control_characters
from wargame.session._errors import shown

__all__ = [  # what wargame.session exports from here
    "MATRIX_SUCCESS_TOTAL",
    "MAX_ARGUMENT_STRENGTH",
    "MAX_PROGRAM_INTENSITY_PER_YEAR",
    "WHITE_CELL",
    "AnyCommand",
    "Argument",
    "Command",
    "Continue",
    "CounterArgument",
    "Inject",
    "MatrixRoll",
    "Override",
    "Pause",
    "ProgramChange",
    "Resume",
    "Rewind",
    "SeatAction",
]

WHITE_CELL = "white_cell"
"""Seat name of the white cell (the facilitators, who see ground truth)."""

MAX_PROGRAM_INTENSITY_PER_YEAR = 1000.0
"""Upper bound a seat may set a cooperation program's intensity to (exchanges per year)."""

MAX_ARGUMENT_STRENGTH = 3
"""Matrix-game argument strength runs from ``-3`` (very weak) to ``+3`` (very strong)."""

MATRIX_SUCCESS_TOTAL = 7
"""A matrix-game roll succeeds when 2d6 plus the strength modifier reaches this total."""


def effects_to_payload(effects: tuple[Effect, ...]) -> list[dict[str, Any]]:
    """Return effects as plain dictionaries (only the operation given)."""
    return [effect.model_dump(mode="json", exclude_none=True) for effect in effects]


_READING_JOURNAL: ContextVar[bool] = ContextVar("reading_journal", default=False)
"""Set while :func:`command_from_payload` reads a command back from a journal. (A validation context
would not reach the fields: pydantic builds a model with its own ``__init__`` without one.)"""


def _no_control(allowed: str) -> AfterValidator:
    """Refuse a control character but those in ``allowed`` (and a bidirectional override): what every
    front end would show as typed. A journal written before this check replays as recorded."""

    def check(text: str) -> str:
        return text if _READING_JOURNAL.get() else refuse_control_characters(text, allowed)

    return AfterValidator(check)


_Name = Annotated[str, Field(max_length=100), _no_control("")]
_Text = Annotated[str, Field(max_length=MAX_COMMAND_TEXT_CHARS), _no_control("\t")]
"""Text a person types: one line (a newline would show as a line of its own in the others' views)."""
_NewsText = Annotated[str, Field(max_length=MAX_COMMAND_TEXT_CHARS), _no_control("\n\t")]
"""An inject's text, which may be a scenario's prepared inject: lines and tabs as in the scenario."""
_Effects = Annotated[tuple[Effect, ...], Field(max_length=MAX_COMMAND_EFFECTS)]


class Command(BaseModel):
    """Base class: a command from one seat (``seat``), journaled as an entry of its ``kind``.

    Commands are pydantic models and one discriminated union (:data:`AnyCommand`, on ``kind``): the
    journal stores :meth:`payload` and reads it back with :func:`command_from_payload`, the terminal
    builds them from typed lines, and the web console takes them as request bodies. What a field alone
    can say (lengths, ranges, finite numbers) is checked on construction; what depends on the session
    (whose move it is, the menu, cooldowns) by :func:`validate_command`. ``Command.kind`` is also readable
    on each class (``Rewind.kind == "rewind"``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, strict=False)

    kind: str = ""
    seat: Annotated[str, Field(max_length=64), _no_control("")]

    omitted_when_none: ClassVar[tuple[str, ...]] = ()
    """Optional fields the journal payload leaves out while they are ``None``."""

    def __init__(self, seat: str | None = None, /, **data: Any) -> None:
        if seat is not None:
            data["seat"] = seat
        super().__init__(**data)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        type.__setattr__(cls, "kind", cls.model_fields["kind"].default)

    def payload(self) -> dict[str, Any]:
        """Return the command's journal payload: its fields but ``kind`` and the :attr:`omitted_when_none`
        ones that are ``None``, effects with their operation."""
        omitted = {name for name in self.omitted_when_none if getattr(self, name) is None}
        data = self.model_dump(mode="json", exclude={"kind", *omitted})
        if "effects" in data:
            data["effects"] = effects_to_payload(self.effects)  # type: ignore[attr-defined]
        return data

    @property
    def ends_move(self) -> bool:
        """Whether the command ends its seat's move at the current decision point."""
        return False

    def describe(self) -> str:
        """Return a short description for people, as every front end shows it."""
        return self.kind


class SeatAction(Command):
    """A seat's move: one action of its actor's menu (``None`` passes). Ends the seat's move."""

    kind: Literal["action"] = "action"
    action: _Name | None = None

    def __init__(self, seat: str | None = None, action: str | None = None, /, **data: Any) -> None:
        if action is not None:
            data["action"] = action
        super().__init__(seat, **data)

    @property
    def ends_move(self) -> bool:
        return True

    def describe(self) -> str:
        return f"{self.seat} {self.action or 'passes'}"


class ProgramChange(Command):
    """A seat sets the intensity of a cooperation program it is a partner in (exchanges per year)."""

    kind: Literal["program"] = "program"
    program: _Name = ""
    intensity_per_year: float = 0.0

    def describe(self) -> str:
        return f"{self.seat} sets {self.program} to {self.intensity_per_year:g} a year"


class Inject(Command):
    """The white cell adds an event: public text and effects on quantities (none: narrative), applied now."""

    kind: Literal["inject"] = "inject"
    text: _NewsText = ""
    effects: _Effects = ()
    library: _Name | None = None
    """The scenario's prepared inject this one fires (its text and effects are copied in)."""

    omitted_when_none = ("library",)

    def describe(self) -> str:
        return f"inject: {self.text}" if self.text else f"inject {self.library}"


class Override(Command):
    """The white cell overrides an adjudication: effects on quantities, with the reason recorded."""

    kind: Literal["override"] = "override"
    reason: _Text = ""
    effects: _Effects = ()

    def describe(self) -> str:
        return f"override: {self.reason}"


class MatrixRoll(Command):
    """A free-form move adjudicated matrix-game style: 2d6 plus ``strength``; 7 or more succeeds.

    Attributes:
        argument: The move and the arguments for it, as stated at the table.
        strength: The white cell's rating of the argument, ``-3`` to ``+3``: the roll's modifier.
        effects: What happens on success (may be empty: the white cell narrates it).
        on_behalf_of: The seat that argued the move (free text; default the white cell).
    """

    kind: Literal["matrix_roll"] = "matrix_roll"
    argument: _Text = ""
    strength: int = 0
    effects: _Effects = ()
    on_behalf_of: _Name = ""
    on_argument: _Name | None = None
    """The seats' argument (``A1``...) this roll adjudicates, if any."""

    omitted_when_none = ("on_argument",)

    def describe(self) -> str:
        return f"matrix-game roll ({self.strength:+d}) for: {self.argument}"


class Argument(Command):
    """A seat states an action its actor takes and the reasons it should work (a matrix-game argument).

    It does not end the seat's move; other seats may counter it, and the white cell adjudicates it.
    """

    kind: Literal["argument"] = "argument"
    action: _Text = ""
    reasons: _Text = ""

    def describe(self) -> str:
        return f"{self.seat} argues: {self.action} (because {self.reasons})"


class CounterArgument(Command):
    """A seat's reasons why another seat's argument (``argument``: its id, ``A1``...) should fail."""

    kind: Literal["counter_argument"] = "counter_argument"
    argument: _Name = ""
    reasons: _Text = ""

    def describe(self) -> str:
        return f"{self.seat} counters {self.argument}: {self.reasons}"


class Pause(Command):
    """The white cell pauses the session; the next ``play`` resumes it."""

    kind: Literal["pause"] = "pause"


class Resume(Command):
    """Resume a paused session."""

    kind: Literal["resume"] = "resume"


class Rewind(Command):
    """The white cell rewinds to the decision point of an earlier turn: a new branch, nothing deleted."""

    kind: Literal["rewind"] = "rewind"
    to_turn: int = 1

    def describe(self) -> str:
        return f"rewind to turn {self.to_turn}"


class Continue(Command):
    """The white cell is done at this decision point: the seats move."""

    kind: Literal["continue"] = "continue"

    @property
    def ends_move(self) -> bool:
        return True


SEAT_COMMANDS = (SeatAction, ProgramChange, Argument, CounterArgument)
"""What a seat may send."""
WHITE_CELL_COMMANDS = (Continue, Pause, Resume, Inject, Override, MatrixRoll, Rewind)
"""What the white cell may send."""
AnyCommand = Annotated[
    SeatAction
    | ProgramChange
    | Argument
    | CounterArgument
    | Inject
    | Override
    | MatrixRoll
    | Pause
    | Resume
    | Rewind
    | Continue,
    Field(discriminator="kind"),
]
"""Every command, told apart by ``kind``: what the journal, the terminal and the web console exchange."""

_ADAPTER: TypeAdapter[Command] = TypeAdapter(AnyCommand)
INPUT_KINDS = frozenset(str(cls.kind) for cls in (*SEAT_COMMANDS, *WHITE_CELL_COMMANDS))


def validation_message(error: ValidationError) -> tuple[str, str]:
    """Return the first problem of a validation error as (field path, message).

    The union's tag leading the path of a journal payload's error is left out; a field named like a kind
    (``action``, ``argument``) is kept.
    """
    first = error.errors()[0]
    loc = tuple(first.get("loc", ()))
    if len(loc) > 1 and loc[0] in _KIND_LABELS:
        loc = loc[1:]
    where = ".".join(str(part) for part in loc)
    return where, str(first.get("msg", "invalid")).removeprefix("Value error, ")


_KIND_LABELS = frozenset(INPUT_KINDS)


def command_from_payload(kind: str, payload: dict[str, Any]) -> Command:
    """Rebuild a command from its journal form.

    Raises:
        InputError: If the kind is unknown or the payload malformed.
    """
    if kind not in INPUT_KINDS:
        raise InputError(f"unknown command kind {shown(kind)}")
    reading = _READING_JOURNAL.set(True)
    try:
        return _ADAPTER.validate_python({**payload, "kind": kind})
    except ValidationError as error:
        where, message = validation_message(error)
        raise InputError(f"malformed {kind} command: {message}", field=where or None) from None
    finally:
        _READING_JOURNAL.reset(reading)
