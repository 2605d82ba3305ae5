"""``wargame calibrate`` end to end: what it prints and writes, and one located error for bad input."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from scenario_builders import REFERENCE_SCENARIO

from wargame.calibration import _outputs
from wargame.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "pla_aircraft_daily_2021_2024.csv"
WINDOW = ("--from", "2023-01-01", "--to", "2024-12-31")


@pytest.fixture
def theatre(tmp_path: Path) -> Path:
    """A folder with the reference scenario and a variant that has a root aircraft activity and a subset."""
    folder = tmp_path / "theatre"
    folder.mkdir()
    shutil.copy(REFERENCE_SCENARIO, folder / "reference.yaml")
    (folder / "scenario.yaml").write_text(
        "extends: reference.yaml\n"
        "gray_zone:\n"
        "  activities:\n"
        "    - {id: aircraft, name: Aircraft around the island, domain: air, base_rate_per_day: 10.0}\n"
        "    - {id: aircraft_adiz, name: ADIZ entries, domain: air, subset_of: aircraft, share: 0.6}\n",
        encoding="utf-8",
    )
    return folder / "scenario.yaml"


def _calibrate(cli: Callable, theatre: Path, out: Path, *extra: str):
    return cli(
        "calibrate", theatre, "--data", DATA, "--column", "pla_aircraft", "--activity", "aircraft",
        "--out", out, "--replications", "40", "--quiet", *extra,
    )  # fmt: skip


@pytest.mark.slow
def test_calibrate_prints_the_fit_and_writes_an_overlay_that_loads(cli: Callable, theatre: Path) -> None:
    out = theatre.parent.parent / "results" / "aircraft"
    result = _calibrate(cli, theatre, out, *WINDOW)
    assert result.code == 0, result.err
    for words in (
        "base_rate_per_day",
        "clustering.decay_days",
        "95% interval",
        "AIC",
        "lag-7 autocorrelation",
    ):
        assert words in result.out
    assert sorted(path.name for path in out.iterdir()) == sorted(
        ["calibrated.yaml", "fit.json", "daily_distribution.png", "autocorrelation.png", "pit_qq.png",
         "daily_series.png"]
    )  # fmt: skip
    fit = json.loads((out / "fit.json").read_text())
    assert fit["data"]["observed_days"] == 697 and fit["data"]["sha256"].startswith("49606c26")
    overlay = yaml.safe_load((out / "calibrated.yaml").read_text())
    assert overlay["extends"] == "../../theatre/scenario.yaml"
    assert str(DATA) in overlay["gray_zone"]["activities"][0]["source"]
    # The overlay extends a file outside its folder: it loads when that folder is allowed, as printed.
    assert f"--allow-dir {theatre.parent}" in result.out
    calibrated = load_scenario(out / "calibrated.yaml", allow_dirs=[theatre.parent])
    aircraft = calibrated.gray_zone.activity("aircraft")
    fields = fit["fitted_fields"]
    assert aircraft.base_rate_per_day == fields["base_rate_per_day"]
    assert aircraft.overdispersion_sigma == fields["overdispersion_sigma"]
    assert aircraft.clustering.branching_ratio == fields["clustering"]["branching_ratio"]
    assert aircraft.clustering.decay_days == fields["clustering"]["decay_days"]
    assert aircraft.base_rate_per_day == pytest.approx(
        fit["parameters"]["base_rate_per_day"]["value"], rel=1e-3
    )
    # Clustering is needed on these data, and the AIC says so.
    assert fit["aic_gain_of_clustering"] > 10


@pytest.mark.slow  # two whole calibrations
def test_the_same_seed_writes_the_same_fit(cli: Callable, theatre: Path, tmp_path: Path) -> None:
    first = _calibrate(cli, theatre, tmp_path / "a", "--from", "2024-01-01", "--seed", "3")
    second = _calibrate(cli, theatre, tmp_path / "b", "--from", "2024-01-01", "--seed", "3")
    assert first.code == second.code == 0
    one, two = (json.loads((tmp_path / name / "fit.json").read_text()) for name in "ab")
    del one["command"], two["command"]
    assert one == two


@pytest.mark.slow
def test_a_held_parameter_is_kept_and_written(cli: Callable, theatre: Path, tmp_path: Path) -> None:
    result = _calibrate(cli, theatre, tmp_path / "held", *WINDOW, "--fix", "clustering.decay_days=2")
    assert result.code == 0, result.err
    fit = json.loads((tmp_path / "held" / "fit.json").read_text())
    assert fit["held_fixed"] == {"clustering.decay_days": 2.0}
    assert fit["parameters"]["clustering.decay_days"] == {
        "value": 2.0,
        "low": None,
        "high": None,
        "fixed": True,
        "at_bound": False,
    }
    assert "--fix clustering.decay_days=2" in fit["command"]


@pytest.mark.slow
def test_with_clustering_held_at_zero_there_is_no_comparison(
    cli: Callable, theatre: Path, tmp_path: Path
) -> None:
    result = _calibrate(cli, theatre, tmp_path / "flat", *WINDOW, "--fix", "clustering.branching_ratio=0")
    assert result.code == 0, result.err
    assert "(clustering held at 0)" in result.out and "lowers the AIC" not in result.out
    fit = json.loads((tmp_path / "flat" / "fit.json").read_text())
    assert "clustering.decay_days" not in fit["parameters"]


# (extra arguments, what the error names, words of the message)
BAD_INPUT = {
    "unknown activity": (["--activity", "drones"], "--activity", "unknown activity 'drones'"),
    "subset activity": (
        ["--activity", "aircraft_adiz"],
        "--activity",
        "calibrate its root activity 'aircraft'",
    ),
    "short window": (["--from", "2024-01-01", "--to", "2024-02-15"], "--from", "a fit needs at least 60"),
    "window reversed": (
        ["--from", "2024-02-01", "--to", "2024-01-01"],
        "--from",
        "starts (2024-02-01) after",
    ),
    "window after the data": (["--from", "2030-01-01"], "--from", "after the data end (2024-12-31)"),
    "window before the data": (
        ["--from", "1990-01-01", "--to", "1990-03-01"],
        "--to",
        "before the data start",
    ),
    "bad date flag": (["--from", "2024-1-1"], "--from", "expected a date YYYY-MM-DD"),
    "bad fix": (["--fix", "clustering.decay_days"], "--fix", "expected NAME=NUMBER"),
    "unknown fix": (["--fix", "decay=2"], "--fix", "cannot fix 'decay'"),
    "fix out of range": (["--fix", "clustering.branching_ratio=1.2"], "--fix", "in [0, 0.95]"),
    "fix twice": (["--fix", "clustering.decay_days=2", "--fix", "clustering.decay_days=3"], "--fix", "twice"),
    "wrong column": (["--column", "aircraft"], "header", "expected the columns date,aircraft"),
    "few replications": (["--replications", "5"], "--replications", "at least 20"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    cli: Callable, theatre: Path, tmp_path: Path, case: str
) -> None:
    extra, where, words = BAD_INPUT[case]
    out = tmp_path / "out"
    arguments = ["--data", DATA, "--column", "pla_aircraft", "--activity", "aircraft", "--out", out]
    arguments += ["--quiet", "--replications", "20"]
    result = cli("calibrate", theatre, *arguments, *extra)
    assert result.code == 2
    assert result.err.startswith("wargame: error: ") and result.err.count("\n") == 1, result.err
    assert where in result.err and words in result.err
    assert not out.exists()
    assert [path.name for path in tmp_path.iterdir()] == ["theatre"]


def test_a_bad_data_file_names_its_line(cli: Callable, theatre: Path, tmp_path: Path) -> None:
    data = tmp_path / "counts.csv"
    data.write_text("date,aircraft\n2024-01-01,4\n2024-01-02,-1\n")
    result = cli("calibrate", theatre, "--data", data, "--activity", "aircraft", "--out", tmp_path / "out")
    assert result.code == 2
    assert result.err == f"wargame: error: {data}:3: aircraft: negative count -1\n"
    assert not (tmp_path / "out").exists()


def test_out_must_be_a_folder(cli: Callable, theatre: Path, tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("a file")
    result = _calibrate(cli, theatre, target)
    assert (result.code, result.err) == (2, "wargame: error: --out: exists and is not a folder\n")
    assert target.read_text() == "a file"


def test_a_failure_while_writing_leaves_nothing_behind(
    cli: Callable, theatre: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(_outputs, "write_plots", broken)
    with pytest.raises(OSError, match="disk full"):
        _calibrate(cli, theatre, tmp_path / "new" / "folders" / "out", "--from", "2024-01-01")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["theatre"]


@pytest.mark.slow
def test_rewriting_into_an_existing_folder_replaces_only_the_outputs(
    cli: Callable, theatre: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert _calibrate(cli, theatre, out, "--from", "2024-01-01").code == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "calibrated.yaml").exists()
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []
