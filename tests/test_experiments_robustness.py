"""Levers and uncertainties: policies x futures, shared seeds per future, regret, satisficing, CART."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from wargame.cli import main
from wargame.errors import InputError
from wargame.experiments import (
    FullFactorialDesign,
    LatinHypercubeDesign,
    Parameter,
    _decision_plots,
    analyze,
    cart_boxes,
    cross,
    feature_scores,
    generate_design,
    load_experiment,
    load_results,
    robustness,
    run_sweep,
)

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "taiwan_strait_baseline.yaml"

POLICIES = generate_design(
    [Parameter(path="x.policy", levels=(0, 1, 2))], FullFactorialDesign(kind="full_factorial"), root_seed=3
)
FUTURES = generate_design(
    [Parameter(path="u.hazard", bounds=(0.0, 1.0)), Parameter(path="u.other", bounds=(0.0, 1.0))],
    LatinHypercubeDesign(kind="latin_hypercube", samples=20),
    root_seed=3,
    stream=1,
)
CROSSED = cross(POLICIES, FUTURES)


def distance(params: dict, seeds: np.ndarray) -> pd.DataFrame:
    """Deterministic: the policy's distance to 3 x hazard (lower is better), and war where hazard > 0.6."""
    value = abs(params["x.policy"] - 3 * params["u.hazard"])
    return pd.DataFrame(
        {
            "distance": np.full(len(seeds), value),
            "war": np.full(len(seeds), params["u.hazard"] > 0.6),
            "seed_echo": seeds.astype(np.float64),
        }
    )


