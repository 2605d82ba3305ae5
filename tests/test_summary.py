"""The run summary (intervals from wargame.stats, outcome ranges, onset days) and the run/compare output."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scenario_builders import SCENARIOS_DIR
from scipy import stats

import wargame
from wargame.analysis.summary import summarize
from wargame.stats import Estimate


def test_estimate_format():
    assert Estimate(0.121, 0.1074, 0.136).format(percent=True) == "12.1% [10.7, 13.6]"
    assert Estimate(43.527, 43.508, 43.547).format() == "43.5 [43.5, 43.5]"
    assert Estimate(math.nan, math.nan, math.nan).format() == "n/a"
    assert Estimate(4.0, math.nan, math.nan).format() == "4"


@pytest.fixture(scope="module")
def small_batch(reference_scenario) -> pd.DataFrame:
    return wargame.run(reference_scenario, runs=120, seed=8)


@pytest.mark.slow
def test_summarize_counts_rungs_and_wars(reference_scenario, small_batch):
    summary = summarize(reference_scenario, small_batch, 8)
    wars = int(small_batch["war"].sum())
    exact = stats.binomtest(wars, 120).proportion_ci(0.95, method="exact")
    assert summary.probability_of_war.value == wars / 120
    assert (summary.probability_of_war.low, summary.probability_of_war.high) == pytest.approx(
        (exact.low, exact.high)
    )
    assert sum(summary.highest_rung_share.values()) == pytest.approx(1.0)
    shares = small_batch["max_rung"].value_counts(normalize=True)
    for index, rung in enumerate(reference_scenario.escalation.rungs):
        assert summary.highest_rung_share[rung.id] == pytest.approx(shares.get(index, 0.0))
    onset_days = set(small_batch.loc[small_batch["war"], "war_day"])
    assert all(day in onset_days for day in summary.war_day_quartiles)
    assert summary.incidents_per_run["total"].value == small_batch["incidents_total"].mean()
    assert "probability of war" in summary.render()


@pytest.mark.slow  # a 150-run ensemble over 800 days
def test_the_probability_of_war_is_given_for_each_year_of_a_longer_horizon(reference_scenario):
    scenario = wargame.apply_overrides(reference_scenario, {"horizon_days": 800})
    outcomes = wargame.run(scenario, runs=150, seed=3)  # wars start in years 1 and 2: 8 and 6
    summary = summarize(scenario, outcomes, 3)
    onsets = outcomes.loc[outcomes["war"], "war_day"]
    assert list(summary.probability_of_war_by_year) == [
        "year 1 (days 0-364)",
        "year 2 (days 365-729)",
        "year 3 (days 730-799)",
    ]
    counts = [(onsets < 365).sum(), ((onsets >= 365) & (onsets < 730)).sum(), (onsets >= 730).sum()]
    by_year = [estimate.value for estimate in summary.probability_of_war_by_year.values()]
    assert by_year == [count / 150 for count in counts]
    assert sum(by_year) == pytest.approx(summary.probability_of_war.value)
    assert "starting in year 2 (days 365-729)" in summary.render()
    one_year = summarize(reference_scenario, wargame.run(reference_scenario, runs=20, seed=3), 3)
    assert one_year.probability_of_war_by_year == {}


@pytest.mark.slow
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


@pytest.mark.slow
def test_compare_prints_one_column_per_scenario(cli):
    paths = [SCENARIOS_DIR / "taiwan_strait_baseline.yaml", SCENARIOS_DIR / "high_gray_zone.yaml"]
    result = cli("compare", *paths, "--runs", "30", "--seed", "3", "--quiet")
    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0] == "30 runs each, root seed 3; 95% intervals in brackets"
    assert lines[2].split() == ["taiwan_strait_baseline", "high_gray_zone"]
    assert any(line.startswith("probability of war") for line in lines)


def test_war_onset_quartiles_are_days_on_which_a_war_started(reference_scenario, small_batch):
    frame = small_batch.head(8).copy()
    frame["war"] = [True, True, True, True, False, False, False, False]
    frame["war_day"] = [14.0, 21.0, 35.0, 42.0, np.nan, np.nan, np.nan, np.nan]
    summary = summarize(reference_scenario, frame, 0)
    assert summary.war_day_quartiles == (14.0, 21.0, 35.0)  # interpolation said 19.25, 28, 36.75
    assert "median 21 (quartiles 14-35)" in summary.render()


def test_intervals_of_bounded_outcomes_stay_in_their_range(reference_scenario, small_batch):
    frame = small_batch.head(10).copy()
    frame["final_resolve_twn"] = [1.0] * 7 + [0.0] * 3  # a share: at most 1
    frame["detection_rate"] = [0.0] * 9 + [0.05]  # a share: at least 0
    frame["max_rung"] = [len(reference_scenario.escalation.rungs) - 1] * 9 + [0]
    summary = summarize(reference_scenario, frame, 0)
    resolve = summary.final_values["final resolve, twn"]
    assert resolve.value == pytest.approx(0.7) and resolve.high == 1.0
    assert summary.detection_rate.low == 0.0
    for estimate in [*summary.final_values.values(), summary.detection_rate, summary.attribution_rate]:
        assert 0.0 <= estimate.low <= estimate.high <= 1.0


EXTRA_COMMITMENT = (
    '  - {from: jpn, to: twn, credibility: 0.35, source: "assumption"}',
    '  - {from: jpn, to: twn, credibility: 0.35, source: "assumption"}\n'
    '  - {from: usa, to: jpn, credibility: 0.5, source: "assumption"}',
)


def test_compare_shows_every_row_any_scenario_has(cli, derive):
    extra = derive(*EXTRA_COMMITMENT, name="extra.yaml")
    baseline = SCENARIOS_DIR / "taiwan_strait_baseline.yaml"
    result = cli("compare", baseline, extra.path, "--runs", "20", "--quiet")
    assert result.code == 0, result.err
    (row,) = [line for line in result.out.splitlines()[:16] if line.startswith("final credibility, usa-jpn")]
    assert row.split()[3] == "n/a" and row.split()[4] != "n/a"  # only the later scenario has it


@pytest.mark.slow
def test_compare_writes_its_table_and_paired_differences_against_the_first(cli, reference_scenario, tmp_path):
    variant = SCENARIOS_DIR / "no_information_sharing.yaml"
    baseline = SCENARIOS_DIR / "taiwan_strait_baseline.yaml"
    result = cli("compare", baseline, variant, "--runs", "30", "--seed", "4", "--quiet", "--out", "out")
    assert result.code == 0, result.err
    assert "paired differences against taiwan_strait_baseline" in result.out
    table = pd.read_parquet(tmp_path / "out" / "comparison.parquet")
    assert table.equals(pd.read_csv(tmp_path / "out" / "comparison.csv").astype(table.dtypes.to_dict()))
    first = wargame.run(reference_scenario, runs=30, seed=4)
    second = wargame.run(wargame.load_scenario(variant), runs=30, seed=4)
    row = table[(table["measure"] == "escalation score") & (table["scenario"] == "no_information_sharing")]
    expected = stats.ttest_rel(second["escalation_score"], first["escalation_score"]).confidence_interval(
        0.95
    )
    assert row["difference"].item() == pytest.approx(
        (second["escalation_score"] - first["escalation_score"]).mean()
    )
    assert (row["difference_ci_low"].item(), row["difference_ci_high"].item()) == pytest.approx(
        (expected.low, expected.high)
    )
    assert table.loc[table["scenario"] == "taiwan_strait_baseline", "difference"].isna().all()
    again = cli("compare", baseline, variant, "--runs", "30", "--seed", "4", "--quiet", "--out", "out")
    assert again.code == 2 and "--out: " in again.err and "add --force" in again.err


@pytest.mark.slow
@pytest.mark.parametrize("form", ["csv", "json"])
def test_compare_prints_csv_or_json(cli, form):
    baseline = SCENARIOS_DIR / "taiwan_strait_baseline.yaml"
    result = cli(
        "compare",
        baseline,
        SCENARIOS_DIR / "high_gray_zone.yaml",
        "--runs",
        "10",
        "--quiet",
        "--format",
        form,
    )
    assert result.code == 0, result.err
    if form == "csv":
        assert result.out.splitlines()[0] == (
            "measure,column,scenario,estimate,ci_low,ci_high,n,difference,difference_ci_low,difference_ci_high"
        )
    else:
        data = json.loads(result.out)
        assert data["scenarios"] == ["taiwan_strait_baseline", "high_gray_zone"] and data["runs"] == 10
        assert {row["measure"] for row in data["rows"]} >= {"probability of war", "escalation score"}


@pytest.mark.slow  # three CLI runs of the reference with plots
def test_run_refuses_a_non_empty_folder_and_force_leaves_no_stale_plots(cli, tmp_path):
    scenario = SCENARIOS_DIR / "taiwan_strait_baseline.yaml"
    first = cli("run", scenario, "--runs", "20", "--out", "out", "--plot", "--quiet")
    assert first.code == 0 and (tmp_path / "out" / "rung_fan_chart.png").exists()
    refused = cli("run", scenario, "--runs", "20", "--out", "out", "--quiet")
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == (
        "wargame: error: --out: out is not empty; add --force to replace the results in it, "
        "or choose a new folder\n"
    )
    (tmp_path / "out" / "notes.txt").write_text("mine")
    forced = cli("run", scenario, "--runs", "20", "--out", "out", "--quiet", "--force")
    assert forced.code == 0
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        "notes.txt",
        "runs.parquet",
        "summary.json",
    ]


@pytest.mark.slow  # a fresh interpreter that imports matplotlib, runs an ensemble and plots it
def test_plotting_leaves_matplotlib_s_global_state_alone(tmp_path):
    """The plot modules use Figure objects: no pyplot, no backend switch, no rcParams change."""
    import subprocess
    import sys

    script = f"""
