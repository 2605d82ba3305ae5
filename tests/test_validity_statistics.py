"""Intervals of the validity report, against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from wargame.validity._statistics import (
    mean_interval,
    paired_difference,
    per_year,
    per_year_pseudo_values,
    wilson_interval,
)


def test_wilson_interval_matches_the_textbook_value() -> None:
    # 10 successes in 100: Wilson's 95% interval is [0.0552, 0.1744] (Newcombe 1998, table I).
    interval = wilson_interval(10, 100)
    assert interval.value == 0.1
    assert interval.low == pytest.approx(0.0552, abs=5e-5)
    assert interval.high == pytest.approx(0.1744, abs=5e-5)


def test_wilson_interval_of_no_success_starts_at_zero() -> None:
    interval = wilson_interval(0, 1000)
    assert interval.low == 0.0
    assert 0.0 < interval.high < 0.005


def test_paired_difference_is_the_t_interval_of_the_differences() -> None:
    # differences 1, 2, 3, 4: mean 2.5, sd 1.2910, t(0.975, 3) = 3.1824 -> 2.5 -/+ 2.0543
    interval = paired_difference([2.0, 4.0, 6.0, 8.0], [1.0, 2.0, 3.0, 4.0])
    assert interval.value == 2.5
    assert interval.low == pytest.approx(0.4457, abs=1e-4)
    assert interval.high == pytest.approx(4.5543, abs=1e-4)


def test_paired_difference_of_runs_that_all_move_alike_is_a_point() -> None:
    before = np.array([0.1, 0.5, 0.9])
    interval = paired_difference(before + 0.25, before)
    assert (interval.value, interval.low, interval.high) == pytest.approx((0.25, 0.25, 0.25))
    assert paired_difference(before, before).excludes_zero is False


def test_mean_interval() -> None:
    interval = mean_interval([1.0, 2.0, 3.0, 4.0])
    assert interval.value == 2.5
    assert interval.low == pytest.approx(2.5 - 2.0543, abs=1e-4)
    assert mean_interval([3.0, 3.0]).low == 3.0


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
