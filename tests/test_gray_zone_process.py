"""The gray-zone process: clustering (a discrete-time Hawkes process), subsets of activities and smooth
attribution, checked against results derived independently of the engine (ARMA theory, SciPy's log-normal).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scenario_builders import build, minimal_scenario
from scipy import stats

from wargame.core.random_streams import EnsembleRandom
from wargame.errors import InputError
from wargame.model import DeterrenceModel
from wargame.model.gray_zone import GrayZoneMechanics
from wargame.model.state import EnsembleState
from wargame.scenario import apply_overrides


def keys(runs: int, offset: int = 0) -> np.ndarray:
    return np.arange(offset, offset + runs, dtype=np.uint64)


def air_activity(activity_id: str, **fields: object) -> dict:
    """An air activity named after its id, with ``fields``."""
    return {"id": activity_id, "name": activity_id.title(), "domain": "air", **fields}


def hierarchy_document(**root_fields: object) -> dict:
    """Aircraft around the island; ADIZ entries a subset; median-line crossings a subset of those."""
    document = minimal_scenario(links=[])
    document["gray_zone"]["activities"] = [
        {"id": "aircraft", "name": "Aircraft", "domain": "air", "base_rate_per_day": 12.0, **root_fields},
        {"id": "adiz", "name": "ADIZ entries", "domain": "air", "subset_of": "aircraft", "share": 0.6},
        {"id": "median", "name": "Median line", "domain": "air", "subset_of": "adiz", "share": 0.3},
        {"id": "boats", "name": "Boats", "domain": "maritime", "base_rate_per_day": 0.5},
    ]
    return document


def draw_days(document: dict, runs: int, days: int, block_days: int = 7, seed_offset: int = 0) -> np.ndarray:
    """Daily counts by activity, ``(days, 3, runs, activities)``, drawn block by block at the status quo."""
    scenario = build(document)
    mechanics = GrayZoneMechanics(scenario, EnsembleState(scenario, runs))
    random = EnsembleRandom(keys(runs, seed_offset))
    rung = np.zeros(runs, dtype=np.int64)
    blocks = [
        mechanics.draw_block(random, first, min(block_days, days - first), rung).counts
        for first in range(0, days, block_days)
    ]
    return np.concatenate(blocks)


# ---------------------------------------------------------------- subsets


def test_a_subset_never_exceeds_its_parent_on_any_day_of_1000_runs():
    counts = draw_days(hierarchy_document(overdispersion_sigma=0.8), runs=1000, days=365)
    true, detected, attributed = counts[:, 0], counts[:, 1], counts[:, 2]
    assert (true[..., 1] <= true[..., 0]).all() and (true[..., 2] <= true[..., 1]).all()
    assert (detected <= true).all() and (attributed <= detected).all()
    # Not vacuous: parents often exceed their subsets, and subsets are often non-zero.
    assert (true[..., 1] < true[..., 0]).mean() > 0.5 and (true[..., 2] > 0).mean() > 0.5


def test_a_subset_counts_its_share_of_the_parent_in_expectation():
    counts = draw_days(hierarchy_document(), runs=400, days=200)[:, 0].sum(axis=(0, 1))
    aircraft, adiz, median, _ = counts
    # Binomial thinning: adiz | aircraft ~ Binomial(aircraft, 0.6); the ratio's sd is below 0.002 here.
    assert adiz / aircraft == pytest.approx(0.6, abs=0.01)
    assert median / adiz == pytest.approx(0.3, abs=0.01)
    assert aircraft / (400 * 200) == pytest.approx(12.0, rel=0.01)


def test_distinct_totals_count_a_nested_incident_once():
    model = DeterrenceModel(build(hierarchy_document()), keys(50))
    model.run_to_end()
    outcomes = model.outcomes()
    assert (outcomes["incidents_total"] == outcomes["incidents_aircraft"] + outcomes["incidents_boats"]).all()
    assert (outcomes["incidents_total"] < model.incidents.sum(axis=1)).all()


def test_a_subset_may_give_its_mean_rate_instead_of_a_share():
    by_rate = hierarchy_document()
    by_rate["gray_zone"]["activities"][1] = air_activity("adiz", subset_of="aircraft", base_rate_per_day=7.2)
    scenario = build(by_rate)
    adiz = scenario.gray_zone.activity("adiz")
    assert scenario.gray_zone.share_of(adiz) == pytest.approx(0.6)
    assert np.array_equal(draw_days(by_rate, 20, 30), draw_days(hierarchy_document(), 20, 30))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"subset_of": "nothing", "share": 0.5}, "unknown activity 'nothing'"),
        ({"share": 0.5, "base_rate_per_day": 2.0}, "exactly one of share or base_rate_per_day"),
        ({"share": 0.5, "clustering": {"branching_ratio": 0.2, "decay_days": 2}}, "follows its parent"),
        ({"share": 0.5, "overdispersion_sigma": 0.4}, "follows its parent"),
        ({"share": 0.5, "attribution_deterrence": 1.0}, "follows its parent's attribution_deterrence"),
        ({"share": 0.5, "attribution_reference": 0.4}, "follows its parent's attribution_reference"),
    ],
)
def test_bad_subsets_are_refused_with_their_field(change, message):
    document = hierarchy_document()
    median = document["gray_zone"]["activities"][2]
    median.pop("share")
    median.update(change)
    with pytest.raises(ValueError, match=message):
        build(document)


def test_subsets_taking_more_than_all_of_their_parent_are_refused():
    document = hierarchy_document()
    document["gray_zone"]["activities"].append(air_activity("other", subset_of="aircraft", share=0.5))
    with pytest.raises(ValueError, match=r"take 1\.1 of its incidents"):
        build(document)


def test_a_cycle_of_subsets_is_refused():
    document = hierarchy_document()
    document["gray_zone"]["activities"][0] = air_activity("aircraft", subset_of="median", share=0.5)
    with pytest.raises(ValueError, match="cycle"):
        build(document)


# ---------------------------------------------------------------- clustering


def arma_lag_autocorrelation(branching: float, decay_days: float, lag: int) -> float:
    """Autocorrelation of the counts at ``lag``: the process is ARMA(1, 1) in the counts.

    ``N_t - m = a sum_k phi^(k-1) (N_{t-k} - m) + e_t`` gives ``(1 - rho L)(N - m) = (1 - phi L) e`` with
    ``rho = phi + a``: AR coefficient ``rho``, MA coefficient ``theta = -phi``.
    """
    phi = math.exp(-1.0 / decay_days)
    a = branching * (1.0 - phi)
    rho, theta = phi + a, -phi
    gamma0 = 1.0 + 2.0 * rho * theta + theta**2
    gamma1 = (1.0 + rho * theta) * (rho + theta)
    return gamma1 / gamma0 * rho ** (lag - 1)


@pytest.mark.parametrize(("branching", "decay_days"), [(0.4, 2.0), (0.6, 5.0)])
def test_clustered_counts_have_the_mean_and_autocorrelation_of_the_hawkes_process(branching, decay_days):
    document = hierarchy_document(
        overdispersion_sigma=0.5, clustering={"branching_ratio": branching, "decay_days": decay_days}
    )
    series = draw_days(document, runs=200, days=730)[:, 0, :, 0].astype(float)  # (days, runs)
    assert series.mean() == pytest.approx(12.0, rel=0.03)
    centred = series - series.mean(axis=0)
    for lag in (1, 3):
        observed = (centred[lag:] * centred[:-lag]).sum() / (centred**2).sum()
        assert observed == pytest.approx(arma_lag_autocorrelation(branching, decay_days, lag), abs=0.02)


def test_without_clustering_days_are_uncorrelated():
    series = draw_days(hierarchy_document(overdispersion_sigma=0.5), runs=200, days=730)[:, 0, :, 0]
    centred = series - series.mean(axis=0)
    assert abs((centred[1:] * centred[:-1]).sum() / (centred**2).sum()) < 0.015


def test_clustered_draws_do_not_depend_on_how_days_are_cut_into_blocks():
    document = hierarchy_document(
        overdispersion_sigma=0.7, clustering={"branching_ratio": 0.5, "decay_days": 3}
    )
    assert np.array_equal(draw_days(document, 8, 60, block_days=1), draw_days(document, 8, 60, block_days=7))


def test_a_clustered_run_is_the_same_alone_and_in_a_batch():
    document = hierarchy_document(
        overdispersion_sigma=0.7, clustering={"branching_ratio": 0.5, "decay_days": 3}
    )
    scenario = build(document)
    batch = DeterrenceModel(scenario, keys(6))
    batch.run_to_end()
    alone = DeterrenceModel(scenario, keys(1, offset=4))
    alone.run_to_end()
    assert np.array_equal(batch.incidents[4], alone.incidents[0])
    assert np.array_equal(batch.detected[4], alone.detected[0])


@pytest.mark.parametrize(("branching", "decay_days"), [(0.5, 2.0), (0.8, 0.5)])
def test_clustering_raises_the_variance_as_the_arma_form_says_but_not_the_mean(branching, decay_days):
    plain = draw_days(hierarchy_document(), runs=300, days=365)[:, 0, :, 0]
    clustering = {"branching_ratio": branching, "decay_days": decay_days}
    clustered = draw_days(hierarchy_document(clustering=clustering), runs=300, days=365)[:, 0, :, 0]
    assert clustered.mean() == pytest.approx(plain.mean(), rel=0.03)
    # Poisson innovations have variance E[lambda] = m, so Var N = m (1 - 2 rho phi + phi^2) / (1 - rho^2).
    phi = math.exp(-1.0 / decay_days)
    rho = phi + branching * (1.0 - phi)
    inflation = (1.0 - 2.0 * rho * phi + phi**2) / (1.0 - rho**2)
    assert clustered.var() / plain.var() == pytest.approx(inflation, rel=0.06)


# ---------------------------------------------------------------- smooth attribution


def smooth_profile(latency_hours: float, cv: float = 0.5, deadline: float = 24.0) -> tuple[float, float]:
    document = minimal_scenario()
    document["gray_zone"]["delivery_time_cv"] = cv
    document["gray_zone"]["attribution_deadline_hours"] = deadline
    document["links"][0]["latency_hours"] = latency_hours
    scenario = build(document)
    known, timely, _ = GrayZoneMechanics(scenario, EnsembleState(scenario, 1)).attribution_profile()
    return float(known[0, 0]), float(timely[0, 0])


def lognormal_cdf(deadline: float, mean: float, cv: float) -> float:
    sigma = math.sqrt(math.log1p(cv**2))
    return float(stats.lognorm(s=sigma, scale=mean * math.exp(-(sigma**2) / 2)).cdf(deadline))


@pytest.mark.parametrize("latency", [1.0, 12.0, 24.0, 60.0])
def test_timely_attribution_follows_log_normal_delivery_times(latency):
    # The minimal scenario's sources: blue's own ISR (q 0.54, 30 h); green's link (q 0.36, 10 h + latency).
    q_own, q_link = 0.6 * 0.9, 0.8 * 0.9 * 0.5
    f_own, f_link = lognormal_cdf(24.0, 30.0, 0.5), lognormal_cdf(24.0, 10.0 + latency, 0.5)
    known = 1 - (1 - q_own) * (1 - q_link)
    timely = (1 - (1 - q_own * f_own) * (1 - q_link * f_link)) / known
    assert smooth_profile(latency) == pytest.approx((known, timely), rel=1e-12)


def test_link_latency_moves_timely_attribution_smoothly():
    latencies = np.arange(1.0, 49.0)
    timely = np.array([smooth_profile(hours)[1] for hours in latencies])
    steps = -np.diff(timely)
    assert (steps > 0).all()  # every hour of latency costs something (a step function is flat from 1 to 24 h)
    assert steps.max() < 0.25 * (timely[0] - timely[-1])  # no jump at the deadline
    step_before, step_after = smooth_profile(13.0, cv=0.0)[1], smooth_profile(15.0, cv=0.0)[1]
    assert (
        step_before != step_after
    )  # with CV 0 the old step comes back: the link's 24 h crosses the deadline


def test_an_activity_is_seen_through_its_targets_picture():
    document = minimal_scenario()  # the only link runs green -> blue
    document["gray_zone"]["activities"].append(
        {"id": "probe", "name": "Probe", "domain": "air", "base_rate_per_day": 1.0, "target": "green"}
    )
    scenario = build(document)
    mechanics = GrayZoneMechanics(scenario, EnsembleState(scenario, 1))
    known = mechanics._official_profile()[0][0]
    assert known[0] == pytest.approx(1 - (1 - 0.54) * (1 - 0.36))  # blue's own ISR and green's link
    assert known[1] == pytest.approx(0.8)  # green's own ISR only (detectability 1)


def test_a_subset_activity_overrides_through_the_scenario_paths():
    scenario = build(hierarchy_document())
    changed = apply_overrides(scenario, {"gray_zone.activities.adiz.share": 0.2})
    assert changed.gray_zone.share_of(changed.gray_zone.activity("adiz")) == 0.2
    with pytest.raises(InputError):
        apply_overrides(scenario, {"gray_zone.activities.adiz.share": 1.5})
