"""The turn engine: steps the model through turns, asks seats at decision points, journals what happens.

One engine drives live play, resume, replay and counterfactual continuations, so they cannot disagree:

* **Session mode** walks a branch's recorded timeline entry by entry. Every output it produces (a view
  shown, an engine seat's action, a roll, a turn's adjudicated state) must equal the next recorded entry,
  and every recorded input (a seat's action, a white-cell command) is taken in order and validated again.
  When the record runs out, outputs go to the journal (``sink``) and inputs come from people: the engine
  yields a :class:`Prompt` and waits for the command sent back. Resume is therefore replay up to the last
  acknowledged entry, then live play.
* **Continuation mode** runs an ensemble of runs that share the session's history up to a branch turn
  (same run key, the session's recorded inputs, the adversary's recorded moves), each with its own draw of
  what that history does not reveal (the adversary's misjudgments, observation noise and hidden inputs),
  then diverge under the default policies with their own keys. Nothing is journaled or shown.

A turn ``k`` (from 1) has its decision point on day ``k * turn_length_days``, after that day's incidents:
the white cell acts first, then the adversary, then the allies in scenario order, each seeing the effect
of the decisions before it, exactly as in :meth:`DeterrenceModel.step`. Turn ``k`` is adjudicated by
stepping on to the next decision point; turn 0 is the prologue before the first decision.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from wargame.model import DeterrenceModel, Stream
from wargame.model.simulation import AdversaryHistory
from wargame.policies import NO_ACTION, Policy, default_policy, menu_of
from wargame.scenario import Scenario
from wargame.session._arguments import ArgumentBook
from wargame.session._commands import (
    MATRIX_SUCCESS_TOTAL,
    WHITE_CELL,
    Argument,
    Command,
    Continue,
    CounterArgument,
    DecisionContext,
    Inject,
    MatrixRoll,
    Override,
    Pause,
    ProgramChange,
    Resume,
    Rewind,
    SeatAction,
    command_from_payload,
    validate_command,
)
from wargame.session._errors import JournalMismatchError
from wargame.session._journal import JournalEntry, canonical_json
from wargame.session._seat import HumanSeatPolicy, RecordingPolicy
from wargame.session._views import Picture, adversary_view, picture_of, seat_view, white_cell_view

__all__ = ["Continuation", "EngineSink", "Prompt", "SessionEngine", "SessionSetup"]

_RUN = 0
_OWN_ACTIONS_SHOWN = 6


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


@dataclass(frozen=True)
class Continuation:
    """How a counterfactual continuation departs from the session.

    Attributes:
        after_turn: Runs follow the session's recorded inputs up to and including this turn's decisions.
        branch_keys: One key per run for the random draws after the branch.
        inputs: Recorded inputs per ``(turn, seat)``, in order (for turns up to ``after_turn``).
        hidden_keys: One key per run for what the session's history does not reveal, drawn afresh in each
            run (``None``: the session's own draws, as in the session).
        history: The adversary's recorded moves up to the branch, imposed on every run; the model keeps
            each run's log-likelihood of them (:attr:`DeterrenceModel.history_log_likelihood`).
        measure_day: Also record each run's outcome so far as it stands at the start of this day, before
            its decisions (:attr:`SessionEngine.measured`): what an unfinished session is compared with.
    """

    after_turn: int
    branch_keys: np.ndarray
    inputs: Mapping[tuple[int, str], Sequence[Command]] = field(default_factory=dict)
    hidden_keys: np.ndarray | None = None
    history: AdversaryHistory | None = None
    measure_day: int | None = None


class EngineSink(Protocol):
    """Where a live session's new entries go (the journal)."""

    def append(self, kind: str, payload: dict[str, Any], *, branch: int, turn: int) -> JournalEntry: ...

    def commit(self) -> None: ...


def _plain(value: Any) -> Any:
    """Return ``value`` as it reads back from the journal (canonical JSON round trip)."""
    return json.loads(canonical_json(value))


def _json_number(value: Any) -> Any:
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.str_ | str):
        return str(value)
    return value


