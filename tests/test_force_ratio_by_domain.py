"""A campaign's force ratio for even odds, one number for every domain or one per domain.

The adversary wins domain ``d`` with probability ``Phi((2 ln(X_d / Y_d) - 2 ln rho_d) / sigma)``; each
domain's ratio ``rho_d`` is its own exchange and, when uncertain, its own draw. The expected values here are
computed by hand from that formula with SciPy, not by the engine.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scenario_builders import build, campaign_ladder, minimal_scenario, quiet, write_yaml
from scipy import stats

from wargame.core.campaign import adjudicate
from wargame.core.deterrence import ladder_of
from wargame.core.parameters import RunParameters
from wargame.core.random_streams import EnsembleRandom
from wargame.errors import InputError
from wargame.model import DeterrenceModel, deterrence_inputs
from wargame.model.state import EnsembleState
from wargame.scenario import DOMAINS, apply_overrides, load_scenario

SIGMA = 0.5  # the minimal scenario's battle uncertainty


def campaign_document(force_ratio_needed: object) -> dict:
    document = quiet(minimal_scenario())
    document["escalation"] = campaign_ladder(force_ratio_needed)
    document["escalation"]["battle_uncertainty_sigma"] = SIGMA
    return document


def success(document: dict) -> float:
    scenario = build(document)
    return float(deterrence_inputs(scenario, EnsembleState(scenario, 1).view(None)).success_probability[1, 0])


def test_each_domain_is_fought_at_its_own_force_ratio():
    document = campaign_document({"air": 1.2, "maritime": 1.8})
    document["actors"][2]["capability"] = {**dict.fromkeys(DOMAINS, 0.5), "air": 0.9, "maritime": 0.6}
    document["actors"][2]["readiness"] = 0.8
    document["actors"][1]["forward_presence"] = 0.2
    document["actors"][1]["reinforcement_days"] = 40.0
    arrival_green = 0.2 + 0.8 * 10 / 40
    defend = 0.5 * 0.5 + 0.5 * 0.5 * 0.5 * arrival_green  # blue itself; green at credibility 0.5
    expected = sum(
        0.5 * stats.norm.cdf((2 * math.log(attack * 0.8 / defend) - 2 * math.log(rho)) / SIGMA)
        for attack, rho in ((0.9, 1.2), (0.6, 1.8))
    )
    assert success(document) == pytest.approx(expected, rel=1e-12)


def test_a_domain_s_ratio_moves_only_its_own_domain():
    base = success(campaign_document({"air": 1.0, "maritime": 1.0}))
    harder_air = success(campaign_document({"air": 2.0, "maritime": 1.0}))
    harder_both = success(campaign_document({"air": 2.0, "maritime": 2.0}))
    # Equal forces (0.25 against 0.25 + 0.0625 arrival-weighted green): each domain gives half the change.
    assert base > harder_air > harder_both
    assert base - harder_air == pytest.approx((base - harder_both) / 2, rel=1e-12)


def test_one_number_is_the_same_ratio_in_every_domain():
    assert success(campaign_document(1.5)) == success(campaign_document({"air": 1.5, "maritime": 1.5}))
    scalar = DeterrenceModel(build(campaign_document(1.5)), np.arange(50, dtype=np.uint64))
    mapping = DeterrenceModel(
        build(campaign_document({"air": 1.5, "maritime": 1.5})), np.arange(50, dtype=np.uint64)
    )
    scalar.run_to_end()
    mapping.run_to_end()
    one, per_domain = scalar.outcomes(), mapping.outcomes()
    assert 0 < one["war"].sum() < 50  # the campaign decides something here
    assert one.keys() == per_domain.keys()
    for column, values in one.items():
        np.testing.assert_array_equal(values, per_domain[column], err_msg=column)


def test_a_war_is_adjudicated_at_each_domain_s_ratio():
    forces = np.full((2, 4), 0.5)
    shocks = np.zeros((2, 4))
    common = {"sigma": SIGMA, "attrition_per_day": 0.05, "breakpoint": 0.5, "shocks": shocks}
    by_domain = adjudicate(
        forces * 1.1, forces, np.array([0.6, 0.4]), force_ratio_needed=np.array([[1.0], [2.0]]), **common
    )
    # At rho 1 a 10% larger force wins its domain; at rho 2 it loses: the adversary takes the 0.6 domain.
    assert by_domain.adversary_wins.all()
    swapped = adjudicate(
        forces * 1.1, forces, np.array([0.6, 0.4]), force_ratio_needed=np.array([[2.0], [1.0]]), **common
    )
    assert not swapped.adversary_wins.any()


def test_uncertain_ratios_are_drawn_apart_per_domain(tmp_path):
    document = campaign_document(
        {
            "air": {"dist": "uniform", "low": 0.8, "high": 1.2},
            "maritime": {"dist": "uniform", "low": 1.5, "high": 2.5},
        }
    )
    scenario = load_scenario(write_yaml(tmp_path / "ratios.yaml", document))
    prefix = "escalation.rungs.seize.campaign.force_ratio_needed"
    assert [u.path for u in scenario.uncertain_inputs] == [f"{prefix}.air", f"{prefix}.maritime"]
    runs = 4000
    parameters = RunParameters(scenario, EnsembleRandom(np.arange(runs, dtype=np.uint64)))
    ratios = ladder_of(scenario, parameters).force_ratio_needed  # (campaigns, domains, runs)
    air, maritime = ratios[0, DOMAINS.index("air")], ratios[0, DOMAINS.index("maritime")]
    assert ratios.shape == (1, len(DOMAINS), runs)
    assert stats.kstest(air, stats.uniform(0.8, 0.4).cdf).pvalue > 0.001
    assert stats.kstest(maritime, stats.uniform(1.5, 1.0).cdf).pvalue > 0.001
    # Independent draws: a correlation this large has a chance under 1e-4 with 4,000 independent pairs.
    assert abs(stats.pearsonr(air, maritime).statistic) < 4.0 / math.sqrt(runs)
    assert (ratios[0, DOMAINS.index("land")] == 1.0).all()  # no weight, no ratio given


def test_a_ratio_per_domain_can_be_set_like_any_field():
    scenario = build(campaign_document({"air": 1.0, "maritime": 1.0}))
    harder = apply_overrides(scenario, {"escalation.rungs.seize.campaign.force_ratio_needed.maritime": 2.0})
    ratio = harder.escalation.rungs[1].campaign.force_ratio_needed
    assert ratio == {"air": 1.0, "maritime": 2.0}


def test_a_weighted_domain_without_a_ratio_is_one_located_error(tmp_path):
    path = write_yaml(tmp_path / "missing.yaml", campaign_document({"air": 1.2}))
    with pytest.raises(InputError) as error:
        load_scenario(path)
    message = str(error.value)
    assert "missing.yaml:" in message and "escalation.rungs[seize].campaign" in message
    assert "force_ratio_needed names no ratio for maritime" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("given", "field", "reason"),
    [
        ({"airr": 1.0, "air": 1.0, "maritime": 1.0}, "force_ratio_needed.airr", "Input should be 'air'"),
        ({"air": 0, "maritime": 1.0}, "force_ratio_needed.air", "greater than 0"),
        ({"air": "fast", "maritime": 1.0}, "force_ratio_needed.air", "a valid number"),
        (-2, "force_ratio_needed", "greater than 0"),
        ([1, 2], "force_ratio_needed", "a valid number"),
    ],
)
def test_a_bad_ratio_is_named_in_the_file_s_terms(tmp_path, given, field, reason):
    path = write_yaml(tmp_path / "bad.yaml", campaign_document(given))
    with pytest.raises(InputError) as error:
        load_scenario(path)
    message = str(error.value)
    assert f"escalation.rungs[seize].campaign.{field}" in message and reason in message
    assert "(number)" not in message and "(by domain)" not in message and "function-" not in message
