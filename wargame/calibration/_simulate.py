"""Seeded simulation of the count process: replications of a window of days at the status quo.

Replication ``i`` draws from the counter-based streams of the ``i``-th run key of ``run_keys_from_seed``
(the same streams the model's gray zone uses: ``INCIDENT_SHOCK`` for the daily shock, ``INCIDENT_COUNT``
for the Poisson count), so its series depends only on its key, not on how many replications are drawn.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from wargame.calibration._process import ProcessParameters
from wargame.core.counts import poisson_counts
from wargame.core.random_streams import EnsembleRandom, Stream, run_keys_from_seed

__all__ = ["simulate_counts", "simulate_counts_for_keys"]


def simulate_counts_for_keys(params: ProcessParameters, days: int, run_keys: np.ndarray) -> np.ndarray:
    """Return simulated daily counts, shape ``(len(run_keys), days)``, one row per run key."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    random = EnsembleRandom(np.asarray(run_keys, dtype=np.uint64))
    uniforms = random.uniform_block((Stream.INCIDENT_COUNT, Stream.INCIDENT_SHOCK), 0, days, 1)[..., 0]
    sigma = params.overdispersion_sigma
    shock = np.exp(sigma * special.ndtri(uniforms[1]) - 0.5 * sigma * sigma)  # (days, runs)
    phi, weight, rate = params.phi, params.excitation_weight, params.immigrant_rate
    counts = np.empty((days, random.runs), dtype=np.int64)
    excitation = np.full(random.runs, params.initial_excitation)
    for day in range(days):
        counts[day] = poisson_counts(uniforms[0, day], (rate + weight * excitation) * shock[day])
        excitation = phi * excitation + counts[day]
    return counts.T.copy()


def simulate_counts(params: ProcessParameters, days: int, replications: int, seed: int = 0) -> np.ndarray:
    """Return ``replications`` simulated series of ``days`` days, shape ``(replications, days)``.

    Args:
        params: The process.
        days: Length of each series.
        replications: Number of series; series ``i`` uses run key ``i`` of ``run_keys_from_seed(seed)``.
        seed: Root seed.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    return simulate_counts_for_keys(params, days, run_keys_from_seed(seed, replications))
