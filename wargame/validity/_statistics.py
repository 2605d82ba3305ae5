"""P(war) per year, and what the checks ask of an interval.

The intervals themselves come from :mod:`wargame.stats`: Clopper-Pearson for P(war) at a level, Student's t
for means, and the paired t interval of the mean per-run difference for two levels run on the same run keys
(common random numbers).

P(war) per year is ``1 - (1 - P)**(365 / horizon_days)``: the yearly probability at a constant hazard over
the horizon. Its interval at a level is the interval of P with both ends transformed (the map is
increasing, so coverage is kept); for paired differences of it, each run's value is its delta-method
pseudo-value ``f(P) + f'(P) (war - P)``.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike

from wargame.stats import Estimate, paired_difference

__all__ = ["DAYS_PER_YEAR", "excludes_zero", "paired", "per_year", "per_year_pseudo_values"]

DAYS_PER_YEAR = 365.0


def paired(after: ArrayLike, before: ArrayLike, confidence: float = 0.95) -> Estimate:
    """Return :func:`wargame.stats.paired_difference` of two levels' runs.

    Runs that all move by nearly the same amount (a lever that shifts a quantity and nothing else) make
    scipy warn of lost precision; the interval is then a sliver around that amount, which is right, so the
    warning is not passed on.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Precision loss occurred", category=RuntimeWarning)
        return paired_difference(after, before, confidence)


def excludes_zero(estimate: Estimate) -> bool:
    """Whether the interval lies wholly above or below zero (``False`` for an undefined one)."""
    return bool(estimate.low > 0.0 or estimate.high < 0.0)


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