@pytest.fixture(scope="module")
def crossed_results(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("crossed") / "sweep"
    run_sweep(CROSSED, distance, folder, replications=3, root_seed=3)
    return load_results(folder)


def test_every_policy_meets_every_future_with_the_future_s_seeds(crossed_results) -> None:
    assert len(CROSSED) == 3 * 20
    assert CROSSED.parameter_names == ["x.policy", "u.hazard", "u.other"]
    runs = crossed_results.runs
    runs = runs.assign(policy=runs["point"] // 20, future=runs["point"] % 20)
    seeds = runs.pivot_table(
        index=["future", "replication"], columns="policy", values="seed", aggfunc="first"
    )
    assert (seeds.nunique(axis=1) == 1).all()  # every policy got the same seeds in a future
    assert seeds[0].nunique() == 20 * 3  # and the futures and replications differ
    hazard = runs.groupby(["future", "policy"])["u.hazard"].first().unstack()
    assert (hazard.nunique(axis=1) == 1).all() and hazard[0].nunique() == 20


def test_regret_and_satisficing_follow_their_definitions(crossed_results) -> None:
    report = robustness(crossed_results, "distance", threshold=0.5)
    hazard = FUTURES.points["u.hazard"].to_numpy()
    outcome = np.abs(np.array([[0.0], [1.0], [2.0]]) - 3 * hazard)  # (policies, futures), by hand
    regret = outcome - outcome.min(axis=0)
    table = report.table.set_index("policy").sort_index()
    assert table["max_regret"].to_numpy() == pytest.approx(regret.max(axis=1))
    assert table["regret_90"].to_numpy() == pytest.approx(np.percentile(regret, 90, axis=1))
    assert table["satisficing"].to_numpy() == pytest.approx((outcome <= 0.5).mean(axis=1))
    assert table["mean"].to_numpy() == pytest.approx(outcome.mean(axis=1))
    assert table["percentile_90"].to_numpy() == pytest.approx(np.percentile(outcome, 90, axis=1))
    assert (table["satisficing_ci_low"] <= table["satisficing"]).all()
    assert (table["satisficing"] <= table["satisficing_ci_high"]).all()
    # the most robust policy (smallest maximum regret) comes first
    assert report.table["max_regret"].is_monotonic_increasing
    assert list(report.regret.columns) == ["policy", "future", "outcome", "regret"]


def test_maximizing_turns_regret_around(crossed_results) -> None:
    report = robustness(crossed_results, "distance", threshold=2.0, direction="maximize")
    hazard = FUTURES.points["u.hazard"].to_numpy()
    outcome = np.abs(np.array([[0.0], [1.0], [2.0]]) - 3 * hazard)
    table = report.table.set_index("policy").sort_index()
    assert table["max_regret"].to_numpy() == pytest.approx((outcome.max(axis=0) - outcome).max(axis=1))
    assert table["satisficing"].to_numpy() == pytest.approx((outcome >= 2.0).mean(axis=1))


@pytest.mark.parametrize(
    ("percentile", "label"),
    [(90, "90th percentile"), (21, "21st percentile"), (2, "2nd percentile"), (13, "13th percentile")],
)
def test_the_robustness_plot_names_its_regret_percentile_as_an_ordinal(
    crossed_results, percentile: int, label: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    drawn: list[Figure] = []
    monkeypatch.setattr(_decision_plots, "PERCENTILE", percentile)
    monkeypatch.setattr(_decision_plots, "_save", lambda figure, path: drawn.append(figure) or Path(path))
    report = robustness(crossed_results, "distance", threshold=0.5)
    _decision_plots.plot_robustness(report, ["x.policy"], {}, tmp_path / "robustness.png")
    (figure,) = drawn
    legend = figure.axes[0].get_legend()
    assert [text.get_text() for text in legend.get_texts()] == ["maximum regret", label]


def test_cart_finds_the_box_where_war_is_likely(crossed_results) -> None:
    cart = cart_boxes(crossed_results, "war", 0.5)
    (box,) = cart.case_boxes().itertuples(index=False)
    assert box.rule.startswith("u.hazard > 0.") and " and " not in box.rule
    assert (box.coverage, box.density) == (1.0, 1.0)
    threshold = float(box.rule.split("> ")[1])
    hazard = FUTURES.points["u.hazard"]
    assert hazard[hazard <= 0.6].max() <= threshold < hazard[hazard > 0.6].min()


def lone_war(params: dict, seeds: np.ndarray) -> pd.DataFrame:
    """War at the lowest level of x.level only: one case of interest among 60 points."""
    return pd.DataFrame({"war": np.full(len(seeds), params["x.level"] == 0)})


def test_analyze_says_so_when_no_cart_leaf_is_a_case(tmp_path: Path) -> None:
    design = generate_design(
        [Parameter(path="x.level", levels=tuple(range(60)))],
        FullFactorialDesign(kind="full_factorial"),
        root_seed=3,
    )
    run_sweep(design, lone_war, tmp_path / "sweep", replications=2, root_seed=3)
    report = analyze(tmp_path / "sweep", discovery_outcome="war", discovery_threshold=0.5, plots=False)
    # Leaves hold at least 5% of the 60 points, so the one case is isolated in a leaf of 3 (a third of
    # it) and the other 57 points make the tree's other leaf: no leaf is a case.
    lines = report.format().splitlines()
    assert not any(line.startswith("CART boxes where") for line in lines)
    assert (
        "no CART leaf is classified as war > 0.5: none of the tree's 2 leaves has a majority of such "
        "points (the largest share is 33%, 1 of 3 points)"
    ) in lines


def test_feature_scores_rank_what_moves_each_outcome(crossed_results) -> None:
    scores = feature_scores(crossed_results, ["distance", "war"])
    assert scores is not None and list(scores.columns) == ["x.policy", "u.hazard", "u.other"]
    assert scores.sum(axis=1).to_numpy() == pytest.approx([1.0, 1.0])
    assert scores.loc["war"].idxmax() == "u.hazard" and scores.loc["war", "u.hazard"] > 0.8
    assert scores.loc["distance", "u.other"] < 0.1  # u.other moves nothing


def test_feature_scores_of_an_unknown_outcome_name_it(crossed_results) -> None:
    with pytest.raises(InputError, match=r"^no outcome 'peace' in the results; there are \['distance'"):
        feature_scores(crossed_results, ["distance", "peace"], trees=5)


@pytest.mark.slow  # the whole analysis with its plots
def test_analyze_reports_robustness_cart_and_scores_with_plots(
    crossed_results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 10 trees an ensemble instead of 250: what the scores are is test_feature_scores_rank_what_moves_...
    monkeypatch.setattr(
        "wargame.experiments._decide.feature_scores", functools.partial(feature_scores, trees=10)
    )
    report = analyze(
        crossed_results.root,
        report_dir=tmp_path / "analysis",
        outcomes=["distance", "war"],
        robustness_outcome="distance",
        robustness_threshold=0.5,
        discovery_outcome="war",
        discovery_threshold=0.5,
    )
    text = report.format()
    assert "Robustness of 3 policies across 20 futures, judged by distance" in text
    assert "CART boxes where war > 0.5" in text and "Feature scores" in text
    names = {path.name for path in report.files}
    assert {"robustness.csv", "regret.parquet", "cart_boxes.csv", "feature_scores.csv"} <= names
    for figure in ("robustness.png", "cart.png", "feature_scores.png"):
        assert (tmp_path / "analysis" / "figures" / figure).read_bytes()[:4] == b"\x89PNG"


def test_robustness_needs_a_crossed_sweep(tmp_path: Path) -> None:
    run_sweep(POLICIES, lambda params, seeds: pd.DataFrame({"y": np.zeros(len(seeds))}), tmp_path / "s")
    with pytest.raises(InputError, match="needs a levers-and-uncertainties experiment"):
        robustness(load_results(tmp_path / "s"), "y", 0.0)


CROSSED_FILE = f"""\
name: crossed
scenario: {BASELINE}
levers:
  - path: links.usa-twn.latency_hours
    levels: [2, 48]
uncertainties:
  - path: actors.prc.risk_tolerance
    bounds: [0.2, 0.5]
futures: {{kind: latin_hypercube, samples: 3}}
replications: 4
outcomes: [war, escalation_score]
robustness: {{outcome: war, threshold: 0.1}}
"""


@pytest.mark.slow
def test_a_crossed_experiment_file_runs_and_analyzes_from_the_cli(tmp_path: Path, capsys) -> None:
    path = tmp_path / "crossed.yaml"
    path.write_text(CROSSED_FILE)
    experiment = load_experiment(path)
    assert len(experiment.design) == 6 and experiment.design.kind == "policies_x_futures"
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--jobs", "1", "--quiet"]) == 0
    assert main(["analyze", str(tmp_path / "out"), "--no-plots"]) == 0
    out = capsys.readouterr().out
    assert "Robustness of 2 policies across 3 futures, judged by war" in out


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (
            ("  - path: actors.prc.risk_tolerance", "  - path: links.usa-twn.latency_hours"),
            ":7: uncertainties[0].path",
            "links.usa-twn.latency_hours is also levers[0]: a parameter is either what the allies control",
        ),
        (("futures: {kind: latin_hypercube, samples: 3}\n", ""), ":1: futures", "give a 'futures' design"),
        (
            ("levers:", "design: {kind: full_factorial}\nlevers:"),
            ":3: design",
            "give either 'parameters' with a 'design', or 'levers' and 'uncertainties'",
        ),
        (
            ("    bounds: [0.2, 0.5]", "    levels: [0.2, 0.5]"),
            ":8: uncertainties[0].levels",
            "a latin_hypercube design samples ranges",
        ),
        (("outcome: war, threshold", "outcome: wars, threshold"), ":12: robustness.outcome", "not among"),
    ],
    ids=["lever-is-uncertainty", "no-futures", "design-and-levers", "futures-misfit", "robustness-outcome"],
)
def test_a_bad_crossed_experiment_is_one_line_naming_file_line_and_field(
    tmp_path: Path, capsys, change, where, message
) -> None:
    path = tmp_path / "crossed.yaml"
    path.write_text(CROSSED_FILE.replace(*change))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error, error
    assert error.startswith(f"wargame: error: {path}{where}"), error
    assert not (tmp_path / "out").exists()
