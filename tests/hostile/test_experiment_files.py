"""Hostile and realistic bad experiment files through ``wargame sweep``, under the harness's limits.

Each case checks that the sweep's ``--out`` folder was never created.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from experiment_builders import write_experiment_file
from hostile_harness import BILLION_LAUGHS, REFERENCE, Hostile, assert_refused, snapshot

GOOD = f"""\
name: small
scenario: {REFERENCE}
parameters:
  - path: links.usa-twn.latency_hours
    levels: [1, 48]
design: {{kind: full_factorial}}
replications: 2
"""


def sweep(hostile: Hostile, tmp_path: Path, path: Path, *fragments: str, flags: tuple[str, ...] = ()) -> None:
    out = tmp_path / "out"
    before = snapshot(tmp_path)
    result = hostile.run("sweep", path, "--out", out, "--jobs", "1", "--quiet", *flags)
    assert_refused(result, *fragments, unchanged=[out, before])


def test_an_alias_bomb(hostile, tmp_path):
    path = write_experiment_file(tmp_path, BILLION_LAUGHS)
    sweep(hostile, tmp_path, path, f"{path}:", "more than 100,000 values")


def test_a_duplicate_key(hostile, tmp_path):
    path = write_experiment_file(tmp_path, GOOD + "replications: 3\n")
    sweep(hostile, tmp_path, path, f"{path}:8: duplicate key 'replications' (first at line 7)")


def test_a_5000_digit_replication_count(hostile, tmp_path):
    path = write_experiment_file(tmp_path, GOOD.replace("replications: 2", "replications: " + "9" * 5000))
    sweep(hostile, tmp_path, path, f"{path}:7: a number of 5,000 digits is too long")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_given_as_the_experiment(hostile, tmp_path, device):
    sweep(hostile, tmp_path, Path(device), f"{device}: a character device, not a regular file")


def test_a_fifo_given_as_the_experiment(hostile, tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    sweep(hostile, tmp_path, fifo, f"{fifo}: a FIFO (named pipe), not a regular file")


@pytest.mark.parametrize("target", ["/dev/zero", "pipe"])
def test_a_base_scenario_that_is_not_a_file(hostile, tmp_path, target):
    if target == "pipe":
        os.mkfifo(tmp_path / "pipe")
    path = write_experiment_file(tmp_path, GOOD.replace(str(REFERENCE), target))
    sweep(hostile, tmp_path, path, f"{path}:2: scenario: scenario file {target!r} not found")


def test_a_base_scenario_with_an_alias_bomb(hostile, tmp_path):
    (tmp_path / "bomb.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    path = write_experiment_file(tmp_path, GOOD.replace(str(REFERENCE), "bomb.yaml"))
    sweep(hostile, tmp_path, path, f"{tmp_path / 'bomb.yaml'}:", "more than 100,000 values")


def test_a_base_scenario_that_extends_a_foreign_file(hostile, tmp_path):
    (tmp_path / "base.yaml").write_text("extends: /etc/shadow\n", encoding="utf-8")
    path = write_experiment_file(tmp_path, GOOD.replace(str(REFERENCE), "base.yaml"))
    sweep(
        hostile,
        tmp_path,
        path,
        f"{tmp_path / 'base.yaml'}:1: extends: extended file '/etc/shadow' is an absolute path",
    )


def test_a_scenario_given_to_sweep(hostile, tmp_path):
    shutil.copyfile(REFERENCE, tmp_path / "scenario.yaml")
    path = tmp_path / "scenario.yaml"
    sweep(
        hostile,
        tmp_path,
        path,
        f"{path}:1: this is a scenario file, not an experiment (give it to `wargame run`",
    )


def test_a_policy_script_given_to_sweep(hostile, tmp_path):
    path = write_experiment_file(tmp_path, "actions:\n  - {day: 7, action: signal}\n")
    sweep(hostile, tmp_path, path, f"{path}:1: this is a policy script file, not an experiment")


def test_a_misspelt_parameter_path(hostile, tmp_path):
    path = write_experiment_file(tmp_path, GOOD.replace("latency_hours", "latency_hour"))
    sweep(
        hostile,
        tmp_path,
        path,
        f"{path}:4: parameters[0].path: no field 'latency_hour'",
        "did you mean 'latency_hours'?",
    )


def test_a_level_out_of_the_field_bounds(hostile, tmp_path):
    path = write_experiment_file(
        tmp_path,
        GOOD.replace("links.usa-twn.latency_hours", "actors.twn.resolve").replace("[1, 48]", "[0.5, 1.5]"),
    )
    sweep(hostile, tmp_path, path, f"{path}:5: parameters[0].levels: value 1.5:", "less than or equal to 1")


def test_a_bad_set_flag_on_the_base_scenario(hostile, tmp_path):
    path = write_experiment_file(tmp_path, GOOD)
    sweep(
        hostile,
        tmp_path,
        path,
        "--set actors.twn.resolv=0.5: no field 'resolv' at actors.twn; did you mean 'resolve'?",
        flags=("--set", "actors.twn.resolv=0.5"),
    )


def test_a_tab_indented_experiment(hostile, tmp_path):
    path = write_experiment_file(tmp_path, GOOD.replace("  - path:", "\t- path:"))
    sweep(hostile, tmp_path, path, f"{path}:4: malformed YAML")
