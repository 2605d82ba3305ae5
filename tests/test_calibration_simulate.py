"""The simulator of the count process: seeded, keyed per replication, and with the process's moments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wargame.calibration import ProcessParameters, simulate_counts, simulate_counts_for_keys
from wargame.core.random_streams import run_keys_from_seed


def stationary_moments(params: ProcessParameters) -> tuple[float, float, float, float]:
    """Mean, variance / mean and lag-1 and lag-7 autocorrelations of the stationary process.

    With ``eps_t = N_t - lambda_t`` (a martingale difference with variance ``E[lambda] + E[lambda^2] c``,
    ``c = exp(sigma^2) - 1``) the means follow ``lambda_{t+1} = mu (1 - phi) + rho lambda_t + a eps_t`` with
    ``rho = phi + a``, so ``Var lambda = a^2 Var eps / (1 - rho^2)`` and
    ``Cov(N_{t+k}, N_t) = rho^(k-1) (rho Var lambda + a Var eps)``.
    """
    mean = params.base_rate_per_day
    phi = math.exp(-1.0 / params.decay_days)
    a = params.branching_ratio * (1.0 - phi)
    rho = phi + a
    c = math.exp(params.overdispersion_sigma**2) - 1.0
    gain = a * a / (1.0 - rho * rho)
    noise = (mean + c * mean * mean) / (1.0 - c * gain)
    mean_variance = gain * noise
    variance = mean_variance + noise
    lag1 = (rho * mean_variance + a * noise) / variance
    return mean, variance / mean, lag1, rho**6 * lag1


def test_the_same_seed_gives_the_same_series_and_another_seed_others() -> None:
    params = ProcessParameters(13.0, 0.6, 0.4, 2.0)
    first = simulate_counts(params, 200, 8, seed=4)
    np.testing.assert_array_equal(first, simulate_counts(params, 200, 8, seed=4))
    assert not np.array_equal(first, simulate_counts(params, 200, 8, seed=5))


def test_a_replication_depends_only_on_its_key() -> None:
    params = ProcessParameters(13.0, 0.6, 0.4, 2.0)
    keys = run_keys_from_seed(9, 6)
    together = simulate_counts(params, 150, 6, seed=9)
    for index in (0, 4):
        alone = simulate_counts_for_keys(params, 150, keys[index : index + 1])
        np.testing.assert_array_equal(alone[0], together[index])


@pytest.mark.parametrize(
    "params",
    [
        ProcessParameters(13.0, 0.6, 0.4, 2.0),
        ProcessParameters(3.0, 0.7, 0.6, 0.8),
        ProcessParameters(13.0, 0.0, 0.0, 1.0),
    ],
    ids=["reference", "bursty", "poisson"],
)
def test_the_simulated_moments_are_the_process_moments(params: ProcessParameters) -> None:
    series = simulate_counts(params, 1500, 300, seed=21).astype(float)
    mean, dispersion, lag1, lag7 = stationary_moments(params)
    replications = series.shape[0]
    overall = series.mean()
    per_mean = series.mean(axis=1)
    assert abs(overall - mean) < 4 * per_mean.std(ddof=1) / math.sqrt(replications)
    # Ratios of means over the replications (a mean of per-series ratios is biased for heavy tails), with
    # delta-method standard errors.
    deviations = series - overall
    second = (deviations**2).mean(axis=1)
    assert (
        abs(second.mean() / overall - dispersion)
        < 4 * second.std(ddof=1) / math.sqrt(replications) / overall + 0.01 * dispersion
    )
    for lag, expected in ((1, lag1), (7, lag7)):
        cross = (deviations[:, :-lag] * deviations[:, lag:]).mean(axis=1)
        ratio = cross.mean() / second.mean()
        error = (cross - ratio * second).std(ddof=1) / math.sqrt(replications) / second.mean()
        assert abs(ratio - expected) < 4 * error + 0.005, f"lag {lag}: {ratio} against {expected}"


def test_bad_sizes_are_refused() -> None:
    params = ProcessParameters(1.0, 0.1)
    with pytest.raises(ValueError, match="days"):
        simulate_counts(params, 0, 1)
    with pytest.raises(ValueError, match="replications"):
        simulate_counts(params, 10, 0)
