"""Matrix-game arguments: a seat states an action with its reasons, other seats counter-argue, and the white
cell adjudicates with a modifier and the 2d6 roll (``adjudicate ID MODIFIER``).

The book is rebuilt from the journaled commands on every replay, like everything else in a session; it is
shown in every view once the first argument is made (so sessions without arguments look as before).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from wargame.errors import InputError
from wargame.scenario import MAX_COMMAND_TEXT_CHARS
from wargame.session._commands import Argument, Command, CounterArgument, MatrixRoll
from wargame.session._errors import shown

__all__ = ["ArgumentBook", "ArgumentRecord"]


@dataclass
class ArgumentRecord:
    """One argument: who made it, when, what and why; the counter-arguments; the adjudication."""

    id: str
    seat: str
    turn: int
    day: int
    action: str
    reasons: str
    counters: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] | None = None

    def public(self) -> dict[str, Any]:
        """Return every field, as a copy the caller may change."""
        return asdict(self)


class ArgumentBook:
    """Every argument of a branch, in the order made (ids ``A1``, ``A2``, ...)."""

    def __init__(self) -> None:
        self.records: dict[str, ArgumentRecord] = {}

    def __bool__(self) -> bool:
        return bool(self.records)

    @property
    def open(self) -> dict[str, str]:
        """Arguments not adjudicated yet: id → the seat that made it."""
        return {key: record.seat for key, record in self.records.items() if record.result is None}

    def check(self, command: Command) -> None:
        """Refuse an argument command that does not fit the book.

        Raises:
            InputError: For empty text, a counter to an unknown, closed or one's own argument, or an
                adjudication of an argument that is not open.
        """
        if isinstance(command, Argument):
            if not command.action.strip() or not command.reasons.strip():
                raise InputError("an argument needs the action and the reasons for it")
        elif isinstance(command, CounterArgument):
            record = self._open_record(command.argument, "counter")
            if record.seat == command.seat:
                raise InputError(f"{command.argument} is your own argument: counter another seat's")
            if not command.reasons.strip():
                raise InputError("a counter-argument needs its reasons")
        elif isinstance(command, MatrixRoll) and command.on_argument is not None:
            self._open_record(command.on_argument, "adjudicate")

    def _open_record(self, argument_id: str, verb: str) -> ArgumentRecord:
        record = self.records.get(argument_id)
        if record is None:
            choices = ", ".join(self.open) or "none is open"
            raise InputError(f"no argument {shown(argument_id)} to {verb} ({choices})", field="argument")
        if record.result is not None:
            raise InputError(
                f"argument {argument_id} was adjudicated on day {record.result['day']}: nothing more can be "
                f"said about it",
                field="argument",
            )
        return record

    def resolve(self, command: Command, names: dict[str, str]) -> Command:
        """Return an adjudication with the argument's own words as its text (when none is given)."""
        if isinstance(command, MatrixRoll) and command.on_argument is not None and not command.argument:
            record = self.records.get(command.on_argument)
            if record is not None:
                text = f"{names.get(record.seat, record.seat)}: {record.action}"
                return command.model_copy(update={"argument": text[:MAX_COMMAND_TEXT_CHARS]})
        return command

    def add(self, command: Argument, turn: int, day: int) -> ArgumentRecord:
        key = f"A{len(self.records) + 1}"
        record = ArgumentRecord(key, command.seat, turn, day, command.action, command.reasons)
        self.records[key] = record
        return record

    def counter(self, command: CounterArgument, turn: int) -> None:
        self.records[command.argument].counters.append(
            {"seat": command.seat, "turn": turn, "reasons": command.reasons}
        )

    def settle(self, argument_id: str, result: dict[str, Any]) -> None:
        self.records[argument_id].result = result

    def for_view(self) -> list[dict[str, Any]]:
        return [record.public() for record in self.records.values()]
