"""Escalation ladder: hand-computed utilities, the engine's calculus, credibility thresholds, best rungs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scenario_builders import actor, build, ladder, minimal_scenario

from wargame.model import allied_deterrent_terms
from wargame.model import rung_utilities as engine_rung_utilities
from wargame.model.state import EnsembleState
from wargame.scenario import DOMAINS
from wargame.teaching.escalation import (
    RUNG_NAMES,
    EscalationModel,
    best_rung,
    best_rung_map,
    perceived_deterrent,
    rung_utilities,
)


def test_utilities_follow_the_stated_formula(model: EscalationModel) -> None:
    p = model.parameters("baseline")
    resolve_factor = 1 - p["resolve_erosion"] * (1 - p["information_sharing"])
    deterrent = (
        p["defender_readiness"] * p["defender_capability"] * p["defender_resolve"] * resolve_factor
        + p["ally_credibility"]
        * p["ally_readiness"]
        * p["ally_capability"]
        * p["ally_resolve"]
        * resolve_factor
    )
    gain, cost, risk = (np.array(p[key]) for key in ("rung_gain", "rung_cost", "rung_risk"))
    risk_term = (1 - p["risk_tolerance"]) * risk * deterrent / p["adversary_strength"]
    assert p["adversary_resolve"] == 1.0
    assert deterrent == pytest.approx(perceived_deterrent(p), rel=1e-12)
    np.testing.assert_allclose(rung_utilities(p), gain - cost - risk_term, rtol=1e-12)
    weaker = {**p, "adversary_resolve": 0.5}
    np.testing.assert_allclose(rung_utilities(weaker), 0.5 * gain - cost - risk_term, rtol=1e-12, atol=1e-12)


def _engine_scenario(p: dict) -> tuple:
    """The same ladder as an engine scenario (defender, ally, adversary) and its quantities, one run."""
    protection = 1 - p["resolve_erosion"] * (1 - p["information_sharing"])

    def side(actor_id: str, side: str, capability: float, readiness: float, resolve: float) -> dict:
        return actor(
            actor_id,
            side,
            capability=dict.fromkeys(DOMAINS, capability),
            readiness=readiness,
            resolve=resolve,
            risk_tolerance=p["risk_tolerance"],
        )

    rungs = [
        {"id": f"rung_{index}", "gain": gain, "cost": cost, "risk": risk}
        for index, (gain, cost, risk) in enumerate(
            zip(p["rung_gain"], p["rung_cost"], p["rung_risk"], strict=True)
        )
    ]
    document = minimal_scenario(
        actors=[
            side(
                "blue",
                "allied",
                p["defender_capability"],
                p["defender_readiness"],
                p["defender_resolve"] * protection,
            ),
            side(
                "green", "allied", p["ally_capability"], p["ally_readiness"], p["ally_resolve"] * protection
            ),
            side("red", "adversary", p["adversary_strength"], 1.0, p["adversary_resolve"]),
        ],
        commitments=[{"from": "green", "to": "blue", "credibility": p["ally_credibility"]}],
        escalation=ladder(*rungs, war_starts_at=f"rung_{len(rungs) - 1}"),
    )
    scenario = build(document)
    return scenario, EnsembleState(scenario, 1).view()


@settings(max_examples=40, deadline=None)
@given(
    credibility=st.floats(0, 1),
    sharing=st.floats(0, 1),
    erosion=st.floats(0, 1),
    capabilities=st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0.01, 1)),
    adversary_resolve=st.floats(0, 1),
    risk_tolerance=st.floats(0, 1),
)
def test_the_ladder_is_the_engine_adversary_calculus_on_an_equivalent_scenario(
    model: EscalationModel,
    credibility: float,
    sharing: float,
    erosion: float,
    capabilities: tuple[float, float, float],
    adversary_resolve: float,
    risk_tolerance: float,
) -> None:
    defender, ally, adversary = capabilities
    p = model.parameters(
        "baseline",
        {
            "ally_credibility": credibility,
            "information_sharing": sharing,
            "resolve_erosion": erosion,
            "defender_capability": defender,
            "ally_capability": ally,
            "adversary_strength": adversary,
            "adversary_resolve": adversary_resolve,
            "risk_tolerance": risk_tolerance,
        },
    )
    scenario, quantities = _engine_scenario(p)
    deterrent = allied_deterrent_terms(scenario, quantities).sum(axis=0)
    assert perceived_deterrent(p) == pytest.approx(deterrent[0], rel=1e-12, abs=1e-12)
    engine = engine_rung_utilities(scenario, deterrent, quantities)[0]
    np.testing.assert_allclose(rung_utilities(p), engine, rtol=1e-12, atol=1e-12)
    assert len(engine) == len(RUNG_NAMES)


def test_the_best_rung_map_agrees_with_the_best_rung_point_by_point(model: EscalationModel) -> None:
    p = model.parameters("baseline")
    credibility, sharing = np.linspace(0, 1, 7), np.linspace(0, 1, 5)
    expected = [
        [best_rung({**p, "ally_credibility": c, "information_sharing": s}) for c in credibility]
        for s in sharing
    ]
    np.testing.assert_array_equal(best_rung_map(p, credibility, sharing), expected)


@pytest.mark.parametrize("case", ["baseline", "credible_ally", "credible_and_sharing"])
def test_credibility_thresholds_match_a_bisection_on_the_best_rung(model: EscalationModel, case: str) -> None:
    params = model.parameters(case)
    result = model.run(params)
    assert result.thresholds
    for credibility, above, below in result.thresholds:
        low, high = credibility - 0.05, credibility + 0.05
        assert best_rung({**params, "ally_credibility": max(low, 0.0)}) == above
        assert best_rung({**params, "ally_credibility": high}) == below
        for _ in range(60):
            middle = (low + high) / 2
            if best_rung({**params, "ally_credibility": middle}) == above:
                low = middle
            else:
                high = middle
        assert abs(high - credibility) / credibility <= 1e-3


def test_credibility_and_sharing_lower_the_best_rung_in_the_lesson_cases(model: EscalationModel) -> None:
    rungs = [model.run(model.parameters(case)).best for case in model.scenario.cases]
    assert rungs == sorted(rungs, reverse=True)
    assert rungs[0] > rungs[-1]


@settings(max_examples=60, deadline=None)
@given(
    credibility=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    sharing=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    erosion=st.floats(0, 1),
)
def test_best_rung_never_rises_with_credibility_or_sharing(
    model: EscalationModel, credibility: tuple[float, float], sharing: tuple[float, float], erosion: float
) -> None:
    base = model.parameters("baseline", {"resolve_erosion": erosion})
    low_c, high_c = sorted(credibility)
    low_s, high_s = sorted(sharing)
    weak = best_rung({**base, "ally_credibility": low_c, "information_sharing": low_s})
    strong = best_rung({**base, "ally_credibility": high_c, "information_sharing": high_s})
    assert strong <= weak
