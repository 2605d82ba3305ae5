"""``wargame teach``: listing, live parameters, figures, and one-line errors."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from wargame.teaching import get_model, model_names, run_teaching_model
from wargame.teaching.cli import add_parser

LESSONS = Path(__file__).resolve().parents[2] / "docs" / "lessons"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wargame")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return parser


def _teach(argv: list[str]) -> int:
    args = _parser().parse_args(["teach", *argv])
    return args.handler(args)


def test_list_names_every_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert _teach(["--list"]) == 0
    listed = re.findall(r"^  (\w+) ", capsys.readouterr().out, flags=re.MULTILINE)
    assert model_names() == listed


def test_live_parameter_changes_the_printed_result(capsys: pytest.CaptureFixture[str]) -> None:
    assert _teach(["richardson", "--case", "stable", "--param", "fatigue_x_per_year=0.2"]) == 0
    out = capsys.readouterr().out
    assert "case stable*: m*n = 0.18 < a*b = 0.25 -> saddle: the equilibrium is unstable" in out
    assert "fatigue_x_per_year=0.2" in out


def test_plot_writes_labelled_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _teach(["escalation", "--plot", "--out", str(tmp_path)]) == 0
    written = sorted(path.name for path in tmp_path.glob("*.png"))
    assert written == ["escalation_map.png", "escalation_rungs.png"]
    assert f"wrote {tmp_path / 'escalation_map.png'}" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "per_case", "together"),
    [
        ("grayzone", "grayzone_resolve", []),
        ("deterrence_game", "deterrence_game_payoffs", ["deterrence_game_tournament.png"]),
    ],
)
def test_plot_with_all_writes_every_cases_figure_in_its_own_file(
    name: str, per_case: str, together: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A figure drawn once per case: the first case's keeps the stem, each further case's is named after
    it, and each is the figure that case draws when run alone (the same seed either way)."""
    cases = list(get_model(name).scenario.cases)
    assert len(cases) > 1
    assert _teach([name, "--all", "--param", "runs=10", "--plot", "--out", str(tmp_path / "all")]) == 0
    out = capsys.readouterr().out
    files = [f"{per_case}.png"] + [f"{per_case}_{case}.png" for case in cases[1:]]
    assert sorted(path.name for path in (tmp_path / "all").glob("*.png")) == sorted(files + together)
    assert all(f"wrote {tmp_path / 'all' / file}" in out for file in files)
    for case, file in zip(cases, files, strict=True):
        alone = tmp_path / case
        assert _teach([name, "--case", case, "--param", "runs=10", "--plot", "--out", str(alone)]) == 0
        assert (tmp_path / "all" / file).read_bytes() == (alone / f"{per_case}.png").read_bytes(), case
    first, second = ((tmp_path / "all" / file).read_bytes() for file in files[:2])
    assert first != second


def test_seed_and_runs_make_stochastic_output_reproducible(capsys: pytest.CaptureFixture[str]) -> None:
    _teach(["grayzone", "--runs", "50", "--seed", "3"])
    first = capsys.readouterr().out
    _teach(["grayzone", "--runs", "50", "--seed", "3"])
    assert first == capsys.readouterr().out


def test_parameter_values_print_as_typed(capsys: pytest.CaptureFixture[str]) -> None:
    _teach(["grayzone", "--case", "default", "--runs", "20", "--param", "days=30"])
    out = capsys.readouterr().out
    assert "your changes: days=30, runs=20\n" in out
    assert "for 30 days" in out and "20 campaigns" in out
    _teach(["escalation", "--case", "baseline", "--param", "rung_gain=0,2,4,6,12.5"])
    _teach(["escalation", "--case", "baseline", "--param", "ally_credibility=0.123456789"])
    out = capsys.readouterr().out
    assert "your changes: rung_gain=0,2,4,6,12.5\n" in out
    assert "case baseline*: ally credibility 0.123456789," in out
    assert not re.search(r"\d\.0\b|\d\.0[,)\s]|e\+0", out)


def test_show_params_prints_whole_numbers_and_lists_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    assert _teach(["grayzone", "--show-params"]) == 0
    assert "  runs = 2000 [simulated campaigns]" in capsys.readouterr().out
    assert _teach(["escalation", "--show-params"]) == 0
    assert "  rung_gain = 0,2,4,6,9 [utility]" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["teach", "nope"], "unknown teaching model 'nope'; valid: richardson"),
        (
            ["teach", "richardson", "--param", "speed=3"],
            "--param: speed: unknown parameter for richardson; valid:",
        ),
        (["teach", "grayzone", "--param", "mitigation=2"], "--param: mitigation: must be <= 1"),
        (["teach", "richardson", "--param", "a"], "expected key=value"),
        (["teach", "richardson", "--runs", "5"], "richardson is deterministic and takes no --runs"),
        (["teach", "lanchester", "--jobs", "2"], "lanchester is deterministic and takes no --jobs"),
        (
            ["teach", "richardson", "--case", "calm"],
            "--case: unknown case 'calm' of richardson; valid: stable",
        ),
        (["teach", "richardson", "--case", "stable", "--all"], "--all: give --case NAME or --all, not both"),
        (
            ["teach", "richardson", "--all", "--param", "speed=1"],
            "--param: speed: unknown parameter for richardson; valid:",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from wargame.cli import main

    assert main(argv) == 2
    error = capsys.readouterr().err
    assert message in error
    assert error.count("\n") == 1


def test_main_cli_lists_models(capsys: pytest.CaptureFixture[str]) -> None:
    from wargame.cli import main

    assert main(["teach", "--list"]) == 0
    assert "richardson" in capsys.readouterr().out


@pytest.mark.parametrize("name", model_names())
def test_every_lesson_page_exists_and_its_figures_are_committed(name: str) -> None:
    page = (LESSONS / f"{name}.md").read_text(encoding="utf-8")
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", page)
    assert figures
    assert all((LESSONS / figure).is_file() for figure in figures)
    assert "<!-- output:start -->" in page
    assert f"$ wargame teach {name}" in page


def test_param_changes_only_the_named_case(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_teaching_model("deterrence_game", assignments=["noise=0.1"], case="noisy", runs=20)
    assert list(run.results) == ["noisy*"]
    assert run.results["noisy*"].params["noise"] == 0.1


def test_param_with_all_changes_every_case() -> None:
    run = run_teaching_model("deterrence_game", assignments=["turns=7"], all_cases=True, runs=20)
    assert list(run.results) == ["noisy*", "noise_free*"]
    assert [result.params["turns"] for result in run.results.values()] == [7.0, 7.0]
    assert run.results["noise_free*"].params["noise"] == 0.0


def test_param_without_case_or_all_leaves_noise_free_alone(capsys: pytest.CaptureFixture[str]) -> None:
    from wargame.cli import main

    assert main(["teach", "deterrence_game", "--param", "noise=0.1", "--runs", "20"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert (
        "--param: deterrence_game has 2 cases (noisy, noise_free): name the one to change with --case NAME,"
        " or change them all with --all" in error
    )
    assert main(["teach", "deterrence_game", "--all", "--param", "turns=5", "--runs", "20"]) == 0
    out = capsys.readouterr().out
    assert "case noise_free*:" in out and "noise 0," in out
    # A model with one case needs neither --case nor --all.
    assert main(["teach", "bargaining", "--param", "cost_a=0.2", "--runs", "200"]) == 0
