"""Fearon's bargaining model against its closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wargame.teaching._base import scalar_parameters
from wargame.teaching.bargaining import (
    BargainingModel,
    bargaining_range,
    commitment_threshold_p_future,
    optimal_demand_closed_form,
    optimal_demand_numerical,
    simulate_war_frequency,
    sweep_cost_uncertainty,
    war_probability_closed_form,
)


def test_bargaining_range_is_p_minus_cost_a_to_p_plus_cost_b() -> None:
    assert pytest.approx(bargaining_range(0.6, 0.1, 0.1), abs=1e-15) == (0.5, 0.7)


@settings(max_examples=60, deadline=None)
@given(
    p=st.floats(0.05, 0.6),
    cost_a=st.floats(0.0, 0.3),
    low=st.floats(0.0, 0.2),
    width=st.floats(0.01, 0.35),
)
def test_numerical_best_demand_matches_the_closed_form(
    p: float, cost_a: float, low: float, width: float
) -> None:
    expected = optimal_demand_closed_form(p, cost_a, low, low + width)
    actual = optimal_demand_numerical(p, cost_a, low, low + width)
    assert abs(actual - expected) / expected <= 1e-3


@pytest.mark.parametrize("high", [0.2, 0.4, 0.8])
def test_simulated_war_frequency_is_within_the_99_percent_interval(
    model: BargainingModel, high: float
) -> None:
    params = model.parameters("default", {"b_cost_high": high, "runs": 20000.0})
    result = model.run(params, 7)
    expected = war_probability_closed_form(params["p_a_wins"], params["cost_a"], 0.0, high)
    low, upper = result.war_frequency_ci99
    assert expected == result.war_probability
    assert low <= expected <= upper


def test_no_uncertainty_means_no_war(model: BargainingModel) -> None:
    params = model.parameters("default", {"b_cost_low": 0.1, "b_cost_high": 0.1})
    result = model.run(params, 3)
    assert 0.0 == result.war_frequency == result.war_probability


@settings(max_examples=40, deadline=None)
@given(p_now=st.floats(0.3, 0.9), cost_a=st.floats(0.0, 0.2), delta=st.floats(0.3, 0.99))
def test_at_the_commitment_threshold_declining_a_is_indifferent(
    p_now: float, cost_a: float, delta: float
) -> None:
    threshold = commitment_threshold_p_future(p_now, cost_a, delta)
    war_now = p_now - cost_a
    best_peace = (1 - delta) * 1.0 + delta * (threshold - cost_a)
    assert math.isclose(war_now, best_peace, rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.slow
def test_the_uncertainty_figure_draws_each_width_from_its_own_seed(model: BargainingModel) -> None:
    p = scalar_parameters(model.parameters("default"))
    widths = np.linspace(0.0, 0.8, 17)
    sweep = sweep_cost_uncertainty(p, 1995, widths, 5000)
    assert len(set(sweep.seeds)) == widths.size
    for index in (3, 9):
        high = p["b_cost_low"] + widths[index]
        expected = simulate_war_frequency(
            p["p_a_wins"], p["cost_a"], p["b_cost_low"], high, 5000, sweep.seeds[index]
        )
        assert sweep.frequencies[index] == expected[0]
        assert sweep.closed_form[index] == war_probability_closed_form(p["p_a_wins"], p["cost_a"], 0.0, high)
    # Independent points scatter on both sides of the closed form. With common random numbers (the same
    # seed at every width) all 14 points with a war probability above zero lay above it at this seed.
    residuals = (sweep.frequencies - sweep.closed_form)[sweep.closed_form > 0]
    assert 0 < np.count_nonzero(residuals > 0) < residuals.size
    covered = (sweep.intervals[:, 0] <= sweep.closed_form) & (sweep.closed_form <= sweep.intervals[:, 1])
    assert covered.sum() >= 15
