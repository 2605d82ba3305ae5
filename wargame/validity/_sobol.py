"""Total Sobol indices of P(war) over a scenario's uncertain inputs, on common random numbers.

Saltelli's design (SALib, ``calc_second_order=False``: ``N (D + 2)`` points for ``D`` inputs) is drawn in
the unit cube and mapped through each input's quantile function. Each point's P(war) is the share of war
over the same ``R`` run keys (common random numbers); the points x replications are the runs of ensembles
given per-run field values. SALib estimates the first-order and total indices with bootstrap intervals.

**Monte Carlo noise.** A point's estimate is ``f(x) = P(x) + e(x)``, with ``e`` the noise of ``R`` runs
(variance about ``P (1 - P) / R``). The total index of input ``i`` estimates
``E[Var(f | X~i)] / Var(f)``, and the noise adds ``E[Var(e | X~i)] / Var(f)`` to it: noise inflates every
total index that touches it. It is measured by splitting each point's runs into even and odd keys:
``h = (f_even - f_odd) / 2`` has, at each point, the variance of ``e`` (two independent halves of ``R / 2``
runs), so Jansen's estimator applied to ``h`` gives each input's noise part, ``mean((h_A - h_ABi)**2) / 2 /
Var(f)``. The check (no total index above 0.5) reads the raw index, which noise can only raise; the report
shows the noise part beside it. A dummy input, which the model never reads, has a total index of exactly 0
under common random numbers (its points re-run the same runs): it checks that each column reaches only
its own fields, not the noise, which is what the split measures.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from wargame.scenario import Scenario
from wargame.validity._confirm import (
    CONFIRM_FACTOR,
    EDGE,
    MAX_CONFIRM_ROUNDS,
    MAX_CONFIRMED,
    Confirmation,
    confirmation_design,
    confirmations,
    noise_halves,
)
from wargame.validity._ensemble import CHUNK_RUNS, Ensemble, run_ensembles
from wargame.validity._inputs import SobolInput

__all__ = [
    "DUMMY",
    "MAX_TOTAL_INDEX",
    "SobolResult",
    "analyse_sobol",
    "confirm_in_rounds",
    "run_sobol",
    "sobol_design",
]

MAX_TOTAL_INDEX = 0.5
"""No single input may explain more than this share of the variance of P(war), alone or in interactions."""

DUMMY = "dummy (read by nothing)"
_BOOTSTRAP_STREAM = 1


def _problem(names: Sequence[str]) -> dict[str, Any]:
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def sobol_design(inputs: Sequence[SobolInput], base: int, seed: int) -> np.ndarray:
    """Return Saltelli's design in the unit cube, one column per input and a last one for the dummy.

    Raises:
        ValueError: If ``base`` is not a power of two (Sobol' sequences need one).
    """
    from SALib.sample import sobol

    if base < 2 or base & (base - 1):
        raise ValueError(f"the Sobol base sample must be a power of two, got {base}")
    names = [*(i.name for i in inputs), DUMMY]
    design = sobol.sample(_problem(names), base, calc_second_order=False, scramble=True, seed=seed)
    return np.clip(design, EDGE, 1.0 - EDGE)


@dataclass(frozen=True)
class SobolResult:
    """Sobol indices of P(war) over a design.

    Attributes:
        names: The inputs, the dummy last.
        descriptions: Each input's distribution.
        first, first_conf: First-order indices and the half-widths of their bootstrap intervals.
        total, total_conf: Total indices and the half-widths of their bootstrap intervals.
        noise_total: Each total index's part due to the Monte Carlo noise of a point's P(war).
        noise_share: Share of the variance of the points' P(war) that is Monte Carlo noise.
        base, replications, points: ``N``, ``R`` and ``N (D + 2)``.
        war_range: Lowest, mean and highest P(war) over the points.
        base_variance: Variance of P(war) over the ``2 N`` base points ``A`` and ``B``, which every index
            divides by (no index is defined when it is 0).
        confirmed: The leading total indices estimated again from many pick-freeze pairs
            (:mod:`wargame.validity._confirm`); the check reads these for their inputs.
    """

    names: tuple[str, ...]
    descriptions: tuple[str, ...]
    first: np.ndarray
    first_conf: np.ndarray
    total: np.ndarray
    total_conf: np.ndarray
    noise_total: np.ndarray
    noise_share: float
    base: int
    replications: int
    points: int
    war_range: tuple[float, float, float]
    base_variance: float
    confirmed: tuple[Confirmation, ...] = ()

    @property
    def checked_total(self) -> np.ndarray:
        """The total indices the check reads: the confirmed estimate where there is one."""
        total = np.array(self.total, dtype=np.float64)
        for confirmation in self.confirmed:
            total[confirmation.column] = confirmation.total
        return total

    @property
    def unconfirmed_reaching(self) -> tuple[int, ...]:
        """The inputs not confirmed whose design interval reaches above :data:`MAX_TOTAL_INDEX`, largest
        total index first (the dummy excluded)."""
        if not self.defined:
            return ()
        confirmed = {c.column for c in self.confirmed}
        order = np.argsort(-np.nan_to_num(self.total[:-1], nan=-np.inf), kind="stable")
        return tuple(
            int(c)
            for c in order
            if int(c) not in confirmed and self.total[c] + self.total_conf[c] > MAX_TOTAL_INDEX
        )

    def confirmation(self, column: int) -> Confirmation | None:
        """The confirmation of input ``column``, if it was confirmed."""
        return next((c for c in self.confirmed if c.column == column), None)

    @property
    def constant(self) -> bool:
        """Whether P(war) is the same at every point (no index is defined)."""
        return self.war_range[0] == self.war_range[2]

    @property
    def defined(self) -> bool:
        """Whether the indices are defined: P(war) varies over the base points ``A`` and ``B``."""
        return self.base_variance > 0

    @property
    def largest(self) -> int:
        """Index of the input with the largest total index (the dummy excluded)."""
        return int(np.nanargmax(self.checked_total[:-1])) if len(self.total) > 1 else 0

    @property
    def passed(self) -> bool | None:
        """Whether no input's total index exceeds :data:`MAX_TOTAL_INDEX` (None: not defined)."""
        if not self.defined or len(self.names) < 2:
            return None
        return bool(np.nanmax(self.checked_total[:-1]) <= MAX_TOTAL_INDEX)


def _bootstrap_seed(seed: int) -> int:
    """A nonzero seed for SALib's bootstrap, derived from ``seed`` (SALib ignores a seed of 0 and draws from
    numpy's global generator instead)."""
    derived = np.random.SeedSequence(seed, spawn_key=(_BOOTSTRAP_STREAM,)).generate_state(1, np.uint32)[0]
    return int(derived) or 1


def analyse_sobol(
    names: Sequence[str],
    war: np.ndarray,
    base: int,
    seed: int,
    descriptions: Sequence[str] | None = None,
    num_resamples: int = 500,
) -> SobolResult:
    """Return the Sobol indices of P(war) from per-run war indicators, shape ``(points, replications)``.

    Args:
        names: The design's columns (the dummy last).
        war: 1 for war, 0 for none, per point (design order) and replication (run key).
        base: ``N`` of the design.
        seed: Seed of SALib's bootstrap.
        descriptions: Each input's distribution.
        num_resamples: Bootstrap resamples.
    """
    from SALib.analyze import sobol

    dimensions = len(names)
    f = war.mean(axis=1)
    war_range = (float(f.min()), float(f.mean()), float(f.max()))
    a, b, _, _ = sobol.separate_output_values(f, dimensions, base, False)
    variance = float(np.var(np.concatenate([a, b]), ddof=0))
    if variance == 0:  # P(war) does not vary over A and B: no index is defined
        nan = np.full(dimensions, math.nan)
        indices: Mapping[str, np.ndarray] = {"S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}
        noise_total, noise_share = nan, math.nan
    else:
        indices = sobol.analyze(
            _problem(names),
            f,
            calc_second_order=False,
            num_resamples=num_resamples,
            conf_level=0.95,
            seed=_bootstrap_seed(seed),
        )
        h_a, h_b, h_ab, _ = sobol.separate_output_values(noise_halves(war), dimensions, base, False)
        noise_total = np.mean((h_a[:, None] - h_ab) ** 2, axis=0) / 2.0 / variance
        noise_share = float(np.mean(np.concatenate([h_a, h_b]) ** 2)) / variance
    return SobolResult(
        names=tuple(names),
        descriptions=tuple(descriptions or [""] * dimensions),
        first=np.asarray(indices["S1"]),
        first_conf=np.asarray(indices["S1_conf"]),
        total=np.asarray(indices["ST"]),
        total_conf=np.asarray(indices["ST_conf"]),
        noise_total=noise_total,
        noise_share=noise_share,
        base=base,
        replications=war.shape[1],
        points=war.shape[0],
        war_range=war_range,
        base_variance=variance,
    )


def _point_ensembles(
    scenario: Scenario, inputs: Sequence[SobolInput], design: np.ndarray, keys: np.ndarray
) -> Iterator[Ensemble]:
    replications = keys.size
    points_per_chunk = max(1, CHUNK_RUNS // replications)
    values = [i.ppf(design[:, c]) for c, i in enumerate(inputs)]
    for start in range(0, design.shape[0], points_per_chunk):
        stop = min(start + points_per_chunk, design.shape[0])
        fields: dict[str, np.ndarray] = {}
        for sobol_input, value in zip(inputs, values, strict=True):
            for path, per_point in sobol_input.fields(np.asarray(value[start:stop])).items():
                fields[path] = np.repeat(per_point, replications)
        yield Ensemble(scenario, np.tile(keys, stop - start), fields or None)


def run_sobol(
    scenario: Scenario,
    inputs: Sequence[SobolInput],
    base: int,
    keys: np.ndarray,
    seed: int,
    executor: Executor,
    scenario_dir: Path | None = None,
    bar: tqdm | None = None,
    max_in_flight: int = 4,
    confirm: bool = True,
    confirm_keys: np.ndarray | None = None,
) -> SobolResult:
    """Run Saltelli's design over ``inputs`` with ``keys.size`` replications per point; return the indices.

    The inputs whose total index's interval reaches above :data:`MAX_TOTAL_INDEX` are then estimated again
    from ``CONFIRM_FACTOR * base`` pick-freeze pairs, each point over ``confirm_keys``, in rounds of at most
    ``MAX_CONFIRMED`` (the largest first; at most ``MAX_CONFIRM_ROUNDS`` rounds), every round sharing the
    points ``A`` (``confirm=False`` skips that).

    Args:
        scenario: The scenario.
        inputs: The uncertain inputs (a dummy is added).
        base: ``N``, a power of two.
        keys: The run keys every point runs (an even number of them, for the noise split).
        seed: Seed of the design's scrambling and of the bootstrap.
        executor: Where ensembles run.
        scenario_dir: Folder for relative paths inside the scenario.
        bar: Progress bar of runs.
        max_in_flight: Ensembles pending at once.
        confirm: Estimate the leading total indices again (see above).
        confirm_keys: The run keys every confirmation point runs, an even number of them (default:
            ``keys``).
    """
    confirm_keys = keys if confirm_keys is None else confirm_keys
    for replications in (keys.size, confirm_keys.size):
        if replications < 2 or replications % 2:
            raise ValueError(f"give an even number of replications (at least 2), got {replications}")

    def war_at(design: np.ndarray, keys: np.ndarray) -> np.ndarray:
        parts = run_ensembles(
            _point_ensembles(scenario, inputs, design, keys), executor, scenario_dir, bar, max_in_flight
        )
        return np.concatenate([part["war"] for part in parts]).reshape(design.shape[0], keys.size)

    war = war_at(sobol_design(inputs, base, seed), keys)
    names = [*(i.name for i in inputs), DUMMY]
    descriptions = [*(i.description for i in inputs), "uniform, passed to nothing"]
    result = analyse_sobol(names, war, base, seed, descriptions)
    if not confirm:
        return result
    return confirm_in_rounds(result, war_at, CONFIRM_FACTOR * base, confirm_keys, seed, bar)


def confirm_in_rounds(
    result: SobolResult,
    war_at: Callable[[np.ndarray, np.ndarray], np.ndarray],
    pairs: int,
    keys: np.ndarray,
    seed: int,
    bar: tqdm | None = None,
    per_round: int = MAX_CONFIRMED,
    rounds: int = MAX_CONFIRM_ROUNDS,
) -> SobolResult:
    """Return ``result`` with its reaching inputs confirmed from ``pairs`` pick-freeze pairs each.

    Each round confirms the ``per_round`` largest of :attr:`SobolResult.unconfirmed_reaching`; the rounds
    stop when none is left or after ``rounds``. The points ``A`` run once and serve every round, so rounds
    give the estimates one round over all the inputs would.

    Args:
        result: The design's indices.
        war_at: (unit-cube points, run keys) -> war indicators, ``(points, keys)``.
        pairs: ``M``, pairs per input.
        keys: The run keys of every confirmation point.
        seed: Seed of the pairs' points and of the bootstraps.
        bar: Progress bar of runs.
        per_round: Inputs confirmed per round.
        rounds: Most rounds.
    """
    dimensions = len(result.names) - 1
    war_a: np.ndarray | None = None
    for _ in range(rounds):
        columns = list(result.unconfirmed_reaching[:per_round])
        if not columns:
            break
        design = confirmation_design(dimensions, columns, pairs, seed)
        if war_a is not None:
            design = design[pairs:]
        if bar is not None:
            bar.total += design.shape[0] * keys.size
        war = war_at(design, keys)
        if war_a is None:
            war_a, war = war[:pairs], war[pairs:]
        confirmed = confirmations(np.vstack([war_a, war]), columns, seed)
        result = dataclasses.replace(result, confirmed=result.confirmed + confirmed)
    return result
