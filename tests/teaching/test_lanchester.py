"""Lanchester square and linear laws and Engel's Iwo Jima model against closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from wargame.teaching.lanchester import (
    LanchesterModel,
    LanchesterResult,
    linear_law_red_strength,
    linear_law_time_to_fraction,
    square_law_annihilation_time,
    square_law_final_strength,
)

RELATIVE_TOLERANCE = 1e-3


@pytest.fixture(scope="module")
def model() -> LanchesterModel:
    return LanchesterModel()


@pytest.fixture(scope="module")
def result(model: LanchesterModel) -> LanchesterResult:
    return model.run(model.parameters("default"))


def test_square_law_conserves_alpha_x_squared_minus_beta_y_squared(result: LanchesterResult) -> None:
    p = result.params
    alpha, beta = p["blue_kill_rate_square_per_day"], p["red_kill_rate_square_per_day"]
    x, y = result.square.strengths.T
    invariant = alpha * x**2 - beta * y**2
    expected = alpha * p["blue_initial_troops"] ** 2 - beta * p["red_initial_troops"] ** 2
    assert np.max(np.abs(invariant - expected)) / abs(expected) <= RELATIVE_TOLERANCE


def test_square_law_final_strength_and_annihilation_time(result: LanchesterResult) -> None:
    p = result.params
    args = (
        p["blue_initial_troops"],
        p["red_initial_troops"],
        p["blue_kill_rate_square_per_day"],
        p["red_kill_rate_square_per_day"],
    )
    expected_blue, expected_red = square_law_final_strength(*args)
    expected_day = square_law_annihilation_time(*args)
    assert result.square.loser == "red"
    assert expected_red == result.square.strengths[-1, 1]
    assert abs(result.square.strengths[-1, 0] - expected_blue) / expected_blue <= RELATIVE_TOLERANCE
    assert abs(result.square.annihilation_day - expected_day) / expected_day <= RELATIVE_TOLERANCE


def test_square_law_red_wins_when_its_fighting_strength_is_larger(model: LanchesterModel) -> None:
    params = model.parameters("default", {"red_initial_troops": 1200.0})
    result = model.run(params)
    expected_blue, expected_red = square_law_final_strength(1000.0, 1200.0, 0.05, 0.06)
    expected_day = square_law_annihilation_time(1000.0, 1200.0, 0.05, 0.06)
    assert result.square.loser == "blue"
    assert expected_blue == 0.0
    assert abs(result.square.strengths[-1, 1] - expected_red) / expected_red <= RELATIVE_TOLERANCE
    assert abs(result.square.annihilation_day - expected_day) / expected_day <= RELATIVE_TOLERANCE


def test_linear_law_conserves_alpha_x_minus_beta_y_and_follows_the_logistic(result: LanchesterResult) -> None:
    p = result.params
    x0, y0 = p["blue_initial_troops"], p["red_initial_troops"]
    alpha, beta = p["blue_kill_rate_linear_per_troop_day"], p["red_kill_rate_linear_per_troop_day"]
    x, y = result.linear.strengths.T
    invariant = alpha * x - beta * y
    assert (
        np.max(np.abs(invariant - (alpha * x0 - beta * y0))) / (alpha * x0 - beta * y0) <= RELATIVE_TOLERANCE
    )
    expected_red = linear_law_red_strength(x0, y0, alpha, beta, result.linear.times_days)
    assert np.max(np.abs(y - expected_red) / expected_red) <= RELATIVE_TOLERANCE
    expected_day = linear_law_time_to_fraction(x0, y0, alpha, beta, p["break_fraction"])
    assert abs(result.linear_break_day - expected_day) / expected_day <= RELATIVE_TOLERANCE


def _engel_exact(p: dict[str, float], times: np.ndarray) -> np.ndarray:
    """Piecewise exact solution of Engel's model: z' = M z + c with c constant within each day."""
    a, b = p["iwo_japanese_kill_rate_per_day"], p["iwo_us_kill_rate_per_day"]
    landing = {
        0: p["iwo_us_landed_day1_troops"],
        2: p["iwo_us_landed_day3_troops"],
        4: p["iwo_us_landed_day5_troops"],
    }
    augmented_for = {}
    for segment in range(6):
        matrix = np.zeros((3, 3))
        matrix[0, 1], matrix[1, 0] = -a, -b
        matrix[0, 2] = landing.get(segment, 0.0)
        augmented_for[segment] = matrix
    states = []
    for t in times:
        state = np.array([0.0, p["iwo_japanese_initial_troops"], 1.0])
        start = 0.0
        for segment in range(6):
            stop = min(t, float(segment + 1) if segment < 5 else t)
            if stop > start:
                state = expm(augmented_for[segment] * (stop - start)) @ state
                start = stop
        states.append(state[:2])
    return np.array(states)


def test_iwo_jima_matches_the_piecewise_exact_solution(result: LanchesterResult) -> None:
    iwo = result.iwo_jima
    sample = np.arange(0, iwo.times_days.size, 100)
    expected = _engel_exact(result.params, iwo.times_days[sample])
    actual = iwo.strengths[sample]
    us_error = np.max(np.abs(actual[1:, 0] - expected[1:, 0]) / expected[1:, 0])
    japanese_error = np.max(np.abs(actual[:, 1] - expected[:, 1]) / expected[:, 1])
    assert us_error <= RELATIVE_TOLERANCE
    assert japanese_error <= RELATIVE_TOLERANCE
