"""Experiment files against the real scenario and the real CLI: located errors, kill -9 and --resume."""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from experiment_builders import write_experiment_file

from wargame.cli import main
from wargame.errors import InputError
from wargame.experiments import load_experiment, load_results, sweep

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "taiwan_strait_baseline.yaml"

SMALL = f"""\
name: small_grid
scenario: {BASELINE}
parameters:
  - path: links.usa-twn.latency_hours
    levels: [1, 48, 168]
  - path: factor.resolve
    multiplies: [actors.twn.resolve, actors.usa.resolve]
    levels: [0.7, 1.3]
design: {{kind: full_factorial}}
replications: 50
root_seed: 9
runs_per_part: 25
outcomes: [war, war_day, mean_attribution_delay_hours, max_rung_id]
"""


@pytest.mark.parametrize("path", sorted((REPO / "experiments").glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_experiments_load_and_fit_their_scenario(path: Path) -> None:
    experiment = load_experiment(path)
    spec = experiment.spec
    if spec.crossed:
        settings = experiment.design.settings
        assert len(experiment.design) == settings["policies"]["points"] * settings["futures"]["points"]
    elif spec.design.kind == "full_factorial":
        assert len(experiment.design) == math.prod(len(p.levels) for p in spec.parameters)
    assert experiment.total_runs == len(experiment.design) * spec.replications


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (
            ("    levels: [1, 48, 168]", "    levels: [1, 48, 168]\n    colour: red"),
            ":6: parameters[0]",
            "unknown field 'colour'",
        ),
        (
            ("links.usa-twn.latency_hours", "links.usa-twn.latency_days"),
            ":4: parameters[0].path",
            "no field 'latency_days'.*did you mean",
        ),
        (
            ("links.usa-twn.latency_hours", "links.usa-chn.latency_hours"),
            ":4: parameters[0].path",
            "no item 'usa-chn'",
        ),
        (("actors.usa.resolve]", "actors.usa.capability]"), ":7: parameters[1].multiplies[1]", "section"),
        (("levels: [0.7, 1.3]", "levels: [0.7, 1.5]"), ":8: parameters[1].levels", "value 1.5"),
        (("max_rung_id]", "max_rungs]"), ":13: outcomes[3]", "did you mean 'max_rung'"),
        (
            ("{kind: full_factorial}", "{kind: sobol, base_samples: 8}"),
            ":5: parameters[0].levels",
            "not 'levels'",
        ),
        (("replications: 50", "replications: 0"), ":10: replications", "greater than or equal to 1"),
    ],
)
def test_a_bad_experiment_names_file_line_and_field(tmp_path: Path, change, where, message) -> None:
    path = write_experiment_file(tmp_path, SMALL.replace(*change))
    with pytest.raises(InputError, match=message) as caught:
        load_experiment(path)
    assert f"{path}{where}" in str(caught.value)


