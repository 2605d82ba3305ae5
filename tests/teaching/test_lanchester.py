"""Lanchester square and linear laws and Engel's Iwo Jima model against closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.linalg import expm

from wargame.errors import InputError
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


#: Engel (1954): P(t) = 54,000 for 0 <= t < 1, 6,000 for 2 <= t < 3, 13,000 for 5 <= t < 6 (troops per day).
ENGEL_LANDINGS = {1: 54000.0, 3: 6000.0, 6: 13000.0}
#: Morehouse (1946), US casualties to the end of days 1 to 35, the daily reports Engel fitted.
# fmt: off
MOREHOUSE_CASUALTIES = np.array([
    1161, 3055, 3969, 6251, 6845, 7750, 8622, 10126, 10661, 11595, 12333, 13451, 13655, 13919, 14221, 14804,
    15741, 16359, 18208, 17692, 18204, 18962, 19062, 19653, 19928, 20196, 20265, 20392, 20493, 20538,
    20696, 20845, 20845, 20845, 20860,
], dtype=float)
# fmt: on


def _engel_exact(
    landings: dict[int, float], a: float, b: float, japanese: float, times: np.ndarray
) -> np.ndarray:
    """Piecewise exact solution of Engel's model: z' = M z + c with c constant within each day.

    Nothing happens before the first landing day. The state at the start of each day is carried from one
    time to the next: a whole day's step is the same product whichever time it leads to.
    """

    def step(day: int, length: float, state: np.ndarray) -> np.ndarray:
        matrix = np.zeros((3, 3))
        matrix[0, 1], matrix[1, 0] = -a, -b
        matrix[0, 2] = landings.get(day + 1, 0.0)
        return expm(matrix * length) @ state

    first = min(landings) - 1
    day_starts = [np.array([0.0, japanese, 1.0])]  # the state at the start of day first + index
    states = []
    for t in times:
        if t <= first:
            states.append(day_starts[0][:2])
            continue
        day = math.ceil(t) - 1  # the day the last (possibly partial) step starts
        while len(day_starts) <= day - first:
            start = first + len(day_starts) - 1
            day_starts.append(step(start, 1.0, day_starts[-1]))
        states.append(step(day, min(t, day + 1) - day, day_starts[day - first])[:2])
    return np.array(states)


def _iwo_error(iwo, landings: dict[int, float], p: dict[str, float]) -> tuple[float, float]:
    sample = np.arange(0, iwo.times_days.size, 50)
    expected = _engel_exact(
        landings,
        p["iwo_japanese_kill_rate_per_day"],
        p["iwo_us_kill_rate_per_day"],
        p["iwo_japanese_initial_troops"],
        iwo.times_days[sample],
    )
    actual = iwo.strengths[sample]
    ashore = expected[:, 0] > 0
    us_error = np.max(np.abs(actual[ashore, 0] - expected[ashore, 0]) / expected[ashore, 0])
    japanese_error = np.max(np.abs(actual[:, 1] - expected[:, 1]) / expected[:, 1])
    return us_error, japanese_error


def test_iwo_jima_lands_the_waves_on_the_days_engel_published(result: LanchesterResult) -> None:
    us_error, japanese_error = _iwo_error(result.iwo_jima, ENGEL_LANDINGS, result.params)
    assert us_error <= RELATIVE_TOLERANCE
    assert japanese_error <= RELATIVE_TOLERANCE


@pytest.mark.parametrize(
    ("days", "troops"),
    [
        ((1, 3, 5), (54000.0, 6000.0, 13000.0)),
        ((1, 2, 4, 9), (30000.0, 20000.0, 10000.0, 13000.0)),
        ((2,), (70000.0,)),
    ],
)
def test_landing_schedule_is_a_parameter(model: LanchesterModel, days: tuple, troops: tuple) -> None:
    params = model.parameters(
        "default", {"iwo_us_landing_days": tuple(map(float, days)), "iwo_us_landing_troops": troops}
    )
    iwo = model.run(params).iwo_jima
    us_error, japanese_error = _iwo_error(iwo, dict(zip(days, troops, strict=True)), params)
    assert us_error <= RELATIVE_TOLERANCE
    assert japanese_error <= RELATIVE_TOLERANCE


def test_engels_fit_follows_the_daily_us_strength_and_destroys_the_garrison(result: LanchesterResult) -> None:
    # Engel's own coefficients (a = 0.0544, b = 0.0106) and landing schedule against the daily reports:
    # US active troops at the end of day d are the troops landed by then minus the casualties by then.
    landed = np.cumsum([ENGEL_LANDINGS.get(day, 0.0) for day in range(1, 36)])
    observed = landed - MOREHOUSE_CASUALTIES
    iwo = result.iwo_jima
    model = np.interp(np.arange(1, 36), iwo.times_days, iwo.strengths[:, 0])
    relative = np.abs(model - observed) / observed
    assert relative.max() <= 0.035  # 3.3% on day 4 is the worst day
    assert np.sqrt(np.mean(relative**2)) <= 0.02
    japanese_left = iwo.strengths[-1, 1]
    assert iwo.times_days[-1] == 36.0
    assert japanese_left <= 0.02 * result.params["iwo_japanese_initial_troops"]
    assert abs(iwo.strengths[-1, 0] - observed[-1]) / observed[-1] <= 0.01
    fit = result.iwo_fit
    np.testing.assert_array_equal(fit.days, np.arange(1, 36))
    np.testing.assert_allclose(fit.observed_us_active, observed)
    np.testing.assert_allclose(fit.model_us_active, model, rtol=1e-9)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"iwo_us_landing_days": (1.0, 3.0)},
            "iwo_us_landing_troops: expects 2 numbers, one per landing day",
        ),
        ({"iwo_us_landing_days": (1.0, 40.0, 6.0)}, "iwo_us_landing_days: day 40 is after the horizon"),
    ],
)
def test_bad_landing_schedule_names_the_parameter(
    model: LanchesterModel, overrides: dict, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        model.run(model.parameters("default", overrides))
    assert message in f"{caught.value.field}: {caught.value}"
