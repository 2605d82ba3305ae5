"""Hostile and unlucky files through the scenario loader: what is read, what is refused, and where.

Each refusal is an :class:`InputError` naming the file (and the line where there is one); the time and
memory bounds of the same inputs through the real CLI are held by ``tests/hostile/``.
"""

from __future__ import annotations

import copy
import os
import pickle
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scenario_builders import REFERENCE_SCENARIO, build, minimal_scenario, write_yaml

import wargame.scenario.yaml_reader as yaml_reader
from wargame.errors import InputError
from wargame.experiments import load_experiment
from wargame.scenario import load_scenario, reference_taxonomy, scenario_hash
from wargame.scenario.derived import derived_table
from wargame.scenario.yaml_reader import MAX_FILE_BYTES, MAX_VALUES, parse_yaml

BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def refused(path: Path, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        load_scenario(path, **kwargs)
    return caught.value


def child_extending(folder: Path, reference: str, name: str = "child.yaml") -> Path:
    child = folder / name
    child.write_text(f"name: child\nextends: {reference}\n", encoding="utf-8")
    return child


# ---------------------------------------------------------------- what kind of file


def test_an_alias_bomb_is_refused_after_a_bounded_number_of_values(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    error = refused(path)
    assert str(error).startswith(f"{path}:")
    assert f"more than {MAX_VALUES:,} values once its aliases are expanded" in error.message


def test_aliases_and_merge_keys_within_the_limit_load_with_their_lines():
    parsed = parse_yaml("base: &base {x: 1, y: 2}\nchild:\n  <<: *base\n  y: 3\nlist: [*base]\n", "doc.yaml")
    assert parsed.data == {"base": {"x": 1, "y": 2}, "child": {"x": 1, "y": 3}, "list": [{"x": 1, "y": 2}]}
    assert parsed.locations[("child", "y")] == ("doc.yaml", 4)
    assert parsed.locations[("child", "x")] == ("doc.yaml", 1)
    assert parsed.locations[("list", 0)] == ("doc.yaml", 5)
    parsed.data["list"][0]["x"] = 9  # every alias is its own copy
    assert parsed.data["base"]["x"] == 1


@pytest.mark.parametrize(
    ("target", "kind"),
    [("/dev/zero", "a character device"), ("/dev/urandom", "a character device"), (".", "a directory")],
    ids=["dev-zero", "dev-urandom", "directory"],
)
def test_a_file_that_is_not_regular_is_refused_before_reading(tmp_path, target, kind):
    assert f"{kind}, not a regular file" in refused(Path(target)).message


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert refused(fifo).message == "a FIFO (named pipe), not a regular file"
    child = child_extending(tmp_path, "pipe.yaml")
    error = refused(child)
    assert (error.source, error.field) == (f"{child}:2", "extends")
    assert error.message == "extended file 'pipe.yaml' is not a regular file"


def test_a_symlink_loop_is_one_error(tmp_path):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(tmp_path / "loop.yaml")
    assert str(refused(loop)) == f"{loop}: a loop of symbolic links, not a file"


def test_a_file_over_the_size_limit_is_refused_by_its_size(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("name: x\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 1), encoding="utf-8")
    error = refused(big)
    assert error.message == f"{big.stat().st_size:,} bytes, over the limit of {MAX_FILE_BYTES:,}"


def test_a_binary_file_names_the_line_of_its_first_bad_byte(tmp_path):
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"name: x\nhorizon_days: 3\n\xff\xfe\n")
    assert str(refused(binary)) == f"{binary}:3: not a UTF-8 text file"


def test_each_file_of_an_extends_chain_is_read_and_parsed_once(tmp_path, monkeypatch):
    write_yaml(tmp_path / "grandparent.yaml", minimal_scenario())
    child_extending(tmp_path, "grandparent.yaml", "parent.yaml")
    child = child_extending(tmp_path, "parent.yaml")
    reference_taxonomy()  # package data, read once per process: not part of this count
    reads: list[str] = []
    parses: list[str] = []
    real_read, real_parse = yaml_reader.read_text_file, yaml.parse
    monkeypatch.setattr(
        yaml_reader, "read_text_file", lambda path: reads.append(Path(path).name) or real_read(path)
    )
    monkeypatch.setattr(yaml, "parse", lambda *a, **k: parses.append("parse") or real_parse(*a, **k))
    monkeypatch.setattr(yaml, "compose", None)  # building the data must not go through a second parse
    monkeypatch.setattr(yaml, "load", None)
    assert load_scenario(child).name == "child"
    assert reads == ["child.yaml", "parent.yaml", "grandparent.yaml"]
    assert len(parses) == 3


# ---------------------------------------------------------------- what YAML holds


def test_a_duplicate_key_names_both_lines(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("name: first\nhorizon_days: 30\nname: second\n", encoding="utf-8")
    assert str(refused(path)) == f"{path}:3: duplicate key 'name' (first at line 1)"


def test_a_duplicate_key_inside_a_list_item_names_both_lines():
    with pytest.raises(InputError) as caught:
        parse_yaml("actors:\n  - id: a\n    resolve: 0.5\n    resolve: 0.6\n", "doc.yaml")
    assert str(caught.value) == "doc.yaml:4: duplicate key 'resolve' (first at line 3)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("horizon_days: " + "9" * 5000 + "\n", "a number of 5,000 digits is too long"),
        ("day: 2024-13-45\n", "not a valid timestamp: '2024-13-45'"),
        ("x: !!binary aGVsbG8=\n", "unsupported YAML tag '!!binary'"),
        (
            "x: !!python/object/apply:os.system [ls]\n",
            "unsupported YAML tag '!!python/object/apply:os.system'",
        ),
        ("x: !custom 1\n", "unsupported YAML tag '!custom'"),
        ("x: !!set {a, b}\n", "unsupported YAML tag '!!set'"),
        ("? [a, b]\n: 1\n", "a key must be plain text, not a mapping or a list"),
        ("x: &a [1, *a]\n", "alias *a refers to a value that contains it"),
        ("x: *nowhere\n", "alias *nowhere has no anchor before it"),
        ("x: &a 1\ny: &a 2\n", "anchor &a defined twice (first at line 1)"),
        ("x: 1\n---\ny: 2\n", "a file holds one YAML document; found a second '---'"),
        ("x: " + "[" * 100 + "]" * 100 + "\n", "nested more than 64 levels deep"),
        ("k" * 300 + ": 1\n", "a key of 300 characters (the limit is 256)"),
        ("x:\n  <<: 3\n", "'<<' merges a mapping or a list of mappings"),
    ],
    ids=[
        "5000-digits",
        "bad-date",
        "binary-tag",
        "python-tag",
        "local-tag",
        "set-tag",
        "list-key",
        "recursive-alias",
        "undefined-alias",
        "anchor-twice",
        "two-documents",
        "too-deep",
        "long-key",
        "merge-scalar",
    ],
)
def test_yaml_python_or_wargame_cannot_use_is_one_located_error(text, message):
    with pytest.raises(InputError) as caught:
        parse_yaml(text, "doc.yaml")
    assert caught.value.message == message
    assert caught.value.source.startswith("doc.yaml:")


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.one_of(st.integers(-5, 5), st.text("ab", max_size=2), st.none()),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.text("xyz", min_size=1, max_size=2), inner, max_size=4),
        ),
        max_leaves=30,
    )
)
def test_the_reader_builds_what_pyyaml_builds(document):
    text = yaml.safe_dump({"root": document}, sort_keys=False)
    assert parse_yaml(text, "doc.yaml").data == yaml.safe_load(text)


