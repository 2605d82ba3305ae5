"""The adversary's picture of the allies: beliefs it learns from what it observes.

The adversary decides on its own true quantities and on beliefs of the allied ones (capability by domain,
readiness, resolve, forward presence) and of every commitment's credibility (the credibility quantities
*are* its beliefs, see :mod:`wargame.model.dynamics`). Equations (``docs/model.md``), per run, on the
logit scale ``x = logit(q)`` of each allied quantity ``q``:

    b(0)   = x(0) + sigma_b z,                      z ~ N(0, 1) per quantity: the initial misjudgment
    b     += s (x - x_last)                         at each update: the changes it sees
    b     += K (x + e - b),                         e ~ N(0, sigma_n**2 * 7 / dt)
    K      = 1 - exp(-dt * s / learning_days)

with ``dt`` the days since the last update, ``x_last`` the true value then, and ``s`` the adversary's ISR
detection probability for the material quantities (capability, readiness, forward presence; its own sensors
set how much of a change it sees and how fast it learns the level) or 1 for resolve (a political quantity
learnt from public behaviour). A visible change (a mobilization of reserves, a deployment) moves the belief
at once by the share ``s`` that its sensors see; the level is learnt by a Kalman filter in its steady state
(exponential smoothing): the misjudgment decays with time constant ``learning_days / s`` and a fresh
observation error keeps the belief noisy; the noise variance scales with ``1 / dt`` so that the belief's
spread does not depend on the decision cadence. The credibility beliefs start misjudged the same way,
``logit(c(0)) + sigma_b z``.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from wargame.core.deterrence import ROWS_PER_ACTOR, calculus_table
from wargame.core.parameters import RunParameters
from wargame.core.random_streams import EnsembleRandom, Stream
from wargame.model.dynamics import logit
from wargame.model.state import EnsembleState, QuantityView
from wargame.scenario import Scenario

__all__ = ["AdversaryBeliefs"]

_REFERENCE_CADENCE_DAYS = 7.0


class AdversaryBeliefs:
    """The adversary's beliefs of the allied quantities, and the view it decides on.

    Args:
        scenario: The scenario (which quantities are allied; the adversary's perception parameters).
        state: The ensemble's true quantities.
        random: The ensemble's random streams (misjudgments from ``PERCEPTION_BIAS``, observation errors
            from ``BELIEF_NOISE``).
        parameters: Per-run values of uncertain inputs.
    """

    def __init__(
        self, scenario: Scenario, state: EnsembleState, random: EnsembleRandom, parameters: RunParameters
    ) -> None:
        self.state = state
        self.random = random
        adversary = scenario.actor(scenario.adversary)
        spec = adversary.policy
        prefix = f"actors.{adversary.id}.policy"

        def setting(name: str, default: float) -> np.ndarray:
            nominal = getattr(spec, name) if spec is not None else default
            return np.asarray(parameters.value(f"{prefix}.{name}", nominal), dtype=np.float64)

        self.bias_sigma = setting("perception_bias_sigma", 0.2)
        self.noise_sigma = setting("perception_noise_sigma", 0.2)
        self.learning_days = setting("learning_days", 60.0)
        table = calculus_table(scenario)
        allied_paths = table.paths[: ROWS_PER_ACTOR * len(table.allies)]
        row = state.index
        self._rows = np.array([row[path] for path in allied_paths], dtype=np.intp)
        self._political = np.array([path.endswith(".resolve") for path in allied_paths])[:, None]
        self._isr_row = row[f"actors.{adversary.id}.isr_detection_probability"]
        self._credibility_rows = np.array(
            [row[f"commitments.{c.key}.credibility"] for c in scenario.commitments], dtype=np.intp
        )
        self.perceived = state.values.copy()
        self._view = QuantityView.over(self.perceived, state.paths, hidden_prefix=None)
        misjudgment = random.standing_normal(
            Stream.PERCEPTION_BIAS, self._rows.size + self._credibility_rows.size
        )
        misjudgment = misjudgment.T * self.bias_sigma  # (rows, runs)
        self._last_truth = logit(state.values[self._rows])
        self.belief = self._last_truth + misjudgment[: self._rows.size]
        if self._credibility_rows.size:
            values = state.values
            values[self._credibility_rows] = special.expit(
                logit(values[self._credibility_rows]) + misjudgment[self._rows.size :]
            )
        self._last_update_day = np.zeros(state.runs, dtype=np.int64)

    def update(self, day: int, runs: np.ndarray | None = None) -> None:
        """Learn from the observations made since each run's last update (at each of its adversary's
        decisions); ``runs`` (a mask) limits the update to the runs deciding now (default: all)."""
        elapsed = day - self._last_update_day
        learning = elapsed > 0 if runs is None else (elapsed > 0) & runs
        if not learning.any():
            return
        self._last_update_day = np.where(learning, day, self._last_update_day)
        elapsed = np.where(learning, elapsed, 1)
        values = self.state.values
        seen = np.where(self._political, 1.0, values[self._isr_row])
        gain = -np.expm1(-seen * (elapsed / self.learning_days)) * learning
        noise = self.random.normal(Stream.BELIEF_NOISE, day, self._rows.size).T
        noise *= self.noise_sigma * np.sqrt(_REFERENCE_CADENCE_DAYS / elapsed)
        truth = logit(values[self._rows])
        self.belief += (seen * learning) * (truth - self._last_truth)
        self._last_truth = np.where(learning, truth, self._last_truth)
        self.belief += gain * (truth + noise - self.belief)

    def view(self) -> QuantityView:
        """Return what the adversary decides on: its beliefs of the allied quantities, true values otherwise.

        The view is live until the next call (it is refreshed from the state here).
        """
        np.copyto(self.perceived, self.state.values)
        self.perceived[self._rows] = special.expit(self.belief)
        return self._view

    def misjudgment(self) -> np.ndarray:
        """Return the belief's error on the logit scale, ``(allied quantities, runs)``."""
        return self.belief - logit(self.state.values[self._rows])
