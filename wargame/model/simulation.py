"""The deterrence model: an ensemble of runs stepped one day at a time.

One Mesa agent per actor; each agent's state is a row of arrays over the runs of the ensemble, so one numpy
call per day serves every run, and a single session is an ensemble of one. Every random draw comes from
the run-keyed streams of :mod:`wargame.core.random_streams`, so a run gives the same result whatever
ensemble it is simulated in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wargame.core.random_streams import EnsembleRandom, Stream
from wargame.model._mesa import Agent, Model
from wargame.model.events import TimedEvents
from wargame.model.gray_zone import GrayZoneBlock, GrayZoneMechanics
from wargame.model.state import EnsembleState, QuantityView
from wargame.policies import NO_ACTION, Observation, Policy, PolicyDraws, default_policy, menu_of
from wargame.scenario import ESCALATION_CATEGORIES, Scenario
from wargame.scenario.schema import Actor, Condition, Effect, Inject

__all__ = ["ActorAgent", "DeterrenceModel"]

_DE_ESCALATION_WEIGHT = ESCALATION_CATEGORIES["de_escalation"]
_NO_ACTION = np.array(NO_ACTION)  # numpy compares with a 0-d array faster than with a Python int


def _any(mask: np.ndarray) -> np.bool_:
    """Whether any element is true (the ufunc reduction, without ndarray.any's Python wrapper)."""
    return np.logical_or.reduce(mask, axis=None)


class ActorAgent(Agent):
    """One actor of the scenario, deciding through its policy for every run at once."""

    def __init__(self, model: DeterrenceModel, actor: Actor, actor_index: int, policy: Policy) -> None:
        super().__init__(model)
        self.actor = actor
        self.actor_index = actor_index
        self.policy = policy
        self.side = actor.side
        self.menu = menu_of(model.spec, actor.id)

    def decide(self) -> None:
        """Observe, ask the policy, and hand the choice to the model to apply."""
        model: DeterrenceModel = self.model  # type: ignore[assignment]
        observation = model.observe(self.actor.id)
        draws = PolicyDraws(model.random_streams, self.actor_index, model.day)
        choice = np.asarray(self.policy.decide(observation, draws), dtype=np.int64)
        model.apply_choice(self.actor.id, choice, observation.allowed)


class DeterrenceModel(Model):
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
        pictures_for: Allied actors (other than the defender) whose own picture of the gray zone is kept
            too: what their ISR and the links into them detected, and their own warning of a mobilization.
            Opt-in for sessions (each seat sees its own picture); the draws come from a separate stream,
            so every other result is bit-for-bit the same with or without it.
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
    ) -> None:
        run_keys = np.asarray(run_keys, dtype=np.uint64)
        # Mesa's own generator is seeded for completeness; the model draws only from run-keyed streams.
        super().__init__(rng=int(run_keys[0]) if run_keys.size else 0)
        self.spec = scenario
        self.runs = int(run_keys.size)
        self.day = 0
        self.random_streams = EnsembleRandom(run_keys, branch_day, branch_keys)
        self.state = EnsembleState(scenario, self.runs)
        self.gray_zone = GrayZoneMechanics(scenario, self.state)
        self.events = TimedEvents()
        self.record_decisions = record_decisions
        self.decision_log: list[dict] = []

        ladder = scenario.escalation
        self.war_index = ladder.war_index
        self.rung_weights = np.array([ESCALATION_CATEGORIES[r.escalation_category] for r in ladder.rungs])
        # Escalation score of a move [from rung, to rung]: the weight of the rung moved to or stayed at, the
        # de-escalation weight for a move down; the last column (index NO_ACTION) scores a decision not taken.
        rungs = len(ladder.rungs)
        self._move_weights = np.zeros((rungs, rungs + 1), dtype=np.int64)
        self._move_weights[:, :rungs] = np.where(
            np.arange(rungs)[None, :] < np.arange(rungs)[:, None], _DE_ESCALATION_WEIGHT, self.rung_weights
        )
        self.mobilization_days = np.array([r.mobilization_days for r in ladder.rungs])
        self.rung = np.zeros(self.runs, dtype=np.int64)
        self.pending_rung = np.full(self.runs, -1, dtype=np.int64)
        self.mobilization_started_day = np.full(self.runs, -1, dtype=np.int64)
        self.war_day = np.full(self.runs, -1, dtype=np.int64)
        self._active = np.ones(self.runs, dtype=bool)
        self._all_active = True  # no run is at war yet (saves masking while that holds)
        self._active_view = self._active.view()
        self._active_view.flags.writeable = False
        self.mobilization_warned = np.zeros(self.runs, dtype=bool)
        self._program_intensity_per_year = np.array(
            [[p.intensity_per_year] * self.runs for p in scenario.programs], dtype=np.float64
        ).reshape(len(scenario.programs), self.runs)
        # One row per (actor, response) in scenario order; `last_response_day` maps to views of the rows.
        response_keys = [(actor.id, response.id) for actor in scenario.actors for response in actor.responses]
        self._last_response_days = np.full((len(response_keys), self.runs), -np.inf)
        self.last_response_day: dict[tuple[str, str], np.ndarray] = {
            key: self._last_response_days[row] for row, key in enumerate(response_keys)
        }
        self._response_rows: dict[str, np.ndarray] = {}
        self._response_cooldown_days: dict[str, np.ndarray] = {}
        for actor in scenario.actors:
            self._response_rows[actor.id] = np.array(
                [response_keys.index((actor.id, r.id)) for r in actor.responses], dtype=np.int64
            )
            self._response_cooldown_days[actor.id] = np.array(
                [max(r.cooldown_days, 1e-9) for r in actor.responses]
            )[:, None]
        # Escalation score of each response of an actor; the last entry (index NO_ACTION) is no response.
        self._response_weights = {
            actor.id: np.array(
                [*(ESCALATION_CATEGORIES[r.escalation_category] for r in actor.responses), 0], dtype=np.int64
            )
            for actor in scenario.actors
        }

        activities = len(scenario.gray_zone.activities)
        # Incidents, detected, attributed in time: one array, so a day's block slice adds in one call.
        # Since the last decision: detected, and attributed in time (over activities). Both sets of tallies
        # share one array laid out like a gray-zone block's day (GrayZoneBlock.tallies).
        counted = 3 * self.runs * activities
        self._tallies = np.zeros(counted + 5 * self.runs, dtype=np.int64)
        self.incidents, self.detected, self.attributed_timely = self._tallies[:counted].reshape(
            3, self.runs, activities
        )
        self._since_decision_tallies = self._tallies[counted : counted + 2 * self.runs]
        since_decision = self._since_decision_tallies.reshape(2, self.runs)
        self.known_since_decision, self.attributed_since_decision = since_decision
        # Distinct incidents (a subset's incidents are also its parent's): true, detected, attributed in time.
        self.distinct_totals = self._tallies[counted + 2 * self.runs :].reshape(3, self.runs)
        self.attribution_delay_hours_sum = np.zeros((self.runs, activities))
        self.escalation_score = np.zeros(self.runs, dtype=np.int64)
        self.max_rung = np.zeros(self.runs, dtype=np.int64)
        self.injects_fired = np.zeros(self.runs, dtype=np.int64)
        self.rung_by_day = np.zeros((self.runs, scenario.horizon_days), dtype=np.int8)
        self._mid_day = False
        self._quantity_views: dict[str, QuantityView] = {}  # what each actor sees (live)
        self._menus = {actor.id: menu_of(scenario, actor.id) for actor in scenario.actors}
        self._actors = {actor.id: actor for actor in scenario.actors}
        self._rung_numbers = np.arange(len(scenario.escalation.rungs))
        self._not_warned = np.zeros(self.runs, dtype=bool)  # what a side other than the allies is told
        self._not_warned.flags.writeable = False
        self._gray_zone_block: GrayZoneBlock | None = None
        self._gray_zone_erosion: _BlockErosion | None = None
        self._gray_zone_block_end_day = 0  # the first day after the current block
        self._next_incident_day = 0  # the first day whose incidents are not yet absorbed
        self._rung_moved = True  # whether the rung may have changed since the last end of day

        self.pictures_for = tuple(pictures_for)
        for actor_id in self.pictures_for:
            if actor_id == scenario.defender or scenario.actor(actor_id).side != "allied":
                raise ValueError(f"pictures_for takes allies other than the defender, not {actor_id!r}")
        self._seat_sources = {a: self.gray_zone.sources_into(a) for a in self.pictures_for}
        self.seat_detected = {a: np.zeros((self.runs, activities), dtype=np.int64) for a in self.pictures_for}
        self.seat_attributed_timely = {
            a: np.zeros((self.runs, activities), dtype=np.int64) for a in self.pictures_for
        }
        self.seat_attribution_delay_hours_sum = {
            a: np.zeros((self.runs, activities)) for a in self.pictures_for
        }
        self.seat_mobilization_warned = {a: np.zeros(self.runs, dtype=bool) for a in self.pictures_for}

        self._setup_daily_mechanics()
        self._setup_conditional_injects()

        for actor_index, actor in enumerate(scenario.actors):
            policy = (policies or {}).get(actor.id) or default_policy(scenario, actor.id, scenario_dir)
            ActorAgent(self, actor, actor_index, policy)
        self.adversary_agent = next(a for a in self.agents if a.actor.id == scenario.adversary)
        self.allied_agents = self.agents.select(lambda agent: agent.side == "allied")
        self._deciding_agents = [self.adversary_agent, *self.allied_agents]
        for inject in scenario.injects:
            if inject.day is not None:
                self.events.schedule(inject.day, lambda inject=inject: self._fire_inject(inject, self.active))
        for day, effects in timed_effects:
            self.events.schedule(
                day, lambda effects=tuple(effects): self._apply_effects(effects, self.active)
            )

    # ------------------------------------------------------------------ state views
    @property
    def active(self) -> np.ndarray:
        """Runs not yet at war (a read-only view that follows the model)."""
        return self._active_view

    @property
    def program_intensity_per_year(self) -> np.ndarray:
        """Exchanges per year of each program in each run, shape ``(programs, runs)`` (read-only view;
        change it with :meth:`set_program_intensity`)."""
        view = self._program_intensity_per_year.view()
        view.flags.writeable = False
        return view

    def set_program_intensity(
        self, program_index: int, intensity_per_year: float, runs: np.ndarray | slice = slice(None)
    ) -> None:
        """Set a program's intensity in the selected runs, from the next day's cooperation step on."""
        self._program_intensity_per_year[program_index, runs] = intensity_per_year
        self._update_program_coefficients()

    @property
    def finished(self) -> bool:
        return self.day >= self.spec.horizon_days

    def quantities(self) -> dict[str, np.ndarray]:
        """Return every quantity path with its live values over runs."""
        return {path: self.state.values[row] for row, path in enumerate(self.state.paths)}

    # ------------------------------------------------------------------ the daily step
    def step(self) -> None:
        """Advance every run by one day (the Mesa step)."""
        self._advance_one_day()

    def _advance_one_day(self) -> None:
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
        """Run the first half of the current day: timed events, programs, gray zone.

        :meth:`step` is ``begin_day``, then on a decision day each of :meth:`deciding_agents` deciding in
        turn and :meth:`close_decisions`, then :meth:`end_day`. A session calls these parts itself so that
        people can decide between them.

        Returns:
            Whether the day is a decision day.
        """
        if self.finished:
            raise RuntimeError("the horizon is reached; no more days to step")
        day = self.day
        if self._mid_day:
            raise RuntimeError(f"day {day} has begun already; call end_day() first")
        self._mid_day = True
        if self.events.next_due_day < day + 0.5:
            self.events.advance_to(day)
        self._cooperation_and_recovery()
        self._absorb_gray_zone_day(day)
        return self.is_decision_day

    def close_decisions(self) -> None:
        """Start counting incidents afresh for the next decision."""
        self._since_decision_tallies[:] = 0

    def end_day(self) -> None:
        """Run the second half of the current day (wars that start, conditional injects, rung records) and
        move to the next."""
        if not self._mid_day:
            raise RuntimeError(f"day {self.day} has not begun; call begin_day() first")
        day = self.day
        if self._rung_moved:
            self._start_war_where_due(day)
            np.maximum(self.max_rung, self.rung, out=self.max_rung)
        # After the decisions, so a move and the answers given in the same round count from the same day.
        if self._quantity_injects_wait or (self._rung_moved and self._rung_injects_wait):
            self._check_conditional_injects(day)
        if self._rung_moved:
            # Recorded ahead to the horizon; later days are overwritten when the rung moves again.
            self.rung_by_day[:, day:] = self.rung[:, None]
        self._rung_moved = False
        self.day += 1
        self._mid_day = False

    def _draw_seat_pictures(self, day: int, incidents: np.ndarray) -> None:
        """Draw each opted-in seat's own picture of the day's incidents by part (stream ``SEAT_PICTURE``)."""
        activities = incidents.shape[1]
        for position, actor_id in enumerate(self.pictures_for):
            picture = self.gray_zone.draw_seat_picture(
                self.random_streams, day, incidents, self._seat_sources[actor_id], 2 * activities * position
            )
            self.seat_detected[actor_id] += picture.detected
            self.seat_attributed_timely[actor_id] += picture.attributed_timely
            self.seat_attribution_delay_hours_sum[actor_id] += picture.attribution_delay_hours_sum

    def run_to_end(self) -> None:
        """Step until the horizon (bypassing Mesa's per-step bookkeeping, which the model does not use)."""
        while not self.finished:
            self._advance_one_day()

    # ------------------------------------------------------------------ daily mechanics
    def _setup_daily_mechanics(self) -> None:
        """Precompute the coefficients of the daily updates (programs, recovery, wear from incidents)."""
        scenario, row_of = self.spec, self.state.index
        rows = len(self.state.paths)
        self._scratch = np.empty((rows, self.runs))
        effects = [
            (p, row_of[effect.quantity], effect.target, effect.gain_per_exchange)
            for p, program in enumerate(scenario.programs)
            for effect in program.effects
        ]
        # One entry per program effect, in scenario order: program, quantity row, target, gain per exchange.
        self._effect_program = np.array([e[0] for e in effects], dtype=np.intp)
        self._effect_row = np.array([e[1] for e in effects], dtype=np.intp)
        self._effect_target = np.array([e[2] for e in effects], dtype=np.float64)[:, None]
        self._effect_gain = np.array([e[3] for e in effects], dtype=np.float64)[:, None]
        low, high = self.state.low[self._effect_row, 0], self.state.high[self._effect_row, 0]
        inside = (low <= self._effect_target[:, 0]) & (self._effect_target[:, 0] <= high)
        self._program_targets_inside = bool(inside.all())

        recovery = np.zeros((rows, 1))
        for actor in scenario.actors:
            recovery[row_of[f"actors.{actor.id}.resolve"]] = actor.resolve_recovery_per_day
            recovery[row_of[f"actors.{actor.id}.readiness"]] = actor.readiness_recovery_per_day
        self._recovery_rate_per_day = recovery if recovery.any() else None

        # Wear from incidents: target k loses sum_j weights[k, j] * x_j a day, where x_j counts unanswered
        # incidents (resolve, scaled by 1 - cognitive resilience) or all incidents (readiness) of activity j.
        resolve_targets, self._resolve_loss_weights = _loss_weights(scenario, "resolve_erosion_per_incident")
        readiness_targets, self._readiness_loss_weights = _loss_weights(
            scenario, "readiness_cost_per_incident"
        )
        self._resolve_loss_rows = np.array(
            [row_of[f"actors.{t}.resolve"] for t in resolve_targets], dtype=int
        )
        self._readiness_loss_rows = np.array(
            [row_of[f"actors.{t}.readiness"] for t in readiness_targets], dtype=int
        )
        # Row whose value scales each row's resolve loss (rows without one have no resolve loss).
        self._resilience_row_of = np.arange(rows)
        for target, row in zip(resolve_targets, self._resolve_loss_rows, strict=True):
            self._resilience_row_of[row] = row_of[f"actors.{target}.cognitive_resilience"]
        self._wears = bool(resolve_targets or readiness_targets)
        self._update_program_coefficients()

    def _update_program_coefficients(self) -> None:
        """Fold every program effect into ``x <- x * keep + pull`` per quantity and run.

        A day moves quantity ``x`` by ``sum_e rate_e * (target_e - x)`` over the effects ``e`` on it, with
        ``rate_e = intensity_e / 365 * gain_per_exchange_e``: ``keep = 1 - sum_e rate_e`` and
        ``pull = sum_e rate_e * target_e``.
        """
        if not self._effect_row.size:
            self._program_keep = self._program_pull = None
            return
        # Summed effect by effect in scenario order (ufunc.at applies repeated rows in turn).
        rate = self._program_intensity_per_year[self._effect_program] / 365.0 * self._effect_gain
        keep = np.ones_like(self._scratch)
        np.subtract.at(keep, self._effect_row, rate)
        pull = np.zeros_like(self._scratch)
        np.add.at(pull, self._effect_row, rate * self._effect_target)
        # Stacked for values and baseline alike: same shape as state.levels, so no broadcasting per day.
        self._program_keep, self._program_pull = np.stack([keep, keep]), np.stack([pull, pull])
        # With targets inside the bounds and a day's rates summing to at most 1 per quantity, x * keep + pull
        # lies between x and the targets: the day's final clip (after erosion) is all that is needed.
        self._programs_need_clip = (
            not (self._program_targets_inside and bool((keep >= 0.0).all())) or not self._wears
        )

    def _cooperation_and_recovery(self) -> None:
        """Programs move quantities and their baselines; resolve and readiness recover to baseline.

        All program effects of a day are computed from the same start-of-day state and then summed.
        """
        state = self.state
        values = state.values
        if self._program_keep is not None:
            levels = state.levels
            levels *= self._program_keep
            levels += self._program_pull
            if self._programs_need_clip:
                np.minimum(values, state.high, out=values)
                np.maximum(values, state.low, out=values)
        recovery = self._recovery_rate_per_day
        if recovery is not None:
            scratch = np.subtract(state.baseline, values, out=self._scratch)
            scratch *= recovery
            values += scratch

    def _absorb_gray_zone_day(self, day: int) -> None:
        """Add today's incidents to the tallies and wear resolve and readiness down by them.

        Incidents come from the current block, a new one being drawn when one ends. A block runs from the
        day after one decision day to the next decision day (or the horizon), so the adversary's rung is
        constant inside it; runs that go to war inside a block have the rest of it removed.
        """
        block = self._gray_zone_block
        if day >= self._gray_zone_block_end_day:
            block = self._draw_gray_zone_block(day)
        index = day - block.first_day
        self._tallies += block.tallies[index]
        self.attribution_delay_hours_sum += block.delay_hours[index]
        erosion = self._gray_zone_erosion
        if erosion is not None:
            # x <- clip(x - exposed * (1 - resilience) - worn), written as x + (resilience * exposed - total).
            values = self.state.values
            scratch = values.take(self._resilience_row_of, axis=0, out=self._scratch)
            scratch *= erosion.exposed[index]
            scratch -= erosion.total[index]
            values += scratch
            np.minimum(values, self.state.high, out=values)
            np.maximum(values, self.state.low, out=values)
        self._next_incident_day = day + 1
        if self.pictures_for:
            self._draw_seat_pictures(day, block.parts[index, 0])

    def _draw_gray_zone_block(self, day: int) -> GrayZoneBlock:
        interval = self.spec.decision_interval_days
        next_decision_day = max(interval, -(-day // interval) * interval)
        last_day = min(next_decision_day, self.spec.horizon_days - 1)
        block = self.gray_zone.draw_block(
            self.random_streams, day, last_day - day + 1, self.rung, self._active
        )
        self._gray_zone_block = block
        self._gray_zone_block_end_day = day + block.days
        self._gray_zone_erosion = self._erosion_of(block) if self._wears else None
        return block

    def _erosion_of(self, block: GrayZoneBlock) -> _BlockErosion:
        """Return the wear a block's incidents cause each day, ``(days, quantities, runs)``."""
        incidents, _, attributed = block.counts.transpose(1, 0, 2, 3)  # (days, runs, activities) each
        exposed = np.zeros((block.days, *self._scratch.shape))
        total = np.zeros(exposed.shape)
        if self._resolve_loss_rows.size:
            unanswered = incidents - self.spec.gray_zone.attribution_mitigation * attributed
            loss = np.add.reduce(unanswered[:, :, None, :] * self._resolve_loss_weights, axis=3)
            exposed[:, self._resolve_loss_rows] = loss.transpose(0, 2, 1)
        if self._readiness_loss_rows.size:
            wear = np.add.reduce(incidents[:, :, None, :] * self._readiness_loss_weights, axis=3)
            total[:, self._readiness_loss_rows] = wear.transpose(0, 2, 1)
        total += exposed
        return _BlockErosion(exposed, total)

    # ------------------------------------------------------------------ injects
    def _setup_conditional_injects(self) -> None:
        """Order the conditional injects for the daily check: ``below`` a value, ``above`` it, on the rung.

        ``_inject_waiting[k]`` marks the runs where inject ``_conditional_injects[k]`` has not triggered and
        the run is still active.
        """
        conditional = [inject for inject in self.spec.injects if inject.when is not None]
        below = [inject for inject in conditional if inject.when.below is not None]
        above = [inject for inject in conditional if inject.when.above is not None]
        on_rung = [inject for inject in conditional if inject.when.rung_at_least is not None]
        self._conditional_injects = [*below, *above, *on_rung]
        self._scenario_order = sorted(
            range(len(conditional)), key=lambda k: self.spec.injects.index(self._conditional_injects[k])
        )
        self._inject_waiting = np.ones((len(conditional), self.runs), dtype=bool)
        row_of = self.state.index
        self._below_slice = slice(0, len(below))
        self._above_slice = slice(len(below), len(below) + len(above))
        self._rung_slice = slice(len(below) + len(above), len(conditional))
        self._below_rows = np.array([row_of[inject.when.quantity] for inject in below], dtype=int)
        self._above_rows = np.array([row_of[inject.when.quantity] for inject in above], dtype=int)
        self._below_thresholds = np.array([inject.when.below for inject in below])[:, None]
        self._above_thresholds = np.array([inject.when.above for inject in above])[:, None]
        self._rung_condition_index = np.array(
            [self.spec.escalation.index_of(inject.when.rung_at_least) for inject in on_rung], dtype=np.int64
        )[:, None]
        self._update_inject_flags()

    def _update_inject_flags(self) -> None:
        """Refresh what the quick daily test compares against: a threshold where a run still waits for the
        inject, and a bound no value can pass (-inf or +inf) where it does not."""
        waiting = self._inject_waiting
        self._below_bound = np.where(waiting[self._below_slice], self._below_thresholds, -np.inf)
        self._above_bound = np.where(waiting[self._above_slice], self._above_thresholds, np.inf)
        self._quantity_injects_wait = bool(waiting[: self._rung_slice.start].any())
        self._rung_injects_wait = bool(waiting[self._rung_slice].any())

    def _condition_holds(self, condition: Condition) -> np.ndarray:
        if condition.rung_at_least is not None:
            return self.rung >= self.spec.escalation.index_of(condition.rung_at_least)
        values = self.state.row(condition.quantity)
        return values < condition.below if condition.below is not None else values > condition.above

    def _some_inject_triggers(self) -> bool:
        """Whether some waiting conditional inject's condition holds in some run (a quick test)."""
        if self._quantity_injects_wait:
            values = self.state.values
            if self._below_rows.size and _any(values.take(self._below_rows, axis=0) < self._below_bound):
                return True
            if self._above_rows.size and _any(values.take(self._above_rows, axis=0) > self._above_bound):
                return True
        if self._rung_moved and self._rung_injects_wait:
            holds = self.rung >= self._rung_condition_index
            holds &= self._inject_waiting[self._rung_slice]
            return bool(_any(holds))
        return False

    def _check_conditional_injects(self, day: int) -> None:
        """Trigger the conditional injects whose condition now holds, in scenario order.

        An inject's effects apply before the next inject's condition is tested.
        """
        if not self._some_inject_triggers():
            return
        for position in self._scenario_order:
            inject = self._conditional_injects[position]
            newly = self._condition_holds(inject.when) & self._inject_waiting[position]
            if not newly.any():
                continue
            self._inject_waiting[position] &= ~newly
            if inject.check_after_days == 0 and inject.unless_response is None:
                self._fire_inject(inject, newly)
            else:
                # Checked at the end of day `day + check_after_days`, after that day's decisions.
                self.events.schedule(
                    day + inject.check_after_days + 0.5,
                    lambda inject=inject, runs=newly, since=day: self._fire_delayed_inject(
                        inject, runs, since
                    ),
                )
        self._update_inject_flags()

    def _fire_delayed_inject(self, inject: Inject, runs: np.ndarray, since_day: int) -> None:
        runs = runs & self.active
        if inject.unless_response is not None:
            key = (inject.unless_response.actor, inject.unless_response.response)
            runs = runs & ~(self.last_response_day[key] >= since_day)
        self._fire_inject(inject, runs)

    def _fire_inject(self, inject: Inject, runs: np.ndarray) -> None:
        runs = runs & self.active
        if not runs.any():
            return
        self._apply_effects(inject.effects, runs)
        self.injects_fired += runs
        self._log("inject", inject.id, runs)

    def _apply_effects(self, effects: tuple[Effect, ...], runs: np.ndarray) -> None:
        for effect in effects:
            self.state.apply(effect, runs)

    # ------------------------------------------------------------------ decisions
    def allowed_actions(self, actor_id: str) -> np.ndarray:
        """Return the boolean ``(runs, menu)`` mask of actions an actor may take now."""
        if actor_id == self.spec.adversary:
            ceiling = self.rung + self.spec.escalation.max_rungs_up_per_decision
            allowed = self._rung_numbers <= ceiling[:, None]
            return allowed if self._all_active else allowed & self._active[:, None]
        rested = self.day - self._last_response_days.take(self._response_rows[actor_id], axis=0)
        allowed = (rested >= self._response_cooldown_days[actor_id]).T
        return allowed if self._all_active else allowed & self._active[:, None]

    def observe(self, actor_id: str) -> Observation:
        """Build what ``actor_id`` is shown: the adversary sees the true state, allies their side's."""
        actor = self._actors[actor_id]
        quantities = self._quantity_views.get(actor_id)
        if quantities is None:
            hidden_prefix = None if actor.side == "adversary" else f"actors.{self.spec.adversary}."
            quantities = self._quantity_views[actor_id] = self.state.view(hidden_prefix)
        return Observation(
            day=self.day,
            actor_id=actor_id,
            side=actor.side,
            menu=self._menus[actor_id],
            allowed=self.allowed_actions(actor_id),
            rung_index=self.rung.copy(),
            mobilization_warned=self.mobilization_warned.copy()
            if actor.side == "allied"
            else self._not_warned,
            known_incidents=self.known_since_decision.copy(),
            attributed_incidents=self.attributed_since_decision.copy(),
            quantities=quantities,
            active=self._active_view,
        )

    def apply_choice(self, actor_id: str, choice: np.ndarray, allowed: np.ndarray) -> None:
        """Apply one menu index per run (``NO_ACTION`` for none) chosen for ``actor_id``.

        Raises:
            ValueError: If the choice has the wrong shape or picks an action that is not allowed.
        """
        if choice.shape != (self.runs,):
            raise ValueError(f"{actor_id}: a choice needs shape ({self.runs},), got {choice.shape}")
        taken = choice != _NO_ACTION
        if _any(taken):
            if np.minimum.reduce(choice) < NO_ACTION or np.maximum.reduce(choice) >= allowed.shape[1]:
                raise ValueError(f"{actor_id}: choice outside the menu of {allowed.shape[1]} actions")
            if not np.logical_and.reduce(allowed[taken, choice[taken]]):
                raise ValueError(f"{actor_id}: choice of an action that is not allowed now")
            if not self._all_active:  # runs at war take no action
                taken &= self._active
                choice = np.where(taken, choice, NO_ACTION)
        elif actor_id != self.spec.adversary:
            return  # no response taken in any run
        if actor_id == self.spec.adversary:
            self._apply_adversary_choice(choice, taken)
        else:
            self._apply_responses(actor_id, choice, taken)

    def _apply_adversary_choice(self, choice: np.ndarray, taken: np.ndarray) -> None:
        """Move the adversary in the runs where it ``taken`` a rung; ``NO_ACTION`` changes nothing.

        A rung above the current one with ``mobilization_days`` starts a mobilization (kept if the same
        rung is chosen again while it runs); any other choice takes effect now and stands down a pending
        mobilization.
        """
        self.escalation_score += self._move_weights[self.rung, choice]
        chosen = np.where(taken, choice, self.rung)
        if not _any((chosen != self.rung) | (self.pending_rung >= 0)):
            self._log("adversary", "rung", taken, chosen)  # every run keeps its rung; nothing is pending
            return
        self._rung_moved = True
        needs_mobilization = (chosen > self.rung) & (self.mobilization_days[chosen] > 0) & taken
        immediate = ~needs_mobilization & taken
        self._clear_warnings(immediate & (self.pending_rung >= 0))
        self.pending_rung[immediate] = -1
        self.rung[immediate] = chosen[immediate]
        starting = needs_mobilization & (self.pending_rung != chosen)
        if _any(starting):
            self.pending_rung[starting] = chosen[starting]
            self.mobilization_started_day[starting] = self.day
            self._warn_of_mobilization(starting)
            for rung in np.unique(chosen[starting]):
                runs = starting & (chosen == rung)
                at_day = self.day + float(self.mobilization_days[rung])
                self.events.schedule(
                    at_day,
                    lambda runs=runs, rung=int(rung), day=self.day: self._complete_mobilization(
                        runs, rung, day
                    ),
                )
        self._log("adversary", "rung", taken, chosen)

    def _warn_of_mobilization(self, runs: np.ndarray) -> None:
        """The allied picture spots a mobilization with the probability of detecting a fully visible act."""
        miss = 1.0 - self.state.row(f"actors.{self.spec.defender}.isr_detection_probability")
        for link in self.spec.links:
            if link.to_actor == self.spec.defender:
                isr = self.state.row(f"actors.{link.from_actor}.isr_detection_probability")
                miss = miss * (1.0 - isr * self.state.row(f"links.{link.key}.fidelity"))
        draw = self.random_streams.uniform(Stream.MOBILIZATION_WARNING, self.day, 1)[:, 0]
        self.mobilization_warned |= runs & (draw < 1.0 - miss)
        for position, actor_id in enumerate(self.pictures_for):
            seat_miss = np.ones(self.runs)
            for source_actor, link_key, _, _ in self._seat_sources[actor_id]:
                isr = self.state.row(f"actors.{source_actor}.isr_detection_probability")
                fidelity = 1.0 if link_key is None else self.state.row(f"links.{link_key}.fidelity")
                seat_miss = seat_miss * (1.0 - isr * fidelity)
            # Slots far above the incident slots of the same stream and day.
            seat_draw = self.random_streams.uniform(Stream.SEAT_PICTURE, self.day, 1, (1 << 19) + position)
            self.seat_mobilization_warned[actor_id] |= runs & (seat_draw[:, 0] < 1.0 - seat_miss)

    def _clear_warnings(self, runs: np.ndarray) -> None:
        self.mobilization_warned[runs] = False
        for warned in self.seat_mobilization_warned.values():
            warned[runs] = False

    def _complete_mobilization(self, runs: np.ndarray, rung: int, started_day: int) -> None:
        """Complete the mobilization started on ``started_day`` where it still stands."""
        due = (
            runs & (self.pending_rung == rung) & (self.mobilization_started_day == started_day) & self.active
        )
        self._rung_moved = True
        self.rung[due] = rung
        self.pending_rung[due] = -1
        self._clear_warnings(due)
        self._start_war_where_due(int(self.events.now_days))

    def _apply_responses(self, actor_id: str, choice: np.ndarray, taken: np.ndarray) -> None:
        responses = self._actors[actor_id].responses
        self.escalation_score += self._response_weights[actor_id][choice]
        indices = sorted(set(choice[taken].tolist()))
        for index in indices:
            response = responses[index]
            runs = taken if len(indices) == 1 else taken & (choice == index)
            self.last_response_day[(actor_id, response.id)][runs] = self.day
            if response.delay_days > 0:
                self.events.schedule(
                    self.day + response.delay_days,
                    lambda effects=response.effects, runs=runs: self._apply_effects(
                        effects, runs & self.active
                    ),
                )
            else:
                self._apply_effects(response.effects, runs)
            self._log(actor_id, response.id, runs)

    def _start_war_where_due(self, day: int) -> None:
        starting = (self.rung >= self.war_index) & self._active
        if not _any(starting):
            return
        self.war_day[starting] = day
        self._active &= ~starting
        self._all_active = False
        self._inject_waiting &= self._active
        self._update_inject_flags()
        block = self._gray_zone_block
        first_index = 0 if block is None else self._next_incident_day - block.first_day
        if block is not None and first_index < block.days:
            block.stop(starting, first_index)
            if self._gray_zone_erosion is not None:
                self._gray_zone_erosion.stop(starting, first_index)

    def _log(self, actor: str, action: str, runs: np.ndarray, values: np.ndarray | None = None) -> None:
        if self.record_decisions:
            entry = {"day": self.day, "actor": actor, "action": action, "runs": runs.copy()}
            if values is not None:
                entry["values"] = values.copy()
            self.decision_log.append(entry)

    # ------------------------------------------------------------------ results
    def outcomes(self) -> dict[str, np.ndarray]:
        """Return the outcome columns, one entry per run (see ``docs/model.md`` for each)."""
        scenario = self.spec
        rung_ids = np.array([rung.id for rung in scenario.escalation.rungs])
        incidents_total, detected_total, attributed_total = self.distinct_totals
        with np.errstate(invalid="ignore", divide="ignore"):
            columns: dict[str, np.ndarray] = {
                "war": self.war_day >= 0,
                "war_day": self.war_day.astype(np.float64),
                "max_rung": self.max_rung,
                "max_rung_id": rung_ids[self.max_rung],
                "final_rung_id": rung_ids[self.rung],
                "escalation_score": self.escalation_score,
                "incidents_total": incidents_total,
                "detected_total": detected_total,
                "attributed_timely_total": attributed_total,
                "detection_rate": detected_total / incidents_total,
                "attribution_rate": attributed_total / detected_total,
                "mean_attribution_delay_hours": self.attribution_delay_hours_sum.sum(axis=1) / detected_total,
            }
        columns["war_day"][self.war_day < 0] = np.nan
        for j, activity in enumerate(scenario.gray_zone.activities):
            columns[f"incidents_{activity.id}"] = self.incidents[:, j]
        for actor in scenario.actors:
            if actor.side == "allied":
                columns[f"final_resolve_{actor.id}"] = self.state.row(f"actors.{actor.id}.resolve").copy()
                columns[f"final_readiness_{actor.id}"] = self.state.row(f"actors.{actor.id}.readiness").copy()
        for commitment in scenario.commitments:
            key = f"{commitment.from_actor}_{commitment.to_actor}"
            columns[f"final_credibility_{key}"] = self.state.row(
                f"commitments.{commitment.key}.credibility"
            ).copy()
        columns["injects_fired"] = self.injects_fired
        return columns


@dataclass(frozen=True)
class _BlockErosion:
    """Wear from a gray-zone block's incidents, ``(days, quantities, runs)`` each.

    ``exposed`` is the resolve loss before cognitive resilience scales it; ``total`` adds the readiness
    cost of the incidents.
    """

    exposed: np.ndarray
    total: np.ndarray

    def stop(self, runs: np.ndarray, from_index: int) -> None:
        """Remove the wear of ``runs`` from day ``from_index`` of the block on."""
        self.exposed[from_index:, :, runs] = 0.0
        self.total[from_index:, :, runs] = 0.0


def _loss_weights(scenario: Scenario, per_incident_field: str) -> tuple[list[str], np.ndarray]:
    """Return the actors some activity wears down through ``per_incident_field``, and the weight matrix
    ``(actors, activities)`` of that field (zero where the activity targets another actor)."""
    activities = scenario.gray_zone.activities
    target_of = [activity.target or scenario.defender for activity in activities]
    targets = sorted(
        {t for t, a in zip(target_of, activities, strict=True) if getattr(a, per_incident_field) > 0}
    )
    weights = np.array(
        [
            [
                getattr(a, per_incident_field) * (t == target)
                for t, a in zip(target_of, activities, strict=True)
            ]
            for target in targets
        ]
    ).reshape(len(targets), len(activities))
    return targets, weights