# ---------------------------------------------------------------- files a scenario names


def test_extends_outside_the_scenario_folder_is_refused_without_opening_it(tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: the secret first line\n", encoding="utf-8")
    inner = tmp_path / "inner"
    inner.mkdir()
    child = child_extending(inner, "../secret.yaml")
    error = refused(child)
    assert (error.source, error.field) == (f"{child}:2", "extends")
    assert error.message.startswith("extended file '../secret.yaml' is outside ")
    assert "secret first line" not in str(error)
    assert (
        load_scenario(child_extending(inner, "../ok.yaml", "other.yaml"), allow_dirs=[tmp_path])
        if (write_yaml(tmp_path / "ok.yaml", minimal_scenario()))
        else None
    )


@pytest.mark.parametrize("reference", ["/etc/shadow", "/etc/passwd", "/dev/zero"])
def test_an_absolute_extends_is_refused_by_default_and_never_echoes_the_file(tmp_path, reference):
    error = refused(child_extending(tmp_path, reference))
    assert error.message.startswith(f"extended file {reference!r} is an absolute path;")
    assert "root:" not in str(error)


def test_an_absolute_extends_inside_an_allowed_folder_loads(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    write_yaml(shared / "base.yaml", minimal_scenario())
    child = child_extending(tmp_path / "shared", str(shared / "base.yaml"))
    assert refused(child).message.endswith("is an absolute path; allow its folder with --allow-dir DIR")
    assert load_scenario(child, allow_dirs=[shared]).name == "child"


def test_a_symlink_inside_the_folder_that_points_outside_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    write_yaml(outside / "base.yaml", minimal_scenario())
    inside = tmp_path / "inside"
    inside.mkdir()
    (inside / "base.yaml").symlink_to(outside / "base.yaml")
    assert "is outside" in refused(child_extending(inside, "base.yaml")).message


def test_a_missing_policy_script_names_the_scenario_file_and_line(tmp_path):
    document = minimal_scenario()
    document["actors"][1]["policy"] = {"kind": "scripted", "script": "green.yaml"}
    path = write_yaml(tmp_path / "scripted.yaml", document)
    line = path.read_text().splitlines().index("    script: green.yaml") + 1
    error = refused(path)
    assert (error.source, error.field) == (f"{path}:{line}", "actors[green].policy.script")
    assert error.message == "policy script 'green.yaml' not found"
    (tmp_path / "green.yaml").write_text("actions: []\n", encoding="utf-8")
    assert load_scenario(path).actor("green").policy.script == "green.yaml"


def test_an_absolute_policy_script_is_refused(tmp_path):
    document = minimal_scenario()
    document["actors"][1]["policy"] = {"kind": "scripted", "script": "/etc/passwd"}
    error = refused(write_yaml(tmp_path / "scripted.yaml", document))
    assert error.message.startswith("policy script '/etc/passwd' is an absolute path;")


# ---------------------------------------------------------------- files of another kind


def test_an_experiment_given_as_a_scenario_is_named_as_such(tmp_path):
    path = tmp_path / "experiment.yaml"
    path.write_text("name: e\nscenario: base.yaml\nparameters: []\ndesign: {kind: full_factorial}\n", "utf-8")
    assert str(refused(path)) == (
        f"{path}:1: this is an experiment file, not a scenario (give it to `wargame sweep`)"
    )


def test_a_scenario_given_as_an_experiment_is_named_as_such():
    with pytest.raises(InputError) as caught:
        load_experiment(REFERENCE_SCENARIO)
    assert caught.value.message == (
        "this is a scenario file, not an experiment (give it to `wargame run`, `compare` or `session new`)"
    )


def test_a_policy_script_given_as_a_scenario_is_named_as_such(tmp_path):
    path = tmp_path / "script.yaml"
    path.write_text("actions:\n  - {day: 1, action: signal}\n", encoding="utf-8")
    assert refused(path).message.startswith("this is a policy script file, not a scenario")


# ---------------------------------------------------------------- ids, columns and text


def located(document: dict, tmp_path: Path) -> InputError:
    path = write_yaml(tmp_path / "scenario.yaml", document)
    error = refused(path)
    assert error.source.startswith(f"{path}:")
    return error


def test_an_activity_named_total_is_refused(tmp_path):
    document = minimal_scenario()
    document["gray_zone"]["activities"][0]["id"] = "total"
    error = located(document, tmp_path)
    assert error.field == "gray_zone.activities[total].id"
    assert "output column 'incidents_total', a column every run has" in error.message


def test_commitments_whose_columns_collide_are_refused(tmp_path):
    document = minimal_scenario()
    document["actors"] += [
        {**document["actors"][1], "id": "a_b", "side": "allied"},
        {**document["actors"][1], "id": "c", "side": "allied"},
        {**document["actors"][1], "id": "a", "side": "allied"},
        {**document["actors"][1], "id": "b_c", "side": "allied"},
    ]
    document["commitments"] += [
        {"from": "a_b", "to": "c", "credibility": 0.5},
        {"from": "a", "to": "b_c", "credibility": 0.5},
    ]
    error = located(document, tmp_path)
    assert error.field == "commitments[a-b_c].to"
    assert error.message.startswith(
        "commitment 'a-b_c' would write the output column 'final_credibility_a_b_c', "
        "the column of commitment 'a_b-c' already"
    )


def test_an_actor_named_white_cell_is_refused(tmp_path):
    document = minimal_scenario()
    document["actors"][1]["id"] = "white_cell"
    document["commitments"][0]["from"] = "white_cell"
    document["links"][0]["from"] = "white_cell"
    document["programs"][0]["partners"][0] = "white_cell"
    error = located(document, tmp_path)
    assert error.field == "actors[white_cell].id"
    assert error.message.startswith("actor id 'white_cell' is reserved")


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        (("name",), 120),
        (("actors", 0, "name"), 120),
        (("description",), 5000),
        (("gray_zone", "activities", 0, "source"), 1000),
        (("programs", 0, "effects", 0, "quantity"), 200),
    ],
    ids=["name", "actor-name", "description", "source", "quantity"],
)
def test_free_text_has_a_length_limit_and_is_not_echoed(tmp_path, path, limit):
    document = minimal_scenario()
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = "x" * (500_000 if path == ("name",) else limit + 1)
    error = located(document, tmp_path)
    assert error.message == f"String should have at most {limit} characters"
    assert len(str(error)) < 300


