"""How the gray zone draws its counts: exact inversion of uniforms, and two ways of drawing a root's incidents
(each (part, outcome) count directly, or the root's total thinned by binomials) with the same distribution.

Expected values come from the scenario's numbers and SciPy, never from the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scenario_builders import build, minimal_scenario, write_yaml
from scipy import stats

from wargame.core.counts import binomial_counts, poisson_counts
from wargame.core.random_streams import EnsembleRandom, run_keys_from_seed
from wargame.model import DeterrenceModel, _gray_zone_counts
from wargame.model.gray_zone import GrayZoneMechanics
from wargame.model.state import EnsembleState
from wargame.scenario import load_scenario

# ---------------------------------------------------------------- inversion


@pytest.mark.parametrize("mean", [0.0, 1e-3, 0.3, 1.0, 4.4, 15.9, 16.1, 40.0, 900.0])
def test_poisson_counts_are_the_poisson_quantiles_of_the_uniforms(mean):
    uniforms = np.random.default_rng(1).random(20_000)
    expected = stats.poisson.ppf(uniforms, mean)
    assert np.array_equal(poisson_counts(uniforms, np.full(uniforms.size, mean)), expected)


@pytest.mark.parametrize("trials", [1, 2, 7, 40, 400])
@pytest.mark.parametrize("probability", [0.0, 0.02, 0.3, 0.5, 0.7, 0.98, 1.0])
def test_binomial_counts_are_binomial_quantiles_of_the_uniforms(trials, probability):
    uniforms = np.random.default_rng(2).random(20_000)
    counts = binomial_counts(uniforms, np.full(uniforms.size, trials), np.array([probability]))
    assert np.array_equal(counts, stats.binom.ppf(uniforms, trials, probability))


def test_binomial_probabilities_repeat_over_the_leading_axes():
    uniforms = np.random.default_rng(3).random((5, 4, 3))
    trials = np.random.default_rng(4).integers(0, 30, (5, 4, 3))
    probability = np.random.default_rng(5).random((4, 3))
    expected = binomial_counts(uniforms, trials, np.broadcast_to(probability, (5, 4, 3)).copy())
    assert np.array_equal(binomial_counts(uniforms, trials, probability), expected)
    assert (binomial_counts(uniforms, np.zeros_like(trials), probability) == 0).all()


uniform_arrays = hnp.arrays(np.float64, st.integers(1, 300), elements=st.floats(1e-12, 1.0 - 1e-12))


@settings(max_examples=60, deadline=None)
@given(uniforms=uniform_arrays, data=st.data())
def test_a_count_depends_on_its_own_uniform_and_mean_only(uniforms, data):
    size = uniforms.size
    means = data.draw(hnp.arrays(np.float64, size, elements=st.floats(0.0, 60.0)))
    trials = data.draw(hnp.arrays(np.int64, size, elements=st.integers(0, 120)))
    chances = data.draw(hnp.arrays(np.float64, size, elements=st.floats(0.0, 1.0)))
    poisson = poisson_counts(uniforms, means)
    binomial = binomial_counts(uniforms, trials, chances)
    for i in data.draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=5)):
        assert poisson_counts(uniforms[i : i + 1], means[i : i + 1])[0] == poisson[i]
        assert binomial_counts(uniforms[i : i + 1], trials[i : i + 1], chances[i : i + 1])[0] == binomial[i]


@settings(max_examples=60, deadline=None)
@given(uniforms=uniform_arrays, data=st.data())
def test_for_one_uniform_a_count_rises_with_its_mean_and_its_probability(uniforms, data):
    """Common random numbers: a lever that raises a rate or a probability never lowers a run's count."""
    size = uniforms.size
    low = data.draw(hnp.arrays(np.float64, size, elements=st.floats(0.0, 1.0)))
    high = np.minimum(low + data.draw(hnp.arrays(np.float64, size, elements=st.floats(0.0, 1.0))), 1.0)
    trials = data.draw(hnp.arrays(np.int64, size, elements=st.integers(0, 120)))
    assert (binomial_counts(uniforms, trials, low) <= binomial_counts(uniforms, trials, high)).all()
    assert (poisson_counts(uniforms, 40.0 * low) <= poisson_counts(uniforms, 40.0 * high)).all()


# ---------------------------------------------------------------- direct and thinned draws

RATE, BOATS = 12.0, 0.5
PART_RATES = {  # part: incidents a day that are in the activity and in none of its subsets
    "aircraft": RATE * (1.0 - 0.5 - 0.2),
    "adiz": RATE * 0.5 * (1.0 - 0.4),
    "bombers": RATE * 0.2,
    "median": RATE * 0.5 * 0.4,
    "boats": BOATS,
}
DETECTABILITY = {"aircraft": 0.9, "adiz": 0.8, "bombers": 1.0, "median": 0.7, "boats": 0.5}