import sys
import matplotlib
backend = matplotlib.rcParams._get_backend_or_none()
params = {{key: matplotlib.rcParams[key] for key in matplotlib.rcParams if key != "backend"}}
import wargame
from pathlib import Path
from wargame.analysis.plots import plot_run
from wargame.experiments import _plots
from wargame.runner import run_to_parquet
scenario = wargame.load_scenario({str(SCENARIOS_DIR / "taiwan_strait_baseline.yaml")!r})
record = run_to_parquet(scenario, runs=20, seed=1)
plot_run(scenario, record.outcomes, record.runs_at_rung_by_day, Path({str(tmp_path)!r}))
assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
assert matplotlib.rcParams._get_backend_or_none() == backend, "the backend was switched"
changed = [key for key in params if matplotlib.rcParams[key] != params[key]]
assert changed == [], changed
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.mark.slow  # the README's example as a user runs it: a new interpreter and two worker processes
def test_the_readme_python_example_runs_as_a_script(tmp_path):
    import re
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    readme = (repo / "README.md").read_text()
    section = readme[readme.index("## Python API") :]
    example = re.search(r"```python\n(.*?)```", section, re.S)
    assert example is not None
    # 50 runs instead of 1,000 each time: one chunk of runs either way (what the workers, the guard and
    # the printing do does not depend on the count), at a twentieth of the cost.
    code = example.group(1)
    assert code.count("runs=1000,") == 2
    script = tmp_path / "example.py"
    script.write_text(code.replace("runs=1000,", "runs=50,"))
    done = subprocess.run(
        [sys.executable, str(script)], cwd=repo, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert "Taiwan Strait baseline: 50 runs, root seed 1" in done.stdout
    assert re.search(r"P\(war\) with a 2-hour link: [\d.]+% \(reference [\d.]+%\)", done.stdout)


@pytest.mark.slow
def test_compare_outcomes_is_public_and_pairs_the_runs(reference_scenario):
    aircraft = "gray_zone.activities.pla_aircraft.base_rate_per_day"
    variant = wargame.apply_overrides(reference_scenario, {aircraft: 27.0})
    scenarios = [reference_scenario, variant]
    frames = [wargame.run(s, runs=40, seed=9) for s in scenarios]
    comparison = wargame.compare_outcomes(["base", "grey"], scenarios, frames, root_seed=9)
    assert wargame.analysis.compare_outcomes is wargame.compare_outcomes
    row = comparison.table.query("column == 'escalation_score' and scenario == 'grey'").iloc[0]
    differences = frames[1]["escalation_score"] - frames[0]["escalation_score"]
    assert row["difference"] == pytest.approx(differences.mean())
    assert row["difference_ci_low"] < differences.mean() < row["difference_ci_high"]
