"""The maximum-likelihood fit: parameter recovery, held parameters, and the observed information."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wargame.calibration import PARAMETER_NAMES, ProcessParameters, fit_process, simulate_counts
from wargame.calibration._fit import central_difference_jacobian, numerical_jacobian
from wargame.errors import InputError

TRUTH = ProcessParameters(13.0, 0.6, 0.4, 2.0)
TRUE_VALUES = {
    "base_rate_per_day": 13.0,
    "overdispersion_sigma": 0.6,
    "clustering.branching_ratio": 0.4,
    "clustering.decay_days": 2.0,
}


@pytest.mark.slow
def test_parameters_are_recovered_inside_their_intervals_in_at_least_90_percent_of_50_replications() -> None:
    series = simulate_counts(TRUTH, 731, 50, seed=2024).astype(float)
    covered = dict.fromkeys(PARAMETER_NAMES, 0)
    for counts in series:
        fit = fit_process(counts)
        assert fit.covariance is not None
        for estimate in fit.estimates:
            assert estimate.low is not None and estimate.high is not None
            assert estimate.low < estimate.value < estimate.high
            covered[estimate.name] += estimate.low <= TRUE_VALUES[estimate.name] <= estimate.high
    coverage = {name: hits / len(series) for name, hits in covered.items()}
    assert all(share >= 0.9 for share in coverage.values()), coverage


def test_a_held_parameter_keeps_its_value_and_has_no_interval() -> None:
    counts = simulate_counts(TRUTH, 731, 1, seed=3)[0].astype(float)
    fit = fit_process(counts, {"clustering.decay_days": 2.0})
    held = fit.estimate("clustering.decay_days")
    assert (held.value, held.low, held.high, held.fixed) == (2.0, None, None, True)
    assert fit.params.decay_days == 2.0
    assert fit.free == ("base_rate_per_day", "overdispersion_sigma", "clustering.branching_ratio")
    free = fit_process(counts)
    assert fit.log_likelihood <= free.log_likelihood + 1e-6


def test_without_clustering_the_decay_time_is_left_out_and_aic_counts_two_parameters() -> None:
    counts = simulate_counts(TRUTH, 731, 1, seed=3)[0].astype(float)
    fit = fit_process(counts, {"clustering.branching_ratio": 0.0})
    assert [estimate.name for estimate in fit.estimates] == list(PARAMETER_NAMES[:3])
    assert fit.free == ("base_rate_per_day", "overdispersion_sigma")
    assert fit.aic == pytest.approx(4.0 - 2.0 * fit.log_likelihood)
    clustered = fit_process(counts)
    assert clustered.aic < fit.aic - 10, "clustered data: the model with clustering should win clearly"


def test_the_fit_of_a_series_with_missing_days_uses_only_the_observed_ones() -> None:
    counts = simulate_counts(TRUTH, 731, 1, seed=8)[0].astype(float)
    counts[np.random.default_rng(0).choice(731, size=40, replace=False)] = np.nan
    fit = fit_process(counts)
    assert fit.observed_days == 691
    for estimate in fit.estimates:
        assert estimate.low <= TRUE_VALUES[estimate.name] <= estimate.high


@pytest.mark.parametrize(
    ("fixed", "words"),
    [
        ({"decay_days": 2.0}, "cannot fix 'decay_days'"),
        ({"clustering.branching_ratio": 0.99}, "in [0, 0.95]"),
        ({"base_rate_per_day": 0.0}, "> 0"),
        ({"overdispersion_sigma": math.nan}, ">= 0"),
        ({"clustering.decay_days": 400.0}, "in (0, 365]"),
    ],
)
def test_a_bad_held_parameter_names_the_flag(fixed: dict[str, float], words: str) -> None:
    with pytest.raises(InputError) as caught:
        fit_process(np.array([1.0, 2.0, 3.0]), fixed)
    assert caught.value.source == "--fix"
    assert words in caught.value.message


def test_a_series_without_a_positive_count_cannot_be_fitted() -> None:
    with pytest.raises(InputError, match="no day with a positive count"):
        fit_process(np.array([0.0, np.nan, 0.0]))


def test_the_error_controlled_jacobian_agrees_with_central_differences() -> None:
    def gradient(points: np.ndarray) -> np.ndarray:
        x, y = np.atleast_2d(points).T
        return np.stack([np.exp(x) * np.sin(y), np.exp(x) * np.cos(y) + y**3], axis=1)

    point = np.array([0.3, -0.7])
    exact = np.array(
        [
            [np.exp(0.3) * np.sin(-0.7), np.exp(0.3) * np.cos(-0.7)],
            [np.exp(0.3) * np.cos(-0.7), -np.exp(0.3) * np.sin(-0.7) + 3 * 0.49],
        ]
    )
    np.testing.assert_allclose(numerical_jacobian(gradient, point), exact, rtol=1e-7)
    np.testing.assert_allclose(central_difference_jacobian(gradient, point), exact, rtol=1e-6)


def test_a_trend_drives_the_branching_ratio_to_its_bound_where_it_has_no_interval() -> None:
    rng = np.random.default_rng(0)
    rising = np.linspace(2.0, 40.0, 365)  # not stationary: the process can only mimic it by n -> 0.95
    counts = rng.poisson(rising * rng.lognormal(-0.125, 0.5, 365)).astype(float)
    fit = fit_process(counts)
    branching = fit.estimate("clustering.branching_ratio")
    assert branching.at_bound and branching.value == pytest.approx(0.95, abs=1e-4)
    assert (branching.low, branching.high) == (None, None)
    for name in ("base_rate_per_day", "overdispersion_sigma", "clustering.decay_days"):
        estimate = fit.estimate(name)
        assert not estimate.at_bound and estimate.low < estimate.value < estimate.high
