"""The gray-zone count process of a root activity at the status-quo posture, and its conditional means.

Per day ``t`` (``docs/calibration.md`` gives the equations beside the scenario fields)::

    phi      = exp(-1 / decay_days),   a = n * (1 - phi),   mu = base_rate_per_day * (1 - n)
    E_t      = phi * E_{t-1} + N_{t-1},   E_0 = base_rate_per_day / (1 - phi)
    lambda_t = mu + a * E_t
    N_t      ~ Poisson(lambda_t * S_t),   S_t = exp(sigma * Z_t - sigma**2 / 2),   Z_t ~ N(0, 1)

Given an observed series, ``lambda_t`` is the mean of day ``t``'s count given the days before it. On a day
missing from the data the excitation is fed that day's own conditional mean ``lambda_t``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import signal

__all__ = ["ProcessParameters", "conditional_means", "means_and_slopes"]


@dataclass(frozen=True)
class ProcessParameters:
    """The fitted quantities of a root activity's daily count process.

    Attributes:
        base_rate_per_day: Long-run mean count a day at the status quo (clustering included), > 0.
        overdispersion_sigma: Sigma of the daily log-normal shock, >= 0.
        branching_ratio: ``n``, the share of counts triggered by earlier ones, in [0, 1).
        decay_days: Time constant of the excitation's exponential decay, > 0.
    """

    base_rate_per_day: float
    overdispersion_sigma: float
    branching_ratio: float = 0.0
    decay_days: float = 1.0

    def __post_init__(self) -> None:
        if not self.base_rate_per_day > 0.0:
            raise ValueError(f"base_rate_per_day must be positive, got {self.base_rate_per_day}")
        if not self.overdispersion_sigma >= 0.0:
            raise ValueError(f"overdispersion_sigma must be non-negative, got {self.overdispersion_sigma}")
        if not 0.0 <= self.branching_ratio < 1.0:
            raise ValueError(f"branching_ratio must be in [0, 1), got {self.branching_ratio}")
        if not self.decay_days > 0.0:
            raise ValueError(f"decay_days must be positive, got {self.decay_days}")

    @property
    def phi(self) -> float:
        """Daily retention of the excitation, ``exp(-1 / decay_days)``."""
        return math.exp(-1.0 / self.decay_days)

    @property
    def excitation_weight(self) -> float:
        """``a = n * (1 - phi)``: what one incident adds to the next day's mean."""
        return self.branching_ratio * (1.0 - self.phi)

    @property
    def immigrant_rate(self) -> float:
        """``mu = base_rate_per_day * (1 - n)``: the mean of the counts no earlier incident triggered."""
        return self.base_rate_per_day * (1.0 - self.branching_ratio)

    @property
    def initial_excitation(self) -> float:
        """``E_0 = base_rate_per_day / (1 - phi)``: the excitation's stationary mean."""
        return self.base_rate_per_day / (1.0 - self.phi)


def means_and_slopes(
    base_rate_per_day: float, branching_ratio: float, decay_days: float, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``lambda_t`` and its derivatives for one parameter set.

    Args:
        base_rate_per_day, branching_ratio, decay_days: The process (sigma plays no part in the means).
        counts: Observed counts, ``NaN`` on missing days.

    Returns:
        ``lambda`` of shape ``(days,)`` and ``d lambda / d (base, sigma, n, decay)`` of shape ``(days, 4)``
        (the sigma column is zero).
    """
    base, n = base_rate_per_day, branching_ratio
    phi = math.exp(-1.0 / decay_days)
    phi_slope = phi / decay_days**2  # d phi / d decay_days
    rate, weight, initial = base * (1.0 - n), n * (1.0 - phi), base / (1.0 - phi)
    initial_base, initial_decay = 1.0 / (1.0 - phi), base * phi_slope / (1.0 - phi) ** 2
    days = counts.shape[0]
    slopes = np.zeros((days, 4))
    if not np.isnan(counts).any():
        # E_t and its derivatives G_t follow linear recursions: G^base_t = phi^t dE_0/dbase,
        # G^decay_t = phi G^decay_{t-1} + phi' E_{t-1}; E does not depend on n.
        excitation = np.empty(days)
        excitation[0] = initial
        excitation[1:] = signal.lfilter([1.0], [1.0, -phi], counts[:-1], zi=[phi * initial])[0]
        decay_slope = np.empty(days)
        decay_slope[0] = initial_decay
        decay_slope[1:] = signal.lfilter(
            [1.0], [1.0, -phi], phi_slope * excitation[:-1], zi=[phi * initial_decay]
        )[0]
        slopes[:, 0] = (1.0 - n) + weight * initial_base * phi ** np.arange(days)
        slopes[:, 2] = (1.0 - phi) * excitation - base
        slopes[:, 3] = weight * decay_slope - n * phi_slope * excitation
        return rate + weight * excitation, slopes
    # A missing day feeds its own conditional mean (and its derivatives): a recursion with a day-dependent
    # input, run in floats.
    level, level_base, level_n, level_decay = initial, initial_base, 0.0, initial_decay
    means = []
    rows = []
    for value in counts.tolist():
        mean = rate + weight * level
        mean_base = (1.0 - n) + weight * level_base
        mean_n = (1.0 - phi) * level - base + weight * level_n
        mean_decay = weight * level_decay - n * phi_slope * level
        means.append(mean)
        rows.append((mean_base, 0.0, mean_n, mean_decay))
        level_decay = phi * level_decay + phi_slope * level
        level_base, level_n = phi * level_base, phi * level_n
        if value != value:  # NaN: a missing day
            level = phi * level + mean
            level_base += mean_base
            level_n += mean_n
            level_decay += mean_decay
        else:
            level = phi * level + value
    return np.array(means), np.array(rows)


def conditional_means(params: ProcessParameters, counts: np.ndarray) -> np.ndarray:
    """Return ``lambda_t``, the mean of each day's count given the days before it.

    Args:
        params: The process.
        counts: Observed counts, ``NaN`` on missing days (which feed ``lambda_t`` to the excitation).
    """
    counts = np.asarray(counts, dtype=np.float64)
    return means_and_slopes(params.base_rate_per_day, params.branching_ratio, params.decay_days, counts)[0]
