"""The adversary's picture of the allies: beliefs that track the truth with a misjudgment that persists.

The adversary decides on its own true quantities and on beliefs of the allied ones (capability by domain,
readiness, resolve, forward presence) and of every commitment's credibility. Equations (``docs/model.md``),
per run, on the logit scale ``x = logit(q)`` of each allied quantity ``q``, at each update (the adversary's
decision days), ``dt`` days after the last one::

    b     = x + m + n                               what it decides on
    m    += (s - 1) (x - x_last)                    it sees only the share s of a visible change
    m     = a m + sqrt(1 - a**2) sigma_b z,         a = exp(-dt s / learning_days),  z ~ N(0, 1)
    n     = sigma_n z',                             z' ~ N(0, 1), fresh at every update
    m(0)  = sigma_b z_0

``m`` is its persistent misjudgment: an Ornstein-Uhlenbeck process (Jervis 1976: misperceptions are
stable but not permanent) with stationary sd ``sigma_b`` that it revises at the speed of its sensors (``s``
is its ISR detection probability for the material quantities, 1 for resolve, a political quantity learnt
from public behaviour). Sampled at any dates the process is exact, so its spread does not depend on the
decision cadence, and it starts in its stationary law, so the chance of misjudging the allies badly enough
to strike is the same in the third year as in the first (a steady hazard, not a transient). ``n`` is the
noise of one look, independent between updates. The credibility beliefs carry a misjudgment of their own,
``logit(c) + m_c``, with the same law and the half-life ``h`` of credibility as its time scale
(``a = 2 ** (-dt / h)``); ``c`` itself moves with signals and relaxes to its fundamental
(:mod:`wargame.model.dynamics`).
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


class AdversaryBeliefs:
    """The adversary's beliefs of the allied quantities, and the view it decides on.

    Args:
        scenario: The scenario (which quantities are allied; the adversary's perception parameters).
        state: The ensemble's true quantities.
        random: The ensemble's random streams (the initial misjudgment from ``PERCEPTION_BIAS``, its
            revisions and each look's noise from ``BELIEF_NOISE``).
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
        self.credibility_half_life_days = setting("credibility_half_life_days", 90.0)
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
        quantities = self._rows.size + self._credibility_rows.size
        start = random.standing_normal(Stream.PERCEPTION_BIAS, quantities)
        self.persistent = start.T * self.bias_sigma  # (quantities, runs): m, then m_c
        self.noise = np.zeros_like(self.persistent[: self._rows.size])  # n of the last look
        self._last_truth = logit(state.values[self._rows])
        self._last_update_day = np.zeros(state.runs, dtype=np.int64)

    def update(self, day: int, runs: np.ndarray | None = None) -> None:
        """Look again at the allies (at each of the adversary's decisions); ``runs`` (a mask) limits the
        update to the runs deciding now (default: all)."""
        elapsed = day - self._last_update_day
        looking = elapsed > 0 if runs is None else (elapsed > 0) & runs
        if not looking.any():
            return
        self._last_update_day = np.where(looking, day, self._last_update_day)
        elapsed = np.where(looking, elapsed, 0)
        values = self.state.values
        seen = np.where(self._political, 1.0, values[self._isr_row])
        truth = logit(values[self._rows])
        material = self._rows.size
        persistent = self.persistent
        persistent[:material] += (seen - 1.0) * (truth - self._last_truth) * looking
        self._last_truth = np.where(looking, truth, self._last_truth)
        kept = np.empty_like(persistent)
        kept[:material] = np.exp(-seen * (elapsed / self.learning_days))
        kept[material:] = np.exp2(-elapsed / self.credibility_half_life_days)
        shocks = self.random.normal(Stream.BELIEF_NOISE, day, persistent.shape[0] + material).T
        persistent *= kept
        persistent += np.sqrt(1.0 - kept**2) * self.bias_sigma * shocks[: persistent.shape[0]]
        self.noise = np.where(looking, self.noise_sigma * shocks[persistent.shape[0] :], self.noise)

    def view(self) -> QuantityView:
        """Return what the adversary decides on: its beliefs of the allied quantities and commitments, true
        values otherwise.

        The view is live until the next call (it is refreshed from the state here).
        """
        values = self.state.values
        np.copyto(self.perceived, values)
        material = self._rows.size
        self.perceived[self._rows] = special.expit(
            logit(values[self._rows]) + self.persistent[:material] + self.noise
        )
        if self._credibility_rows.size:
            self.perceived[self._credibility_rows] = special.expit(
                logit(values[self._credibility_rows]) + self.persistent[material:]
            )
        return self._view

    def misjudgment(self) -> np.ndarray:
        """Return the belief's error on the logit scale, ``(allied quantities, runs)``: ``m + n``."""
        return self.persistent[: self._rows.size] + self.noise
