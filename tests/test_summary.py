"""Outcome statistics (Wilson and normal intervals) on hand-computed numbers, and the run/compare output."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scenario_builders import SCENARIOS_DIR

import wargame
from wargame.analysis.summary import Estimate, mean_ci, summarize, wilson_interval

Z = 1.959963984540054


@pytest.mark.parametrize(("successes", "trials"), [(0, 10), (5, 10), (10, 10), (1, 1000), (37, 200)])
def test_wilson_interval_by_hand(successes, trials):
    p = successes / trials
    centre = (p + Z**2 / (2 * trials)) / (1 + Z**2 / trials)
    half = Z / (1 + Z**2 / trials) * math.sqrt(p * (1 - p) / trials + Z**2 / (4 * trials**2))
    estimate = wilson_interval(successes, trials)
    assert estimate.value == p
    assert estimate.low == pytest.approx(max(0.0, centre - half), abs=1e-15)
    assert estimate.high == pytest.approx(min(1.0, centre + half), abs=1e-15)


def test_wilson_interval_known_values():
    assert wilson_interval(0, 10).high == pytest.approx(Z**2 / (10 + Z**2), rel=1e-12)  # 0.2775
    assert wilson_interval(10, 10).low == pytest.approx(10 / (10 + Z**2), rel=1e-12)
    low, high = wilson_interval(5, 10).low, wilson_interval(5, 10).high
    assert (low, high) == pytest.approx((0.2365931, 0.7634069), abs=1e-7)
    assert all(math.isnan(v) for v in (wilson_interval(0, 0).value, wilson_interval(0, 0).low))


def test_mean_ci_ignores_nans_and_uses_the_sample_standard_deviation():
    estimate = mean_ci(np.array([1.0, 2.0, np.nan, 3.0, 6.0]))
    half = Z * np.std([1.0, 2.0, 3.0, 6.0], ddof=1) / 2.0
    assert (estimate.value, estimate.low, estimate.high) == pytest.approx((3.0, 3.0 - half, 3.0 + half))
    assert math.isnan(mean_ci(np.array([4.0])).low) and mean_ci(np.array([4.0])).value == 4.0
    assert math.isnan(mean_ci(np.array([np.nan])).value)


def test_estimate_format():
    assert Estimate(0.121, 0.1074, 0.136).format(percent=True) == "12.1% [10.7, 13.6]"
    assert Estimate(43.527, 43.508, 43.547).format() == "43.5 [43.5, 43.5]"
    assert Estimate(math.nan, math.nan, math.nan).format() == "n/a"


@pytest.fixture(scope="module")
def small_batch(reference_scenario) -> pd.DataFrame:
    return wargame.run(reference_scenario, runs=120, seed=8)


def test_summarize_counts_rungs_and_wars(reference_scenario, small_batch):
    summary = summarize(reference_scenario, small_batch, 8)
    wars = int(small_batch["war"].sum())
    assert summary.probability_of_war == wilson_interval(wars, 120)
    assert sum(summary.highest_rung_share.values()) == pytest.approx(1.0)
    shares = small_batch["max_rung"].value_counts(normalize=True)
    for index, rung in enumerate(reference_scenario.escalation.rungs):
        assert summary.highest_rung_share[rung.id] == pytest.approx(shares.get(index, 0.0))
    expected_quartiles = np.percentile(small_batch.loc[small_batch["war"], "war_day"], [25, 50, 75])
    assert summary.war_day_quartiles == pytest.approx(tuple(expected_quartiles))
    assert summary.incidents_per_run["total"].value == small_batch["incidents_total"].mean()
    assert "probability of war" in summary.render()


def test_plots_are_written(reference_scenario, tmp_path):
    from wargame.analysis.plots import plot_run
    from wargame.runner import run_to_parquet

    record = run_to_parquet(reference_scenario, runs=40, seed=1)
    written = plot_run(reference_scenario, record.outcomes, record.runs_at_rung_by_day, tmp_path)
    assert sorted(path.name for path in written) == [
        "cumulative_war_probability.png",
        "incidents_by_type.png",
        "rung_fan_chart.png",
    ]
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_prints_one_column_per_scenario(cli):
    paths = [SCENARIOS_DIR / "taiwan_strait_baseline.yaml", SCENARIOS_DIR / "high_gray_zone.yaml"]
    result = cli("compare", *paths, "--runs", "30", "--seed", "3", "--quiet")
    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0] == "30 runs each, root seed 3; 95% intervals in brackets"
    assert lines[2].split() == ["taiwan_strait_baseline", "high_gray_zone"]
    assert any(line.startswith("probability of war") for line in lines)
