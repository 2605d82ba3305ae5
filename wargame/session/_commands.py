"""What seats and the white cell can do: commands, their journal form, and their validation.

A command is an input to the session. It is validated against the live model before it is journaled, so
the journal only ever holds commands that were accepted; replay validates them again (a journal edited to
hold an impossible command fails replay with the same message).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from wargame.errors import InputError
from wargame.scenario import Effect, Scenario, quantity_paths
from wargame.session._errors import shown

if TYPE_CHECKING:
    from wargame.model import DeterrenceModel

__all__ = [
    "INPUT_KINDS",
    "MATRIX_SUCCESS_TOTAL",
    "MAX_ARGUMENT_STRENGTH",
    "MAX_PROGRAM_INTENSITY_PER_YEAR",
    "WHITE_CELL",
    "AnyCommand",
    "Argument",
    "Command",
    "Continue",
    "CounterArgument",
    "DecisionContext",
    "Inject",
    "MatrixRoll",
    "Override",
    "Pause",
    "ProgramChange",
    "Resume",
    "Rewind",
    "SeatAction",
    "command_from_payload",
    "effects_to_payload",
    "resolve_library",
    "validate_command",
    "validation_message",
]

WHITE_CELL = "white_cell"
"""Seat name of the white cell (the facilitators, who see ground truth)."""

MAX_PROGRAM_INTENSITY_PER_YEAR = 1000.0
"""Upper bound a seat may set a cooperation program's intensity to (exchanges per year)."""

MAX_PROGRAM_CHANGES_PER_TURN = 10
"""Program changes one seat may make at one decision point."""

MAX_TEXT_CHARACTERS = 2000
"""Longest inject text, override reason or matrix-game argument."""

MAX_ARGUMENT_STRENGTH = 3
"""Matrix-game argument strength runs from ``-3`` (very weak) to ``+3`` (very strong)."""

MATRIX_SUCCESS_TOTAL = 7
"""A matrix-game roll succeeds when 2d6 plus the strength modifier reaches this total."""


def effects_to_payload(effects: tuple[Effect, ...]) -> list[dict[str, Any]]:
    """Return effects as plain dictionaries (only the operation given)."""
    return [effect.model_dump(mode="json", exclude_none=True) for effect in effects]


_Text = Annotated[str, Field(max_length=MAX_TEXT_CHARACTERS)]
_Name = Annotated[str, Field(max_length=100)]
_Effects = Annotated[tuple[Effect, ...], Field(max_length=20)]


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
    seat: Annotated[str, Field(max_length=64)]

    def __init__(self, seat: str | None = None, /, **data: Any) -> None:
        if seat is not None:
            data["seat"] = seat
        super().__init__(**data)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        type.__setattr__(cls, "kind", cls.model_fields["kind"].default)

    def payload(self) -> dict[str, Any]:
        """Return the command's journal payload (its fields but ``kind``, effects with their operation)."""
        data = self.model_dump(mode="json", exclude={"kind"})
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
    text: _Text = ""
    effects: _Effects = ()
    library: _Name | None = None
    """The scenario's prepared inject this one fires (its text and effects are copied in)."""

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        if data.get("library") is None:
            data.pop("library", None)
        return data

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

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        if data.get("on_argument") is None:
            data.pop("on_argument", None)
        return data

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


_ALL = (
    SeatAction,
    ProgramChange,
    Argument,
    CounterArgument,
    Inject,
    Override,
    MatrixRoll,
    Pause,
    Resume,
    Rewind,
    Continue,
)
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
INPUT_KINDS = frozenset(str(cls.model_fields["kind"].default) for cls in _ALL)


