"""The slow daily dynamics of the state: cooperation programs, recovery, alliance cohesion, credibility.

Equations (``docs/model.md``), per run and day, all from the start-of-day state:

* **Programs** move a quantity and its baseline towards the target, only in the program's direction (the
  sign of ``target - q_0``), so a program never pulls a quantity back from beyond its target::

      dq = sum_e r_e * gap_e,   r_e = intensity_e / 365 * gain_per_exchange_e,
      gap_e = max(target_e - q, 0) if target_e >= q_0 else min(target_e - q, 0)

* **Modernization**: every capability index of an actor with ``capability_growth_per_year = g`` and its
  baseline grow by the factor ``(1 + g) ** (1 / 365)`` a day (capped at 1), so the balance of power shifts
  over a long horizon (Organski 1958, power transition; the PLA's budget has grown about 7% a year).
* **Recovery**: ``resolve += resolve_recovery_per_day * (baseline - resolve)``, same for readiness.
* **Fluctuation**: resolve also takes a daily shock ``s sqrt(1 - (1 - k)**2) e``, ``e ~ N(0, 1)``, with
  ``k = resolve_recovery_per_day`` and ``s = resolve_fluctuation_sd``: with recovery it is an
  Ornstein-Uhlenbeck process (in discrete time, AR(1)) whose stationary sd around the baseline is ``s``, so
  the risk of war does not run out once the first months have passed.
* **Cohesion**: for each commitment ``a -> p``, ``resolve_a += resolve_coupling_per_day * (resolve_p -
  resolve_a)``: a patron's will follows its protégé's (Huth 1988: defender-protégé ties).
* **Credibility** of a commitment ``a -> p`` is the adversary's belief that ``a`` fights for ``p``. Its
  log-odds ``l`` relax towards a fundamental that follows the patron's current interests and power
  (Press 2005)::

      l* = logit(baseline credibility) + ln(resolve_a / resolve_a(0)) + ln(strength_a / strength_a(0))
      l += (1 - 2 ** (-1 / h)) * (l* - l),     h = credibility_half_life_days

  so a signal's boost (see :mod:`wargame.model.responses`) fades with half-life ``h`` (the adversary's
  misjudgment of it is kept apart, in :mod:`wargame.model.beliefs`), and credibility falls when the
  patron's resolve or strength does. ``sigmoid(l*)``
  is also the probability that the patron really fights when war comes.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from wargame.core.parameters import RunParameters, per_run_rows
from wargame.core.random_streams import EnsembleRandom, Stream
from wargame.model.state import EnsembleState
from wargame.scenario import DOMAINS, Scenario

__all__ = ["StateDynamics"]

_EPSILON = 1e-6


def logit(p: np.ndarray) -> np.ndarray:
    """Return ``log(p / (1 - p))`` with ``p`` kept inside ``[1e-6, 1 - 1e-6]``."""
    return special.logit(np.clip(p, _EPSILON, 1.0 - _EPSILON))


class StateDynamics:
    """Applies the slow daily dynamics to an ensemble's state.

    Args:
        scenario: Programs, actors and commitments.
        state: The ensemble's quantities (changed in place).
        parameters: Per-run values of uncertain inputs.
        program_intensity_per_year: ``(programs, runs)`` exchanges a year of each program (read each day,
            so a session can change it).
        random: The ensemble's random streams (resolve shocks, stream ``RESOLVE_SHOCK``).
    """

    def __init__(
        self,
        scenario: Scenario,
        state: EnsembleState,
        parameters: RunParameters,
        program_intensity_per_year: np.ndarray,
        random: EnsembleRandom | None = None,
    ) -> None:
        self.state = state
        self.program_intensity_per_year = program_intensity_per_year
        row = state.index
        value = parameters.value
        effects = [
            (p, k, program, effect)
            for p, program in enumerate(scenario.programs)
            for k, effect in enumerate(program.effects)
        ]
        self._effect_program = np.array([p for p, *_ in effects], dtype=np.intp)
        effect_rows = [row[effect.quantity] for *_, effect in effects]
        self._affected_rows = np.array(sorted(set(effect_rows)), dtype=np.intp)
        self._incidence = np.zeros((self._affected_rows.size, len(effects)))
        for e, r in enumerate(effect_rows):
            self._incidence[list(self._affected_rows).index(r), e] = 1.0
        self._effect_row = np.array(effect_rows, dtype=np.intp)
        prefix = [f"programs.{program.id}.effects.{k}" for _, k, program, _ in effects]
        self._target = per_run_rows(
            [value(f"{p}.target", e.target) for p, (*_, e) in zip(prefix, effects, strict=True)]
        )
        self._gain = per_run_rows(
            [
                value(f"{p}.gain_per_exchange", e.gain_per_exchange)
                for p, (*_, e) in zip(prefix, effects, strict=True)
            ]
        )
        # The program's direction in each run: towards a target above (+1) or below (-1) the start value.
        start = state.values[self._effect_row] if effects else np.zeros((0, state.runs))
        self._raises = self._target >= start

        recovery = np.zeros((len(state.paths), 1))
        per_run_recovery = {}
        for actor in scenario.actors:
            for name in ("resolve", "readiness"):
                field = f"{name}_recovery_per_day"
                rate = value(f"actors.{actor.id}.{field}", getattr(actor, field))
                if np.ndim(rate):
                    per_run_recovery[row[f"actors.{actor.id}.{name}"]] = rate
                else:
                    recovery[row[f"actors.{actor.id}.{name}"]] = rate
        if per_run_recovery:
            recovery = np.repeat(recovery, state.runs, axis=1)
            for r, rate in per_run_recovery.items():
                recovery[r] = rate
        self._recovery = recovery if recovery.any() else None

        coupled = [
            (c, value(f"commitments.{c.key}.resolve_coupling_per_day", c.resolve_coupling_per_day))
            for c in scenario.commitments
        ]
        coupled = [(c, k) for c, k in coupled if np.any(k)]
        self._coupled_patron = np.array(
            [row[f"actors.{c.from_actor}.resolve"] for c, _ in coupled], dtype=np.intp
        )
        self._coupled_protege = np.array(
            [row[f"actors.{c.to_actor}.resolve"] for c, _ in coupled], dtype=np.intp
        )
        self._coupling = per_run_rows([k for _, k in coupled])

        growing: list[tuple[int, np.ndarray]] = []
        for actor in scenario.actors:
            growth = parameters.value(
                f"actors.{actor.id}.capability_growth_per_year", actor.capability_growth_per_year
            )
            if np.any(growth):
                daily = np.power(1.0 + np.asarray(growth, dtype=np.float64), 1.0 / 365.0)
                growing.extend((row[f"actors.{actor.id}.capability.{d}"], daily) for d in DOMAINS)
        self._growing_rows = np.array([r for r, _ in growing], dtype=np.intp)
        self._growth_factor = per_run_rows([f for _, f in growing])  # (growing rows, n)

        self.credibility = CredibilityFundamentals(scenario, state, parameters)
        shocks = []
        for actor in scenario.actors:
            spread = parameters.value(
                f"actors.{actor.id}.resolve_fluctuation_sd", actor.resolve_fluctuation_sd
            )
            if np.any(spread):
                keep = 1.0 - np.asarray(
                    parameters.value(
                        f"actors.{actor.id}.resolve_recovery_per_day", actor.resolve_recovery_per_day
                    )
                )
                shocks.append((row[f"actors.{actor.id}.resolve"], spread * np.sqrt(1.0 - keep**2)))
        self._shocked_rows = np.array([r for r, _ in shocks], dtype=np.intp)
        self._shock_sd = per_run_rows([sd for _, sd in shocks])  # (shocked, n)
        self._random = random

    def step(self, day: int) -> None:
        """Advance the state by one day."""
        self._programs()
        state = self.state
        values = state.values
        if self._growing_rows.size:
            grown = state.levels[:, self._growing_rows] * self._growth_factor
            state.levels[:, self._growing_rows] = np.minimum(grown, state.high[self._growing_rows])
        if self._recovery is not None:
            values += self._recovery * (state.baseline - values)
        if self._shocked_rows.size and self._random is not None:
            shocks = self._random.normal(Stream.RESOLVE_SHOCK, day, self._shocked_rows.size).T
            values[self._shocked_rows] += self._shock_sd * shocks
        if self._coupling.size:
            gap = values[self._coupled_protege] - values[self._coupled_patron]
            np.add.at(values, self._coupled_patron, self._coupling * gap)
        self.credibility.relax()
        np.minimum(values, state.high, out=values)
        np.maximum(values, state.low, out=values)

    def _programs(self) -> None:
        if not self._effect_row.size:
            return
        levels = self.state.levels  # values and baselines alike
        rate = self.program_intensity_per_year[self._effect_program] / 365.0 * self._gain
        gap = self._target - levels[:, self._effect_row]  # (2, effects, runs)
        gap = np.where(self._raises, np.maximum(gap, 0.0), np.minimum(gap, 0.0))
        gap *= rate
        levels[:, self._affected_rows] += np.einsum("ue,ber->bur", self._incidence, gap)


class CredibilityFundamentals:
    """Credibility beliefs relaxing towards their fundamentals (see the module docstring).

    Args:
        scenario: Commitments, and the adversary's ``credibility_half_life_days``.
        state: The ensemble's quantities; the credibility rows are the beliefs.
        parameters: Per-run values of uncertain inputs.
    """

    def __init__(self, scenario: Scenario, state: EnsembleState, parameters: RunParameters) -> None:
        self.state = state
        row = state.index
        commitments = scenario.commitments
        self.keys = [c.key for c in commitments]
        self._rows = np.array([row[f"commitments.{c.key}.credibility"] for c in commitments], dtype=np.intp)
        patrons = [c.from_actor for c in commitments]
        self._resolve_rows = np.array([row[f"actors.{a}.resolve"] for a in patrons], dtype=np.intp)
        self._readiness_rows = np.array([row[f"actors.{a}.readiness"] for a in patrons], dtype=np.intp)
        self._capability_rows = np.array(
            [[row[f"actors.{a}.capability.{d}"] for d in DOMAINS] for a in patrons], dtype=np.intp
        ).reshape(len(patrons), len(DOMAINS))
        adversary = scenario.actor(scenario.adversary)
        spec = adversary.policy
        nominal_half_life = spec.credibility_half_life_days if spec is not None else 90.0
        half_life = parameters.value(
            f"actors.{adversary.id}.policy.credibility_half_life_days", nominal_half_life
        )
        self._relaxation = 1.0 - 2.0 ** (-1.0 / np.asarray(half_life, dtype=np.float64))
        self._start_resolve = state.values[self._resolve_rows].copy()
        self._start_strength = self._strength()

    def _strength(self) -> np.ndarray:
        values = self.state.values
        capability = values[self._capability_rows].mean(axis=1)
        return values[self._readiness_rows] * capability

    def fundamental_log_odds(self) -> np.ndarray:
        """Return ``l*`` per commitment and run, ``(commitments, runs)``."""
        values = self.state.values
        with np.errstate(divide="ignore"):
            interest = np.log(
                np.maximum(values[self._resolve_rows], _EPSILON) / np.maximum(self._start_resolve, _EPSILON)
            )
            power = np.log(
                np.maximum(self._strength(), _EPSILON) / np.maximum(self._start_strength, _EPSILON)
            )
        return logit(self.state.baseline[self._rows]) + interest + power

    def fundamental(self) -> np.ndarray:
        """Return ``sigmoid(l*)``: the probability each patron really fights, ``(commitments, runs)``."""
        return special.expit(self.fundamental_log_odds())

    def relax(self) -> None:
        """Move every credibility belief one day towards its fundamental."""
        if not self._rows.size:
            return
        values = self.state.values
        log_odds = logit(values[self._rows])
        log_odds += self._relaxation * (self.fundamental_log_odds() - log_odds)
        values[self._rows] = special.expit(log_odds)

    def signal(
        self, commitment_rows: np.ndarray, log_likelihood_ratio: float | np.ndarray, runs: np.ndarray
    ) -> None:
        """Raise the beliefs of ``commitment_rows`` by a signal's log-likelihood ratio in ``runs``."""
        values = self.state.values
        for r in commitment_rows:
            shifted = special.expit(logit(values[r]) + log_likelihood_ratio)
            values[r] = np.where(runs, shifted, values[r])
