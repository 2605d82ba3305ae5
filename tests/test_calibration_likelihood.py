"""The likelihood of a daily series, checked against direct numerical integration and naive recursions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from wargame.calibration import (
    ProcessParameters,
    conditional_means,
    daily_log_likelihood,
    log_likelihood,
    poisson_lognormal_cdf,
    poisson_lognormal_logpmf,
    randomized_pit_residuals,
    simulate_counts,
)
from wargame.calibration._likelihood import log_likelihood_and_gradient_batch, log_likelihood_batch


def _integrated_logpmf(y: int, mean: float, sigma: float) -> float:
    """``log integral Poisson(y; mean * exp(sigma z - sigma^2/2)) phi(z) dz`` by adaptive quadrature (quad),
    with the integrand scaled by its value at the mode so that tiny probabilities keep their precision."""
    constant = -math.lgamma(y + 1) - 0.5 * math.log(2 * math.pi)

    def log_integrand(z: np.ndarray | float) -> np.ndarray | float:
        log_rate = math.log(mean) + sigma * z - sigma**2 / 2
        return y * log_rate - np.exp(log_rate) - z * z / 2 + constant

    grid = np.linspace(-40.0, 40.0, 16001)
    mode = float(grid[np.argmax(log_integrand(grid))])
    peak = float(log_integrand(mode))
    value, _ = integrate.quad(
        lambda z: math.exp(log_integrand(z) - peak), mode - 30, mode + 30, points=[mode], limit=400, epsabs=0
    )
    return math.log(value) + peak


@pytest.mark.parametrize("sigma", [0.05, 0.3, 0.6, 1.0, 1.5])
@pytest.mark.parametrize(("y", "mean"), [(0, 0.2), (0, 13.0), (1, 3.0), (13, 13.0), (66, 13.0), (153, 10.0)])
def test_the_quadrature_matches_direct_integration(y: int, mean: float, sigma: float) -> None:
    expected = _integrated_logpmf(y, mean, sigma)
    assert poisson_lognormal_logpmf(np.array([y]), np.array([mean]), sigma)[0] == pytest.approx(
        expected, abs=2e-6
    )


def test_without_a_shock_the_probability_is_poisson() -> None:
    y = np.arange(60.0)
    np.testing.assert_allclose(
        poisson_lognormal_logpmf(y, np.full(60, 7.5), 0.0), stats.poisson.logpmf(y, 7.5), atol=1e-12
    )


@pytest.mark.parametrize(("mean", "sigma"), [(0.5, 0.6), (13.0, 0.7), (100.0, 1.0), (13.0, 0.0)])
def test_the_cdf_is_the_running_sum_of_the_probabilities(mean: float, sigma: float) -> None:
    y = np.arange(0.0, 4000.0)
    running = np.cumsum(np.exp(poisson_lognormal_logpmf(y, np.full(y.size, mean), sigma)))
    np.testing.assert_allclose(poisson_lognormal_cdf(y, np.full(y.size, mean), sigma), running, atol=1e-6)
    assert poisson_lognormal_cdf(np.array([-1.0]), np.array([mean]), sigma)[0] == 0.0


def _naive_means(params: ProcessParameters, counts: list[float | None]) -> list[float]:
    """The recursion of the brief, day by day: E_0 = base / (1 - phi), E_t = phi E_{t-1} + N_{t-1}."""
    phi = math.exp(-1.0 / params.decay_days)
    a = params.branching_ratio * (1.0 - phi)
    mu = params.base_rate_per_day * (1.0 - params.branching_ratio)
    excitation = params.base_rate_per_day / (1.0 - phi)
    means = []
    for count in counts:
        mean = mu + a * excitation
        means.append(mean)
        excitation = phi * excitation + (mean if count is None else count)
    return means


@pytest.mark.parametrize("with_missing", [False, True])
def test_conditional_means_follow_the_recursion(with_missing: bool) -> None:
    params = ProcessParameters(13.0, 0.6, 0.4, 2.0)
    counts = simulate_counts(params, 120, 1, seed=3)[0].astype(float)
    if with_missing:
        counts[[0, 5, 6, 7, 50, 119]] = np.nan
    naive = _naive_means(params, [None if math.isnan(c) else float(c) for c in counts])
    np.testing.assert_allclose(conditional_means(params, counts), naive, rtol=1e-12)


def test_the_log_likelihood_sums_integrated_terms_over_observed_days() -> None:
    params = ProcessParameters(9.0, 0.7, 0.5, 1.5)
    counts = np.array([3, 12, np.nan, 40, 25, 0, np.nan, np.nan, 8, 61, 14, 2])
    means = _naive_means(params, [None if math.isnan(c) else float(c) for c in counts])
    expected = sum(
        _integrated_logpmf(int(count), mean, 0.7)
        for count, mean in zip(counts, means, strict=True)
        if not math.isnan(count)
    )
    assert log_likelihood(params, counts) == pytest.approx(expected, abs=1e-5)
    daily = daily_log_likelihood(params, counts)
    assert np.isnan(daily[[2, 6, 7]]).all()
    assert np.nansum(daily) == pytest.approx(log_likelihood(params, counts), rel=1e-12)


@pytest.mark.parametrize("with_missing", [False, True])
def test_the_gradient_matches_finite_differences(with_missing: bool) -> None:
    counts = simulate_counts(ProcessParameters(13.0, 0.6, 0.4, 2.0), 400, 1, seed=5)[0].astype(float)
    if with_missing:
        counts[[3, 4, 100, 250, 251, 252]] = np.nan
    point = np.array([12.0, 0.55, 0.35, 2.5])
    _, gradient = log_likelihood_and_gradient_batch(point[None, :], counts)
    for k in range(4):
        step = np.zeros(4)
        step[k] = 1e-6 * point[k]
        up = log_likelihood_batch((point + step)[None, :], counts)[0]
        down = log_likelihood_batch((point - step)[None, :], counts)[0]
        assert gradient[0, k] == pytest.approx((up - down) / (2 * step[k]), rel=1e-5, abs=1e-4)


def test_randomized_pit_residuals_of_the_true_process_are_standard_normal() -> None:
    params = ProcessParameters(13.0, 0.6, 0.4, 2.0)
    counts = simulate_counts(params, 2000, 1, seed=11)[0].astype(float)
    residuals = randomized_pit_residuals(params, counts, seed=1)
    assert stats.kstest(residuals, "norm").pvalue > 0.01
    assert abs(np.corrcoef(residuals[:-1], residuals[1:])[0, 1]) < 0.07


def test_pit_residuals_flag_a_process_without_clustering() -> None:
    params = ProcessParameters(13.0, 0.6, 0.4, 2.0)
    counts = simulate_counts(params, 2000, 1, seed=11)[0].astype(float)
    unclustered = ProcessParameters(13.0, 0.6)
    residuals = randomized_pit_residuals(unclustered, counts, seed=1)
    assert np.corrcoef(residuals[:-1], residuals[1:])[0, 1] > 0.1
