"""The leading total Sobol indices of P(war) estimated again, from many pick-freeze pairs.

Saltelli's design gives every input the same ``N`` base points, so with a hundred inputs ``N`` stays small
and the bootstrap interval of a total index can span the check's threshold: the check cannot decide. The
inputs whose interval reaches above :data:`~wargame.validity._sobol.MAX_TOTAL_INDEX` are estimated again,
in rounds of the :data:`MAX_CONFIRMED` largest not yet confirmed (up to :data:`MAX_CONFIRM_ROUNDS` rounds,
every round sharing the points ``A_j``), with ``M = CONFIRM_FACTOR * N`` pairs of points
``(A_j, AB_j)`` that differ in input ``i`` alone, each point's P(war) over ``CONFIRM_REPLICATION`` times the
design's run keys (the same keys at every point):

    T_i = mean_j (f(A_j) - f(AB_j))**2 / 2 / Var(f),      Var(f) over the 2M points

(Jansen 1999; Saltelli et al. 2010, estimator (f) of their table 2), with a 95% percentile bootstrap
interval over the pairs (``scipy.stats.bootstrap``, paired). Each point's P(war) is an average over its
runs, so its Monte Carlo noise adds to the squared differences and inflates the estimate; running each point
``CONFIRM_REPLICATION`` times as often as the design divides that part by as much. The noise part is
measured as in the design, from the even/odd split of each point's runs. The check reads these estimates
for the inputs confirmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "CONFIRM_FACTOR",
    "CONFIRM_REPLICATION",
    "EDGE",
    "MAX_CONFIRMED",
    "MAX_CONFIRM_ROUNDS",
    "Confirmation",
    "confirmation_design",
    "confirmations",
    "jansen_total",
    "noise_halves",
]

CONFIRM_FACTOR = 16
"""Pairs per confirmed input, per base point of the design."""

CONFIRM_REPLICATION = 4
"""Run keys per confirmation point, per run key of a design point."""

MAX_CONFIRMED = 3
"""At most this many inputs are confirmed in one round (the largest total indices whose interval reaches the
threshold and that are not yet confirmed)."""

MAX_CONFIRM_ROUNDS = 4
"""At most this many rounds of confirmation: up to ``MAX_CONFIRMED * MAX_CONFIRM_ROUNDS`` inputs."""

EDGE = 1e-9
"""Design points stay this far from 0 and 1, where unbounded quantile functions are infinite."""

_CONFIRM_STREAM = 2
_RESAMPLES = 2000


@dataclass(frozen=True)
class Confirmation:
    """A total index estimated again from pick-freeze pairs.

    Attributes:
        column: The input's column in the design.
        total: Jansen's estimate of the total index.
        low, high: Its 95% percentile bootstrap interval.
        noise: The part of ``total`` due to the Monte Carlo noise of each point's P(war).
        pairs: ``M``, the pairs of points.
        replications: Run keys per point.
    """

    column: int
    total: float
    low: float
    high: float
    noise: float
    pairs: int
    replications: int


def _jansen(f_a: np.ndarray, f_ab: np.ndarray, axis: int = -1) -> np.ndarray:
    variance = np.var(np.concatenate([f_a, f_ab], axis=axis), axis=axis)
    squared = np.mean((f_a - f_ab) ** 2, axis=axis) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(variance > 0.0, squared / variance, np.nan)


def noise_halves(war: np.ndarray) -> np.ndarray:
    """Return half the difference of each point's P(war) over its even and odd run keys: at each point it
    has the variance of the Monte Carlo noise of the point's P(war)."""
    return (war[:, 0::2].mean(axis=1) - war[:, 1::2].mean(axis=1)) / 2.0


def jansen_total(
    f_a: np.ndarray, f_ab: np.ndarray, seed: int, confidence_level: float = 0.95
) -> tuple[float, float, float]:
    """Return Jansen's total index of the input that ``f_ab`` re-draws, and its bootstrap interval.

    Args:
        f_a: The output at points ``A_j``.
        f_ab: The output at ``AB_j``: ``A_j`` with the input re-drawn.
        seed: Seed of the bootstrap.
        confidence_level: Of the interval.
    """
    f_a, f_ab = np.asarray(f_a, dtype=np.float64), np.asarray(f_ab, dtype=np.float64)
    total = float(_jansen(f_a, f_ab))
    if not np.isfinite(total):
        return total, float("nan"), float("nan")
    interval = stats.bootstrap(
        (f_a, f_ab),
        _jansen,
        paired=True,
        vectorized=True,
        n_resamples=_RESAMPLES,
        confidence_level=confidence_level,
        method="percentile",
        rng=np.random.default_rng(seed),
    ).confidence_interval
    return total, float(interval.low), float(interval.high)


def confirmation_design(dimensions: int, columns: Sequence[int], pairs: int, seed: int) -> np.ndarray:
    """Return the points ``A`` then, for each of ``columns``, ``AB``: ``A`` with that column re-drawn.

    Shape ``((1 + len(columns)) * pairs, dimensions)``, in the unit cube.
    """
    random = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_CONFIRM_STREAM,)))
    a = np.clip(random.random((pairs, dimensions)), EDGE, 1.0 - EDGE)
    b = np.clip(random.random((pairs, dimensions)), EDGE, 1.0 - EDGE)
    blocks = [a]
    for column in columns:
        block = a.copy()
        block[:, column] = b[:, column]
        blocks.append(block)
    return np.vstack(blocks)


def confirmations(war: np.ndarray, columns: Sequence[int], seed: int) -> tuple[Confirmation, ...]:
    """Return the total index of each of ``columns`` from the war indicators of :func:`confirmation_design`.

    Args:
        war: 1 for war, 0 for none, per point (the design's order) and run key, an even number of keys.
        columns: The inputs re-drawn, in the design's order.
        seed: Seed of the bootstraps (input ``i``'s is ``seed + 1 + i``).
    """
    blocks = 1 + len(columns)
    pairs = war.shape[0] // blocks
    f = war.mean(axis=1).reshape(blocks, pairs)
    h = noise_halves(war).reshape(blocks, pairs)
    confirmed = []
    for k, column in enumerate(columns, start=1):
        total, low, high = jansen_total(f[0], f[k], seed + 1 + int(column))
        variance = np.var(np.concatenate([f[0], f[k]]))
        noise = float(np.mean((h[0] - h[k]) ** 2) / 2.0 / variance) if variance > 0 else float("nan")
        confirmed.append(Confirmation(int(column), total, low, high, noise, pairs, war.shape[1]))
    return tuple(confirmed)
