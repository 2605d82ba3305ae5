"""The adversary's default policy: a noisy expected-utility (logit) choice of escalation rung."""

from __future__ import annotations

import numpy as np
from scipy import special

from wargame.core.deterrence import deterrence_inputs, ladder_of, ladder_utilities
from wargame.core.policy import NO_ACTION, Observation, PolicyDraws
from wargame.scenario import Scenario

__all__ = ["ExpectedUtilityPolicy"]


class ExpectedUtilityPolicy:
    """Chooses the rung with the highest expected utility under noisy perception.

    Each allied term of the deterrent ``D`` is perceived with a log-normal error made of a bias fixed for
    the run and a fresh error each decision; the choice is a logit (quantal response) over rung utilities::

        D_hat  = sum_a term_a * exp(sigma_b * z_a + sigma_n * e_a - (sigma_b**2 + sigma_n**2) / 2)
        choice = argmax_r ( EU_r(D_hat) / temperature + Gumbel_r )   over allowed rungs

    Each decision draws ``R + allies`` uniforms from the policy stream: ``Gumbel_r = -log(-log u_r)`` and
    ``e_a = ndtri(u_{R + a})``; ``z_a`` is a standing normal drawn once per run.

    Args:
        scenario: The scenario (rungs, actors, commitments).
        perception_noise_sigma: ``sigma_n``, per-decision log-normal error.
        perception_bias_sigma: ``sigma_b``, per-run standing misperception.
        decision_temperature: Logit temperature in utility units.
    """

    def __init__(
        self,
        scenario: Scenario,
        perception_noise_sigma: float = 0.2,
        perception_bias_sigma: float = 0.2,
        decision_temperature: float = 0.05,
    ) -> None:
        self.scenario = scenario
        self.perception_noise_sigma = perception_noise_sigma
        self.perception_bias_sigma = perception_bias_sigma
        self.decision_temperature = decision_temperature

    def perceived_deterrent(self, observation: Observation, draws: PolicyDraws) -> np.ndarray:
        """Return ``D_hat`` per run (the one :meth:`decide` uses with the same draws)."""
        rungs = observation.allowed.shape[1]
        terms = deterrence_inputs(self.scenario, observation.quantities)[0]
        return self._perceive(terms, draws, draws.uniform(rungs + terms.shape[0])[:, rungs:])

    def _perceive(self, terms: np.ndarray, draws: PolicyDraws, noise_uniforms: np.ndarray) -> np.ndarray:
        """Return ``D_hat`` from the allied terms ``(allies, runs)`` and one uniform per run and ally."""
        bias, noise = self.perception_bias_sigma, self.perception_noise_sigma
        log_error = bias * draws.persistent_normal(terms.shape[0]) + noise * special.ndtri(noise_uniforms)
        log_error -= (bias**2 + noise**2) / 2.0
        return np.add.reduce(terms.T * np.exp(log_error), axis=1)

    def decide(self, observation: Observation, draws: PolicyDraws) -> np.ndarray:
        rungs = observation.allowed.shape[1]
        terms, adversary_strength, adversary_resolve = deterrence_inputs(
            self.scenario, observation.quantities
        )
        # One draw per decision: the first `rungs` uniforms give the Gumbel noise of the logit choice, the
        # rest the fresh perception error of each ally.
        uniforms = draws.uniform(rungs + terms.shape[0])
        ladder = ladder_of(self.scenario)
        utilities = ladder_utilities(
            ladder.gains,
            ladder.costs,
            ladder.risks,
            adversary_resolve=adversary_resolve,
            risk_tolerance=ladder.risk_tolerance,
            perceived_deterrent=self._perceive(terms, draws, uniforms[:, rungs:]),
            adversary_strength=adversary_strength,
        )
        # Gumbel noise -log(-log u), subtracted as log(-log u).
        log_of_minus_log = np.log(uniforms[:, :rungs])
        np.negative(log_of_minus_log, out=log_of_minus_log)
        np.log(log_of_minus_log, out=log_of_minus_log)
        score = utilities / self.decision_temperature
        score -= log_of_minus_log
        score = np.where(observation.allowed, score, -np.inf)
        choice = score.argmax(axis=1).astype(np.int64, copy=False)
        some_allowed = np.logical_or.reduce(observation.allowed, axis=1)
        if not np.logical_and.reduce(some_allowed):
            choice[~some_allowed] = NO_ACTION
        return choice