def test_the_cli_reports_a_bad_experiment_in_one_line_with_exit_code_2(tmp_path: Path, capsys) -> None:
    path = write_experiment_file(
        tmp_path, SMALL.replace("links.usa-twn.latency_hours", "links.usa-twn.latency")
    )
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"wargame: error: {path}:4: parameters[0].path: no field 'latency'")
    assert "\n" not in error
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_kill_9_half_way_then_resume_gives_one_row_per_run_identical_to_an_uninterrupted_sweep(
    tmp_path: Path, capsys
) -> None:
    # The reference scenario over a quarter of a year: a sweep parts, kills and resumes the same way
    # whatever the horizon, and each run costs a quarter as much.
    baseline = BASELINE.read_text()
    assert baseline.count("horizon_days: 365\n") == 1
    quarter = tmp_path / "quarter_year.yaml"
    quarter.write_text(baseline.replace("horizon_days: 365\n", "horizon_days: 91\n"), encoding="utf-8")
    experiment = write_experiment_file(tmp_path, SMALL.replace(str(BASELINE), str(quarter)))
    out = tmp_path / "killed"
    command = [
        sys.executable,
        "-m",
        "wargame.cli",
        "sweep",
        str(experiment),
        "--jobs",
        "2",
        "--out",
        str(out),
    ]
    process = subprocess.Popen([*command, "--quiet"], start_new_session=True, stderr=subprocess.PIPE)
    manifest = out / "manifest.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if manifest.exists() and manifest.read_text().count("\n") >= 3:
            break
        time.sleep(0.005)
    assert process.poll() is None, "the sweep ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)  # the sweep and its workers, like a lost node
    process.wait()
    process.stderr.close()
    parts_before = manifest.read_text().count("\n")
    assert 3 <= parts_before < 12

    # Resumed in this process: the process boundary that matters is the one the kill crossed.
    assert main([*command[3:], "--resume", "--quiet"]) == 0
    assert f"{parts_before * 25} already done before" in capsys.readouterr().out

    # The uninterrupted sweep in one part: a sweep's rows do not depend on its parts (checked for other
    # layouts in test_experiments_sweep.py), and six ensembles of 50 runs take 1.6-2.0 s of CPU here
    # against 3.4-3.5 s for twelve of 25.
    (tmp_path / "one_part").mkdir()
    in_one_part = write_experiment_file(
        tmp_path / "one_part", experiment.read_text().replace("runs_per_part: 25\n", "runs_per_part: 300\n")
    )
    summary = sweep(in_one_part, tmp_path / "uninterrupted", jobs=1, progress=False)
    assert summary.complete and summary.runs_failed == 0
    after_kill = load_results(out).runs
    uninterrupted = load_results(tmp_path / "uninterrupted").runs
    assert len(after_kill) == 300
    assert not after_kill.duplicated(["point", "replication"]).any()
    pd.testing.assert_frame_equal(after_kill, uninterrupted)


@pytest.mark.slow  # a sweep then analyze through the CLI
def test_analyze_on_the_command_line_prints_and_writes_its_tables(tmp_path: Path, capsys) -> None:
    experiment = write_experiment_file(tmp_path, SMALL.replace("replications: 50", "replications: 10"))
    assert main(["sweep", str(experiment), "--out", str(tmp_path / "out"), "--jobs", "1", "--quiet"]) == 0
    assert "60 runs: 60 done, 0 failed" in capsys.readouterr().out
    assert main(["analyze", str(tmp_path / "out"), "--discover", "war>0.05", "--no-plots"]) == 0
    printed = capsys.readouterr().out
    assert "Per design point (estimate [95% CI])" in printed
    assert "Scenario discovery: war > 0.05" in printed
    table = pd.read_csv(tmp_path / "out" / "analysis" / "point_summary.csv")
    assert set(table["outcome"]) == {"war", "war_day", "mean_attribution_delay_hours"}


@pytest.mark.slow
def test_resume_after_the_experiment_file_changed_is_refused(tmp_path: Path, capsys) -> None:
    experiment = write_experiment_file(tmp_path, SMALL.replace("replications: 50", "replications: 4"))
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    experiment.write_text(experiment.read_text().replace("root_seed: 9", "root_seed: 10"))
    assert main(["sweep", str(experiment), "--out", str(out), "--resume", "--quiet"]) == 2
    assert "experiment file changed" in capsys.readouterr().err


def test_the_experiments_guide_shows_every_committed_plot_and_only_those() -> None:
    guide = (REPO / "docs" / "experiments.md").read_text()
    shown = set(re.findall(r"\]\((figures/experiments/[^)]+\.png)\)", guide))
    committed = {
        f"figures/experiments/{path.name}" for path in (REPO / "docs/figures/experiments").glob("*.png")
    }
    makefile = (REPO / "Makefile").read_text()
    copied = {
        f"figures/experiments/{name.replace('/', '-')}.png"
        for name in re.findall(r"\b(\w+/\w+)\b", makefile[makefile.index("docs-figures: experiments") :])
        if name.split("/")[0] in {path.stem for path in (REPO / "experiments").glob("*.yaml")}
    }
    assert shown == committed == copied
    for path in sorted((REPO / "experiments").glob("*.yaml")):
        assert f"experiments/{path.name}" in guide
