"""Escalation ladder: hand-computed utilities, credibility thresholds, and monotone best rungs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wargame.teaching.escalation import EscalationModel, best_rung, perceived_deterrent, rung_utilities


@pytest.fixture(scope="module")
def model() -> EscalationModel:
    return EscalationModel()


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
    expected = gain - cost - (1 - p["risk_tolerance"]) * risk * deterrent / p["adversary_strength"]
    assert deterrent == pytest.approx(perceived_deterrent(p), rel=1e-12)
    np.testing.assert_allclose(rung_utilities(p), expected, rtol=1e-12)


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
