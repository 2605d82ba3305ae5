"""The deterrence model: an ensemble of runs stepped one day at a time.

One Mesa agent per actor; each agent's state is a row of arrays over the runs of the ensemble, so one numpy
call per day serves every run, and a single session is an ensemble of one. Every random draw comes from
the run-keyed streams of :mod:`wargame.core.random_streams`, so a run gives the same result whatever
ensemble it is simulated in. The mechanics live in their own modules; this one orders them in the day:

1. timed events that are due fire (:mod:`~wargame.model.events`): injects, delayed response effects,
   mobilization completions with the adversary's go/no-go;
2. slow dynamics (:mod:`~wargame.model.dynamics`): programs, recovery, cohesion, credibility;
3. gray-zone incidents (:mod:`~wargame.model.incidents`) wear resolve and readiness down;
4. on decision days the adversary learns (:mod:`~wargame.model.beliefs`) and chooses a rung
   (:mod:`~wargame.model.escalation`), then each ally answers (:mod:`~wargame.model.responses`);
5. war starts where the rung reached the war rung and is adjudicated; conditional injects are checked
   (:mod:`~wargame.model.injects`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from wargame.core.parameters import RunParameters
from wargame.core.policy import NO_ACTION, Observation, Policy, PolicyDraws
from wargame.core.random_streams import EnsembleRandom, Stream
from wargame.model._mesa import Model, own_the_clock, tick
from wargame.model.agents import ActorAgent
from wargame.model.beliefs import AdversaryBeliefs
from wargame.model.dynamics import StateDynamics
from wargame.model.escalation import AdversaryPosture
from wargame.model.events import TimedEvents
from wargame.model.incidents import Incidents
from wargame.model.injects import Injects
from wargame.model.outcomes import DailyRecord, outcome_columns
from wargame.model.readouts import ReadOuts
from wargame.model.responses import AlliedResponses
from wargame.model.state import EnsembleState, QuantityView
from wargame.policies import default_policy, menu_of
from wargame.scenario import Effect, Scenario

__all__ = ["AdversaryHistory", "DeterrenceModel"]

_NO_ACTION = np.array(NO_ACTION)
HIDDEN_STREAMS = frozenset({Stream.PERCEPTION_BIAS, Stream.BELIEF_NOISE, Stream.HIDDEN_INPUTS})
"""Streams of what a session's history does not reveal: the adversary's misjudgments, its observation noise
and its own uncertain inputs."""


@dataclass(frozen=True)
class AdversaryHistory:
    """The adversary's recorded moves, imposed on every run (a session's history, for its fan).

    Attributes:
        moves: Decision day -> the menu index chosen, or ``NO_ACTION``.
        go: Day -> whether a mobilization completing that day went ahead.
    """

    moves: Mapping[int, int] = field(default_factory=dict)
    go: Mapping[int, bool] = field(default_factory=dict)


class DeterrenceModel(ReadOuts, Model):
    """An ensemble of runs of one scenario.

    Args:
        scenario: The validated scenario, kept as ``spec`` (Mesa reserves ``Model.scenario``).
        run_keys: One 64-bit key per run (see :func:`wargame.core.random_streams.run_keys_from_seed`).
        policies: Optional policy per actor id, replacing the scenario's (a human seat, a script).
        scenario_dir: Folder that relative paths in the scenario (policy scripts) are read from.
        record_decisions: Keep a log of every decision (for sessions; off for mass runs).
        timed_effects: Extra ``(day, effects)`` applied to every active run on that day (white-cell
            injects and overrides of a session).
        branch_day: With ``branch_keys``, draws from this day on come from ``branch_keys`` (see
            :class:`~wargame.core.random_streams.EnsembleRandom`).
        branch_keys: One key per run for days from ``branch_day`` on.
        pictures_for: Allied actors (other than the defender) whose own daily picture of the gray zone is
            kept for a session: what their ISR and the links into them detected, day by day.
        record_days: Indices of the runs whose values are kept day by day (see :class:`DailyRecord`).
        inputs: Values of scenario fields per run (path -> one value per run) instead of the scenario's
            numbers or draws: the points of a design run as the runs of one ensemble.
        hidden_keys: With ``history``: one key per run for what the history does not reveal (the adversary's
            misjudgments, its observation noise, its own uncertain inputs), drawn afresh in each run.
        history: The adversary's recorded moves, imposed on every run; each run's log-likelihood of them
            under the adversary's policy is kept in :attr:`history_log_likelihood`.
    """

    def __init__(
        self,
        scenario: Scenario,
        run_keys: np.ndarray,
        policies: Mapping[str, Policy] | None = None,
        scenario_dir: Path | None = None,
        record_decisions: bool = False,
        timed_effects: Sequence[tuple[float, Sequence[Effect]]] = (),
        branch_day: int | None = None,
        branch_keys: np.ndarray | None = None,
        pictures_for: Sequence[str] = (),
        record_days: np.ndarray | None = None,
        inputs: Mapping[str, np.ndarray] | None = None,
        hidden_keys: np.ndarray | None = None,
        history: AdversaryHistory | None = None,
    ) -> None:
        run_keys = np.asarray(run_keys, dtype=np.uint64)
        # Mesa's own generator is seeded for completeness; the model draws only from run-keyed streams.
        super().__init__(rng=int(run_keys[0]) if run_keys.size else 0)
        own_the_clock(self)
        self.spec = scenario
        self.runs = int(run_keys.size)
        self.day = 0
        self.random_streams = EnsembleRandom(
            run_keys, branch_day, branch_keys, hidden_keys=hidden_keys, hidden_streams=HIDDEN_STREAMS
        )
        self.history = history
        self.history_log_likelihood = np.zeros(self.runs)
        self.parameters = RunParameters(scenario, self.random_streams, inputs)
        self.state = EnsembleState(scenario, self.runs, self.parameters)
        self.events = TimedEvents()
        self.record_decisions = record_decisions
        self.decision_log: list[dict] = []
        self._program_intensity_per_year = np.array(
            [
                np.broadcast_to(
                    self.parameters.value(f"programs.{p.id}.intensity_per_year", p.intensity_per_year),
                    (self.runs,),
                )
                for p in scenario.programs
            ],
            dtype=np.float64,
        ).reshape(len(scenario.programs), self.runs)
        self.dynamics = StateDynamics(
            scenario, self.state, self.parameters, self._program_intensity_per_year, self.random_streams
        )
        self.beliefs = AdversaryBeliefs(scenario, self.state, self.random_streams, self.parameters)
        self.posture = AdversaryPosture(
            scenario, self.state, self.random_streams, self.parameters, self.events, self.dynamics.credibility
        )
        self.posture.go_decision = self._go_decision
        self.tallies = Incidents(scenario, self.state, self.random_streams, self.parameters, pictures_for)
        self.responses = AlliedResponses(
            scenario,
            self.state,
            self.parameters,
            self.events,
            self.dynamics.credibility,
            lambda: self.posture.active,
            self.posture.score_response,
        )
        self.injects = Injects(
            scenario,
            self.state,
            self.parameters,
            self.events,
            lambda: self.posture.rung,
            lambda: self.posture.active,
            self.responses.last_response_day,
            lambda inject_id, runs: self._log("inject", inject_id, runs),
        )
        self.daily = DailyRecord(self, record_days) if record_days is not None else None
        self._mid_day = False
        self._actors = {actor.id: actor for actor in scenario.actors}
        self._menus = {actor.id: menu_of(scenario, actor.id) for actor in scenario.actors}
        self._rung_numbers = np.arange(len(scenario.escalation.rungs))
        self._max_up = np.asarray(
            self.parameters.value(
                "escalation.max_rungs_up_per_decision", scenario.escalation.max_rungs_up_per_decision
            )
        )
        # What allies decide on: their side's values, and each commitment's fundamental credibility (its
        # baseline) in place of the adversary's belief, which they cannot read.
        self._allied_values = self.state.values.copy()
        self._credibility_rows = np.array(
            [self.state.index[f"commitments.{c.key}.credibility"] for c in scenario.commitments],
            dtype=np.intp,
        )
        self._allied_view = QuantityView.over(
            self._allied_values, self.state.paths, hidden_prefix=f"actors.{scenario.adversary}."
        )
        self._not_warned = np.zeros(self.runs, dtype=bool)  # what a side other than the allies is told
        self._not_warned.flags.writeable = False
        for actor_index, actor in enumerate(scenario.actors):
            policy = (policies or {}).get(actor.id) or default_policy(scenario, actor.id, scenario_dir)
            ActorAgent(self, actor, actor_index, policy)
        self._agents_by_actor = {agent.actor.id: agent for agent in self.agents}
        self.adversary_agent = self._agents_by_actor[scenario.adversary]
        self.allied_agents = self.agents.select(lambda agent: agent.side == "allied")
        self._deciding_agents = [self.adversary_agent, *self.allied_agents]
        for day, effects in timed_effects:
            self.events.schedule(day, partial(self._apply_timed_effects, tuple(effects)))

    def set_program_intensity(
        self, program_index: int, intensity_per_year: float, runs: np.ndarray | slice = slice(None)
    ) -> None:
        """Set a program's intensity in the selected runs, from the next day's cooperation step on."""
        self._program_intensity_per_year[program_index, runs] = intensity_per_year

    # ------------------------------------------------------------------ the daily step
    def step(self) -> None:
        """Advance every run by one day."""
        if self.begin_day():
            for agent in self._deciding_agents:
                agent.decide()
            self.close_decisions()
        self.end_day()

    @property
    def is_decision_day(self) -> bool:
        """Whether actors decide on the current day."""
        return self.day > 0 and self.day % self.spec.decision_interval_days == 0

    def deciding_agents(self) -> list[ActorAgent]:
        """Return the agents that decide on a decision day, in order: the adversary, then the allies."""
        return list(self._deciding_agents)

    def begin_day(self) -> bool:
        """Run the first half of the current day: timed events, dynamics, gray zone.

        :meth:`step` is ``begin_day``, then on a decision day each of :meth:`deciding_agents` deciding in
        turn and :meth:`close_decisions`, then :meth:`end_day`. A session calls these parts itself so that
        people can decide between them.

        Returns:
            Whether the day is a decision day.
        """
        if self.finished:
            raise RuntimeError("the horizon is reached; no more days to step")
        if self._mid_day:
            raise RuntimeError(f"day {self.day} has begun already; call end_day() first")
        self._mid_day = True
        self.events.advance_to(self.day)
        self.dynamics.step(self.day)
        self.tallies.absorb_day(self.day, self.posture.rung, self.posture.active)
        decision_day = self.is_decision_day
        if decision_day:
            self.beliefs.update(self.day)
        return decision_day

    def close_decisions(self) -> None:
        """Start counting incidents afresh for the next decision."""
        self.tallies.close_decisions()

    def end_day(self) -> None:
        """Run the second half of the current day (wars that start, conditional injects, records) and move to
        the next."""
        if not self._mid_day:
            raise RuntimeError(f"day {self.day} has not begun; call begin_day() first")
        day = self.day
        moved = self.posture.moved
        if moved:
            self._start_wars(day)
        self.injects.check(day, moved)
        self.posture.end_day(day)
        if self.daily is not None:
            self.daily.record(self, day)
        self.day += 1
        tick(self)
        self._mid_day = False

    def run_to_end(self) -> None:
        """Step until the horizon."""
        while not self.finished:
            self.step()

    def _start_wars(self, day: int) -> None:
        starting = self.posture.start_war_where_due(day)
        if starting.any():
            self._stop(starting)

    def _stop(self, runs: np.ndarray) -> None:
        self.tallies.stop(runs)
        self.injects.stop(runs)
        self.tallies.clear_warnings(runs)

    def _apply_effects(self, effects: tuple[Effect, ...], runs: np.ndarray) -> None:
        for effect in effects:
            self.state.apply(effect, runs)

    def _apply_timed_effects(self, effects: tuple[Effect, ...]) -> None:
        """Apply a timed inject's effects in the runs not at war on its day."""
        self._apply_effects(effects, self.active)

    # ------------------------------------------------------------------ decisions
    def allowed_actions(self, actor_id: str) -> np.ndarray:
        """Return the boolean ``(runs, menu)`` mask of actions an actor may take now."""
        active = self.posture.active
        if actor_id == self.spec.adversary:
            ceiling = self.posture.rung + self._max_up
            allowed = self._rung_numbers <= ceiling[:, None]
            return allowed if self.posture.all_active else allowed & active[:, None]
        allowed = self.responses.allowed(actor_id, self.day)
        return allowed if self.posture.all_active else allowed & active[:, None]

    def observe(self, actor_id: str, confirming: bool = False) -> Observation:
        """Build what ``actor_id`` is shown.

        The adversary sees its own true quantities and its beliefs of the allies' (and the incidents it
        made); an ally sees its side's quantities, its own picture of the incidents since the last decision
        and its own warning of a mobilization.
        """
        actor = self._actors[actor_id]
        if actor.side == "adversary":
            quantities = self.beliefs.view()
            known, attributed = self.tallies.distinct_totals[0].copy(), np.zeros(self.runs, dtype=np.int64)
            warned = self._not_warned
        else:
            self._refresh_allied_values()
            quantities = self._allied_view
            policy = self._agents_by_actor[actor_id].policy
            drawn = getattr(policy, "uses_incident_picture", True)
            known, attributed = self.tallies.picture_of(actor_id, self.day, drawn=drawn)
            warned = self.tallies.warned.get(actor_id, self._not_warned).copy()
        return Observation(
            day=self.day,
            actor_id=actor_id,
            side=actor.side,
            menu=self._menus[actor_id],
            allowed=self.allowed_actions(actor_id),
            rung_index=self.posture.rung.copy(),
            mobilization_warned=warned,
            known_incidents=known,
            attributed_incidents=attributed,
            quantities=quantities,
            active=self.active,
            parameters=self.parameters,
            confirming=confirming,
            mobilizing=self.posture.mobilizing.copy() if actor.side == "adversary" else None,
        )

    def _refresh_allied_values(self) -> None:
        np.copyto(self._allied_values, self.state.values)
        self._allied_values[self._credibility_rows] = self.state.baseline[self._credibility_rows]

    def apply_choice(self, actor_id: str, choice: np.ndarray, allowed: np.ndarray) -> None:
        """Apply one menu index per run (``NO_ACTION`` for none) chosen for ``actor_id``.

        Raises:
            ValueError: If the choice has the wrong shape or picks an action that is not allowed.
        """
        if choice.shape != (self.runs,):
            raise ValueError(f"{actor_id}: a choice needs shape ({self.runs},), got {choice.shape}")
        taken = choice != _NO_ACTION
        if taken.any():
            if choice.min() < NO_ACTION or choice.max() >= allowed.shape[1]:
                raise ValueError(f"{actor_id}: choice outside the menu of {allowed.shape[1]} actions")
            if not allowed[taken, choice[taken]].all():
                raise ValueError(f"{actor_id}: choice of an action that is not allowed now")
            taken &= self.posture.active
        if actor_id == self.spec.adversary:
            stepped_down = taken & (choice < self.posture.rung)
            self.posture.apply(choice, taken, self.day, lambda runs: self.tallies.warn(runs, self.day))
            self.posture.score_decision(stepped_down)
            self._log("adversary", "rung", taken, np.where(taken, choice, self.posture.rung))
            return
        for response_id, runs in self.responses.apply(actor_id, choice, taken, self.day):
            self._log(actor_id, response_id, runs)

    def forced_move(self, actor_id: str) -> int | None:
        """Return the adversary's recorded move of today that the model imposes, if any."""
        if self.history is None or actor_id != self.spec.adversary:
            return None
        return self.history.moves.get(self.day)

    def weigh(self, policy: Policy, observation: Observation, choice: int) -> None:
        """Add the log-probability of ``choice`` under ``policy`` to each run's history log-likelihood
        (policies that cannot say how likely a choice was, such as people, add nothing)."""
        probabilities = getattr(policy, "choice_probabilities", None)
        if probabilities is None:
            return
        column = -1 if choice == NO_ACTION else choice
        with np.errstate(divide="ignore"):
            self.history_log_likelihood += np.log(probabilities(observation)[:, column])

    def _go_decision(self, runs: np.ndarray) -> np.ndarray:
        """Ask the adversary's policy to go ahead with, or stand down from, the mobilization of ``runs``."""
        self.beliefs.update(self.day, runs)  # a last look before committing
        allowed = np.zeros((self.runs, len(self.spec.escalation.rungs)), dtype=bool)
        index = np.flatnonzero(runs)
        allowed[index, self.posture.rung[index]] = True
        allowed[index, self.posture.pending_rung[index]] = True
        observation = self.observe(self.spec.adversary, confirming=True)
        observation = observation.with_allowed(allowed)
        policy = self.adversary_agent.policy
        recorded = None if self.history is None else self.history.go.get(self.day)
        if recorded is not None:
            choice = np.where(recorded, self.posture.pending_rung, self.posture.rung)
            if index.size:
                self.weigh(policy, observation, int(choice[index[0]]))
        else:
            draws = PolicyDraws(
                self.random_streams, self.adversary_agent.actor_index, self.day, Stream.ADVERSARY_CHOICE
            )
            # Only the runs whose mobilization completes decide (each as it would in the whole ensemble).
            choice = np.full(self.runs, NO_ACTION, dtype=np.int64)
            if index.size:
                choice[index] = policy.decide(observation.select(index), draws.select(index))
        go = runs & ((choice == NO_ACTION) | (choice == self.posture.pending_rung))
        self._log("adversary", "go", go)
        self._log("adversary", "stand_down", runs & ~go)
        self.tallies.clear_warnings(runs)
        return go

    def _log(self, actor: str, action: str, runs: np.ndarray, values: np.ndarray | None = None) -> None:
        if self.record_decisions:
            entry = {"day": self.day, "actor": actor, "action": action, "runs": runs.copy()}
            if values is not None:
                entry["values"] = values.copy()
            self.decision_log.append(entry)

    # ------------------------------------------------------------------ results
    def outcomes(self) -> dict[str, np.ndarray]:
        """Return the outcome columns, one entry per run (see ``docs/model.md`` for each)."""
        return outcome_columns(self)
