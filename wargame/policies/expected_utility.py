"""The adversary's default policy: a noisy expected-utility (logit) choice of escalation rung."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wargame.core.deterrence import rung_utilities
from wargame.core.policy import NO_ACTION, Observation, PolicyDraws
from wargame.scenario import Scenario

__all__ = ["ExpectedUtilityPolicy"]

_DEFAULTS = {"decision_temperature": 0.05, "review_days": 14.0}


@dataclass(eq=False, repr=False)
class ExpectedUtilityPolicy:
    """Chooses the rung with the highest expected utility, as the adversary perceives it.

    The utilities are those of :mod:`wargame.core.deterrence` (punishment and denial) on the observation's
    quantities, which for the adversary are its own true values and its beliefs of the allies'
    (:mod:`wargame.model.beliefs`). At a decision the adversary reviews its posture with probability
    ``1 - exp(-interval / review_days)`` (a Poisson review hazard, so how often it moves does not depend on
    the decision cadence) and otherwise keeps it; while a mobilization of its own runs it does not review
    (it decides when the mobilization completes). When it reviews, it aims at a rung by a logit (quantal
    response) choice over the whole ladder and climbs towards it, at most to the highest allowed rung (any
    rung below, the current one, or ``max_rungs_up_per_decision`` above; Kahn 1965: one rung at a time)::

        aim    = argmax_r ( EU_r / temperature + Gumbel_r )
        choice = min(aim, current + max_rungs_up_per_decision)

    When a mobilization completes (``observation.confirming``) it always chooses, between going ahead and
    staying where it is. Each decision draws ``R + 1`` uniforms from its stream: ``Gumbel_r = -log(-log u_r)``
    and the review draw.

    Args:
        scenario: The scenario (rungs, actors, commitments, the decision interval).
        decision_temperature: Logit temperature in utility units; None: the scenario's (per run where it is
            an uncertain input).
        review_days: Mean days between reviews of its posture; None: the scenario's, likewise.
    """

    scenario: Scenario
    decision_temperature: float | None = None
    review_days: float | None = None

    def _setting(self, observation: Observation, name: str, given: float | None) -> float | np.ndarray:
        """Return a setting given to the constructor, else the scenario's (per run where it is uncertain)."""
        if given is not None:
            return given
        adversary = self.scenario.actor(self.scenario.adversary)
        nominal = getattr(adversary.policy, name) if adversary.policy is not None else _DEFAULTS[name]
        return observation.parameters.value(f"actors.{adversary.id}.policy.{name}", nominal)

    def utilities(self, observation: Observation) -> np.ndarray:
        """Return the expected utility of every rung per run, ``(runs, rungs)``, as the adversary sees it."""
        return rung_utilities(self.scenario, None, observation.quantities, observation.parameters)

    def _review_probability(self, observation: Observation) -> np.ndarray:
        """Return the probability that the adversary reviews its posture now, per run."""
        runs = observation.runs
        if observation.confirming:
            return np.ones(runs)
        review_days = self._setting(observation, "review_days", self.review_days)
        probability = -np.expm1(-self.scenario.decision_interval_days / np.asarray(review_days)) * np.ones(
            runs
        )
        if observation.mobilizing is not None:
            probability[observation.mobilizing] = 0.0
        return probability

    def _aim_scores(self, observation: Observation) -> np.ndarray:
        """Return ``EU_r / t`` per run and rung: over every rung when choosing a posture to aim at, over the
        allowed ones only when confirming a mobilization."""
        temperature = self._setting(observation, "decision_temperature", self.decision_temperature)
        score = self.utilities(observation) / np.reshape(temperature, (-1, 1))
        return np.where(observation.allowed, score, -np.inf) if observation.confirming else score

    @staticmethod
    def _ceiling(allowed: np.ndarray) -> np.ndarray:
        """Return the highest allowed rung per run (-1 where none is allowed)."""
        rungs = allowed.shape[1]
        return np.where(
            np.logical_or.reduce(allowed, axis=1), rungs - 1 - allowed[:, ::-1].argmax(axis=1), -1
        )

    def choice_probabilities(self, observation: Observation) -> np.ndarray:
        """Return the probability of each choice per run, ``(runs, rungs + 1)``, ``NO_ACTION`` last.

        The decision reviews with probability ``p``; it then aims at rung ``r`` with the logit probability
        ``exp(EU_r / t) / sum exp(EU / t)`` and moves to ``min(r, ceiling)``; without a review it takes no
        action.
        """
        allowed = observation.allowed
        score = self._aim_scores(observation)
        finite = np.where(np.isfinite(score), score, -np.inf)
        peak = np.max(np.where(np.isfinite(finite), finite, -np.inf), axis=1, keepdims=True)
        peak = np.where(np.isfinite(peak), peak, 0.0)
        aim = np.exp(finite - peak)
        aim /= np.maximum(aim.sum(axis=1, keepdims=True), 1e-300)
        ceiling = self._ceiling(allowed)
        rungs = allowed.shape[1]
        move = np.where(np.arange(rungs) < ceiling[:, None], aim, 0.0)
        above = np.where(np.arange(rungs) >= ceiling[:, None], aim, 0.0).sum(axis=1)
        has = ceiling >= 0
        move[np.flatnonzero(has), ceiling[has]] += above[has]
        move = np.where(allowed, move, 0.0)
        review = self._review_probability(observation) * has
        probabilities = np.empty((observation.runs, rungs + 1))
        probabilities[:, :-1] = review[:, None] * move
        probabilities[:, -1] = 1.0 - review
        return probabilities

    def decide(self, observation: Observation, draws: PolicyDraws) -> np.ndarray:
        allowed = observation.allowed
        rungs = allowed.shape[1]
        ceiling = self._ceiling(allowed)
        if not (ceiling >= 0).any():
            return np.full(observation.runs, NO_ACTION, dtype=np.int64)
        uniforms = draws.uniform(rungs + 1)
        # The rung it aims at: argmax of EU / t plus Gumbel noise -log(-log u), subtracted as log(-log u).
        score = self._aim_scores(observation)
        score -= np.log(-np.log(uniforms[:, :rungs]))
        aim = score.argmax(axis=1)
        choice = np.minimum(aim, ceiling).astype(np.int64)  # climbs towards it at most to the ceiling
        choice[(ceiling < 0) | ~allowed[np.arange(observation.runs), np.maximum(choice, 0)]] = NO_ACTION
        # A mobilization under way is decided when it completes (no review meanwhile).
        choice[uniforms[:, rungs] >= self._review_probability(observation)] = NO_ACTION
        return choice