def nested_document(**aircraft: object) -> dict:
    """Aircraft with two subsets (ADIZ entries, bombers) and a subset of a subset; boats, a rare root."""
    document = minimal_scenario(links=[])  # blue alone: ISR 0.6, attribution after 30 h, deadline 24 h
    document["gray_zone"]["delivery_time_cv"] = 0.5
    activity = {"domain": "air", "detectability": 1.0}
    document["gray_zone"]["activities"] = [
        {**activity, "id": "aircraft", "name": "A", "base_rate_per_day": RATE, **aircraft},
        {**activity, "id": "adiz", "name": "B", "subset_of": "aircraft", "share": 0.5},
        {**activity, "id": "bombers", "name": "C", "subset_of": "aircraft", "share": 0.2},
        {**activity, "id": "median", "name": "D", "subset_of": "adiz", "share": 0.4},
        {**activity, "id": "boats", "name": "E", "domain": "maritime", "base_rate_per_day": BOATS},
    ]
    for entry in document["gray_zone"]["activities"]:
        entry["detectability"] = DETECTABILITY[entry["id"]]
    return document


def draw_parts(document: dict, runs: int, days: int) -> np.ndarray:
    """Incidents by part, ``(days, 3, runs, activities)``: true, detected, attributed in time."""
    scenario = build(document)
    mechanics = GrayZoneMechanics(scenario, EnsembleState(scenario, runs))
    random = EnsembleRandom(run_keys_from_seed(11, runs))
    rung = np.zeros(runs, dtype=np.int64)
    blocks = [mechanics.draw_block(random, first, 7, rung).parts for first in range(0, days, 7)]
    return np.concatenate(blocks)


@pytest.fixture(params=["by default", "all directly", "all thinned"])
def way(request, monkeypatch):
    """Which roots draw each (part, outcome) count directly: by their rate, all, or none."""
    threshold = {"by default": _gray_zone_counts._DIRECT_FROM_MEAN, "all directly": 0.0}
    monkeypatch.setattr(_gray_zone_counts, "_DIRECT_FROM_MEAN", threshold.get(request.param, math.inf))
    return request.param


def test_each_part_and_outcome_is_an_independent_poisson_count_with_the_models_mean(way):
    parts = draw_parts(nested_document(), runs=4000, days=21)
    true, detected, in_time = parts[:, 0], parts[:, 1], parts[:, 2]
    outcomes = {"in time": in_time, "late": detected - in_time, "missed": true - detected}
    # One source (blue's own ISR, 0.6): attributed in time if its log-normal delivery (mean 30 h, CV 0.5)
    # beats the 24 h deadline.
    sigma = math.sqrt(math.log1p(0.5**2))
    p_timely = stats.lognorm(s=sigma, scale=30.0 * math.exp(-(sigma**2) / 2)).cdf(24.0)
    for k, (part, rate) in enumerate(PART_RATES.items()):
        known = 0.6 * DETECTABILITY[part]
        chances = {"in time": known * p_timely, "late": known * (1 - p_timely), "missed": 1 - known}
        for outcome, counts in outcomes.items():
            sample = counts[..., k].ravel().astype(float)
            mean = rate * chances[outcome]
            assert abs(sample.mean() - mean) < 4.0 * math.sqrt(mean / sample.size), (part, outcome)
            assert sample.var() / sample.mean() == pytest.approx(1.0, abs=0.05), (part, outcome)
    # Poisson thinning: outcomes of a part, and parts of a root, are independent.
    aircraft = [outcomes[o][..., 0].ravel() for o in ("in time", "missed")]
    assert abs(np.corrcoef(*aircraft)[0, 1]) < 0.02
    assert abs(np.corrcoef(true[..., 1].ravel(), true[..., 3].ravel())[0, 1]) < 0.02


@pytest.mark.parametrize("rate", [0.8, 6.0])
def test_a_clustered_root_has_the_hawkes_mean_and_variance_either_way(way, rate):
    branching, decay_days = 0.5, 2.0
    document = nested_document(
        base_rate_per_day=rate, clustering={"branching_ratio": branching, "decay_days": decay_days}
    )
    true = draw_parts(document, runs=300, days=364)[:, 0]
    aircraft = true[..., :4].sum(axis=2).astype(float)  # every part of the root, (days, runs)
    assert aircraft.mean() == pytest.approx(rate, rel=0.03)
    # The counts are ARMA(1, 1) with Poisson innovations: Var N = m (1 - 2 rho phi + phi**2) / (1 - rho**2).
    phi = math.exp(-1.0 / decay_days)
    rho = phi + branching * (1.0 - phi)
    inflation = (1.0 - 2.0 * rho * phi + phi**2) / (1.0 - rho**2)
    assert aircraft.var() / aircraft.mean() == pytest.approx(inflation, rel=0.06)


def test_a_run_draws_the_same_alone_and_in_a_batch_whatever_its_drawn_rate(tmp_path):
    # A root whose rate is uncertain straddles the rate from which roots are drawn directly: each run's way
    # follows its own rate, never the other runs of the ensemble.
    document = nested_document()
    document["gray_zone"]["activities"][4]["base_rate_per_day"] = {"dist": "uniform", "low": 0.2, "high": 3.0}
    scenario = load_scenario(write_yaml(tmp_path / "scenario.yaml", document))
    keys = run_keys_from_seed(5, 12)
    batch = DeterrenceModel(scenario, keys)
    batch.run_to_end()
    rates = batch.parameters.value("gray_zone.activities.boats.base_rate_per_day", 0.0)
    assert (rates < 1.0).any() and (rates > 1.0).any()  # not vacuous
    for run in range(keys.size):
        alone = DeterrenceModel(scenario, keys[run : run + 1])
        alone.run_to_end()
        assert np.array_equal(batch.incidents[run], alone.incidents[0])
        assert np.array_equal(batch.detected[run], alone.detected[0])
