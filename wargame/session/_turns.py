"""The turn loop that a session and its counterfactual continuations share.

A turn ``k`` (from 1) has its decision point on day ``k * turn_length_days``, after that day's incidents:
the white cell acts first, then the adversary, then the allies in scenario order, each seeing the effect
of the decisions before it, exactly as in :meth:`DeterrenceModel.step`. Turn ``k`` is adjudicated by
stepping on to the next decision point; turn 0 is the prologue before the first decision.

:class:`TurnEngine` plays every decision point the same way, so live play, resume, replay and
continuations cannot disagree. Where the seats' commands come from and what is recorded is the mode's,
a subclass's few hooks: :class:`~wargame.session._engine.SessionEngine` walks a branch's journal and then
asks people; :class:`~wargame.session._continuation.ContinuationEngine` replays recorded inputs over an
ensemble and lets the default policies play on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from wargame.model import DeterrenceModel, Stream
from wargame.policies import NO_ACTION, Policy, default_policy, menu_of
from wargame.scenario import Scenario
from wargame.session import _commands as commands
from wargame.session._arguments import ArgumentBook
from wargame.session._seat import HumanSeatPolicy, RecordingPolicy

__all__ = ["RUN", "Prompt", "SessionSetup", "TurnEngine", "deciding_seats"]

RUN = 0
"""The run a session plays (and shows, records and compares): run 0 of its ensemble of one."""


@dataclass(frozen=True)
class Prompt:
    """A point where a person must act.

    Attributes:
        seat: Who: an actor id or ``white_cell``.
        kind: ``move`` (a seat's move), ``white_cell`` (the white cell's phase) or ``paused``.
        turn: The current turn.
        day: The day of the decision point.
        view: What the seat is shown (JSON-ready), or ``None`` for a paused session.
        injects: For the white cell, the scenario's prepared injects as ``(id, name)`` (not journaled).
    """

    seat: str
    kind: str
    turn: int
    day: int
    view: dict[str, Any] | None
    injects: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SessionSetup:
    """The fixed facts of a session, from its journal header.

    Attributes:
        run_key: The session's 64-bit run key (from its seed).
        human_seats: Actors played by people, in scenario order.
        white_cell: Whether facilitators sit as the white cell.
    """

    run_key: int
    human_seats: tuple[str, ...]
    white_cell: bool


def deciding_seats(scenario: Scenario) -> list[str]:
    """The actors that decide, in the order they do: the adversary, then the allies in scenario order."""
    return [scenario.adversary, *(actor.id for actor in scenario.allied_actors)]


class TurnEngine(ABC):
    """Steps a model through its days and plays every decision point; a subclass supplies the mode.

    Args:
        scenario: The session's scenario.
        setup: Run key, human seats and white cell.
        scenario_dir: Folder for relative paths in the scenario.
        human_fallback: Whether a human seat with nothing queued is played by its default policy.
    """

    def __init__(
        self, scenario: Scenario, setup: SessionSetup, *, scenario_dir: Path | None, human_fallback: bool
    ) -> None:
        self.scenario = scenario
        self.setup = setup
        self.turn_length_days = scenario.turn_length_days
        self.turn = 0
        self.paused = False
        self.rewind_to: int | None = None
        self.finished = False
        self.pending: Prompt | None = None

        deciding = deciding_seats(scenario)
        self.human_seats = tuple(seat for seat in deciding if seat in setup.human_seats)
        policies: dict[str, Policy] = {}
        self.human_policies: dict[str, HumanSeatPolicy] = {}
        self.engine_policies: dict[str, RecordingPolicy] = {}
        for seat in deciding:
            default = default_policy(scenario, seat, scenario_dir)
            if seat in self.human_seats:
                human = HumanSeatPolicy(seat, fallback=default if human_fallback else None)
                self.human_policies[seat] = human
                policies[seat] = human
            else:
                recording = RecordingPolicy(default)
                self.engine_policies[seat] = recording
                policies[seat] = recording
        self.model = self._new_model(policies, scenario_dir)
        self._menus = {seat: menu_of(scenario, seat) for seat in deciding}
        self._roll_day, self._rolls_today = -1, 0
        self._program_changes = 0
        self.arguments = ArgumentBook()
        self._names = {actor.id: actor.name for actor in scenario.actors}
        self._generator = self._drive()
        self._started = False

    @property
    def day(self) -> int:
        """The session's day: its decision point's while in play; once finished, the last day played (the
        day its war started, if one did)."""
        return self.model.day - 1 if self.finished else self.model.day

    # ------------------------------------------------------------------ the mode
    @abstractmethod
    def _new_model(self, policies: dict[str, Policy], scenario_dir: Path | None) -> DeterrenceModel:
        """The model the engine steps, its seats played by ``policies``."""

    @abstractmethod
    def _show(self, seat: str) -> dict[str, Any] | None:
        """What ``seat`` is shown as its phase or move begins (``None``: nothing is shown)."""

    @abstractmethod
    def _seat_input(
        self, seat: str, view: dict[str, Any] | None
    ) -> Generator[Prompt, commands.Command, commands.Command | None]:
        """The next command of a human seat; ``None`` when its default policy decides this move."""

    @abstractmethod
    def _white_cell_input(
        self, prompt_kind: str, view: dict[str, Any] | None
    ) -> Generator[Prompt, commands.Command, commands.Command]:
        """The white cell's next command (``prompt_kind``: ``white_cell``, or ``paused`` for a resume)."""

    @abstractmethod
    def _playing(self) -> bool:
        """Whether play goes on: decision points are played, and the days after them."""

    @abstractmethod
    def _scripted(self) -> bool:
        """Whether people (or their recorded inputs) decide at this turn, rather than fallback policies."""

    @abstractmethod
    def _before_day(self) -> None:
        """Called before each day begins, and once at the horizon."""

    @abstractmethod
    def _turn_ends(self) -> None:
        """Called when a turn is adjudicated: at the next decision point, and at the end."""

    @abstractmethod
    def _finish(self) -> None:
        """Called once when the branch ends (after the last turn is adjudicated)."""

    @abstractmethod
    def _output(self, kind: str, payload: dict[str, Any]) -> None:
        """Something the engine produced (a roll's result)."""

    @abstractmethod
    def _engine_seat_decided(self, seat: str) -> None:
        """Called after an engine seat decided at a decision point."""

    @abstractmethod
    def _remember_action(self, seat: str, action: str | None, by: str) -> None:
        """A seat's decision, for its later views."""

    @abstractmethod
    def _tell(self, source: str, text: str, day: int | None = None) -> None:
        """News for every seat's next view (``day``: today by default)."""

    # ------------------------------------------------------------------ driving
    def advance(self, command: commands.Command | None = None) -> Prompt | None:
        """Run until a person must act; return that prompt, or ``None`` when the branch ends.

        Args:
            command: The command answering the current prompt (already validated); ``None`` to start.
        """
        try:
            if not self._started:
                self._started = True
                self.pending = next(self._generator)
            else:
                if command is None:
                    raise RuntimeError("a started engine advances only with a command")
                self.pending = self._generator.send(command)
        except StopIteration:
            self.pending = None
        return self.pending

    def _drive(self) -> Generator[Prompt, commands.Command, None]:
        model = self.model
        while not model.finished:
            self._before_day()
            decision_day = model.begin_day()
            if decision_day and self._playing():
                if model.day % self.turn_length_days == 0:
                    self._turn_ends()
                    self.turn = model.day // self.turn_length_days
                    yield from self._decision_point()
                    if self.rewind_to is not None:
                        return
                else:
                    self._between_turns()
            model.end_day()
            if not self._playing():
                break  # war: the session ends with the day it starts
        self._before_day()
        self._turn_ends()
        self._finish()
        self.finished = True

    def _between_turns(self) -> None:
        """A decision day inside a turn: engine seats decide; people's seats stand pat until their turn."""
        for agent in self.model.deciding_agents():
            seat = agent.actor.id
            if seat in self.human_policies and self._scripted():
                self.human_policies[seat].queue(NO_ACTION)
            agent.decide()
        self.model.close_decisions()

    def _decision_point(self) -> Generator[Prompt, commands.Command, None]:
        model = self.model
        if self.setup.white_cell and self._scripted():
            yield from self._white_cell_phase()
            if self.rewind_to is not None:
                return
        for agent in model.deciding_agents():
            seat = agent.actor.id
            if seat in self.human_policies and self._scripted():
                yield from self._human_move(agent)
            else:
                agent.decide()
                self._engine_seat_decided(seat)
        model.close_decisions()

    # ------------------------------------------------------------------ seats
    def _human_move(self, agent: Any) -> Generator[Prompt, commands.Command, None]:
        seat = agent.actor.id
        view = self._show(seat)
        self._program_changes = 0
        while True:
            command = yield from self._seat_input(seat, view)
            if command is None:
                agent.decide()  # nothing recorded for this seat at this turn: its default policy decides
                return
            if isinstance(command, commands.ProgramChange):
                self._apply_program(command)
                self._program_changes += 1
                continue
            if isinstance(command, commands.Argument | commands.CounterArgument):
                self._argue(command)
                continue
            assert isinstance(command, commands.SeatAction)
            menu = self._menus[seat]
            self.human_policies[seat].queue(
                NO_ACTION if command.action is None else menu.index(command.action)
            )
            agent.decide()
            self._remember_action(seat, command.action, by="person")
            return

    def _apply_program(self, command: commands.ProgramChange) -> None:
        index = [program.id for program in self.scenario.programs].index(command.program)
        self.model.set_program_intensity(index, float(command.intensity_per_year))
        self._remember_action(
            command.seat, f"program {command.program} -> {command.intensity_per_year:g}/year", by="person"
        )

    def _white_cell_phase(self) -> Generator[Prompt, commands.Command, None]:
        view = self._show(commands.WHITE_CELL)
        while True:
            command = yield from self._white_cell_input("white_cell", view)
            if isinstance(command, commands.Continue):
                return
            if isinstance(command, commands.Pause):
                self.paused = True
                resume = yield from self._white_cell_input("paused", None)
                assert isinstance(resume, commands.Resume)
                self.paused = False
            elif isinstance(command, commands.Rewind):
                self.rewind_to = command.to_turn
                return
            elif isinstance(command, commands.Inject):
                self._apply_effects(command.effects)
                self._tell("white cell", command.text)
            elif isinstance(command, commands.Override):
                self._apply_effects(command.effects)
            elif isinstance(command, commands.MatrixRoll):
                self._roll(command)

    def _apply_effects(self, effects: Sequence[Any], runs: np.ndarray | None = None) -> None:
        selected = self.model.active if runs is None else runs & self.model.active
        for effect in effects:
            self.model.state.apply(effect, selected)

    def _argue(self, command: commands.Argument | commands.CounterArgument) -> None:
        name = self._names.get(command.seat, command.seat)
        if isinstance(command, commands.Argument):
            record = self.arguments.add(command, self.turn, self.model.day)
            text = f"{name} argues ({record.id}): {command.action}, because {command.reasons}"
        else:
            self.arguments.counter(command, self.turn)
            text = f"{name} counters {command.argument}: {command.reasons}"
        self._tell("matrix game", text)

    def _roll(self, command: commands.MatrixRoll) -> None:
        """Roll 2d6 on the adjudication stream (the ``n``-th roll of a day uses slots ``2n, 2n+1``)."""
        model = self.model
        if self._roll_day != model.day:
            self._roll_day, self._rolls_today = model.day, 0
        uniforms = model.random_streams.uniform(Stream.ADJUDICATION, model.day, 2, 2 * self._rolls_today)
        self._rolls_today += 1
        dice = np.floor(uniforms * 6.0).astype(np.int64) + 1
        total = dice.sum(axis=1) + command.strength
        success = total >= commands.MATRIX_SUCCESS_TOTAL
        self._apply_effects(command.effects, success)
        result = {
            "dice": [int(d) for d in dice[RUN]],
            "modifier": command.strength,
            "total": int(total[RUN]),
            "needed": commands.MATRIX_SUCCESS_TOTAL,
            "success": bool(success[RUN]),
        }
        self._output("roll_result", result)
        if command.on_argument in self.arguments.records:
            self.arguments.settle(command.on_argument, {**result, "day": model.day, "turn": self.turn})
        outcome = "succeeds" if result["success"] else "fails"
        self._tell(
            "white cell (matrix game)",
            f"{command.argument} — 2d6 {result['dice']} {command.strength:+d} = {result['total']}: {outcome}",
        )
