"""P(war) per year and its delta-method pseudo-values, against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from wargame.stats import Estimate
from wargame.validity._statistics import excludes_zero, per_year, per_year_pseudo_values


def test_per_year_is_the_yearly_probability_at_a_constant_hazard() -> None:
    assert per_year(0.19, 730) == pytest.approx(0.1)  # 1 - sqrt(0.81)
    assert per_year(0.1, 365) == pytest.approx(0.1)
    assert per_year(0.05, 73) == pytest.approx(1 - 0.95**5)


def test_per_year_pseudo_values_average_to_the_yearly_probability() -> None:
    war = np.zeros(1000)
    war[:190] = 1
    values = per_year_pseudo_values(war, 730)
    assert values.mean() == pytest.approx(0.1)
    # the delta method: slope a (1 - P)**(a - 1) with a = 1/2 at P = 0.19
    assert values[0] - values[-1] == pytest.approx(0.5 / np.sqrt(0.81))


def test_pseudo_values_where_every_run_is_at_war_stay_finite() -> None:
    values = per_year_pseudo_values(np.ones(50), 1095)
    assert np.isfinite(values).all()
    assert values.mean() == pytest.approx(1.0)


def test_excludes_zero() -> None:
    assert excludes_zero(Estimate(0.2, 0.1, 0.3))
    assert excludes_zero(Estimate(-0.2, -0.3, -0.1))
    assert not excludes_zero(Estimate(0.0, -0.1, 0.1))
    assert not excludes_zero(Estimate(0.0, 0.0, 0.0))
    assert not excludes_zero(Estimate(0.1, float("nan"), float("nan")))
