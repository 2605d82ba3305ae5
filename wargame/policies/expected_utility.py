"""The adversary's default policy: a noisy expected-utility (logit) choice of escalation rung."""

from __future__ import annotations

import numpy as np

from wargame.model.deterrence import allied_deterrent_terms, rung_utilities
from wargame.policies.base import NO_ACTION, Observation, PolicyDraws
from wargame.scenario import Scenario

__all__ = ["ExpectedUtilityPolicy"]


class ExpectedUtilityPolicy:
    """Chooses the rung with the highest expected utility under noisy perception.

    Each allied term of the deterrent ``D`` is perceived with a log-normal error made of a bias fixed for
    the run and a fresh error each decision; the choice is a logit (quantal response) over rung utilities::

        D_hat  = sum_a term_a * exp(sigma_b * z_a + sigma_n * e_a - (sigma_b**2 + sigma_n**2) / 2)
        choice = argmax_r ( EU_r(D_hat) / temperature + Gumbel_r )   over allowed rungs

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
        """Return ``D_hat`` per run."""
        terms = allied_deterrent_terms(self.scenario, observation.quantities).T  # (runs, allies)
        allies = terms.shape[1]
        bias, noise = self.perception_bias_sigma, self.perception_noise_sigma
        log_error = bias * draws.persistent_normal(allies) + noise * draws.normal(allies)
        log_error -= (bias**2 + noise**2) / 2.0
        return (terms * np.exp(log_error)).sum(axis=1)

    def decide(self, observation: Observation, draws: PolicyDraws) -> np.ndarray:
        utilities = rung_utilities(
            self.scenario, self.perceived_deterrent(observation, draws), observation.quantities
        )
        gumbel = -np.log(-np.log(draws.uniform(utilities.shape[1])))
        score = np.where(observation.allowed, utilities / self.decision_temperature + gumbel, -np.inf)
        choice = np.argmax(score, axis=1).astype(np.int64)
        choice[~observation.allowed.any(axis=1)] = NO_ACTION
        return choice
