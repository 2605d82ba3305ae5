"""Commands typed at the terminal: a seat's or the white cell's line, parsed into a session command.

See ``help`` at any prompt or ``docs/sessions.md`` for the commands.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError

from wargame.errors import InputError
from wargame.scenario import Effect
from wargame.session._commands import (
    WHITE_CELL,
    Argument,
    Command,
    Continue,
    CounterArgument,
    Inject,
    MatrixRoll,
    Override,
    Pause,
    ProgramChange,
    Rewind,
    SeatAction,
    validation_message,
)
from wargame.session._errors import shown

__all__ = ["SEAT_HELP", "WHITE_CELL_HELP", "parse_seat_command", "parse_white_cell_command"]

SEAT_HELP = """\
Commands:
  NUMBER or ACTION_ID           take that action (ends your move); 0 or `pass` takes none
  program PROGRAM_ID INTENSITY  set a cooperation program's exchanges per year (does not end your move)
  argue ACTION... because REASONS...
                                matrix game: state an action and why it works (does not end your move)
  counter ID REASONS...         why another seat's argument (A1, A2...) should fail
  view                          show your view again
  help                          this text"""

WHITE_CELL_HELP = """\
Commands (the white cell moves first at every decision point):
  continue (or an empty line)   done: the seats move
  news TEXT...                  a narrative inject: public text, no effect on any quantity
  fire ID                       fire one of the scenario's prepared injects (listed with your view)
  inject QUANTITY OP VALUE TEXT...       add an event now (OP: add, multiply or set); TEXT is public
  override QUANTITY OP VALUE REASON...   override an adjudication, with the reason recorded
  adjudicate ID MODIFIER [=> QUANTITY OP VALUE]
                                matrix game: rule on a seat's argument (A1...): 2d6 + MODIFIER (-3..+3)
  roll STRENGTH ARGUMENT... [=> QUANTITY OP VALUE]
                                matrix game: 2d6 + STRENGTH (-3..+3), 7 or more succeeds;
                                the effect after => applies on success
  rewind TURN                   go back to the decision point of TURN (a new branch; nothing is deleted)
  pause                         stop here; `wargame session play` resumes
  view                          show the ground truth again
  help                          this text"""


def _text(words: str) -> str:
    """Free text as typed: quotes are part of it (``Japan's``), one pair around all of it is dropped."""
    text = words.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1].strip()
    return text


def _effect(text: str, usage: str) -> tuple[Effect, str]:
    """Parse ``QUANTITY OP VALUE [REST...]``; return the effect and the rest of the line as typed."""
    words = text.split(maxsplit=3)
    if len(words) < 3:
        raise InputError(f"usage: {usage}")
    quantity, operation, value_text = words[:3]
    rest = words[3] if len(words) > 3 else ""
    if operation not in ("add", "multiply", "set"):
        raise InputError(f"the operation must be add, multiply or set, not {shown(operation)}")
    try:
        value = float(value_text)
    except ValueError:
        raise InputError(f"expected a number, got {shown(value_text)}") from None
    try:
        effect = Effect.model_validate({"quantity": quantity, operation: value})
    except ValidationError as error:
        raise InputError(f"bad effect: {validation_message(error)[1]}") from None
    return effect, rest


@contextmanager
def _validation_errors_as_input_errors() -> Iterator[None]:
    """Turn a command's failed validation (a value out of its range) into an InputError naming the field."""
    try:
        yield
    except ValidationError as error:
        where, message = validation_message(error)
        raise InputError(message, field=where or None) from None


def parse_seat_command(seat: str, line: str, menu: list[dict[str, Any]]) -> Command | str:
    """Parse a seat's line into a command, or return ``"view"``/``"help"`` for those requests.

    Raises:
        InputError: If the line is not a command, or a value is out of a command's range.
    """
    with _validation_errors_as_input_errors():
        return _parse_seat_command(seat, line, menu)


