"""Richardson arms race against its exact solution, equilibrium and stability condition."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wargame.teaching.richardson import RichardsonModel, richardson_exact_state

RELATIVE_TOLERANCE = 1e-3  # the acceptance bound for deterministic models


@pytest.fixture(scope="module")
def model() -> RichardsonModel:
    return RichardsonModel()


@pytest.mark.parametrize("case", ["stable", "runaway"])
def test_rk4_trajectory_matches_the_matrix_exponential_solution(model: RichardsonModel, case: str) -> None:
    params = model.parameters(case)
    result = model.run(params)
    for index in range(0, result.times_years.size, 250):
        expected = np.array(richardson_exact_state(params, float(result.times_years[index])))
        actual = result.arms[index]
        assert np.max(np.abs(actual - expected) / np.abs(expected)) <= RELATIVE_TOLERANCE


def test_equilibrium_matches_the_closed_form_and_the_stable_race_reaches_it(model: RichardsonModel) -> None:
    params = model.parameters("stable")
    a, b = params["reaction_x_per_year"], params["reaction_y_per_year"]
    m, n = params["fatigue_x_per_year"], params["fatigue_y_per_year"]
    g, h = params["grievance_x_per_year"], params["grievance_y_per_year"]
    expected = np.array([(a * h + n * g) / (m * n - a * b), (b * g + m * h) / (m * n - a * b)])
    result = model.run(params)
    assert result.stable
    np.testing.assert_allclose(result.equilibrium, expected, rtol=1e-12)
    np.testing.assert_allclose(result.arms[-1], expected, rtol=RELATIVE_TOLERANCE)


def test_runaway_race_grows_at_the_largest_eigenvalue(model: RichardsonModel) -> None:
    params = model.parameters("runaway")
    result = model.run(params)
    a, b = params["reaction_x_per_year"], params["reaction_y_per_year"]
    m, n = params["fatigue_x_per_year"], params["fatigue_y_per_year"]
    expected_rate = (-(m + n) + np.sqrt((m - n) ** 2 + 4 * a * b)) / 2
    late = result.times_years > 20  # the decaying mode is below exp(-16) of its start by then
    deviation = result.arms[late, 0] - result.equilibrium[0]
    fitted_rate = np.polyfit(result.times_years[late], np.log(deviation), 1)[0]
    assert not result.stable
    assert abs(fitted_rate - expected_rate) / expected_rate <= RELATIVE_TOLERANCE


@settings(max_examples=40, deadline=None)
@given(
    reactions=st.tuples(st.floats(0.05, 1.0), st.floats(0.05, 1.0)),
    fatigues=st.tuples(st.floats(0.05, 1.0), st.floats(0.05, 1.0)),
)
def test_stability_condition_is_m_n_greater_than_a_b(
    model: RichardsonModel, reactions: tuple[float, float], fatigues: tuple[float, float]
) -> None:
    a, b = reactions
    m, n = fatigues
    if abs(m * n - a * b) < 1e-6:
        return
    overrides = {
        "reaction_x_per_year": a,
        "reaction_y_per_year": b,
        "fatigue_x_per_year": m,
        "fatigue_y_per_year": n,
        "horizon_years": 1.0,
        "step_years": 0.05,
    }
    result = model.run(model.parameters("stable", overrides))
    assert (m * n > a * b) == result.stable == (result.eigenvalues_per_year[1] < 0)
