"""The adversary's posture in each run: its rung, mobilizations, war and its adjudication, the score.

* A move down, or up to a rung without ``mobilization_days``, takes effect at once. A move up to a rung
  with mobilization starts it; allies may get warning (:mod:`wargame.model.warnings`). While it runs the
  adversary does not review its posture; when it completes, the adversary's policy makes a go/no-go
  decision between the rung it mobilized for and the one it stands on, with what it believes then
  (reinforcements that arrived meanwhile count). A policy that takes no action goes ahead.
* War starts where the rung reaches ``escalation.war_starts_at``. The war is adjudicated at once by the
  campaign of the rung (:mod:`wargame.core.campaign`), with the true forces: the coerced actor fights, and
  each patron joins with the probability ``sigmoid(l*)`` of its commitment's fundamental credibility.
  The run is then over (no more incidents or decisions).
* The escalation score follows Rivera et al. (2024): each decision day scores the adversary's posture
  (the weight of its rung's category, de-escalation when it stepped down, violent escalation for every
  decision day at war) and each allied response its category. ``escalation_score`` is that sum;
  ``escalation_per_30_days`` is the score a weekly cadence would give per 30 days: each posture weighs
  the weeks it covers (``decision_interval_days / 7``) and each event (a step down, a response) counts
  once, so it does not depend on the decision cadence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
from scipy import special

from wargame.core.campaign import adjudicate
from wargame.core.deterrence import calculus_table
from wargame.core.parameters import RunParameters
from wargame.core.random_streams import EnsembleRandom, Stream
from wargame.model.dynamics import CredibilityFundamentals
from wargame.model.events import TimedEvents
from wargame.model.state import EnsembleState
from wargame.scenario import DOMAINS, ESCALATION_CATEGORIES, Scenario

__all__ = ["WAR_RESULTS", "AdversaryPosture"]

_DE_ESCALATION = ESCALATION_CATEGORIES["de_escalation"]
_VIOLENT = ESCALATION_CATEGORIES["violent_escalation"]
_COERCIVE = ESCALATION_CATEGORIES["non_violent_escalation"]
_WEEK_DAYS = 7.0
_ADJUDICATION_SLOTS = 1 << 18  # above the slots sessions use for their dice on the same stream and day
WAR_RESULTS = ("none", "defender_holds", "adversary_succeeds", "not_adjudicated")
"""Values of the ``war_result`` column: index 0 no war, 1 and 2 a campaign's outcome, 3 a war rung
without a campaign."""

GoDecision = Callable[[np.ndarray], np.ndarray]
"""Given the runs whose mobilization completes now, return where the adversary goes ahead."""


def _go_ahead(runs: np.ndarray) -> np.ndarray:
    """Go ahead in every run whose mobilization completes."""
    return runs


@dataclass(eq=False, repr=False)
class AdversaryPosture:
    """The adversary's rung and everything that follows from it, per run.

    Args:
        scenario: The ladder, actors and commitments.
        state: The ensemble's quantities (forces are read from it; rallies raise resolve).
        random: The ensemble's random streams.
        parameters: Per-run values of uncertain inputs.
        events: The timed-event queue (mobilization completions).
        credibility: Fundamental credibilities (who joins a war).
    """

    scenario: Scenario
    state: EnsembleState
    random: EnsembleRandom
    parameters: RunParameters
    events: TimedEvents
    credibility: CredibilityFundamentals
    go_decision: GoDecision = field(init=False, default=_go_ahead)
    """The adversary's go/no-go decision (the model sets its policy's here)."""

    def __post_init__(self) -> None:
        scenario, state, parameters = self.scenario, self.state, self.parameters
        runs = state.runs
        ladder = scenario.escalation
        self.war_index = ladder.war_index
        self.rung_weights = np.array([ESCALATION_CATEGORIES[r.escalation_category] for r in ladder.rungs])
        self._coercive = self.rung_weights >= _COERCIVE
        self.mobilization_days = np.array(
            [
                np.broadcast_to(
                    parameters.value(f"escalation.rungs.{r.id}.mobilization_days", r.mobilization_days),
                    (runs,),
                )
                for r in ladder.rungs
            ]
        ).reshape(len(ladder.rungs), runs)
        self.rung = np.zeros(runs, dtype=np.int64)
        self.pending_rung = np.full(runs, -1, dtype=np.int64)
        self.mobilization_started_day = np.full(runs, -1, dtype=np.int64)
        self.war_day = np.full(runs, -1, dtype=np.int64)
        self.active = np.ones(runs, dtype=bool)
        self.all_active = True
        self.max_rung = np.zeros(runs, dtype=np.int64)
        self.escalation_score = np.zeros(runs, dtype=np.int64)
        self.posture_score_days = np.zeros(runs)
        self.war_result = np.zeros(runs, dtype=np.int8)
        self.war_duration_days = np.full(runs, np.nan)
        self.war_losses_adversary = np.full(runs, np.nan)
        self.war_losses_allied = np.full(runs, np.nan)
        self.allies_joined = np.zeros(runs, dtype=np.int64)
        self.rung_by_day = np.zeros((runs, scenario.horizon_days), dtype=np.int8)
        self.moved = True  # whether the rung may have changed since the last end of day
        self._interval = scenario.decision_interval_days
        targets = scenario.target_weights()
        self._target_rows = {t: state.index[f"actors.{t}.resolve"] for t in targets}
        self._rally = {
            t: np.asarray(
                parameters.value(f"actors.{t}.rally_on_coercion", scenario.actor(t).rally_on_coercion)
            )
            for t in targets
        }

    # ------------------------------------------------------------------ moves
    def apply(
        self, choice: np.ndarray, taken: np.ndarray, day: int, warn: Callable[[np.ndarray], None]
    ) -> None:
        """Move the adversary where it ``taken`` a rung (``choice``); other runs keep theirs.

        A move up to a rung with mobilization starts one (a run already mobilizing keeps it); ``warn`` is
        told which runs start one. Any other move takes effect now and stands a mobilization down.
        """
        chosen = np.where(taken, choice, self.rung)
        moving = taken & ((chosen != self.rung) | (self.pending_rung >= 0))
        if not moving.any():
            return
        self.moved = True
        days = self.mobilization_days[chosen, np.arange(chosen.size)]
        needs_mobilization = moving & (chosen > self.rung) & (days > 0)
        immediate = moving & ~needs_mobilization
        self.pending_rung[immediate] = -1
        self._climb(immediate, chosen)
        starting = needs_mobilization & (self.pending_rung != chosen)
        if starting.any():
            self.pending_rung[starting] = chosen[starting]
            self.mobilization_started_day[starting] = day
            warn(starting)
            for at_day in np.unique(day + days[starting]):
                runs = starting & (day + days == at_day)
                self.events.schedule(float(at_day), partial(self._mobilized, runs, day))

    def _climb(self, runs: np.ndarray, to_rung: np.ndarray) -> None:
        """Set the rung of ``runs``; coerced allies rally where it rises to a coercive rung."""
        if not runs.any():
            return
        rising = runs & (to_rung > self.rung) & self._coercive[to_rung] & ~self._coercive[self.rung]
        self.rung = np.where(runs, to_rung, self.rung)
        if rising.any():
            values = self.state.values
            for target, row in self._target_rows.items():
                values[row] = np.minimum(1.0, values[row] + rising * self._rally[target])

    def _mobilized(self, runs: np.ndarray, started_day: int) -> None:
        due = runs & (self.mobilization_started_day == started_day) & (self.pending_rung >= 0) & self.active
        if not due.any():
            return
        go = due & self.go_decision(due)
        self._climb(go, self.pending_rung)
        self.pending_rung[due] = -1
        self.moved = True
        self.start_war_where_due(int(self.events.now_days))

    @property
    def mobilizing(self) -> np.ndarray:
        """Runs with a mobilization under way."""
        return self.pending_rung >= 0

    # ------------------------------------------------------------------ war
    def start_war_where_due(self, day: int) -> np.ndarray:
        """Start war where the rung reached the war rung; adjudicate it. Return the runs that started."""
        starting = (self.rung >= self.war_index) & self.active
        if not starting.any():
            return starting
        self.war_day[starting] = day
        self.active &= ~starting
        self.all_active = False
        self._adjudicate(starting, day)
        return starting

    def _adjudicate(self, starting: np.ndarray, day: int) -> None:
        runs = np.flatnonzero(starting)
        rungs = self.scenario.escalation.rungs
        for rung_index in np.unique(self.rung[runs]):
            selected = runs[self.rung[runs] == rung_index]
            campaign = rungs[rung_index].campaign
            if campaign is None:
                self.war_result[selected] = WAR_RESULTS.index("not_adjudicated")
                continue
            self._fight(selected, int(rung_index), day)

    def _fight(self, runs: np.ndarray, rung_index: int, day: int) -> None:
        scenario, values = self.scenario, self.state.values
        rung = scenario.escalation.rungs[rung_index]
        assert rung.campaign is not None
        table = calculus_table(scenario)
        row = self.state.index
        value = self.parameters.value
        prefix = f"escalation.rungs.{rung.id}.campaign"

        def per_run(path: str, nominal: float) -> np.ndarray:
            return np.broadcast_to(np.asarray(value(path, nominal), dtype=np.float64), (self.state.runs,))[
                runs
            ]

        decisive = per_run(f"{prefix}.decisive_days", rung.campaign.decisive_days)
        adversary = scenario.adversary
        capability = np.array(
            [
                [values[row[f"actors.{a}.capability.{d}"], runs] for d in DOMAINS]
                for a in [*table.allies, adversary]
            ]
        )
        readiness = np.array([values[row[f"actors.{a}.readiness"], runs] for a in [*table.allies, adversary]])
        presence = np.array([values[row[f"actors.{a}.forward_presence"], runs] for a in table.allies])
        reinforcement = np.array(
            [
                per_run(f"actors.{a}.reinforcement_days", scenario.actor(a).reinforcement_days)
                for a in table.allies
            ]
        )
        arrival = presence + (1.0 - presence) * np.minimum(1.0, decisive / np.maximum(reinforcement, 1e-12))
        force = capability[:-1] * readiness[:-1, None] * arrival[:, None]  # (allies, domains, runs)
        attack = capability[-1] * readiness[-1]  # (domains, runs)
        fundamental = self.credibility.fundamental()[:, runs] if self.credibility.keys else None
        key_row = {key: k for k, key in enumerate(self.credibility.keys)}
        uniforms = self.random.uniform(
            Stream.ADJUDICATION,
            day,
            len(table.allies) * len(table.targets) + len(DOMAINS) * len(table.targets),
            _ADJUDICATION_SLOTS,
        )[runs]
        join_draws = uniforms[:, : len(table.allies) * len(table.targets)].reshape(
            -1, len(table.allies), len(table.targets)
        )
        shocks = special.ndtri(uniforms[:, len(table.allies) * len(table.targets) :]).reshape(
            -1, len(table.targets), len(DOMAINS)
        )
        weights = np.array(rung.campaign.domain_weights())
        ratio = np.array(
            [per_run(f"{prefix}.{field}", nominal) for field, nominal in rung.campaign.force_ratio_fields()]
        )  # (domains, runs)
        ladder = scenario.escalation
        sigma = per_run("escalation.battle_uncertainty_sigma", ladder.battle_uncertainty_sigma)
        attrition = per_run("escalation.attrition_per_day", ladder.attrition_per_day)
        breakpoint = per_run("escalation.breakpoint", ladder.breakpoint)
        wins = np.zeros(runs.size)
        duration = np.zeros(runs.size)
        adversary_losses = np.zeros(runs.size)
        allied_losses = np.zeros(runs.size)
        joined = np.zeros(runs.size, dtype=np.int64)
        for p, target in enumerate(table.targets):
            probability = np.zeros((len(table.allies), runs.size))
            for a, ally in enumerate(table.allies):
                if ally == target:
                    probability[a] = 1.0
                elif fundamental is not None and f"{ally}-{target}" in key_row:
                    probability[a] = fundamental[key_row[f"{ally}-{target}"]]
            joins = probability > join_draws[:, :, p].T  # (allies, runs)
            joined += joins.sum(axis=0) - np.array([ally == target for ally in table.allies]).sum()
            defended = np.add.reduce(joins[:, None, :] * force, axis=0)  # (domains, runs)
            outcome = adjudicate(
                attack,
                defended,
                weights,
                force_ratio_needed=ratio,
                sigma=sigma,
                attrition_per_day=attrition,
                breakpoint=breakpoint,
                shocks=shocks[:, p].T,
            )
            w = float(table.target_weights[p, 0])
            wins += w * outcome.adversary_wins
            duration = np.maximum(duration, outcome.duration_days)
            adversary_losses += w * outcome.adversary_losses
            allied_losses += w * outcome.allied_losses
        self.war_result[runs] = np.where(wins > 0.5, 2, 1)
        self.war_duration_days[runs] = duration
        self.war_losses_adversary[runs] = adversary_losses
        self.war_losses_allied[runs] = allied_losses
        self.allies_joined[runs] = joined

    # ------------------------------------------------------------------ score and records
    def score_decision(self, stepped_down: np.ndarray) -> None:
        """Score the adversary's posture on a decision day (see the module docstring)."""
        posture = np.where(self.active, self.rung_weights[self.rung], _VIOLENT)
        step_down = stepped_down & self.active
        self.escalation_score += np.where(step_down, _DE_ESCALATION, posture)
        # The rate: the posture held weighs the weeks it covers; a step down is one event, like a response.
        self.posture_score_days += posture * (self._interval / _WEEK_DAYS) + step_down * _DE_ESCALATION

    def score_response(self, weight: int, runs: np.ndarray) -> None:
        """Score an allied response taken in ``runs``."""
        self.escalation_score += weight * runs
        self.posture_score_days += weight * runs

    def end_day(self, day: int) -> None:
        """Record the day's rung (ahead to the horizon: later days are overwritten when it moves again)."""
        if self.moved:
            np.maximum(self.max_rung, self.rung, out=self.max_rung)
            self.rung_by_day[:, day:] = self.rung[:, None]
        self.moved = False