def _parse_seat_command(seat: str, line: str, menu: list[dict[str, Any]]) -> Command | str:
    words = line.split()
    if not words:
        raise InputError("type an action (a number or id), `pass`, or `help`")
    head = words[0].lower()
    if head in ("view", "help"):
        return head
    if head == "argue":
        action, found, reasons = line.strip()[len(words[0]) :].partition(" because ")
        if not found or not action.strip() or not reasons.strip():
            raise InputError("usage: argue ACTION... because REASONS...")
        return Argument(seat=seat, action=_text(action), reasons=_text(reasons))
    if head == "counter":
        if len(words) < 3:
            raise InputError("usage: counter ID REASONS... (ID: A1, A2... as listed with your view)")
        reasons = line.strip()[len(words[0]) :].strip()[len(words[1]) :]
        return CounterArgument(seat=seat, argument=words[1].upper(), reasons=_text(reasons))
    if head == "program":
        if len(words) != 3:
            raise InputError("usage: program PROGRAM_ID INTENSITY")
        try:
            intensity = float(words[2])
        except ValueError:
            raise InputError(f"expected a number of exchanges a year, got {shown(words[2])}") from None
        return ProgramChange(seat=seat, program=words[1], intensity_per_year=intensity)
    if len(words) != 1:
        raise InputError("one action at a time: a number or an action id")
    if head in ("pass", "0"):
        return SeatAction(seat=seat, action=None)
    if head.isdigit():
        number = int(head)
        if not 1 <= number <= len(menu):
            raise InputError(f"no action number {number}: choose 0 to {len(menu)}")
        return SeatAction(seat=seat, action=menu[number - 1]["id"])
    return SeatAction(seat=seat, action=words[0])


def parse_white_cell_command(line: str) -> Command | str:
    """Parse a white-cell line into a command, or return ``"view"``/``"help"``.

    Raises:
        InputError: If the line is not a command, or a value is out of a command's range.
    """
    with _validation_errors_as_input_errors():
        return _parse_white_cell_command(line)


def _parse_white_cell_command(line: str) -> Command | str:
    words = line.split()
    if not words or (words[0].lower() == "continue" and len(words) == 1):
        return Continue(seat=WHITE_CELL)
    head, rest = words[0].lower(), words[1:]
    tail = line.strip()[len(words[0]) :].strip()
    if head in ("view", "help"):
        return head
    if head == "pause":
        return Pause(seat=WHITE_CELL)
    if head == "rewind":
        if len(rest) != 1 or not rest[0].isdigit():
            raise InputError("usage: rewind TURN")
        return Rewind(seat=WHITE_CELL, to_turn=int(rest[0]))
    if head == "fire":
        if len(rest) != 1:
            raise InputError("usage: fire ID (one of the prepared injects listed with your view)")
        return Inject(seat=WHITE_CELL, library=rest[0])
    if head == "news":
        if not tail:
            raise InputError("usage: news TEXT...")
        return Inject(seat=WHITE_CELL, text=_text(tail))
    if head in ("inject", "override"):
        effect, text = _effect(tail, f"{head} QUANTITY OP VALUE TEXT...")
        if head == "inject":
            return Inject(seat=WHITE_CELL, text=_text(text), effects=(effect,))
        return Override(seat=WHITE_CELL, reason=_text(text), effects=(effect,))
    if head == "adjudicate":
        if len(rest) < 2:
            raise InputError("usage: adjudicate ID MODIFIER [=> QUANTITY OP VALUE]")
        try:
            modifier = int(rest[1])
        except ValueError:
            raise InputError(f"the modifier is a whole number from -3 to +3, got {shown(rest[1])}") from None
        adjudicated: tuple[Effect, ...] = ()
        if "=>" in tail:
            effect, extra = _effect(tail.partition("=>")[2], "adjudicate ID MODIFIER => QUANTITY OP VALUE")
            if extra:
                raise InputError("only the effect goes after =>")
            adjudicated = (effect,)
        return MatrixRoll(
            seat=WHITE_CELL, strength=modifier, effects=adjudicated, on_argument=rest[0].upper()
        )
    if head == "roll":
        if not rest:
            raise InputError("usage: roll STRENGTH ARGUMENT... [=> QUANTITY OP VALUE]")
        try:
            strength = int(rest[0])
        except ValueError:
            raise InputError(f"the strength is a whole number from -3 to +3, got {shown(rest[0])}") from None
        argument = tail[len(rest[0]) :].strip()
        effects: tuple[Effect, ...] = ()
        if "=>" in argument:
            argument, _, effect_text = argument.partition("=>")
            effect, extra = _effect(effect_text, "roll STRENGTH ARGUMENT... => QUANTITY OP VALUE")
            if extra:
                raise InputError("put the argument before => and only the effect after it")
            effects = (effect,)
        return MatrixRoll(seat=WHITE_CELL, argument=_text(argument), strength=strength, effects=effects)
    raise InputError(f"unknown command {shown(words[0])}; type `help`")