def validation_message(error: ValidationError) -> tuple[str, str]:
    """Return the first problem of a validation error as (field path, message)."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in _KIND_LABELS)
    return where, str(first.get("msg", "invalid"))


_KIND_LABELS = frozenset(INPUT_KINDS)


def command_from_payload(kind: str, payload: dict[str, Any]) -> Command:
    """Rebuild a command from its journal form.

    Raises:
        InputError: If the kind is unknown or the payload malformed.
    """
    if kind not in INPUT_KINDS:
        raise InputError(f"unknown command kind {shown(kind)}")
    try:
        return _ADAPTER.validate_python({**payload, "kind": kind})
    except ValidationError as error:
        where, message = validation_message(error)
        raise InputError(f"malformed {kind} command: {message}", field=where or None) from None


# ---------------------------------------------------------------------- validation
@dataclass
class DecisionContext:
    """Where the session stands when a command arrives: whose move it is, on which turn and day.

    Attributes:
        seat: The seat whose move it is (an actor id or ``WHITE_CELL``).
        turn: The current turn.
        paused: Whether the white cell paused the session.
        human_seats: Seats played by people.
        program_changes: Program changes the seat made at this decision point so far.
        check_argument: Checks an argument, counter-argument or adjudication against the session's
            arguments.
    """

    seat: str
    turn: int
    paused: bool = False
    human_seats: tuple[str, ...] = field(default_factory=tuple)
    program_changes: int = 0
    check_argument: Callable[[Command], None] | None = None


def _check_effects(scenario: Scenario, effects: tuple[Effect, ...]) -> None:
    known = set(quantity_paths(scenario))
    for position, effect in enumerate(effects):
        if effect.quantity not in known:
            import difflib

            close = difflib.get_close_matches(effect.quantity, sorted(known), n=1)
            hint = f"; did you mean {shown(close[0])}?" if close else ""
            raise InputError(f"unknown quantity {shown(effect.quantity)}{hint}", field=f"effects[{position}]")
        value = (
            effect.add
            if effect.add is not None
            else effect.multiply
            if effect.multiply is not None
            else effect.set
        )
        if value is None or not np.isfinite(value):
            raise InputError("an effect needs a finite value", field=f"effects[{position}]")


def resolve_library(command: Command, scenario: Scenario) -> Command:
    """Return an inject naming a prepared inject of the scenario with that inject's text and effects.

    Raises:
        InputError: If the scenario has no prepared inject of that id, or the command also gives text or
            effects of its own.
    """
    if not isinstance(command, Inject) or command.library is None or command.text:
        return command
    library = {item.id: item for item in scenario.inject_library}
    item = library.get(command.library)
    if item is None:
        choices = ", ".join(library) or "the scenario has none"
        raise InputError(f"no prepared inject {shown(command.library)} ({choices})", field="library")
    if command.effects:
        raise InputError("a prepared inject brings its own effects: give its id only", field="effects")
    return Inject(seat=command.seat, text=item.text, effects=item.effects, library=item.id)


def validate_command(command: Command, context: DecisionContext, model: DeterrenceModel) -> None:
    """Check a command against the session's position and the live model.

    Raises:
        InputError: If the command is for another seat, not on the menu, not allowed now, out of range,
            or otherwise impossible at this point.
    """
    scenario = model.spec
    if context.paused:
        if not isinstance(command, Resume):
            raise InputError("the session is paused by the white cell; resume it first")
        return
    if isinstance(command, Resume):
        raise InputError("the session is not paused")
    if command.seat != context.seat:
        raise InputError(f"it is {context.seat}'s move, not {command.seat}'s", field="seat")
    white_cell_kinds = (Inject, Override, MatrixRoll, Pause, Rewind, Continue)
    if context.seat == WHITE_CELL:
        if not isinstance(command, white_cell_kinds):
            raise InputError(f"the white cell cannot send a {command.kind} command")
    elif isinstance(command, white_cell_kinds):
        raise InputError(f"only the white cell can {command.kind}")

    if context.check_argument is not None and (
        isinstance(command, Argument | CounterArgument)
        or (isinstance(command, MatrixRoll) and command.on_argument is not None)
    ):
        context.check_argument(command)
    if isinstance(command, SeatAction):
        _validate_action(command, model)
    elif isinstance(command, ProgramChange):
        if context.program_changes >= MAX_PROGRAM_CHANGES_PER_TURN:
            raise InputError(
                f"at most {MAX_PROGRAM_CHANGES_PER_TURN} program changes per seat at one decision point"
            )
        _validate_program(command, scenario)
    elif isinstance(command, Inject | Override):
        if isinstance(command, Inject) and command.library is not None:
            resolved = resolve_library(command.model_copy(update={"text": "", "effects": ()}), scenario)
            if resolved != command:
                raise InputError(
                    f"inject {shown(command.library)} differs from the scenario's prepared inject",
                    field="library",
                )
        text = command.text if isinstance(command, Inject) else command.reason
        if not text.strip():
            what = "an inject needs its text" if isinstance(command, Inject) else "an override needs a reason"
            raise InputError(what)
        if isinstance(command, Override) and not command.effects:
            raise InputError("an override needs at least one effect")
        _check_effects(scenario, command.effects)
    elif isinstance(command, MatrixRoll):
        if not command.argument.strip():
            raise InputError("a matrix-game roll needs the argument being adjudicated")
        if not isinstance(command.strength, int) or abs(command.strength) > MAX_ARGUMENT_STRENGTH:
            raise InputError(
                f"argument strength must be a whole number from -{MAX_ARGUMENT_STRENGTH} to "
                f"+{MAX_ARGUMENT_STRENGTH}, got {shown(command.strength)}",
                field="strength",
            )
        _check_effects(scenario, command.effects)
    elif isinstance(command, Rewind) and (
        not isinstance(command.to_turn, int) or not 1 <= command.to_turn <= context.turn
    ):
        raise InputError(
            f"can rewind only to a turn from 1 to the current turn {context.turn}, "
            f"got {shown(command.to_turn)}",
            field="to_turn",
        )


def _validate_action(command: SeatAction, model: DeterrenceModel) -> None:
    from wargame.policies import menu_of

    if command.action is None:
        return
    menu = menu_of(model.spec, command.seat)
    if command.action not in menu:
        raise InputError(
            f"{shown(command.action)} is not on {command.seat}'s menu ({', '.join(menu) or 'empty'})",
            field="action",
        )
    index = menu.index(command.action)
    if not model.allowed_actions(command.seat)[:, index].any():
        raise InputError(
            f"{shown(command.action)} is not allowed now (cooling down or out of reach)", field="action"
        )


def _validate_program(command: ProgramChange, scenario: Scenario) -> None:
    programs = {program.id: program for program in scenario.programs}
    program = programs.get(command.program)
    if program is None:
        raise InputError(
            f"no program {shown(command.program)} (programs: {', '.join(programs) or 'none'})",
            field="program",
        )
    if command.seat not in program.partners:
        raise InputError(
            f"{command.seat} is not a partner of program {shown(command.program)} "
            f"(partners: {', '.join(program.partners)})",
            field="program",
        )
    value = command.intensity_per_year
    if (
        not isinstance(value, int | float)
        or not np.isfinite(value)
        or not 0.0 <= value <= MAX_PROGRAM_INTENSITY_PER_YEAR
    ):
        raise InputError(
            f"intensity must be from 0 to {MAX_PROGRAM_INTENSITY_PER_YEAR:g} exchanges a year, "
            f"got {shown(value)}",
            field="intensity_per_year",
        )
