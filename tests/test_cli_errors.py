"""Bad input through the real CLI: one line naming file:line and field, exit code 2, no output file.

Each bad scenario is the reference scenario with one small edit, written into ``tmp_path``. Every case is
run through ``wargame validate`` and ``wargame run`` (in-process ``wargame.cli.main``); one case also goes
through ``python -m wargame.cli`` in a subprocess, to pin that the installed entry point prints no
traceback either.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import wargame.runner._runs
from wargame.errors import InputError

COMMANDS = ["validate", "run"]


def assert_one_line_error(result, *fragments: str) -> None:
    """Exit code 2, nothing on stdout, one ``wargame: error:`` line on stderr containing ``fragments``."""
    assert result.code == 2
    assert result.out == ""
    assert "Traceback" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("wargame: error: ")
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"


def call(cli, command: str, scenario: Path, out: Path):
    if command == "run":
        return cli("run", scenario, "--runs", "5", "--quiet", "--out", out)
    return cli("validate", scenario)


def assert_no_output(out: Path) -> None:
    assert not (out / "runs.parquet").exists()
    assert not (out / "runs.parquet.partial").exists()
    assert not (out / "summary.json").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_file(cli, tmp_path, command):
    missing = tmp_path / "no_such_scenario.yaml"
    result = call(cli, command, missing, tmp_path / "out")
    assert_one_line_error(result, f"{missing}: file not found")
    assert_no_output(tmp_path / "out")


# An edit of the reference scenario, the line it must be on (None: wherever it lands) and what the one
# error line must hold ({path} and {line}: the edited file and the edit's line).
BAD_EDITS = [
    pytest.param(
        "    readiness: 0.6\n",
        "\treadiness: 0.6\n",
        27,
        ("{path}:{line}: malformed YAML",),
        id="malformed-yaml",
    ),
    pytest.param(
        "    readiness: 0.6\n",
        "    readiness: high\n",
        27,
        ("{path}:{line}: actors[twn].readiness: Input should be a valid number",),
        id="wrong-type",
    ),
    pytest.param(
        "    isr_detection_probability: 0.85\n",
        "    isr_detection_probability: 1.85\n",
        None,
        ("{path}:{line}: actors[usa].isr_detection_probability: Input should be less than or equal to 1",),
        id="probability-above-one",
    ),
    pytest.param(
        "    fidelity: 0.75\n",
        "    fidelity: -0.25\n",
        None,
        ("{path}:{line}: links[jpn-twn].fidelity: Input should be greater than or equal to 0",),
        id="negative-probability-in-a-link",
    ),
    pytest.param(
        "base_rate_per_day: 5.0",
        "base_rate_per_day: -5.0",
        252,
        (
            "{path}:{line}: gray_zone.activities[adiz_incursion].base_rate_per_day: "
            "Input should be greater than or equal to 0",
        ),
        id="negative-rate",
    ),
    pytest.param(
        "{from: jpn, to: twn, credibility: 0.35",
        "{from: kor, to: twn, credibility: 0.35",
        None,
        ("{path}", "unknown actor 'kor'"),
        id="unknown-actor-in-a-commitment",
    ),
    pytest.param(
        "    cognitive_resilience: 0.3\n",
        "    cognitive_resilence: 0.3\n",
        None,
        (
            "{path}:{line}: actors[twn].cognitive_resilence: unknown field 'cognitive_resilence'; "
            "did you mean 'cognitive_resilience'?",
        ),
        id="unknown-optional-key-suggests-the-nearest",
    ),
    pytest.param(
        "  - war_day\n",
        "  - war_dya\n",
        None,
        ("outcomes[1]: unknown outcome 'war_dya'; did you mean 'war_day'?",),
        id="unknown-outcome-suggests-the-nearest",
    ),
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("old", "new", "line", "fragments"), BAD_EDITS)
def test_a_bad_edit_is_one_line_naming_file_line_and_field(
    cli, derive, tmp_path, command, old, new, line, fragments
):
    bad = derive(old, new)
    if line is not None:
        assert bad.line == line
    result = call(cli, command, bad.path, tmp_path / "out")
    assert_one_line_error(result, *(fragment.format(path=bad.path, line=bad.line) for fragment in fragments))
    assert_no_output(tmp_path / "out")


def test_malformed_yaml_through_the_installed_entry_point(derive, tmp_path):
    bad = derive("    readiness: 0.6\n", "\treadiness: 0.6\n")
    completed = subprocess.run(
        [sys.executable, "-m", "wargame.cli", "run", str(bad.path), "--runs", "5", "--out", "o"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.splitlines() == [
        f"wargame: error: {bad.path}:27: malformed YAML: found character '\\t' that cannot start any token"
    ]
    assert_no_output(tmp_path / "o")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("{from: jpn, to: twn, credibility", "{from: kor, to: twn, credibility", "commitments[kor-twn]"),
        ("  - from: jpn\n    to: twn\n    lat", "  - from: kor\n    to: twn\n    lat", "links[kor-twn]"),
    ],
    ids=["commitment", "link"],
)
def test_unknown_actor_names_the_line_and_field_of_the_reference(cli, derive, old, new, field):
    bad = derive(old, new)
    result = cli("validate", bad.path)
    assert_one_line_error(result, f"{bad.path}:{bad.line}: {field}", "unknown actor 'kor'")


@pytest.mark.parametrize("command", COMMANDS)
def test_misspelt_required_key_suggests_the_nearest_field(cli, derive, tmp_path, command):
    bad = derive("    readiness: 0.6\n", "    readines: 0.6\n")
    result = call(cli, command, bad.path, tmp_path / "out")
    assert_one_line_error(result)
    assert result.err == (
        f"wargame: error: {bad.path}:27: actors[twn].readines: unknown field 'readines'; "
        "did you mean 'readiness'?\n"
    )
    assert_no_output(tmp_path / "out")


def write_cycle(tmp_path: Path) -> Path:
    (tmp_path / "first.yaml").write_text("extends: second.yaml\nname: first\n", encoding="utf-8")
    (tmp_path / "second.yaml").write_text("name: second\nextends: first.yaml\n", encoding="utf-8")
    return tmp_path / "first.yaml"


@pytest.mark.parametrize("command", COMMANDS)
def test_cyclic_extends(cli, tmp_path, command):
    first = write_cycle(tmp_path)
    result = call(cli, command, first, tmp_path / "out")
    assert_one_line_error(result, "extends", "cyclic 'extends'", "first.yaml", "second.yaml")
    assert_no_output(tmp_path / "out")


def test_cyclic_extends_names_the_line_that_closes_the_cycle(cli, tmp_path):
    first = write_cycle(tmp_path)
    result = cli("validate", first)
    assert_one_line_error(result, f"{tmp_path / 'second.yaml'}:2: extends: cyclic 'extends'")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--runs", "0"], "argument --runs: must be at least 1, got 0"),
        (["--runs", "abc"], "argument --runs: expected a whole number, got 'abc'"),
        (["--jobs", "-1"], "argument --jobs: must be at least 1, got -1"),
        (["--jobs", "0"], "argument --jobs: must be at least 1, got 0"),
        (["--seed", "-3"], "argument --seed: must be non-negative, got -3"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
    ids=["runs-0", "runs-abc", "jobs-minus-1", "jobs-0", "seed-negative", "unknown-flag"],
)
def test_bad_cli_flags(cli, tmp_path, flags, message):
    from scenario_builders import REFERENCE_SCENARIO

    result = cli("run", REFERENCE_SCENARIO, "--out", tmp_path / "out", "--quiet", *flags)
    assert_one_line_error(result, message)
    assert not (tmp_path / "out").exists()


def test_unknown_outcome_names_file_and_line(cli, derive):
    bad = derive("  - war_day\n", "  - war_dya\n")
    result = cli("validate", bad.path)
    assert_one_line_error(result, f"{bad.path}:{bad.line}: outcomes[1]: unknown outcome 'war_dya'")


def test_a_run_failing_after_its_first_chunk_leaves_no_parquet_and_no_partial(cli, tmp_path, monkeypatch):
    """The first chunk reaches ``runs.parquet.partial``; the third fails; nothing is left behind.

    Chunks are simulated with one run each (to keep the test fast); the serial executor simulates a chunk
    when it is submitted, and the third is submitted after the first was written.
    """
    from scenario_builders import REFERENCE_SCENARIO

    out = tmp_path / "out"
    real_simulate_chunk = wargame.runner._runs.simulate_chunk
    partial_existed_at_failure = []

    def failing_second_chunk(scenario, seeds, scenario_dir, first_run_index, *args, **kwargs):
        if first_run_index == 2 * wargame.runner.CHUNK_RUNS:
            partial_existed_at_failure.append((out / "runs.parquet.partial").exists())
            raise InputError("simulated failure in the second chunk", source="test")
        return real_simulate_chunk(scenario, seeds[:1], scenario_dir, first_run_index, *args, **kwargs)

    monkeypatch.setattr(wargame.runner._runs, "simulate_chunk", failing_second_chunk)
    runs = 2 * wargame.runner.CHUNK_RUNS + 1
    result = cli("run", REFERENCE_SCENARIO, "--runs", runs, "--quiet", "--out", out)
    assert_one_line_error(result, "test: simulated failure in the second chunk")
    assert partial_existed_at_failure == [True]
    assert sorted(path.name for path in out.iterdir()) == []


def test_scripted_policy_with_a_bad_action_is_a_located_error(cli, tmp_path, derive):
    script = tmp_path / "usa_script.yaml"
    script.write_text("actions:\n  - {day: 14, action: launch}\n", encoding="utf-8")
    bad = derive(
        '    source: "assumption: relative indices for illustration"\n    responses:\n      - id: signal',
        f"    policy: {{kind: scripted, script: {script.name}}}\n"
        '    source: "assumption: relative indices for illustration"\n    responses:\n      - id: signal',
    )
    result = cli("run", bad.path, "--runs", "5", "--quiet", "--out", tmp_path / "out")
    assert_one_line_error(result, f"{script}: day 14: 'launch' is not on usa's menu")
    assert_no_output(tmp_path / "out")


@pytest.mark.parametrize("command", COMMANDS)
def test_scripted_policy_path_is_relative_to_the_scenario_file(cli, tmp_path, derive, command):
    scenario_dir = tmp_path / "scenario_dir"
    scenario_dir.mkdir()
    script = "actions:\n  - {day: 14, action: signal}\n"
    (scenario_dir / "usa_script.yaml").write_text(script, encoding="utf-8")
    (scenario_dir / "with_script.yaml").write_text(
        f"extends: {derive('name: Taiwan', 'name: Taiwan', name='scenario_dir/base.yaml').path.name}\n"
        "actors:\n  - id: usa\n    policy: {kind: scripted, script: usa_script.yaml}\n",
        encoding="utf-8",
    )
    result = call(cli, command, scenario_dir / "with_script.yaml", tmp_path / "out")
    assert result.code == 0, result.err
