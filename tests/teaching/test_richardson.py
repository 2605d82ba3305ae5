"""Richardson arms race against its exact solution, equilibrium and stability condition."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from wargame.teaching.richardson import (
    RichardsonModel,
    classify_equilibrium,
    richardson_exact_state,
    unstable_side_of_start,
)

RELATIVE_TOLERANCE = 1e-3  # the acceptance bound for deterministic models


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


DISARMING = {  # the runaway rivals with goodwill instead of grievance, starting small: a saddle at (5, 5)
    "grievance_x_per_year": -1.0,
    "grievance_y_per_year": -1.0,
    "initial_x": 1.0,
    "initial_y": 1.0,
}


def test_stocks_never_go_below_zero_and_a_disarming_race_stops_at_zero(model: RichardsonModel) -> None:
    result = model.run(model.parameters("runaway", DISARMING))
    # The linear system alone would take both stocks to 5 - 4 exp(0.2 t): zero at t = 5 ln(5/4).
    expected_zero_year = 5 * np.log(5 / 4)
    assert result.arms.min() >= 0.0
    np.testing.assert_array_equal(result.arms[-1], [0.0, 0.0])
    for side in result.sides:
        assert side.verdict == "disarms"
        assert abs(side.zero_since_year - expected_zero_year) <= 1e-9
    before = result.times_years < expected_zero_year
    exact = np.array([richardson_exact_state(result.params, t) for t in result.times_years[before][::20]])
    np.testing.assert_allclose(result.arms[before][::20], exact, rtol=RELATIVE_TOLERANCE)


def test_a_side_held_at_zero_waits_while_its_rival_follows_its_own_equation(model: RichardsonModel) -> None:
    # X starts at zero with a negative drive (a*y + g = 0.5*1 - 1 < 0), so it is held there; Y alone
    # follows dy/dt = -n*y + h with the exact solution y(t) = h/n + (y0 - h/n) exp(-n t), reaching zero
    # at t = ln((y0 - h/n) / (-h/n)) / n.
    overrides = {**DISARMING, "initial_x": 0.0, "grievance_y_per_year": -0.3}
    result = model.run(model.parameters("runaway", overrides))
    n, h, y0 = 0.3, -0.3, 1.0
    y_zero_year = np.log((y0 - h / n) / (-h / n)) / n
    alive = result.times_years < y_zero_year
    expected_y = h / n + (y0 - h / n) * np.exp(-n * result.times_years[alive])
    assert np.all(result.arms[:, 0] == 0.0)
    np.testing.assert_allclose(result.arms[alive, 1], expected_y, rtol=RELATIVE_TOLERANCE, atol=1e-9)
    assert abs(result.sides[1].zero_since_year - y_zero_year) <= 1e-9
    assert result.sides[0].zero_since_year == 0.0


def test_report_says_which_way_each_side_goes(model: RichardsonModel) -> None:
    runaway = model.run(model.parameters("runaway"))
    disarming = model.run(model.parameters("runaway", DISARMING))
    text = model.report({"runaway": runaway, "disarming": disarming})
    runaway_text, disarming_text = text.split("case disarming")
    assert "saddle: the equilibrium is unstable" in runaway_text
    assert "is above the line through the equilibrium that divides arming from disarming: both sides arm" in (
        runaway_text
    )
    assert "X arms without bound: x = 2920 after 30 years, growing like exp(0.200 t)" in runaway_text
    assert "Y arms without bound: y = 2920 after 30 years" in runaway_text
    assert (
        "is below the line through the equilibrium that divides arming from disarming: both sides disarm"
        in (disarming_text)
    )
    assert "X disarms: its stock reaches zero in year 1.12 and stays there" in disarming_text
    assert "Y disarms: its stock reaches zero in year 1.12 and stays there" in disarming_text
    assert "run away" not in disarming_text


@settings(max_examples=60, deadline=None)
@given(
    reactions=st.tuples(st.floats(0.05, 1.0), st.floats(0.05, 1.0)),
    fatigues=st.tuples(st.floats(0.05, 1.0), st.floats(0.05, 1.0)),
    grievances=st.tuples(st.floats(-2.0, 2.0), st.floats(-2.0, 2.0)),
    start=st.tuples(st.floats(0.0, 10.0), st.floats(0.0, 10.0)),
)
def test_classification_and_direction_agree_with_the_linear_solution(
    reactions: tuple[float, float],
    fatigues: tuple[float, float],
    grievances: tuple[float, float],
    start: tuple[float, float],
) -> None:
    (a, b), (m, n), (g, h) = reactions, fatigues, grievances
    params = {
        "reaction_x_per_year": a,
        "reaction_y_per_year": b,
        "fatigue_x_per_year": m,
        "fatigue_y_per_year": n,
        "grievance_x_per_year": g,
        "grievance_y_per_year": h,
        "initial_x": start[0],
        "initial_y": start[1],
    }
    assume(abs(m * n - a * b) > 1e-3)
    low, high = np.linalg.eigvals(np.array([[-m, a], [b, -n]])).real
    low, high = min(low, high), max(low, high)
    kind = classify_equilibrium(params)
    assert kind == ("stable node" if high < 0 else "saddle")
    assert (kind == "saddle") == (low < 0 < high)
    if kind == "saddle":
        side = unstable_side_of_start(params)
        assume(side != 0)
        # Far out, the linear solution is the equilibrium plus the growing mode, whose sign is the side.
        equilibrium = np.linalg.solve(np.array([[-m, a], [b, -n]]), [-g, -h])
        late = np.array(richardson_exact_state(params, 40.0 / high)) - equilibrium
        assert np.all(np.sign(late) == side)


def test_a_race_held_at_zero_from_the_start_reports_no_exact_check(model: RichardsonModel) -> None:
    goodwill = {
        "initial_x": 0.0,
        "initial_y": 0.0,
        "grievance_x_per_year": -1.0,
        "grievance_y_per_year": -1.0,
    }
    held = model.run(model.parameters("stable", goodwill))
    text = model.report({"held": held, "moving": model.run(model.parameters("stable"))})
    held_part, moving_part = text.split("\n\ncase moving: ")
    assert held_part.endswith(
        "no check against the exact linear solution: a stock is held at zero from the start"
    )
    assert "  check against the exact linear solution (over the whole horizon)" in moving_part


def test_the_exact_check_keeps_blas_on_one_thread(
    model: RichardsonModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 3 x 3 matrix exponential per sampled day: with BLAS on two threads each call cost about 8 ms of CPU
    # (the second thread spinning) instead of 0.02 ms. The check runs inside a caller's two-thread limit.
    from threadpoolctl import threadpool_info, threadpool_limits

    import wargame.teaching.richardson as richardson

    def blas_threads() -> set[int]:
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}

    original_expm = richardson.expm
    threads_seen: list[set[int]] = []

    def recording_expm(matrix: np.ndarray) -> np.ndarray:
        threads_seen.append(blas_threads())
        return original_expm(matrix)

    monkeypatch.setattr(richardson, "expm", recording_expm)
    with threadpool_limits(limits=2, user_api="blas"):
        assert blas_threads() == {2}
        model.run(model.parameters("stable"))
    assert threads_seen and all(seen == {1} for seen in threads_seen)
