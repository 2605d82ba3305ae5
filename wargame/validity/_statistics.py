"""Intervals of the validity report, from :mod:`scipy.stats`.

* P(war) at a level: Wilson's score interval (:meth:`scipy.stats.binomtest(...).proportion_ci`), which
  stays inside [0, 1] and keeps its coverage near 0, where wars are rare.
* P(war) per year: ``1 - (1 - P)**(365 / horizon_days)``, the yearly probability at a constant hazard over
  the horizon; its interval is the Wilson interval's ends transformed (the map is increasing, so coverage is
  kept).
* means (escalation score, final resolve): Student's t interval.
* paired differences between two levels run on the same run keys (common random numbers): the t interval
  of the mean per-run difference (:func:`scipy.stats.ttest_rel`). For P(war) per year, each run's value is
  its delta-method pseudo-value ``f(P) + f'(P) (war - P)``, so paired differences of the yearly rate have
  intervals too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

__all__ = [
    "DAYS_PER_YEAR",
    "Interval",
    "mean_interval",
    "paired_difference",
    "per_year",
    "per_year_pseudo_values",
    "wilson_interval",
]

DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class Interval:
    """An estimate with the ends of its confidence interval."""

    value: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0.0 or self.high < 0.0


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> Interval:
    """Return the proportion ``successes / trials`` with Wilson's score interval."""
    result = stats.binomtest(int(successes), int(trials)).proportion_ci(confidence, method="wilson")
    return Interval(successes / trials, float(result.low), float(result.high))


def mean_interval(values: ArrayLike, confidence: float = 0.95) -> Interval:
    """Return the mean of ``values`` with Student's t interval (a point interval when they are all equal)."""
    array = np.asarray(values, dtype=np.float64)
    mean = float(array.mean())
    spread = float(array.std(ddof=1)) if array.size > 1 else 0.0
    if spread <= 1e-12 * max(1.0, abs(mean)):
        return Interval(mean, mean, mean)
    half = float(stats.t.ppf(0.5 + confidence / 2, array.size - 1)) * spread / np.sqrt(array.size)
    return Interval(mean, mean - half, mean + half)


def paired_difference(after: ArrayLike, before: ArrayLike, confidence: float = 0.95) -> Interval:
    """Return the mean of ``after - before`` (same runs) with the paired t interval.

    Where every run differs by the same amount (often 0: common random numbers leave a run unchanged when
    a lever does not reach it) the interval is that point.
    """
    a, b = np.asarray(after, dtype=np.float64), np.asarray(before, dtype=np.float64)
    difference = a - b
    if difference.size < 2 or np.ptp(difference) <= 1e-12 * max(1.0, float(np.abs(difference).max())):
        value = float(difference.mean()) if difference.size else 0.0
        return Interval(value, value, value)
    interval = stats.ttest_rel(a, b).confidence_interval(confidence)
    return Interval(float(difference.mean()), float(interval.low), float(interval.high))


def per_year(probability: ArrayLike, horizon_days: float) -> np.ndarray:
    """Return the yearly probability of war at a constant hazard: ``1 - (1 - P)**(365 / horizon_days)``."""
    p = np.clip(np.asarray(probability, dtype=np.float64), 0.0, 1.0)
    return 1.0 - (1.0 - p) ** (DAYS_PER_YEAR / horizon_days)


def per_year_pseudo_values(war: ArrayLike, horizon_days: float) -> np.ndarray:
    """Return each run's delta-method pseudo-value of P(war) per year (their mean is :func:`per_year`).

    ``f(P) + f'(P) (war_i - P)`` with ``f(P) = 1 - (1 - P)**a``, ``a = 365 / horizon_days``; where ``P`` is 1
    the derivative is taken at ``1 - 1/(2n)``.
    """
    indicator = np.asarray(war, dtype=np.float64)
    p = float(indicator.mean())
    a = DAYS_PER_YEAR / horizon_days
    at = min(p, 1.0 - 0.5 / indicator.size)
    slope = a * (1.0 - at) ** (a - 1.0)
    return float(per_year(p, horizon_days)) + slope * (indicator - p)
