"""Whether a command is acceptable now: against the session's position and the live model.

A command is validated before it is journaled, so the journal only ever holds commands that were
accepted; replay validates them again (a journal edited to hold an impossible command fails replay with
the same message). What a field alone can say is checked when the command is built (``_commands``).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from pydantic import ValidationError

from wargame.errors import InputError
from wargame.scenario import Effect, Scenario, quantity_paths
from wargame.session._commands import (
    MAX_ARGUMENT_STRENGTH,
    MAX_PROGRAM_INTENSITY_PER_YEAR,
    WHITE_CELL,
    WHITE_CELL_COMMANDS,
    Argument,
    Command,
    CounterArgument,
    Inject,
    MatrixRoll,
    Override,
    ProgramChange,
    Resume,
    Rewind,
    SeatAction,
    validation_message,
)
from wargame.session._errors import shown

if TYPE_CHECKING:
    from wargame.model import DeterrenceModel

__all__ = ["MAX_PROGRAM_CHANGES_PER_TURN", "DecisionContext", "resolve_library", "validate_command"]

MAX_PROGRAM_CHANGES_PER_TURN = 10
"""Program changes one seat may make at one decision point."""


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
            close = difflib.get_close_matches(effect.quantity, sorted(known), n=1)
            hint = f"; did you mean {shown(close[0])}?" if close else ""
            raise InputError(f"unknown quantity {shown(effect.quantity)}{hint}", field=f"effects[{position}]")
        value = effect.amount
        if value is None or not np.isfinite(value):
            raise InputError("an effect needs a finite value", field=f"effects[{position}]")


def resolve_library(command: Command, scenario: Scenario) -> Command:
    """Return an inject naming a prepared inject of the scenario with that inject's text and effects.

    Raises:
        InputError: If the scenario has no prepared inject of that id, the command also gives text or
            effects of its own, or the prepared inject does not fit in a command (its text over
            2,000 characters).
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
    try:
        return Inject(seat=command.seat, text=item.text, effects=item.effects, library=item.id)
    except ValidationError as error:
        where, message = validation_message(error)
        raise InputError(f"prepared inject {shown(item.id)} cannot be fired: {where}: {message}") from None


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
    if context.seat == WHITE_CELL:
        if not isinstance(command, WHITE_CELL_COMMANDS):
            raise InputError(f"the white cell cannot send a {command.kind} command")
    elif isinstance(command, WHITE_CELL_COMMANDS):
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
