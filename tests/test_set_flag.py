"""``--set PATH=VALUE`` on run, validate, compare, sweep and session new: parsed once, validated like the
file, errors naming the flag, nothing written on a refusal."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scenario_builders import REFERENCE_SCENARIO, minimal_scenario, write_yaml

from wargame.errors import InputError
from wargame.experiments import load_experiment
from wargame.scenario import apply_overrides, get_value, load_scenario, load_scenario_with, scenario_hash
from wargame.scenario.flags import SetFlag, parse_set_flag, set_overrides
from wargame.scenario.paths import OverrideError
from wargame.session import Session

SHORT = ["--set", "horizon_days=20"]


def one_line(result, expected: str) -> None:
    assert result.code == 2
    assert result.out == ""
    assert result.err == f"wargame: error: {expected}\n"


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "path", "value"),
    [
        ("actors.twn.resolve=0.5", "actors.twn.resolve", 0.5),
        ("horizon_days=30", "horizon_days", 30),
        ("name=Taiwan Strait, variant", "name", "Taiwan Strait, variant"),
        ("name='0.5'", "name", "0.5"),
        ("description=a = b", "description", "a = b"),
        (
            "links.usa-twn.latency_hours={dist: uniform, low: 6, high: 24}",
            "links.usa-twn.latency_hours",
            {"dist": "uniform", "low": 6, "high": 24},
        ),
    ],
)
def test_values_are_yaml_flow_scalars_or_mappings(text, path, value):
    flag = parse_set_flag(text)
    assert (flag.path, flag.value) == (path, value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("actors.twn.resolve", "expected PATH=VALUE, got 'actors.twn.resolve'"),
        ("=0.5", "expected PATH=VALUE, got '=0.5'"),
        ("actors.twn.resolve=", "actors.twn.resolve=: give a value after '='"),
        (
            "actors.twn.resolve=[1, 2]",
            "actors.twn.resolve=[1, 2]: a value is a number, text or a {dist: ...} mapping",
        ),
        (
            "actors.twn.resolve={low: 1}",
            "actors.twn.resolve={low: 1}: a mapping value must be a distribution {dist: ...}",
        ),
        ("actors.twn.resolve=[1", "actors.twn.resolve=[1: malformed YAML: did not find expected ',' or ']'"),
        ("name=a\nb", "name: the value must be one line"),
        ("name=" + "x" * 3000, "3,005 characters (the limit is 2,000)"),
    ],
)
def test_malformed_flags_are_refused_by_the_parser(text, message):
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        parse_set_flag(text)
    assert str(caught.value) == message


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_parses_or_is_an_argument_error(text):
    try:
        flag = parse_set_flag(text)
    except argparse.ArgumentTypeError as error:
        assert "\n" not in str(error)
    else:
        assert flag.path and "=" not in flag.path


def test_a_path_set_twice_is_refused():
    flags = [parse_set_flag("actors.twn.resolve=0.5"), parse_set_flag("actors.twn.resolve=0.6")]
    with pytest.raises(InputError) as caught:
        set_overrides(flags)
    assert str(caught.value) == "--set actors.twn.resolve=0.6: actors.twn.resolve is set twice"


# ---------------------------------------------------------------- paths


def test_items_without_an_id_are_addressed_by_index(reference_scenario):
    path = "programs.policy_dialogue.effects.0.gain_per_exchange"
    changed = apply_overrides(reference_scenario, {path: 0.25})
    assert get_value(changed, path) == 0.25
    assert changed.programs[0].effects[0].gain_per_exchange == 0.25


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "programs.policy_dialogue.effects.7.gain_per_exchange",
            "no item '7' in programs.policy_dialogue.effects; its items are addressed by index (0 to",
        ),
        (
            "programs.policy_dialogue.effects.first.gain_per_exchange",
            "no item 'first' in programs.policy_dialogue.effects",
        ),
        (
            "programs.0.intensity_per_year",
            "no item '0' in programs; its items are addressed by id, not index",
        ),
        ("actors..resolve", "an empty segment in the path after actors"),
    ],
)
def test_bad_paths_say_how_items_are_addressed(reference_scenario, path, message):
    with pytest.raises(OverrideError) as caught:
        apply_overrides(reference_scenario, {path: 0.1})
    assert caught.value.message.startswith(message)
    assert caught.value.path == path


def test_an_unset_optional_field_can_be_set(tmp_path):
    scenario = load_scenario(write_yaml(tmp_path / "s.yaml", minimal_scenario()))
    assert scenario.gray_zone.activities[0].target is None
    changed = apply_overrides(scenario, {"gray_zone.activities.patrol.target": "green"})
    assert changed.gray_zone.activities[0].target == "green"


# ---------------------------------------------------------------- through the CLI


def test_run_applies_every_set_flag_and_records_the_scenario(cli, tmp_path):
    out = tmp_path / "out"
    result = cli(
        "run",
        REFERENCE_SCENARIO,
        "--runs",
        "4",
        "--quiet",
        "--out",
        out,
        *SHORT,
        "--set",
        "actors.twn.resolve=0.3",
        "--set",
        "name=Moved",
    )
    assert result.code == 0, result.err
    assert result.out.startswith("Moved: 4 runs")
    expected = apply_overrides(
        load_scenario(REFERENCE_SCENARIO), {"horizon_days": 20, "actors.twn.resolve": 0.3, "name": "Moved"}
    )
    metadata = pq.read_schema(out / "runs.parquet").metadata
    assert metadata[b"scenario_sha256"] == scenario_hash(expected).encode()


@pytest.mark.parametrize("command", ["run", "validate", "compare"])
@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("actors.twn.resolve=1.5", "--set actors.twn.resolve=1.5: Input should be less than or equal to 1"),
        (
            "actors.twn.resolv=0.5",
            "--set actors.twn.resolv=0.5: no field 'resolv' at actors.twn; did you mean 'resolve'?",
        ),
        ("actors.tw.resolve=0.5", "--set actors.tw.resolve=0.5: no item 'tw' in actors; did you mean 'twn'?"),
        ("actors.twn.capability=0.5", "--set actors.twn.capability=0.5: points at a section, not a value"),
        (
            "horizon_days=ten",
            "--set horizon_days=ten: Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            "escalation.war_starts_at=nowhere",
            "--set escalation.war_starts_at=nowhere: war_starts_at 'nowhere' is not a rung id",
        ),
    ],
    ids=["bound", "typo", "item", "section", "type", "cross-reference"],
)
def test_a_bad_set_is_one_line_naming_the_flag_and_nothing_is_written(cli, tmp_path, command, flag, message):
    out = tmp_path / "out"
    extra = ["--runs", "4", "--quiet"] + (["--out", out] if command == "run" else [])
    result = cli(command, REFERENCE_SCENARIO, *(extra if command != "validate" else []), "--set", flag)
    assert result.code == 2
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"wargame: error: {message}"), result.err
    assert not out.exists()


def test_compare_applies_the_flags_to_every_scenario(cli, tmp_path):
    variant = tmp_path / "variant.yaml"
    variant.write_text("extends: base.yaml\nname: variant\n", encoding="utf-8")
    (tmp_path / "base.yaml").write_text(REFERENCE_SCENARIO.read_text(encoding="utf-8"), encoding="utf-8")
    result = cli(
        "compare",
        tmp_path / "base.yaml",
        variant,
        "--runs",
        "3",
        "--quiet",
        *SHORT,
        "--set",
        "actors.twn.resolve=2",
    )
    one_line(result, "--set actors.twn.resolve=2: Input should be less than or equal to 1")
    result = cli("compare", tmp_path / "base.yaml", variant, "--runs", "3", "--quiet", *SHORT)
    assert result.code == 0, result.err


def test_sweep_applies_the_flags_to_the_base_scenario(cli, tmp_path):
    experiment = tmp_path / "experiment.yaml"
    experiment.write_text(
        f"name: tiny\nscenario: {REFERENCE_SCENARIO}\nparameters:\n"
        "  - {path: links.usa-twn.latency_hours, levels: [1, 48]}\n"
        "design: {kind: full_factorial}\nreplications: 2\n",
        encoding="utf-8",
    )
    loaded = load_experiment(experiment, scenario_overrides={"horizon_days": 20})
    assert loaded.scenario.horizon_days == 20
    out = tmp_path / "sweep"
    result = cli("sweep", experiment, "--out", out, "--jobs", "1", "--quiet", "--set", "horizon_days=0")
    one_line(result, "--set horizon_days=0: Input should be greater than or equal to 1")
    assert not out.exists()
    result = cli("sweep", experiment, "--out", out, "--jobs", "1", "--quiet", *SHORT)
    assert result.code == 0, result.err
    provenance = json.loads(next(out.glob("*.json")).read_text())
    assert "horizon_days" in json.dumps(provenance)


def test_session_new_journals_the_flags_and_every_open_applies_them(cli, tmp_path):
    out = tmp_path / "session"
    result = cli(
        "session",
        "new",
        REFERENCE_SCENARIO,
        "--out",
        out,
        "--seed",
        "1",
        *SHORT,
        "--set",
        "turn_length_days=5",
    )
    one_line(
        result,
        "--set turn_length_days=5: turn_length_days: a session's turn (5 days) must be a whole number of "
        "decision_interval_days (7); runs do not need this",
    )
    assert not out.exists()
    result = cli(
        "session", "new", REFERENCE_SCENARIO, "--out", out, "--seed", "1", "--set", "horizon_days=21"
    )
    assert result.code == 0, result.err
    assert "3 turns of 7 days" in result.out
    with Session.open(out, read_only=True) as session:
        assert session.scenario.horizon_days == 21
        assert session.status().turns_total == 3


def test_load_scenario_with_checks_the_session_rule_after_the_flags(tmp_path):
    path = write_yaml(tmp_path / "s.yaml", minimal_scenario(decision_interval_days=3, turn_length_days=9))
    assert load_scenario_with(path, overrides={"turn_length_days": 6}, playable=True).turn_length_days == 6
    with pytest.raises(InputError) as caught:
        load_scenario_with(path, overrides={"decision_interval_days": 4}, playable=True)
    assert caught.value.source == "--set decision_interval_days=4"


def test_set_flags_parsed_by_argparse_keep_their_text():
    parser = argparse.ArgumentParser()
    from wargame.scenario import add_scenario_flags

    add_scenario_flags(parser)
    args = parser.parse_args(["--set", "a.b=1", "--set", "c=x", "--allow-dir", "/tmp"])
    assert args.set_flags == [SetFlag("a.b", 1, "a.b=1"), SetFlag("c", "x", "c=x")]
    assert args.allow_dirs == [Path("/tmp")]
