"""wargame.stats against SciPy called directly and against textbook values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from wargame.stats import (
    Estimate,
    bootstrap_interval,
    mean_interval,
    paired_difference,
    percentile_of_score,
    proportion_interval,
    proportion_intervals,
    quantile_interval,
    sample_quantiles,
)


@pytest.mark.slow
@given(
    trials=st.integers(min_value=1, max_value=5000),
    share=st.floats(min_value=0.0, max_value=1.0),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
@settings(max_examples=150, deadline=None)
def test_proportion_interval_is_scipys_exact_binomial_interval(trials, share, confidence):
    successes = round(share * trials)
    expected = stats.binomtest(successes, trials).proportion_ci(confidence, method="exact")
    estimate = proportion_interval(successes, trials, confidence)
    assert estimate.value == successes / trials
    assert estimate.low == pytest.approx(expected.low, abs=1e-12)
    assert estimate.high == pytest.approx(expected.high, abs=1e-12)
    assert 0.0 <= estimate.low <= estimate.value <= estimate.high <= 1.0


def test_proportion_interval_textbook_values():
    # Clopper-Pearson: with no success in n trials the upper bound is 1 - (alpha/2)^(1/n).
    assert proportion_interval(0, 10).high == pytest.approx(1 - 0.025 ** (1 / 10), rel=1e-12)  # 0.3085
    assert proportion_interval(0, 10).low == 0.0
    assert proportion_interval(10, 10).low == pytest.approx(0.025 ** (1 / 10), rel=1e-12)
    assert proportion_interval(10, 10).high == 1.0
    five = proportion_interval(5, 10)
    assert (five.low, five.high) == pytest.approx((0.187086, 0.812914), abs=1e-6)
    assert all(math.isnan(v) for v in (proportion_interval(0, 0).value, proportion_interval(0, 0).low))


def test_proportion_intervals_vectorised_match_one_at_a_time():
    successes = np.array([0, 3, 7, 20])
    low, high = proportion_intervals(successes, 20, 0.9)
    for k, lo, hi in zip(successes, low, high, strict=True):
        one = proportion_interval(int(k), 20, 0.9)
        assert (lo, hi) == (one.low, one.high)
    with pytest.raises(ValueError, match="between 0 and the number of trials"):
        proportion_intervals([3], [2])


@given(
    sample=st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=2, max_size=60
    ).filter(lambda values: np.ptp(values) > 1e-6),
    confidence=st.sampled_from([0.9, 0.95, 0.99]),
)
@settings(max_examples=100, deadline=None)
def test_mean_interval_is_scipys_one_sample_t_interval(sample, confidence):
    expected = stats.ttest_1samp(sample, 0.0).confidence_interval(confidence)
    estimate = mean_interval(np.array(sample), confidence)
    assert estimate.value == pytest.approx(np.mean(sample))
    assert estimate.low == pytest.approx(expected.low, rel=1e-9, abs=1e-9)
    assert estimate.high == pytest.approx(expected.high, rel=1e-9, abs=1e-9)


def test_mean_interval_textbook_value_and_edge_cases():
    # mean 3, s = sqrt(14/3), t(0.975, 3) = 3.182446: half width 3.182446 * s / 2 = 3.4375
    estimate = mean_interval(np.array([1.0, 2.0, np.nan, 3.0, 6.0]))
    assert (estimate.value, estimate.low, estimate.high) == pytest.approx((3.0, -0.4375, 6.4375), abs=1e-4)
    single = mean_interval([4.0])
    assert single.value == 4.0 and math.isnan(single.low) and math.isnan(single.high)
    assert math.isnan(mean_interval([np.nan]).value)
    assert mean_interval([0.6, 0.6, 0.6]) == Estimate(0.6, 0.6, 0.6)


def test_a_bounded_outcome_gets_a_bounded_interval():
    # Seven of ten runs reach the top rung of a two-rung ladder: the t interval is [0.354, 1.046].
    max_rung = np.array([1.0] * 7 + [0.0] * 3)
    unclipped = mean_interval(max_rung)
    assert unclipped.high > 1.0
    clipped = mean_interval(max_rung, bounds=(0.0, 1.0))
    assert (clipped.low, clipped.high) == (pytest.approx(unclipped.low), 1.0)
    assert mean_interval([0.0, 0.0, 0.1], bounds=(0.0, 1.0)).low == 0.0


def test_sample_quantiles_are_values_of_the_sample():
    # war can only start on decision days (every 7th day): the median onset is one of them
    days = np.array([14.0, 21.0, 35.0, 42.0, np.nan])
    quartiles = sample_quantiles(days, [0.25, 0.5, 0.75])
    assert quartiles == (14.0, 21.0, 35.0)
    assert np.percentile([14, 21, 35, 42], 50) == 28.0  # what interpolation would have said
    expected = stats.quantile(days[:4], [0.25, 0.5, 0.75], method="inverted_cdf")
    assert quartiles == tuple(expected)
    assert all(math.isnan(v) for v in sample_quantiles([], [0.5]))


def test_quantile_interval_is_scipys_quantile_test_interval():
    sample = np.random.default_rng(3).exponential(10.0, size=101)
    estimate = quantile_interval(sample, 0.5, 0.95)
    assert estimate.value == np.sort(sample)[50]
    expected = stats.quantile_test(sample, q=estimate.value, p=0.5).confidence_interval(0.95)
    assert (estimate.low, estimate.high) == (expected.low, expected.high)
    assert estimate.low in sample and estimate.high in sample


def test_paired_difference_is_scipys_related_t_interval():
    rng = np.random.default_rng(5)
    first = rng.normal(10.0, 2.0, size=40)
    second = first - 1.0 + rng.normal(0.0, 0.5, size=40)
    expected = stats.ttest_rel(first, second).confidence_interval(0.95)
    estimate = paired_difference(first, second)
    assert estimate.value == pytest.approx(np.mean(first - second))
    assert (estimate.low, estimate.high) == pytest.approx((expected.low, expected.high))


def test_paired_difference_textbook_value_and_bounds():
    # differences 1, 2, 3, 4: mean 2.5, s = 1.291, t(0.975, 3) = 3.182446 -> [0.446, 4.554]
    estimate = paired_difference([2.0, 4.0, 6.0, 8.0], [1.0, 2.0, 3.0, 4.0])
    assert (estimate.value, estimate.low, estimate.high) == pytest.approx((2.5, 0.4457, 4.5543), abs=1e-4)
    wars = paired_difference([1, 1, 1, 0], [0, 0, 0, 0], bounds=(0.0, 1.0))
    assert wars.high == 1.0 and wars.low < 0.75
    assert paired_difference([1.0, 2.0], [0.0, 1.0]) == Estimate(1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="differ in length"):
        paired_difference([1.0], [1.0, 2.0])


def test_bootstrap_interval_is_scipys_bca_bootstrap():
    sample = np.random.default_rng(11).gamma(2.0, 3.0, size=80)
    estimate = bootstrap_interval(sample, np.median, seed=4, resamples=999)
    expected = stats.bootstrap(
        (sample,), np.median, n_resamples=999, method="BCa", rng=np.random.default_rng(4)
    ).confidence_interval
    assert estimate.value == np.median(sample)
    assert (estimate.low, estimate.high) == pytest.approx((expected.low, expected.high))
    assert bootstrap_interval(sample, np.median, seed=4, resamples=999) == estimate
    assert bootstrap_interval([2.0, 2.0, 2.0], np.mean, seed=0) == Estimate(2.0, 2.0, 2.0)


def test_percentile_of_score_counts_ties_half():
    assert percentile_of_score([1, 2, 3, 4], 3) == 62.5
    assert percentile_of_score([1, 2, 3, 4], 3) == stats.percentileofscore([1, 2, 3, 4], 3, kind="mean")


def test_bootstrap_interval_falls_back_to_percentiles_where_bca_is_undefined():
    regret = np.array([0.0] * 37 + [0.05, 0.05, 0.05])  # the 90th percentile of resamples is 0 or 0.05
    percentile_90 = lambda sample, axis=-1: np.percentile(sample, 90, axis=axis)  # noqa: E731
    estimate = bootstrap_interval(regret, percentile_90, seed=2, resamples=999)
    expected = stats.bootstrap(
        (regret,), percentile_90, n_resamples=999, method="percentile", rng=np.random.default_rng(2)
    ).confidence_interval
    with pytest.warns(stats.DegenerateDataWarning), np.errstate(invalid="ignore"):
        bca = stats.bootstrap(
            (regret,), percentile_90, n_resamples=999, method="BCa", rng=np.random.default_rng(2)
        ).confidence_interval
    assert math.isnan(bca.high)  # BCa is undefined here
    assert not math.isnan(estimate.high)
    assert (estimate.low, estimate.high) == pytest.approx((expected.low, expected.high))
