"""Analysis of sweeps: CIs, Sobol indices (Ishigami acceptance), Morris, PRIM discovery, tables and plots."""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wargame.errors import InputError
from wargame.experiments import (
    FullFactorialDesign,
    LatinHypercubeDesign,
    MorrisDesign,
    NoisyOutcomeWarning,
    Parameter,
    SobolDesign,
    analyze,
    discover,
    feature_scores,
    generate_design,
    load_results,
    morris_indices,
    run_sweep,
    sampling_noise,
    sobol_indices,
    summarize_groups,
)

ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami(params: dict, seeds: np.ndarray) -> pd.DataFrame:
    """The Ishigami function; deterministic, so every replication gives the same row."""
    x1, x2, x3 = (params[f"input.x{i}"] for i in (1, 2, 3))
    y = math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * math.sin(x1)
    return pd.DataFrame({"y": np.full(len(seeds), y)})


def ishigami_analytic_indices(a: float, b: float) -> tuple[list[float], list[float]]:
    """First- and total-order Sobol indices of the Ishigami function (Saltelli et al. 2008, Ch. 4)."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    variance = v1 + v2 + v13
    return [v1 / variance, v2 / variance, 0.0], [(v1 + v13) / variance, v2 / variance, v13 / variance]


def linear_with_noise(params: dict, seeds: np.ndarray) -> pd.DataFrame:
    """y = 2 a - 0.5 b + noise; c has no effect; war when a > 0.7 and b < 0.3."""
    noise = np.array([np.random.default_rng(int(seed)).normal(0.0, 0.01) for seed in seeds])
    a, b = params["x.a"], params["x.b"]
    return pd.DataFrame({"y_hours": 2 * a - 0.5 * b + noise, "war": np.full(len(seeds), a > 0.7 and b < 0.3)})


UNIT = (0.0, 1.0)
LINEAR_PARAMETERS = [Parameter(path=f"x.{name}", bounds=UNIT) for name in "abc"]


@pytest.mark.slow
def test_sobol_pipeline_recovers_the_ishigami_indices(tmp_path: Path) -> None:
    parameters = [Parameter(path=f"input.x{i}", bounds=(-math.pi, math.pi)) for i in (1, 2, 3)]
    design = generate_design(parameters, SobolDesign(kind="sobol", base_samples=2048), root_seed=7)
    run_sweep(design, ishigami, tmp_path / "ishigami", root_seed=7)
    indices = sobol_indices(load_results(tmp_path / "ishigami"))
    first, total = ishigami_analytic_indices(ISHIGAMI_A, ISHIGAMI_B)
    assert np.round(first, 3).tolist() == [0.314, 0.442, 0.0]
    assert np.round(total, 3).tolist() == [0.558, 0.442, 0.244]
    # 2,048 base samples (4,096 before): the largest error of S1 and ST is 0.0017 either way.
    assert np.abs(indices["S1"].to_numpy() - first).max() < 0.03
    assert np.abs(indices["ST"].to_numpy() - total).max() < 0.03
    assert (indices["S1_ci_low"] <= indices["S1"]).all() and (indices["S1"] <= indices["S1_ci_high"]).all()


def test_summaries_give_rates_for_yes_no_outcomes_and_t_intervals_for_means() -> None:
    rng = np.random.default_rng(0)
    runs = pd.DataFrame(
        {
            "point": np.repeat([0, 1], 50),
            "war": rng.random(100) < 0.3,
            "war_day": np.where(rng.random(100) < 0.5, rng.normal(30, 5, 100), np.nan),
        }
    )
    table = summarize_groups(runs, ["point"], ["war", "war_day"]).set_index(["point", "outcome"])
    for point in (0, 1):
        rows = runs[runs["point"] == point]
        rate = table.loc[(point, "war")]
        assert rate["statistic"] == "rate" and rate["estimate"] == rows["war"].mean()
        expected_rate = stats.binomtest(int(rows["war"].sum()), 50).proportion_ci(0.95, method="exact")
        assert (rate["ci_low"], rate["ci_high"]) == pytest.approx((expected_rate.low, expected_rate.high))
        day = table.loc[(point, "war_day")]
        values = rows["war_day"].dropna()
        expected = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
        assert (day["ci_low"], day["ci_high"]) == pytest.approx(expected)
        assert (day["n"], day["n_missing"]) == (len(values), 50 - len(values))


def test_morris_ranks_a_linear_model_by_its_slopes(tmp_path: Path) -> None:
    design = generate_design(LINEAR_PARAMETERS, MorrisDesign(kind="morris", trajectories=20), root_seed=1)
    run_sweep(design, linear_with_noise, tmp_path / "morris", replications=2, root_seed=1)
    table = morris_indices(load_results(tmp_path / "morris"), ["y_hours"]).set_index("parameter")
    assert table.loc["x.a", "mu_star"] == pytest.approx(2.0, abs=0.05)
    assert table.loc["x.b", "mu"] == pytest.approx(-0.5, abs=0.05)
    assert table.loc["x.c", "mu_star"] < 0.05
    assert table.loc["x.a", "sigma"] < 0.05


def test_sensitivity_indices_need_the_matching_design(tmp_path: Path) -> None:
    design = generate_design(
        LINEAR_PARAMETERS, LatinHypercubeDesign(kind="latin_hypercube", samples=8), root_seed=1
    )
    run_sweep(design, linear_with_noise, tmp_path / "lhs", root_seed=1)
    results = load_results(tmp_path / "lhs")
    with pytest.raises(InputError, match="need a 'sobol' design"):
        sobol_indices(results)
    with pytest.raises(InputError, match="need a 'morris' design"):
        morris_indices(results)


def test_prim_finds_the_region_where_war_is_likely(tmp_path: Path) -> None:
    design = generate_design(
        LINEAR_PARAMETERS, LatinHypercubeDesign(kind="latin_hypercube", samples=600), root_seed=3
    )
    run_sweep(design, linear_with_noise, tmp_path / "lhs", root_seed=3)
    box = discover(load_results(tmp_path / "lhs"), "war", 0.5, min_coverage=0.8)
    assert box.restricted[:2] == ["x.a", "x.b"] or box.restricted[:2] == ["x.b", "x.a"]
    assert "x.c" not in box.restricted
    assert box.limits["x.a"][0] == pytest.approx(0.7, abs=0.08)
    assert box.limits["x.b"][1] == pytest.approx(0.3, abs=0.08)
    assert box.density > 0.85 and box.coverage >= 0.8


@pytest.mark.slow
def test_analyze_writes_tables_and_labelled_plots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 10 trees an ensemble instead of 250 for the feature scores, which this test does not look at
    monkeypatch.setattr(
        "wargame.experiments._decide.feature_scores", functools.partial(feature_scores, trees=10)
    )
    parameters = [
        Parameter(path="x.a", levels=(0.2, 0.5, 0.8, 0.9)),
        Parameter(path="x.b", levels=(0.1, 0.2, 0.6)),
    ]
    design = generate_design(parameters, FullFactorialDesign(kind="full_factorial"), root_seed=0)
    out = tmp_path / "grid"
    run_sweep(design, lambda_free_grid, out, replications=20, root_seed=0)
    report = analyze(out, discovery_outcome="war", discovery_threshold=0.5)
    folder = out / "analysis"
    summary = pd.read_csv(folder / "point_summary.csv")
    assert len(summary) == len(design) * 2
    assert set(summary.columns) >= {"point", "x.a", "x.b", "outcome", "estimate", "ci_low", "ci_high", "n"}
    for name in ("response_war.png", "heatmap_war.png", "response_y_hours.png", "discovery.png"):
        assert (folder / "figures" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (folder / "discovery.json").exists()
    text = report.format()
    assert "Scenario discovery: war > 0.5" in text and "x.a" in text


@pytest.mark.slow
def test_a_threshold_no_point_reaches_is_a_warning_and_the_rest_is_analysed(tmp_path: Path) -> None:
    parameters = [Parameter(path="x.a", levels=(0.2, 0.8)), Parameter(path="x.b", levels=(0.1, 0.6))]
    design = generate_design(parameters, FullFactorialDesign(kind="full_factorial"), root_seed=0)
    out = tmp_path / "grid"
    run_sweep(design, lambda_free_grid, out, replications=20, root_seed=0)
    analyze(out, discovery_outcome="war", discovery_threshold=0.5)  # an earlier analysis finds a box
    assert (out / "analysis" / "discovery.json").exists()

    report = analyze(out, discovery_outcome="war", discovery_threshold=1.0)  # a rate never exceeds 1

    assert report.discovery is None
    assert any(
        m.startswith("no scenario discovery: no design point has mean war above 1") for m in report.warnings
    )
    assert not (out / "analysis" / "discovery.json").exists()
    assert not (out / "analysis" / "figures" / "discovery.png").exists()
    assert (out / "analysis" / "point_summary.csv").exists()
    with pytest.raises(InputError, match="nothing to discover"):
        discover(load_results(out), "war", 1.0)


def lambda_free_grid(params: dict, seeds: np.ndarray) -> pd.DataFrame:
    return linear_with_noise({**params, "x.c": 0.0}, seeds)


def test_analyze_refuses_unknown_outcomes(tmp_path: Path) -> None:
    design = generate_design(
        LINEAR_PARAMETERS[:1], LatinHypercubeDesign(kind="latin_hypercube", samples=4), root_seed=0
    )
    run_sweep(design, lambda_free_single, tmp_path / "s", root_seed=0)
    with pytest.raises(InputError, match="no outcome 'peace'"):
        analyze(tmp_path / "s", outcomes=["peace"], plots=False)


def lambda_free_single(params: dict, seeds: np.ndarray) -> pd.DataFrame:
    return linear_with_noise({**params, "x.b": 0.0, "x.c": 0.0}, seeds)


def weak_signal_in_noise(params: dict, seeds: np.ndarray) -> pd.DataFrame:
    """``loud`` = a + N(0, 0.1^2), ``even`` = a + N(0, 1), ``faint`` = 0.1 a + N(0, 1) for a in [0, 1]."""
    draws = np.array([np.random.default_rng(int(seed)).normal(size=3) for seed in seeds]).reshape(-1, 3)
    a = params["x.a"]
    return pd.DataFrame(
        {"loud": a + 0.1 * draws[:, 0], "even": a + draws[:, 1], "faint": 0.1 * a + draws[:, 2]}
    )


def test_sampling_noise_is_measured_against_the_variance_between_points(tmp_path: Path) -> None:
    design = generate_design(
        LINEAR_PARAMETERS[:1], LatinHypercubeDesign(kind="latin_hypercube", samples=200), root_seed=5
    )
    run_sweep(design, weak_signal_in_noise, tmp_path / "s", replications=10, root_seed=5)
    noise = sampling_noise(load_results(tmp_path / "s")).set_index("outcome")
    signal = 1 / 12  # variance of a ~ U(0, 1)
    # a point's mean over 10 replications carries noise of variance sigma^2 / 10
    for outcome, sigma in (("loud", 0.1), ("even", 1.0), ("faint", 1.0)):
        assert noise.loc[outcome, "noise_variance"] == pytest.approx(sigma**2 / 10, rel=0.1)
    assert noise.loc["loud", "noise_share"] == pytest.approx(0.001 / (signal + 0.001), rel=0.2)
    assert noise.loc["even", "noise_share"] == pytest.approx(0.1 / (signal + 0.1), rel=0.2)
    assert noise.loc["faint", "noise_share"] > 0.75
    # 10% noise takes sigma^2 / n = signal / 9: n = 9 * 12 = 108 for "even", 10,800 for "faint";
    # the estimate is a lower bound
    assert 50 < noise.loc["even", "replications_for_10_percent"] <= 108
    assert 200 < noise.loc["faint", "replications_for_10_percent"] <= 10_800
    assert (noise["points"] == 200).all() and (noise["replications"] == 10).all()


def test_common_seeds_leave_only_the_parameters_between_points(tmp_path: Path) -> None:
    design = generate_design(
        LINEAR_PARAMETERS[:1], LatinHypercubeDesign(kind="latin_hypercube", samples=50), root_seed=5
    )
    run_sweep(design, weak_signal_in_noise, tmp_path / "s", replications=10, root_seed=5, common_seeds=True)
    results = load_results(tmp_path / "s")
    assert results.common_seeds
    seeds = results.runs.pivot(index="replication", columns="point", values="seed")
    assert (seeds.nunique(axis=1) == 1).all() and seeds.iloc[:, 0].nunique() == 10
    noise = sampling_noise(results).set_index("outcome")
    # every point's mean carries the same noise: the split-half estimate of what differs is zero
    assert noise["noise_share"].max() < 1e-12
    assert noise.loc["even", "variance_between_points"] == pytest.approx(design.points["x.a"].var())


@pytest.mark.slow  # a Sobol sweep with bootstrapped indices and their plots
def test_analyze_warns_when_noise_drowns_the_differences_between_points(tmp_path: Path) -> None:
    parameters = [Parameter(path="x.a", bounds=UNIT), Parameter(path="x.b", bounds=UNIT)]
    design = generate_design(parameters, SobolDesign(kind="sobol", base_samples=32), root_seed=2)
    run_sweep(design, weak_signal_in_noise, tmp_path / "s", replications=8, root_seed=2)
    with pytest.warns(NoisyOutcomeWarning) as caught:
        report = analyze(tmp_path / "s")
    messages = [str(warning.message) for warning in caught]
    assert [message.split(":")[0] for message in messages] == ["even", "faint"]
    assert re.match(
        r"faint: sampling noise is \d+% of the variance between design points \(8 replications", messages[1]
    )
    assert report.noise is not None and report.noise.set_index("outcome").loc["faint", "noise_share"] > 0.5
    assert report.warnings[:2] == messages
    assert all(": Sobol indices: " in message for message in report.warnings[2:])
    text = report.format()
    assert "WARNING: faint: sampling noise" in text and "<- too noisy" in text
    assert (tmp_path / "s" / "analysis" / "sampling_noise.csv").exists()
    assert (tmp_path / "s" / "analysis" / "figures" / "sobol_faint.png").exists()


def test_a_deterministic_outcome_gives_no_noise_warning(
    tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    parameters = [Parameter(path=f"input.x{i}", bounds=(-math.pi, math.pi)) for i in (1, 2, 3)]
    design = generate_design(parameters, SobolDesign(kind="sobol", base_samples=16), root_seed=7)
    run_sweep(design, ishigami, tmp_path / "ishigami", replications=2, root_seed=7)
    report = analyze(tmp_path / "ishigami", plots=False)
    assert not [w for w in recwarn if w.category is NoisyOutcomeWarning]
    assert not [message for message in report.warnings if "sampling noise" in message]
    assert report.noise is not None and report.noise["noise_share"].tolist() == [0.0]
    # 16 base samples are too few for the Ishigami indices, and the report says so
    (message,) = report.warnings
    assert message.startswith("y: Sobol indices: the sample is too small: 95% bootstrap intervals reach +-")


def two_rung_ladder(params: dict, seeds: np.ndarray) -> pd.DataFrame:
    """The top rung of a two-rung ladder in seven of ten replications (seed order), whatever the point."""
    return pd.DataFrame({"max_rung": np.resize([1, 1, 1, 1, 1, 1, 1, 0, 0, 0], len(seeds))})


def test_point_intervals_of_a_bounded_outcome_stay_in_its_recorded_range(tmp_path: Path) -> None:
    design = generate_design(
        [Parameter(path="x.a", levels=(1, 2))], FullFactorialDesign(kind="full_factorial"), root_seed=0
    )
    bounds = {"max_rung": [0.0, 1.0]}
    run_sweep(design, two_rung_ladder, tmp_path / "s", replications=10, metadata={"outcome_bounds": bounds})
    table = analyze(tmp_path / "s", plots=False).point_summary
    assert table["estimate"].tolist() == pytest.approx([0.7, 0.7])
    assert table["ci_high"].tolist() == [1.0, 1.0]  # the t interval alone reaches 1.046
    assert (table["ci_low"] > 0.3).all()


def pure_noise(params: dict, seeds: np.ndarray) -> pd.DataFrame:
    """``noise`` ~ N(0, 1) whatever the point; ``war_day`` only where x.a > 0.3 and the draw is positive."""
    draws = np.array([np.random.default_rng(int(seed)).normal() for seed in seeds])
    day = np.where(draws > 0, 7.0 * np.ceil(10 * params["x.a"]), np.nan)
    return pd.DataFrame(
        {"noise": draws, "war_day": day if params["x.a"] > 0.3 else np.full(len(seeds), np.nan)}
    )


def test_shares_and_indices_stay_in_range_and_say_why_when_clipped(tmp_path: Path) -> None:
    design = generate_design(LINEAR_PARAMETERS[:2], SobolDesign(kind="sobol", base_samples=8), root_seed=1)
    run_sweep(design, pure_noise, tmp_path / "s", replications=3, root_seed=1)
    with pytest.warns(NoisyOutcomeWarning):
        report = analyze(tmp_path / "s", plots=False)
    noise = report.noise.set_index("outcome").loc["noise"]
    # the noise estimate exceeds the variance between points: a share over 100% is shown as 100%
    assert noise["noise_share"] == 1.0 and bool(noise["noise_exceeds_variance"])
    assert (
        "noise                             100.0%  <- too noisy (the estimated noise exceeds"
        in report.format()
    )
    sobol = report.sobol
    assert sobol is not None and set(sobol["outcome"]) == {"noise"}
    for key in ("S1", "ST"):
        assert sobol[key].between(0, 1).all()
        assert sobol[f"{key}_ci_low"].between(0, 1).all() and sobol[f"{key}_ci_high"].between(0, 1).all()
    assert not sobol["S1_unclipped"].between(0, 1).all()  # SALib's own estimates left the range
    (index_message,) = [message for message in report.warnings if ": Sobol indices: " in message]
    assert index_message.startswith("noise: Sobol indices: the sample is too small: 95% bootstrap intervals")
    assert "estimate(s) outside the index's range were clipped into it" in index_message
    # an outcome without a value at some points gets no indices, and the others still do
    assert any(message.startswith("war_day: no sensitivity indices: ") for message in report.warnings)
