"""Gray-zone salami slicing: simulated erosion and answered share against their closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wargame.teaching.grayzone import GrayZoneModel, expected_erosion, probability_timely


@pytest.fixture(scope="module")
def model() -> GrayZoneModel:
    return GrayZoneModel()


def test_probability_timely_is_the_exponential_cdf_at_the_deadline(model: GrayZoneModel) -> None:
    p = model.parameters("default")
    assert math.exp(-72 / 120) == pytest.approx(1 - probability_timely(p, sharing=False), rel=1e-12)
    assert math.exp(-(72 - 6) / 24) == pytest.approx(1 - probability_timely(p, sharing=True), rel=1e-12)
    assert probability_timely({**p, "link_latency_hours": 100.0}, sharing=True) == 0.0


@pytest.mark.parametrize("seed", [11, 12])
def test_simulated_erosion_and_answered_share_fall_in_their_99_percent_intervals(
    model: GrayZoneModel, seed: int
) -> None:
    params = model.parameters("default", {"runs": 1000.0})
    result = model.run(params, np.random.default_rng(seed))
    for outcome, sharing in ((result.alone, False), (result.shared, True)):
        _, low, high = outcome.mean_erosion_ci99()
        assert low <= expected_erosion(params, sharing) <= high
        _, low, high = outcome.answered_fraction_ci99()
        assert low <= probability_timely(params, sharing) <= high
    assert result.shared.erosion.mean() < result.alone.erosion.mean()


def test_same_seed_same_campaigns(model: GrayZoneModel) -> None:
    params = model.parameters("default", {"runs": 50.0})
    first, second = model.run(params, 5), model.run(params, 5)
    np.testing.assert_array_equal(first.alone.erosion, second.alone.erosion)
    np.testing.assert_array_equal(first.shared.answered, second.shared.answered)
