"""Counter-based random streams: exact inverse-CDF samplers, run-keyed draws, branching.

Each Poisson or binomial draw ``x`` from uniform ``u`` must be the quantile ``min{k : F(k) >= u}``, i.e.
``F(x - 1) < u <= F(x)`` with scipy's CDF; the empirical CDF of 100,000 draws must then also be within the
Kolmogorov-Smirnov 99% band of scipy's.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scenario_builders import build, minimal_scenario
from scipy import stats

from wargame.model import DeterrenceModel, EnsembleRandom, Stream, run_keys_from_seed
from wargame.runner import simulate_runs

DRAWS = 100_000
KS_99 = 1.6276 / math.sqrt(DRAWS)  # asymptotic 99% Kolmogorov-Smirnov band (conservative if discrete)
TOLERANCE = 1e-10  # slack for scipy's own CDF rounding at the quantile boundaries


@pytest.fixture(scope="module")
def random() -> EnsembleRandom:
    return EnsembleRandom(np.arange(DRAWS, dtype=np.uint64) * np.uint64(0x9E3779B1) + np.uint64(12345))


def assert_exact_quantiles(draws: np.ndarray, uniforms: np.ndarray, cdf) -> None:
    """``F(x - 1) < u <= F(x)`` for every draw, and a KS distance inside the 99% band."""
    assert (cdf(draws) >= uniforms - TOLERANCE).all()
    assert (cdf(draws - 1) < uniforms + TOLERANCE).all()
    values, counts = np.unique(draws, return_counts=True)
    empirical = np.cumsum(counts) / draws.size
    distance = max(
        np.abs(empirical - cdf(values)).max(), np.abs(empirical - counts / draws.size - cdf(values - 1)).max()
    )
    assert distance < KS_99, distance


@pytest.mark.parametrize("mean", [1e-9, 1e-3, 0.3, 1.0, 4.5, 30.0, 500.0, 1e5, 1e8])
def test_poisson_draws_are_exact_quantiles(random, mean):
    draws = random.poisson(np.full((DRAWS, 1), mean), Stream.INCIDENT_COUNT, 3)[:, 0]
    uniforms = random.uniform(Stream.INCIDENT_COUNT, 3, 1)[:, 0]
    assert_exact_quantiles(draws, uniforms, lambda k: stats.poisson.cdf(k, mean))
    assert abs(draws.mean() - mean) <= 4.0 * math.sqrt(mean / DRAWS) + 1e-12


def test_poisson_with_mean_zero_is_zero(random):
    assert (random.poisson(np.zeros((DRAWS, 2)), Stream.INCIDENT_COUNT, 0) == 0).all()


def test_poisson_means_may_differ_by_element(random):
    means = np.array([0.0, 0.2, 7.0, 2500.0])
    draws = random.poisson(np.tile(means, (DRAWS, 1)), Stream.INCIDENT_COUNT, 11)
    uniforms = random.uniform(Stream.INCIDENT_COUNT, 11, 4)
    assert (draws[:, 0] == 0).all()
    for column, mean in enumerate(means[1:], start=1):
        assert_exact_quantiles(
            draws[:, column], uniforms[:, column], lambda k, m=mean: stats.poisson.cdf(k, m)
        )


@pytest.mark.parametrize(
    ("trials", "probability"),
    [(1, 0.3), (20, 0.5), (1000, 1e-6), (1000, 0.999), (10**6, 0.3), (50, 1e-12), (7, 0.999999), (3, 0.5)],
)
def test_binomial_draws_are_exact_quantiles(random, trials, probability):
    draws = random.binomial(
        np.full((DRAWS, 1), trials), np.full((DRAWS, 1), probability), Stream.DETECTION, 4
    )
    uniforms = random.uniform(Stream.DETECTION, 4, 1)[:, 0]
    assert_exact_quantiles(draws[:, 0], uniforms, lambda k: stats.binom.cdf(k, trials, probability))


@pytest.mark.parametrize(
    ("trials", "probability", "expected"),
    [(10, 0.0, 0), (10, 1.0, 10), (0, 0.5, 0), (0, 1.0, 0), (5, -0.5, 0), (5, 1.5, 5)],
    ids=["p0", "p1", "n0", "n0-p1", "p-below-0-clipped", "p-above-1-clipped"],
)
def test_binomial_degenerate_cases(random, trials, probability, expected):
    draws = random.binomial(
        np.full((DRAWS, 1), trials), np.full((DRAWS, 1), probability), Stream.DETECTION, 2
    )
    assert (draws == expected).all()


def test_binomial_trials_and_probabilities_may_differ_by_element(random):
    trials = np.tile([0, 1, 40, 40], (DRAWS, 1))
    probability = np.tile([0.5, 1.0, 0.0, 0.25], (DRAWS, 1))
    draws = random.binomial(trials, probability, Stream.TIMELY_ATTRIBUTION, 9)
    uniforms = random.uniform(Stream.TIMELY_ATTRIBUTION, 9, 4)
    assert (draws[:, 0] == 0).all() and (draws[:, 1] == 1).all() and (draws[:, 2] == 0).all()
    assert_exact_quantiles(draws[:, 3], uniforms[:, 3], lambda k: stats.binom.cdf(k, 40, 0.25))


def test_uniforms_are_open_unit_interval_and_depend_on_stream_day_and_slot(random):
    base = random.uniform(Stream.POLICY, 5, 3)
    assert ((base > 0.0) & (base < 1.0)).all()
    assert abs(base.mean() - 0.5) < 0.01
    for other in (
        random.uniform(Stream.DETECTION, 5, 3),
        random.uniform(Stream.POLICY, 6, 3),
        random.uniform(Stream.POLICY, 5, 3, first_slot=3),
    ):
        assert not np.isin(base, other).any()
    assert (random.uniform(Stream.POLICY, 5, 2, first_slot=1) == base[:, 1:]).all()
    assert abs(np.corrcoef(base[:, 0], base[:, 1])[0, 1]) < 0.02


def test_a_block_of_days_equals_the_days_drawn_one_by_one(random):
    block = random.uniform_days(Stream.INCIDENT_SHOCK, 40, 5, 3)
    for index in range(5):
        assert (block[:, index, :] == random.uniform(Stream.INCIDENT_SHOCK, 40 + index, 3)).all()


def test_a_runs_draws_do_not_depend_on_its_batch():
    keys = run_keys_from_seed(99, 50)
    batch = EnsembleRandom(keys)
    order = np.random.default_rng(0).permutation(50)[:17]
    subset = EnsembleRandom(keys[order])
    for stream in Stream:
        assert (subset.uniform(stream, 12, 4) == batch.uniform(stream, 12, 4)[order]).all()
    means = np.linspace(0.0, 9.0, 50)[:, None]
    assert (
        subset.poisson(means[order], Stream.INCIDENT_COUNT, 3)
        == batch.poisson(means, Stream.INCIDENT_COUNT, 3)[order]
    ).all()


def test_run_keys_are_spawned_from_one_seed_sequence_in_run_order():
    keys = run_keys_from_seed(7, 5)
    children = np.random.SeedSequence(7).spawn(5)
    assert keys.tolist() == [int(child.generate_state(1, dtype=np.uint64)[0]) for child in children]
    assert run_keys_from_seed(7, 3).tolist() == keys[:3].tolist()
    assert run_keys_from_seed(7, 0).shape == (0,)
    with pytest.raises(ValueError):
        run_keys_from_seed(7, -1)
    with pytest.raises(ValueError):
        run_keys_from_seed(7, 2, first_run=-1)


def test_a_block_of_runs_gets_the_keys_it_has_among_all_runs():
    # the runner draws each chunk's keys when it sends the chunk
    children = np.random.SeedSequence(2024).spawn(40)
    every = [int(child.generate_state(1, dtype=np.uint64)[0]) for child in children]
    assert run_keys_from_seed(2024, 40).tolist() == every
    for first, runs in [(0, 7), (7, 13), (20, 20), (39, 1), (40, 0)]:
        assert run_keys_from_seed(2024, runs, first_run=first).tolist() == every[first : first + runs]


@pytest.mark.slow
def test_a_run_alone_equals_the_same_run_inside_a_batch_of_500(reference_scenario):
    keys = run_keys_from_seed(2024, 500)
    batch = simulate_runs(reference_scenario, keys)
    assert batch["war"].any() and not batch["war"].all()  # runs differ, so the check has teeth
    for index in (0, 137, 499):
        alone = simulate_runs(reference_scenario, keys[index : index + 1], first_run_index=index)
        pd.testing.assert_frame_equal(alone, batch.iloc[[index]].reset_index(drop=True), check_exact=True)


# ---------------------------------------------------------------- branches


def test_branched_draws_follow_the_run_keys_before_the_branch_day_and_the_branch_keys_after():
    keys, other = np.arange(8, dtype=np.uint64), np.arange(100, 108, dtype=np.uint64)
    branched = EnsembleRandom(keys, branch_day=10, branch_keys=other)
    plain, after = EnsembleRandom(keys), EnsembleRandom(other)
    for day in (0, 9):
        assert (branched.uniform(Stream.DETECTION, day, 3) == plain.uniform(Stream.DETECTION, day, 3)).all()
    for day in (10, 30):
        assert (branched.uniform(Stream.DETECTION, day, 3) == after.uniform(Stream.DETECTION, day, 3)).all()
    block = branched.uniform_days(Stream.DETECTION, 7, 6, 3)  # days 7..12 straddle the branch
    assert (block[:, :3] == plain.uniform_days(Stream.DETECTION, 7, 3, 3)).all()
    assert (block[:, 3:] == after.uniform_days(Stream.DETECTION, 10, 3, 3)).all()


@pytest.mark.parametrize(("given_day", "given_keys"), [(5, None), (None, np.arange(3, dtype=np.uint64))])
def test_branch_day_and_keys_come_together(given_day, given_keys):
    with pytest.raises(ValueError):
        EnsembleRandom(np.arange(3, dtype=np.uint64), branch_day=given_day, branch_keys=given_keys)
    with pytest.raises(ValueError):
        EnsembleRandom(np.arange(3, dtype=np.uint64), branch_day=5, branch_keys=np.arange(2, dtype=np.uint64))


@pytest.mark.slow
def test_branched_models_share_their_history_then_diverge(reference_scenario):
    runs, branch_day = 40, 50
    keys = run_keys_from_seed(5, runs)
    models = [
        DeterrenceModel(reference_scenario, keys),
        DeterrenceModel(
            reference_scenario, keys, branch_day=branch_day, branch_keys=run_keys_from_seed(6, runs)
        ),
        DeterrenceModel(
            reference_scenario, keys, branch_day=branch_day, branch_keys=run_keys_from_seed(7, runs)
        ),
    ]
    for model in models:
        for _ in range(branch_day):
            model.step()
    reference = models[0]
    for model in models[1:]:
        assert (model.state.values == reference.state.values).all()
        assert (model.incidents == reference.incidents).all()
        assert (model.rung_by_day[:, :branch_day] == reference.rung_by_day[:, :branch_day]).all()
    for model in models:
        model.run_to_end()
    for first, second in [(0, 1), (0, 2), (1, 2)]:
        assert not (models[first].incidents == models[second].incidents).all()
        assert (models[first].rung_by_day[:, :branch_day] == models[second].rung_by_day[:, :branch_day]).all()


def test_a_branch_onto_the_same_keys_changes_nothing():
    scenario = build(minimal_scenario(horizon_days=40))
    keys = np.arange(20, dtype=np.uint64)
    plain = DeterrenceModel(scenario, keys)
    same = DeterrenceModel(scenario, keys, branch_day=13, branch_keys=keys)
    plain.run_to_end()
    same.run_to_end()
    assert (plain.incidents == same.incidents).all()
    assert (plain.state.values == same.state.values).all()
