"""What the uncertain inputs do to an outcome: the spread they cause and which of them drive it.

Synthetic runs whose outcome depends on one input by construction, so the right answer is known without
the code under test; then the same analyses through ``wargame run``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scenario_builders import LEGACY_REFERENCE, REFERENCE_SCENARIO

import wargame
from wargame.analysis.inputs import input_sensitivity, input_spread, render_sensitivity
from wargame.analysis.summary import summarize


def synthetic_runs(runs: int = 3000, seed: int = 0, depends: bool = True) -> pd.DataFrame:
    """War in 2% of worlds, and in 40% more of those where input ``a`` is above 0.8 (when ``depends``)."""
    rng = np.random.default_rng(seed)
    inputs = {f"input:{name}": rng.uniform(size=runs) for name in "abc"}
    chance = 0.02 + (0.4 * (inputs["input:a"] > 0.8) if depends else 0.0)
    war = rng.uniform(size=runs) < chance
    score = 10.0 + 30.0 * inputs["input:b"] + rng.normal(0.0, 3.0, size=runs)
    return pd.DataFrame({"war": war, "escalation_per_30_days": score, **inputs})


@pytest.mark.slow  # bootstrap intervals of rank correlations over a large synthetic ensemble
def test_the_input_that_drives_an_outcome_is_ranked_first_and_the_others_are_not_told_apart_from_zero():
    runs = synthetic_runs()
    war = input_sensitivity(runs, "war")
    assert war[0].path == "a"
    assert war[0].spearman_low > 0.2
    assert all(other.spearman_low < 0.0 < other.spearman_high for other in war[1:])
    assert all(np.isnan(effect.delta) for effect in war)  # no delta for a yes/no outcome
    # Borgonovo's delta costs seconds per input and grows faster than the runs: 1,000 runs give b 0.58
    # (95% half-width 0.01) against 0.05 and 0.05 (half-widths 0.02) for a and c.
    score = input_sensitivity(synthetic_runs(1000), "escalation_per_30_days")
    assert score[0].path == "b"
    assert score[0].delta > max(other.delta for other in score[1:])
    assert "what drives war" in render_sensitivity(war, "war")


def test_the_spread_of_war_across_worlds_follows_the_input_that_drives_it():
    spread = input_spread(synthetic_runs(), "war")
    assert spread is not None and spread.binary
    # Worlds with a <= 0.8 (80% of them) have 2% war; the others 42%: the 5th percentile is near 2%, the
    # 95th near 42%.
    assert spread.low == pytest.approx(0.02, abs=0.02)
    assert spread.high == pytest.approx(0.42, abs=0.12)
    assert spread.explained > 0.1
    flat = input_spread(synthetic_runs(depends=False), "war")
    assert flat is not None and flat.high - flat.low < 0.02 and flat.explained < 0.05


def test_the_spread_of_a_number_is_the_spread_of_its_expected_value():
    spread = input_spread(synthetic_runs(), "escalation_per_30_days")
    assert spread is not None and not spread.binary
    # E[score | b] = 10 + 30 b, b uniform: its 5th to 95th percentiles are 11.5 and 38.5.
    assert spread.low == pytest.approx(11.5, abs=1.5)
    assert spread.high == pytest.approx(38.5, abs=1.5)
    assert spread.explained == pytest.approx(1 - 9 / (9 + 75), abs=0.05)  # noise variance 9, signal 900/12


def test_without_uncertain_inputs_there_is_nothing_to_analyse():
    runs = synthetic_runs().drop(columns=["input:a", "input:b", "input:c"])
    assert input_spread(runs, "war") is None
    assert input_sensitivity(runs, "war") == []
    assert render_sensitivity([], "war") == "no uncertain inputs: nothing drives war but the runs' own chance"


@pytest.mark.slow
def test_the_summary_shows_the_spread_only_when_the_scenario_has_uncertain_inputs():
    reference = wargame.load_scenario(REFERENCE_SCENARIO)
    text = summarize(reference, wargame.run(reference, runs=200, seed=1), 1).render()
    assert f"spread from the {len(reference.uncertain_inputs)} uncertain inputs" in text
    legacy = wargame.load_scenario(LEGACY_REFERENCE)
    assert "spread from the" not in summarize(legacy, wargame.run(legacy, runs=50, seed=1), 1).render()


@pytest.mark.slow
def test_run_ranks_what_drives_an_outcome_and_writes_the_table(cli, tmp_path):
    result = cli("run", REFERENCE_SCENARIO, "--runs", "200", "--quiet", "--out", "out", "--drivers", "war")
    assert result.code == 0, result.err
    assert "what drives war (drawn inputs by |Spearman rho|, strongest first; 95% intervals)" in result.out
    table = pd.read_csv(tmp_path / "out" / "drivers_war.csv")
    assert len(table) == len(wargame.load_scenario(REFERENCE_SCENARIO).uncertain_inputs)
    assert list(table.columns[:2]) == ["path", "spearman"]


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ("wars", "--drivers: unknown outcome 'wars'; did you mean 'war'?"),
        ("war_result", "--drivers: outcome 'war_result' is text, not a number"),
    ],
)
def test_a_bad_drivers_outcome_is_one_line_before_anything_runs(cli, tmp_path, outcome, message):
    result = cli("run", REFERENCE_SCENARIO, "--runs", "5", "--quiet", "--out", "out", "--drivers", outcome)
    assert (result.code, result.err.strip()) == (2, f"wargame: error: {message}")
    assert not (tmp_path / "out").exists()
