"""The flags several sub-commands share (``--runs``, ``--seed``, ``--jobs``) are validated the same way by
every command: a bad value is one ``wargame: error: argument --FLAG: ...`` line and exit code 2, before
anything runs. The files named on the command lines need not exist: the flags are checked first."""

from __future__ import annotations

import argparse

import pytest

from wargame._flags import add_jobs_flag, add_out_flag, add_repeatable_flag, add_runs_flag, add_seed_flag

# Each command taking the flag, with its smallest accepted number of runs.
RUNS_COMMANDS = {
    "run": (["run", "s.yaml"], 1),
    "compare": (["compare", "s.yaml"], 1),
    "validity": (["validity", "s.yaml", "--out", "r.md"], 2),
    "session-branch": (["session", "branch", "d", "--turn", "0"], 1),
    "session-debrief": (["session", "debrief", "d"], 20),
    "teach": (["teach", "grayzone"], 1),
}
SEED_COMMANDS = {
    "run": ["run", "s.yaml"],
    "compare": ["compare", "s.yaml"],
    "calibrate": ["calibrate", "s.yaml", "--data", "d.csv", "--activity", "a", "--out", "o"],
    "validity": ["validity", "s.yaml", "--out", "r.md"],
    "session-new": ["session", "new", "s.yaml", "--out", "d"],
    "session-branch": ["session", "branch", "d", "--turn", "0"],
    "session-debrief": ["session", "debrief", "d"],
    "teach": ["teach", "grayzone"],
}
JOBS_COMMANDS = {
    "run": ["run", "s.yaml"],
    "compare": ["compare", "s.yaml"],
    "sweep": ["sweep", "e.yaml"],
    "validity": ["validity", "s.yaml", "--out", "r.md"],
    "session-branch": ["session", "branch", "d", "--turn", "0"],
    "session-debrief": ["session", "debrief", "d"],
    "teach": ["teach", "grayzone"],
}


def assert_flag_error(result, message: str) -> None:
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines() == [f"wargame: error: {message}"], result.err


@pytest.mark.parametrize("command", RUNS_COMMANDS)
def test_runs_below_the_command_minimum_is_refused(cli, tmp_path, command):
    argv, minimum = RUNS_COMMANDS[command]
    result = cli(*argv, "--runs", str(minimum - 1))
    assert_flag_error(result, f"argument --runs: must be at least {minimum}, got {minimum - 1}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", RUNS_COMMANDS)
def test_runs_that_is_not_a_number_is_refused(cli, command):
    argv, _ = RUNS_COMMANDS[command]
    assert_flag_error(cli(*argv, "--runs", "2.5"), "argument --runs: expected a whole number, got '2.5'")


@pytest.mark.parametrize("command", SEED_COMMANDS)
def test_a_negative_seed_is_refused(cli, tmp_path, command):
    result = cli(*SEED_COMMANDS[command], "--seed", "-1")
    assert_flag_error(result, "argument --seed: must be non-negative, got -1")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", SEED_COMMANDS)
def test_a_seed_that_is_not_a_number_is_refused(cli, command):
    result = cli(*SEED_COMMANDS[command], "--seed", "x")
    assert_flag_error(result, "argument --seed: expected a whole number, got 'x'")


@pytest.mark.parametrize("command", JOBS_COMMANDS)
def test_zero_jobs_is_refused(cli, command):
    assert_flag_error(
        cli(*JOBS_COMMANDS[command], "--jobs", "0"), "argument --jobs: must be at least 1, got 0"
    )


def test_flags_document_their_default_and_convert_their_value():
    parser = argparse.ArgumentParser()
    add_runs_flag(parser, default=200, minimum=20, help="continuations per fan")
    add_seed_flag(parser, default=None, help="seed of the continuations")
    add_jobs_flag(parser, default=1)
    add_out_flag(parser, help="report folder")
    helps = {action.dest: action.help for action in parser._actions}
    assert helps["runs"] == "continuations per fan (default 200)"
    assert helps["seed"] == "seed of the continuations"
    assert helps["jobs"] == "worker processes (default 1)"
    args = parser.parse_args(["--seed", "7", "--out", "a/b"])
    assert (args.runs, args.seed, args.jobs, str(args.out)) == (200, 7, 1, "a/b")


def test_a_repeatable_flag_collects_its_values_in_order_and_defaults_to_an_empty_list():
    parser = argparse.ArgumentParser()
    add_repeatable_flag(
        parser, "--level", dest="levels", type=float, metavar="X", help="a level (repeatable)"
    )
    add_repeatable_flag(parser, "--tag", metavar="TEXT", help="a tag (repeatable)")
    args = parser.parse_args(["--level", "2", "--tag", "b", "--level", "0.5", "--tag", "a"])
    assert (args.levels, args.tag) == ([2.0, 0.5], ["b", "a"])
    assert vars(parser.parse_args([])) == {"levels": [], "tag": []}  # the first parse left no value behind