class SessionEngine:
    """Drives one branch of a session (or an ensemble of continuations) through its turns.

    Args:
        scenario: The session's scenario.
        setup: Run key, human seats and white cell.
        timeline: Session mode: the branch's recorded entries after the header, in order.
        sink: Session mode: where new entries go once the record runs out (``None`` discards them, for
            a read-only replay).
        branch: The branch new entries are written to.
        scenario_dir: Folder for relative paths in the scenario.
        continuation: Continuation mode instead of session mode.
    """

    def __init__(
        self,
        scenario: Scenario,
        setup: SessionSetup,
        *,
        timeline: Sequence[JournalEntry] = (),
        sink: EngineSink | None = None,
        branch: int = 0,
        scenario_dir: Path | None = None,
        continuation: Continuation | None = None,
    ) -> None:
        self.scenario = scenario
        self.setup = setup
        self.turn_length_days = scenario.turn_length_days
        self.timeline = list(timeline)
        self.sink = sink
        self.branch = branch
        self.continuation = continuation
        self.cursor = 0
        self.turn = 0
        self.paused = False
        self.rewind_to: int | None = None
        self.finished = False
        self.pending: Prompt | None = None
        self.last_input_entry: JournalEntry | None = None
        self.measured: dict[str, np.ndarray] | None = None
        """Continuation mode with ``measure_day``: each run's outcome so far at that day (see
        :meth:`outcome_so_far`)."""

        deciding = [scenario.adversary, *(a.id for a in scenario.allied_actors)]
        self.human_seats = tuple(seat for seat in deciding if seat in setup.human_seats)
        pictures_for: tuple[str, ...] = ()
        if continuation is None:
            pictures_for = tuple(
                seat
                for seat in self.human_seats
                if seat != scenario.defender and scenario.actor(seat).side == "allied"
            )
        policies: dict[str, Policy] = {}
        self.human_policies: dict[str, HumanSeatPolicy] = {}
        self.engine_policies: dict[str, RecordingPolicy] = {}
        for seat in deciding:
            default = default_policy(scenario, seat, scenario_dir)
            if seat in self.human_seats:
                human = HumanSeatPolicy(seat, fallback=default if continuation else None)
                self.human_policies[seat] = human
                policies[seat] = human
            else:
                recording = RecordingPolicy(default)
                self.engine_policies[seat] = recording
                policies[seat] = recording
        if continuation is None:
            run_keys = np.array([setup.run_key], dtype=np.uint64)
            branch_day, branch_keys, hidden_keys, history = None, None, None, None
        else:
            keys = np.asarray(continuation.branch_keys, dtype=np.uint64)
            run_keys = np.full(keys.shape, setup.run_key, dtype=np.uint64)
            # The branch's draws start the day after its decision point: the decision point itself (its
            # incidents and the recorded decisions) is the session's.
            branch_day = continuation.after_turn * self.turn_length_days + 1 if continuation.after_turn else 0
            branch_keys = keys
            hidden_keys, history = continuation.hidden_keys, continuation.history
            self._inputs = {key: deque(value) for key, value in continuation.inputs.items()}
        self.model = DeterrenceModel(
            scenario,
            run_keys,
            policies=policies,
            scenario_dir=scenario_dir,
            record_decisions=continuation is None,
            pictures_for=pictures_for,
            branch_day=branch_day,
            branch_keys=branch_keys,
            hidden_keys=hidden_keys,
            history=history,
        )
        self._menus = {seat: menu_of(scenario, seat) for seat in deciding}
        self._pictures: dict[str, Picture | None] = {seat: None for seat in pictures_for}
        if scenario.defender in self.human_seats:
            self._pictures[scenario.defender] = None
        self._white_cell_seen: dict[str, Picture] = {
            seat: _empty_picture(self.model) for seat in self._pictures
        }
        self._incidents_seen: dict[str, np.ndarray] = {}
        self._news: list[dict[str, Any]] = []
        self._news_seen: dict[str, int] = {}
        self._own_actions: dict[str, list[dict[str, Any]]] = {seat: [] for seat in deciding}
        self._log_position = 0
        self._digest_from_day = 0
        self._roll_day, self._rolls_today = -1, 0
        self._program_changes = 0
        self.arguments = ArgumentBook()
        self._names = {actor.id: actor.name for actor in scenario.actors}
        self._generator = self._drive()
        self._started = False

    # ------------------------------------------------------------------ driving
    @property
    def live(self) -> bool:
        """Whether the recorded timeline is used up (new entries are being made)."""
        return self.cursor >= len(self.timeline)

    def context(self) -> DecisionContext:
        """Where the session stands, for validating the next command."""
        if self.pending is None:
            raise RuntimeError("no command is awaited")
        return DecisionContext(
            self.pending.seat,
            self.turn,
            self.paused,
            self.human_seats,
            self._program_changes,
            self.arguments.check,
        )

    def advance(self, command: Command | None = None) -> Prompt | None:
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
            if self.sink is not None and self.live:
                self.sink.commit()
        return self.pending

    def _drive(self) -> Generator[Prompt, Command, None]:
        model = self.model
        while not model.finished:
            self._measure()
            decision_day = model.begin_day()
            if decision_day and (self.continuation is not None or model.active.any()):
                if model.day % self.turn_length_days == 0:
                    self._output("turn_adjudicated", self._digest())
                    self.turn = model.day // self.turn_length_days
                    yield from self._decision_point()
                    if self.rewind_to is not None:
                        return
                else:
                    self._between_turns()
            model.end_day()
            if self.continuation is None and not model.active.any():
                break  # war: the session ends with the day it starts
        self._measure()
        self._output("turn_adjudicated", self._digest())
        self._output("finished", self._outcome())
        self.finished = True

    def _measure(self) -> None:
        continuation = self.continuation
        if continuation is not None and continuation.measure_day == self.model.day and self.measured is None:
            self.measured = self.outcome_so_far()

    def outcome_so_far(self) -> dict[str, np.ndarray]:
        """Return each run's outcome as it stands now, comparable with a turn's adjudicated digest.

        ``war``: war started before today; ``max_rung``: the highest rung held at the end of a past day;
        ``escalation_score``: the score of the decisions made so far. A turn's decisions and wars only change
        them later in its day, so between two days they equal what the turn's digest records.
        """
        model = self.model
        return {
            "war": model.war_day >= 0,
            "max_rung": model.max_rung.copy(),
            "escalation_score": model.escalation_score.copy(),
        }

    def _scripted(self) -> bool:
        """Whether people (or their recorded inputs) decide at this turn, rather than fallback policies."""
        return self.continuation is None or self.turn <= self.continuation.after_turn

    def _between_turns(self) -> None:
        """A decision day inside a turn: engine seats decide; people's seats stand pat until their turn."""
        for agent in self.model.deciding_agents():
            seat = agent.actor.id
            if seat in self.human_policies and self._scripted():
                self.human_policies[seat].queue(NO_ACTION)
            agent.decide()
        self.model.close_decisions()

    def _decision_point(self) -> Generator[Prompt, Command, None]:
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
                if self.continuation is None:
                    last_choice = self.engine_policies[seat].last_choice
                    assert last_choice is not None  # the policy just decided
                    choice = int(last_choice[_RUN])
                    action = None if choice == NO_ACTION else self._menus[seat][choice]
                    self._output("policy_action", {"seat": seat, "action": action})
                    self._remember_action(seat, action, by="policy")
        model.close_decisions()

    # ------------------------------------------------------------------ inputs and outputs
    def _output(self, kind: str, payload: dict[str, Any]) -> None:
        if self.continuation is not None:
            return
        payload = _plain(payload)
        if not self.live:
            entry = self.timeline[self.cursor]
            if entry.kind != kind or entry.payload != payload:
                raise JournalMismatchError(entry, kind, payload)
            self.cursor += 1
        elif self.sink is not None:
            self.sink.append(kind, payload, branch=self.branch, turn=self.turn)

    def _input(
        self, seat: str, prompt_kind: str, view: dict[str, Any] | None
    ) -> Generator[Prompt, Command, Command]:
        """Return the next command for ``seat``: recorded, or from a person (yielding a prompt)."""
        if self.continuation is not None:
            queue = self._inputs.get((self.turn, seat))
            if queue:
                return queue.popleft()
            return Continue(seat=WHITE_CELL) if seat == WHITE_CELL else SeatAction(seat=seat, action=None)
        injects = (
            tuple((item.id, item.name) for item in self.scenario.inject_library) if seat == WHITE_CELL else ()
        )
        self.pending = Prompt(seat, prompt_kind, self.turn, self.model.day, view, injects)
        if not self.live:
            entry = self.timeline[self.cursor]
            try:
                command = command_from_payload(entry.kind, entry.payload)
                validate_command(command, self.context(), self.model)
            except Exception as error:
                raise JournalMismatchError(entry, f"an input for {seat}", str(error)) from None
            self.cursor += 1
            self.last_input_entry = entry
            return command
        if self.sink is not None:
            self.sink.commit()
        command = yield self.pending
        if self.sink is not None:
            self.last_input_entry = self.sink.append(
                command.kind, command.payload(), branch=self.branch, turn=self.turn
            )
            self.sink.commit()
        return command

    # ------------------------------------------------------------------ seats
    def _human_move(self, agent: Any) -> Generator[Prompt, Command, None]:
        seat = agent.actor.id
        policy = self.human_policies[seat]
        view = None
        if self.continuation is None:
            view = self._view(seat)
            self._output("view", {"seat": seat, "view": view})
        self._program_changes = 0
        while True:
            command = yield from self._input(seat, "move", view)
            if isinstance(command, ProgramChange):
                self._apply_program(command)
                self._program_changes += 1
                continue
            if isinstance(command, Argument | CounterArgument):
                self._argue(command)
                continue
            assert isinstance(command, SeatAction)
            if self.continuation is not None and command.action is None and not self._inputs_recorded(seat):
                agent.decide()  # nothing recorded for this seat at this turn: its default policy decides
                return
            menu = self._menus[seat]
            policy.queue(NO_ACTION if command.action is None else menu.index(command.action))
            agent.decide()
            self._remember_action(seat, command.action, by="person")
            return

    def _inputs_recorded(self, seat: str) -> bool:
        return self.continuation is not None and (self.turn, seat) in self.continuation.inputs

    def _apply_program(self, command: ProgramChange) -> None:
        index = [program.id for program in self.scenario.programs].index(command.program)
        self.model.set_program_intensity(index, float(command.intensity_per_year))
        self._remember_action(
            command.seat, f"program {command.program} -> {command.intensity_per_year:g}/year", by="person"
        )

    def _remember_action(self, seat: str, action: str | None, by: str) -> None:
        self._own_actions[seat].append({"turn": self.turn, "day": self.model.day, "action": action, "by": by})

    def _white_cell_phase(self) -> Generator[Prompt, Command, None]:
        view = None
        if self.continuation is None:
            view = self._view(WHITE_CELL)
            self._output("view", {"seat": WHITE_CELL, "view": view})
        while True:
            command = yield from self._input(WHITE_CELL, "white_cell", view)
            if isinstance(command, Continue):
                return
            if isinstance(command, Pause):
                if self.continuation is not None:
                    continue
                self.paused = True
                resume = yield from self._input(WHITE_CELL, "paused", None)
                assert isinstance(resume, Resume)
                self.paused = False
            elif isinstance(command, Resume):
                continue
            elif isinstance(command, Rewind):
                if self.continuation is None:
                    self.rewind_to = command.to_turn
                    return
            elif isinstance(command, Inject):
                self._apply_effects(command.effects)
                self._news.append({"day": self.model.day, "source": "white cell", "text": command.text})
            elif isinstance(command, Override):
                self._apply_effects(command.effects)
            elif isinstance(command, MatrixRoll):
                self._roll(command)

    def _apply_effects(self, effects: Sequence[Any], runs: np.ndarray | None = None) -> None:
        selected = self.model.active if runs is None else runs & self.model.active
        for effect in effects:
            self.model.state.apply(effect, selected)

    def _argue(self, command: Argument | CounterArgument) -> None:
        name = self._names.get(command.seat, command.seat)
        if isinstance(command, Argument):
            record = self.arguments.add(command, self.turn, self.model.day)
            text = f"{name} argues ({record.id}): {command.action}, because {command.reasons}"
        else:
            self.arguments.counter(command, self.turn)
            text = f"{name} counters {command.argument}: {command.reasons}"
        self._news.append({"day": self.model.day, "source": "matrix game", "text": text})

    def _roll(self, command: MatrixRoll) -> None:
        """Roll 2d6 on the adjudication stream (the ``n``-th roll of a day uses slots ``2n, 2n+1``)."""
        model = self.model
        if self._roll_day != model.day:
            self._roll_day, self._rolls_today = model.day, 0
        uniforms = model.random_streams.uniform(Stream.ADJUDICATION, model.day, 2, 2 * self._rolls_today)
        self._rolls_today += 1
        dice = np.floor(uniforms * 6.0).astype(np.int64) + 1
        total = dice.sum(axis=1) + command.strength
        success = total >= MATRIX_SUCCESS_TOTAL
        self._apply_effects(command.effects, success)
        result = {
            "dice": [int(d) for d in dice[_RUN]],
            "modifier": command.strength,
            "total": int(total[_RUN]),
            "needed": MATRIX_SUCCESS_TOTAL,
            "success": bool(success[_RUN]),
        }
        self._output("roll_result", result)
        if command.on_argument in self.arguments.records:
            self.arguments.settle(command.on_argument, {**result, "day": model.day, "turn": self.turn})
        outcome = "succeeds" if result["success"] else "fails"
        self._news.append(
            {
                "day": model.day,
                "source": "white cell (matrix game)",
                "text": (
                    f"{command.argument} — 2d6 {result['dice']} {command.strength:+d} = "
                    f"{result['total']}: {outcome}"
                ),
            }
        )

    # ------------------------------------------------------------------ views and records
    def _collect_scenario_injects(self) -> list[dict[str, Any]]:
        fired = []
        log = self.model.decision_log
        for entry in log[self._log_position :]:
            if entry["actor"] == "inject" and bool(entry["runs"][_RUN]):
                inject = next(i for i in self.scenario.injects if i.id == entry["action"])
                fired.append({"id": inject.id, "day": entry["day"]})
                self._news.append({"day": entry["day"], "source": "scenario", "text": inject.text})
        self._log_position = len(log)
        return fired

    def _news_for(self, seat: str) -> list[dict[str, Any]]:
        seen = self._news_seen.get(seat, 0)
        self._news_seen[seat] = len(self._news)
        return self._news[seen:]

    def _view(self, seat: str) -> dict[str, Any]:
        view = self._own_view(seat)
        if self.arguments:  # only once someone argued: views of sessions without arguments are as before
            view["arguments"] = self.arguments.for_view()
        return view

    def _own_view(self, seat: str) -> dict[str, Any]:
        model = self.model
        own = self._own_actions.get(seat, [])[-_OWN_ACTIONS_SHOWN:]
        if seat == WHITE_CELL:
            since = self._incidents_seen.get(seat, np.zeros_like(model.incidents[_RUN]))
            view = white_cell_view(model, self.turn, since, self._white_cell_seen, self._news_for(seat))
            self._incidents_seen[seat] = model.incidents[_RUN].copy()
            self._white_cell_seen = {s: picture_of(model, s) for s in self._pictures}
            return view
        if seat == self.scenario.adversary:
            since = self._incidents_seen.get(seat, np.zeros_like(model.incidents[_RUN]))
            view = adversary_view(model, seat, self.turn, since, self._news_for(seat), own)
            self._incidents_seen[seat] = model.incidents[_RUN].copy()
            return view
        view = seat_view(model, seat, self.turn, self._pictures[seat], self._news_for(seat), own)
        self._pictures[seat] = picture_of(model, seat)
        return view

    def _digest(self) -> dict[str, Any]:
        """The adjudicated state of run 0 at a turn's end, as journaled and compared on replay."""
        model = self.model
        if self.continuation is not None:
            return {}
        scenario = self.scenario
        rungs = scenario.escalation.rungs
        pending = int(model.pending_rung[_RUN])
        day = model.day
        digest: dict[str, Any] = {
            "turn": self.turn,
            "day": day,
            "rung": rungs[int(model.rung[_RUN])].id,
            "pending_mobilization": rungs[pending].id if pending >= 0 else None,
            "war_day": int(model.war_day[_RUN]) if model.war_day[_RUN] >= 0 else None,
            "escalation_score": int(model.escalation_score[_RUN]),
            "rung_by_day": [int(r) for r in model.rung_by_day[_RUN, self._digest_from_day : day]],
            "first_day": self._digest_from_day,
            "incidents": [int(x) for x in model.incidents[_RUN]],
            "detected": {scenario.defender: [int(x) for x in model.detected[_RUN]]},
            "attributed_in_time": {scenario.defender: [int(x) for x in model.attributed_timely[_RUN]]},
            "mobilization_warning": {scenario.defender: bool(model.mobilization_warned[_RUN])},
            "quantities": {
                path: float(model.state.values[row, _RUN]) for row, path in enumerate(model.state.paths)
            },
            "programs": {
                program.id: float(model.program_intensity_per_year[p, _RUN])
                for p, program in enumerate(scenario.programs)
            },
            "injects_fired": self._collect_scenario_injects(),
        }
        for seat in model.pictures_for:
            digest["detected"][seat] = [int(x) for x in model.seat_detected[seat][_RUN]]
            digest["attributed_in_time"][seat] = [int(x) for x in model.seat_attributed_timely[seat][_RUN]]
            digest["mobilization_warning"][seat] = bool(model.seat_mobilization_warned[seat][_RUN])
        self._digest_from_day = day
        return digest

    def _outcome(self) -> dict[str, Any]:
        if self.continuation is not None:
            return {}
        return {name: _json_number(values[_RUN]) for name, values in self.model.outcomes().items()}


def _empty_picture(model: DeterrenceModel) -> Picture:
    zeros = np.zeros(len(model.spec.gray_zone.activities))
    return {
        "detected": zeros.astype(np.int64),
        "attributed_timely": zeros.astype(np.int64),
        "delay_hours_sum": zeros,
    }