def test_an_id_has_a_length_limit(tmp_path):
    document = minimal_scenario()
    document["gray_zone"]["activities"][0]["id"] = "a" * 65
    assert located(document, tmp_path).message == "String should have at most 64 characters"


@pytest.mark.parametrize("character", ["\x1b", "\u202e", "\x00", "\r"])
def test_control_characters_in_text_are_refused(tmp_path, character):
    document = minimal_scenario(name=f"red{character}team")
    error = located(document, tmp_path)
    assert error.field == "name"
    assert error.message == f"control character U+{ord(character):04X} is not allowed in text"


def test_a_description_may_span_lines():
    assert build(minimal_scenario(description="line one\nline two\n\tindented")).description.count("\n") == 2


# ---------------------------------------------------------------- session rules


def test_validate_applies_the_session_rule_that_session_new_applies(tmp_path, cli):
    path = write_yaml(tmp_path / "cadence.yaml", minimal_scenario(decision_interval_days=3))
    assert load_scenario(path).decision_interval_days == 3  # runs do not need whole turns
    error = refused(path, playable=True)
    assert error.field == "turn_length_days"
    assert error.source == f"{path}:{path.read_text().splitlines().index('decision_interval_days: 3') + 1}"
    result = cli("validate", path)
    assert result.code == 2
    assert result.err == f"wargame: error: {error}\n"


# ---------------------------------------------------------------- derived tables


def test_derived_tables_live_on_the_scenario_object():
    first = build(minimal_scenario())
    second = build(minimal_scenario())
    calls: list[str] = []

    def table(scenario):
        calls.append(scenario.name)
        return [scenario.horizon_days]

    assert derived_table(first, "t", table) is derived_table(first, "t", table)
    assert calls == ["minimal"]
    assert first == second  # a filled cache is not part of the value
    assert scenario_hash(first) == scenario_hash(second)
    changed = first.model_copy(update={"horizon_days": 40})  # shares the private slot: must not share tables
    assert derived_table(changed, "t", table) == [40]
    assert pickle.loads(pickle.dumps(first))._derived_tables.tables == {}
    assert copy.deepcopy(first)._derived_tables.tables == {}
    assert derived_table(first, "t", table) == [30]
    assert calls == ["minimal", "minimal"]


def test_a_teaching_scenario_given_as_a_scenario_is_named_as_such():
    path = REFERENCE_SCENARIO.parent / "teaching" / "richardson.yaml"
    assert refused(path).message == (
        "this is a teaching scenario file, not a scenario "
        "(`wargame teach MODEL` runs the shipped ones by name)"
    )
