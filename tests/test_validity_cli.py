"""``wargame validity`` end to end on a small scenario, and its refusals of bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from validity_scenario import TINY_SCENARIO, write_tiny_scenario

from wargame.validity import ScenarioResult, _api, _report

SMALL = ("--runs", "12", "--levels", "5", "--sobol-base", "2", "--sobol-runs", "4")


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


@pytest.mark.slow  # the whole validity command end to end: every lever, the Sobol design and its figure
def test_a_small_run_writes_the_report_and_its_figure(tmp_path: Path, cli: Callable) -> None:
    scenario = write_tiny_scenario(tmp_path)
    (tmp_path / "docs").mkdir()
    result = cli("validity", scenario, "--out", "docs/validity.md", *SMALL)
    page = (tmp_path / "docs" / "validity.md").read_text()
    assert (tmp_path / "docs" / "figures" / "validity" / "tiny.png").stat().st_size > 10_000
    assert "wargame validity " + str(scenario) + " --out docs/validity.md --runs 12 --levels 5" in page
    assert "## Tiny validity theatre" in page
    for lever in (
        "allied resolve",
        "objective: intelligence_sharing",
        "gray-zone intensity",
        "decision cadence",
        "horizon",
    ):
        assert f"### {lever}: " in page
    assert "### Total Sobol indices of P(war)" in page
    assert "## How to read this report" in page
    verdict = "PASS" if result.code == 0 else "FAIL"
    assert result.code in (0, 1)
    assert f"Tiny validity theatre ({scenario}): {verdict}" in result.out
    assert "| [Tiny validity theatre](#tiny) | 15 |" in page
    assert [p.name for p in tmp_path.rglob("*.tmp")] == []


@pytest.mark.slow
def test_a_lever_without_effect_fails_the_scenario_with_one_line_and_exit_1(
    tmp_path: Path, cli: Callable
) -> None:
    """A program aimed at where its quantity already is does nothing: its objective has no effect."""
    path = tmp_path / "idle.yaml"
    idle = TINY_SCENARIO.replace(
        "programs:\n",
        "programs:\n  - {id: talks, objective: policy_dialogue, partners: [grn, blu], "
        "intensity_per_year: 20, effects: [{quantity: commitments.grn-blu.credibility, target: 0.5, "
        "gain_per_exchange: 0.01}]}\n",
    )
    path.write_text(idle, encoding="utf-8")
    result = cli("validity", path, "--out", "report.md", *SMALL)
    assert result.code == 1
    assert f"Tiny validity theatre ({path}): FAIL" in result.out
    lines = [line for line in result.out.splitlines() if "objective: policy_dialogue" in line]
    assert len(lines) == 1
    assert lines[0].startswith("  FAIL objective: policy_dialogue: no effect: from 0 to 3 x nominal")
    assert "**FAIL**" in (tmp_path / "report.md").read_text()


def _passing(scenario: object, label: str, **settings: object) -> ScenarioResult:
    """A stand-in for the long computation: a scenario result with nothing that fails."""
    return ScenarioResult("Tiny validity theatre", label, "blu", 2, (), None, "nothing")


def test_exit_code_is_0_when_every_scenario_passes(
    tmp_path: Path, cli: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_api, "validate_scenario", _passing)
    result = cli("validity", write_tiny_scenario(tmp_path), "--out", "report.md", *SMALL)
    assert result.code == 0
    assert ": PASS, 0 of 0 levers fail" in result.out
    assert "**PASS**" in (tmp_path / "report.md").read_text()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("missing.yaml", "--out", "report.md"), "missing.yaml"),
        (("tiny.yaml", "--out", "report.md", "--levels", "2"), "--levels: must be at least 5, got 2"),
        (("tiny.yaml", "--out", "report.md", "--levels", "40"), "--levels: must be at most 15, got 40"),
        (("tiny.yaml", "--out", "report.md", "--runs", "0"), "--runs: must be at least 2, got 0"),
        (("tiny.yaml", "--out", "report.md", "--runs", "50000"), "--runs: runs per level must be between 2"),
        (("tiny.yaml", "--out", "report.md", "--sobol-base", "12"), "--sobol-base: must be a power of two"),
        (("tiny.yaml", "--out", "report.md", "--sobol-runs", "5"), "--sobol-runs: must be an even number"),
        (("tiny.yaml", "--out", "no/such/folder/report.md"), "--out: folder no/such/folder does not exist"),
        (("tiny.yaml", "--out", "tiny.yaml/report.md"), "--out: folder tiny.yaml does not exist"),
        (("tiny.yaml", "--out", "."), "--out: . is a folder"),
        (("tiny.yaml", "--out", "report.md", "--set", "actors.blu.resolv=0.5"), "no field 'resolv'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    tmp_path: Path, cli: Callable, arguments: tuple[str, ...], message: str
) -> None:
    write_tiny_scenario(tmp_path)
    before = _files(tmp_path)
    result = cli("validity", *arguments)
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.strip().splitlines()) == 1
    assert message in result.err
    assert _files(tmp_path) == before


def test_figures_under_a_file_are_refused_before_any_run(tmp_path: Path, cli: Callable) -> None:
    write_tiny_scenario(tmp_path)
    (tmp_path / "figures").write_text("not a folder")
    before = _files(tmp_path)
    result = cli("validity", "tiny.yaml", "--out", "report.md", *SMALL)
    assert result.code == 2
    assert "--out: figures is not a folder" in result.err
    assert _files(tmp_path) == before


def test_a_failure_while_writing_leaves_nothing_behind(
    tmp_path: Path, cli: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(_api, "validate_scenario", _passing)
    monkeypatch.setattr(_report, "render_report", broken)
    write_tiny_scenario(tmp_path)
    with pytest.raises(OSError, match="disk full"):
        cli("validity", "tiny.yaml", "--out", "report.md", *SMALL)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [tmp_path / "tiny.yaml"]
