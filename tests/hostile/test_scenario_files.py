"""Hostile and realistic bad scenario files through the real CLI, each under the harness's limits.

Every case writes its files into the test's folder and runs one command; ``run``, ``compare`` and
``session new`` cases also check that their ``--out`` folder was never created.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hostile_harness import BILLION_LAUGHS, REFERENCE, Hostile, assert_refused, snapshot

# Edits are made on the reference scenario as users had it before uncertain inputs (a file that must keep
# working), whose single-number fields the cases below replace.
LEGACY_REFERENCE = Path(__file__).resolve().parent.parent / "legacy_scenarios" / "taiwan_strait_baseline.yaml"
REFERENCE_TEXT = LEGACY_REFERENCE.read_text(encoding="utf-8")


def edited(folder: Path, old: str, new: str, name: str = "scenario.yaml") -> tuple[Path, int]:
    """Write the legacy reference with ``old`` replaced by ``new``; return the file and the edit's line."""
    position = REFERENCE_TEXT.index(old)
    path = folder / name
    path.write_text(REFERENCE_TEXT[:position] + new + REFERENCE_TEXT[position + len(old) :], encoding="utf-8")
    return path, REFERENCE_TEXT.count("\n", 0, position) + 1


def overlay(folder: Path, text: str, name: str = "overlay.yaml") -> Path:
    """Write an overlay of the reference scenario (copied next to it) holding ``text``."""
    shutil.copyfile(REFERENCE, folder / "base.yaml")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@dataclass(frozen=True)
class Case:
    """A bad file: ``build(folder)`` writes it and returns the scenario path and the expected fragments."""

    name: str
    build: Callable[[Path], tuple[Path, list[str]]]


def _laughs(folder: Path) -> tuple[Path, list[str]]:
    path = folder / "laughs.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    return path, [f"{path}:", "more than 100,000 values once its aliases are expanded"]


def _merge_bomb(folder: Path) -> tuple[Path, list[str]]:
    lines = ["a0: &a0 {k0: [x, x, x, x, x, x, x, x, x, x]}"]
    for level in range(1, 8):
        sources = ", ".join(f"*a{level - 1}" for _ in range(1))
        keys = ", ".join(f"k{level}_{i}: *a{level - 1}" for i in range(10))
        lines.append(f"a{level}: &a{level} {{<<: [{sources}], {keys}}}")
    path = folder / "merges.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, [f"{path}:", "values once its aliases are expanded"]


def _device(device: str) -> Callable[[Path], tuple[Path, list[str]]]:
    def build(folder: Path) -> tuple[Path, list[str]]:
        return Path(device), [f"{device}: a character device, not a regular file"]

    return build


def _fifo(folder: Path) -> tuple[Path, list[str]]:
    path = folder / "pipe.yaml"
    os.mkfifo(path)
    return path, [f"{path}: a FIFO (named pipe), not a regular file"]


def _symlink_loop(folder: Path) -> tuple[Path, list[str]]:
    path = folder / "loop.yaml"
    path.symlink_to(path)
    return path, [f"{path}: a loop of symbolic links"]


def _directory(folder: Path) -> tuple[Path, list[str]]:
    path = folder / "a_folder.yaml"
    path.mkdir()
    return path, [f"{path}: a directory, not a regular file"]


def _too_big(folder: Path) -> tuple[Path, list[str]]:
    path = folder / "big.yaml"
    path.write_text(REFERENCE_TEXT + "# " + "x" * (2 << 20) + "\n", encoding="utf-8")
    return path, [f"{path}:", "over the limit of 1,048,576"]


def _extends(target: str, *fragments: str) -> Callable[[Path], tuple[Path, list[str]]]:
    def build(folder: Path) -> tuple[Path, list[str]]:
        path = folder / "child.yaml"
        path.write_text(f"name: child\nextends: {target}\n", encoding="utf-8")
        return path, [f"{path}:2: extends: ", *fragments]

    return build


def _extends_fifo(folder: Path) -> tuple[Path, list[str]]:
    os.mkfifo(folder / "pipe.yaml")
    path = folder / "child.yaml"
    path.write_text("extends: pipe.yaml\nname: child\n", encoding="utf-8")
    return path, [f"{path}:1: extends: extended file 'pipe.yaml' is not a regular file"]


def _extends_outside(folder: Path) -> tuple[Path, list[str]]:
    (folder / "secret.yaml").write_text("password: hunter2\n", encoding="utf-8")
    inner = folder / "inner"
    inner.mkdir()
    path = inner / "child.yaml"
    path.write_text("extends: ../secret.yaml\n", encoding="utf-8")
    return path, [f"{path}:1: extends: extended file '../secret.yaml' is outside the folder of"]


def _extends_symlink_out(folder: Path) -> tuple[Path, list[str]]:
    outside = folder / "outside"
    outside.mkdir()
    shutil.copyfile(REFERENCE, outside / "base.yaml")
    inner = folder / "inner"
    inner.mkdir()
    (inner / "base.yaml").symlink_to(outside / "base.yaml")
    path = inner / "child.yaml"
    path.write_text("extends: base.yaml\nname: child\n", encoding="utf-8")
    return path, [f"{path}:1: extends: extended file 'base.yaml' is outside the folder of"]


def _extends_cycle(folder: Path) -> tuple[Path, list[str]]:
    (folder / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (folder / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    return folder / "a.yaml", [
        f"{folder / 'b.yaml'}:1: extends: cyclic 'extends': a.yaml -> b.yaml -> a.yaml"
    ]


def _extends_number(folder: Path) -> tuple[Path, list[str]]:
    path = overlay(folder, "extends: 42\nname: x\n")
    return path, [f"{path}:1: extends: 'extends' must be a file path"]


def _text(name: str, text: str | bytes, *fragments: str) -> Callable[[Path], tuple[Path, list[str]]]:
    def build(folder: Path) -> tuple[Path, list[str]]:
        path = folder / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path, [f"{path}{fragments[0]}", *fragments[1:]]

    return build


def _edit(old: str, new: str, field: str, message: str) -> Callable[[Path], tuple[Path, list[str]]]:
    def build(folder: Path) -> tuple[Path, list[str]]:
        path, line = edited(folder, old, new)
        return path, [f"{path}:{line}: " + (f"{field}: " if field else "") + message]

    return build


def _duplicate_key(folder: Path) -> tuple[Path, list[str]]:
    path, line = edited(folder, "    readiness: 0.6\n", "    readiness: 0.6\n    readiness: 0.9\n")
    return path, [f"{path}:{line + 1}: duplicate key 'readiness' (first at line {line})"]


def _colliding_commitments(folder: Path) -> tuple[Path, list[str]]:
    document = yaml.safe_load(REFERENCE_TEXT)
    usa = next(actor for actor in document["actors"] if actor["id"] == "usa")
    document["actors"] += [{**usa, "id": "a_b"}, {**usa, "id": "c"}, {**usa, "id": "a"}, {**usa, "id": "b_c"}]
    document["commitments"] += [
        {"from": "a_b", "to": "c", "credibility": 0.5},
        {"from": "a", "to": "b_c", "credibility": 0.5},
    ]
    path = folder / "collide.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path, [f"{path}:", "commitments[a-b_c].to", "'final_credibility_a_b_c'"]


def _white_cell(folder: Path) -> tuple[Path, list[str]]:
    document = yaml.safe_load(REFERENCE_TEXT)
    usa = next(actor for actor in document["actors"] if actor["id"] == "usa")
    document["actors"].append({**usa, "id": "white_cell"})
    path = folder / "white_cell.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path, [f"{path}:", "actors[white_cell].id: actor id 'white_cell' is reserved"]


def _long_name(folder: Path) -> tuple[Path, list[str]]:
    path, line = edited(folder, "name: Taiwan Strait baseline", "name: " + "x" * 900_000)
    return path, [f"{path}:{line}: name: String should have at most 120 characters"]


def _missing_script(folder: Path) -> tuple[Path, list[str]]:
    path = overlay(
        folder, "extends: base.yaml\nactors:\n  - id: usa\n    policy: {kind: scripted, script: usa.yaml}\n"
    )
    return path, [f"{path}:4: actors[usa].policy.script: policy script 'usa.yaml' not found"]


def _absolute_script(folder: Path) -> tuple[Path, list[str]]:
    text = "extends: base.yaml\nactors:\n  - id: usa\n    policy: {kind: scripted, script: /etc/passwd}\n"
    path = overlay(folder, text)
    return path, [f"{path}:4: actors[usa].policy.script: policy script '/etc/passwd' is an absolute path"]


def _taxonomy(text: str | None, *fragments: str) -> Callable[[Path], tuple[Path, list[str]]]:
    def build(folder: Path) -> tuple[Path, list[str]]:
        if text is None:
            os.mkfifo(folder / "objectives.yaml")
        else:
            (folder / "objectives.yaml").write_text(text, encoding="utf-8")
        path = overlay(folder, "extends: base.yaml\ntaxonomy: objectives.yaml\n")
        return path, [fragment.format(folder=folder, path=path) for fragment in fragments]

    return build


def _taxonomy_outside(folder: Path) -> tuple[Path, list[str]]:
    path = overlay(folder, "extends: base.yaml\ntaxonomy: /dev/zero\n")
    return path, [f"{path}:2: taxonomy: taxonomy file '/dev/zero' is an absolute path"]


TAXONOMY = "name: t\nobjectives:\n  - {id: a, name: A, description: d, acts_through: x}\n"


def _experiment_as_scenario(folder: Path) -> tuple[Path, list[str]]:
    path = folder / "experiment.yaml"
    path.write_text(
        "name: e\nscenario: base.yaml\nparameters:\n  - {path: horizon_days, levels: [1]}\n"
        "design: {kind: full_factorial}\n",
        encoding="utf-8",
    )
    return path, [f"{path}:1: this is an experiment file, not a scenario (give it to `wargame sweep`)"]


CASES = [
    Case("billion-laughs", _laughs),
    Case("merge-key-bomb", _merge_bomb),
    Case("dev-zero", _device("/dev/zero")),
    Case("dev-urandom", _device("/dev/urandom")),
    Case("fifo", _fifo),
    Case("symlink-loop", _symlink_loop),
    Case("directory", _directory),
    Case("over-size-limit", _too_big),
    Case("extends-dev-zero", _extends("/dev/zero", "'/dev/zero' is an absolute path")),
    Case("extends-etc-shadow", _extends("/etc/shadow", "'/etc/shadow' is an absolute path")),
    Case("extends-fifo", _extends_fifo),
    Case("extends-outside-the-folder", _extends_outside),
    Case("extends-symlink-out", _extends_symlink_out),
    Case("extends-cycle", _extends_cycle),
    Case("extends-not-a-path", _extends_number),
    Case("duplicate-key", _duplicate_key),
    Case(
        "5000-digit-integer",
        _edit("horizon_days: 365", "horizon_days: " + "9" * 5000, "", "a number of 5,000 digits is too long"),
    ),
    Case(
        "nested-too-deep",
        _text("deep.yaml", "name: " + "[" * 100 + "]" * 100 + "\n", ":1", "nested more than 64 levels deep"),
    ),
    Case(
        "python-tag",
        _text("tag.yaml", "name: !!python/object/apply:os.system [id]\n", ":1", "unsupported YAML tag"),
    ),
    Case("binary-tag", _text("bin.yaml", "name: !!binary aGk=\n", ":1", "unsupported YAML tag '!!binary'")),
    Case("not-utf8", _text("latin.yaml", b"name: caf\xe9\nhorizon_days: 3\n", ":1", "not a UTF-8 text file")),
    Case("nul-byte", _text("nul.yaml", "name: a\x00b\n", ":1", "malformed YAML")),
    Case("empty-file", _text("empty.yaml", "", ":1", "the document must be a mapping of fields")),
    Case("a-list", _text("list.yaml", "- 1\n- 2\n", ":1", "the document must be a mapping of fields")),
    Case("two-documents", _text("two.yaml", "name: a\n---\nname: b\n", ":2", "one YAML document")),
    Case(
        "long-key", _text("key.yaml", "? " + "k" * 100_000 + "\n: 1\n", ":1", "a key of 100,000 characters")
    ),
    Case(
        "activity-named-total",
        _edit(
            "  - id: adiz_incursion",
            "  - id: total",
            "gray_zone.activities[total].id",
            "activity 'total' would write the output column 'incidents_total'",
        ),
    ),
    Case("colliding-commitments", _colliding_commitments),
    Case("actor-white-cell", _white_cell),
    Case("900k-character-name", _long_name),
    Case(
        "escape-in-description",
        _edit("name: Taiwan Strait baseline", 'name: "red \\e[31m team"', "name", "control character U+001B"),
    ),
    Case(
        "nan-rate",
        _edit(
            "base_rate_per_day: 5.0",
            "base_rate_per_day: .nan",
            "gray_zone.activities[adiz_incursion].base_rate_per_day",
            "Input should be a finite number",
        ),
    ),
    Case(
        "boolean-for-a-number",
        _edit(
            "    readiness: 0.6\n",
            "    readiness: yes\n",
            "actors[twn].readiness",
            "expected a number, got the boolean True",
        ),
    ),
    Case(
        "misspelt-field",
        _edit(
            "    readiness: 0.6\n",
            "    readines: 0.6\n",
            "actors[twn].readines",
            "unknown field 'readines'; did you mean 'readiness'?",
        ),
    ),
    Case("missing-policy-script", _missing_script),
    Case("absolute-policy-script", _absolute_script),
    Case("experiment-given-to-run", _experiment_as_scenario),
    Case(
        "taxonomy-fifo",
        _taxonomy(None, "{path}:2: taxonomy: taxonomy file 'objectives.yaml' is not a regular file"),
    ),
    Case("taxonomy-absolute", _taxonomy_outside),
    Case(
        "taxonomy-duplicate-ids",
        _taxonomy(
            TAXONOMY + "  - {id: a, name: B, description: d, acts_through: x}\n",
            "{folder}/objectives.yaml:4: objectives[a]: duplicate objective id 'a'",
        ),
    ),
    Case(
        "taxonomy-without-the-programs-objectives",
        _taxonomy(
            TAXONOMY,
            "programs[policy_dialogue].objective: objective 'policy_dialogue' is not in the taxonomy",
        ),
    ),
    Case(
        "taxonomy-alias-bomb",
        _taxonomy(BILLION_LAUGHS, "{folder}/objectives.yaml:", "more than 100,000 values"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_bad_scenario_file_is_refused_by_validate(hostile: Hostile, tmp_path: Path, case: Case) -> None:
    path, fragments = case.build(tmp_path)
    before = snapshot(tmp_path)
    result = hostile.run("validate", path)
    assert_refused(result, *[f for f in fragments if f], unchanged=[before])


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.name in ("billion-laughs", "fifo", "extends-etc-shadow", "duplicate-key")],
    ids=lambda case: case.name,
)
@pytest.mark.parametrize("command", ["run", "compare", "session-new"])
def test_commands_that_write_write_nothing_for_a_bad_file(hostile, tmp_path, case, command):
    path, fragments = case.build(tmp_path)
    out = tmp_path / "out"
    argv = {
        "run": ["run", path, "--runs", "5", "--quiet", "--out", out],
        "compare": ["compare", REFERENCE, path, "--runs", "5", "--quiet"],
        "session-new": ["session", "new", path, "--out", out],
    }[command]
    before = snapshot(tmp_path)
    assert_refused(hostile.run(*argv), *[f for f in fragments if f], unchanged=[out, before])


def test_a_foreign_file_is_never_echoed(hostile, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:$6$supersecrethash:19000:0:99999:7:::\n", encoding="utf-8")
    inner = tmp_path / "inner"
    inner.mkdir()
    for reference in (str(secret), "../secret.txt"):
        child = inner / "child.yaml"
        child.write_text(f"extends: {reference}\n", encoding="utf-8")
        result = hostile.run("validate", child)
        assert_refused(result, f"{child}:1: extends:")
        assert "supersecrethash" not in result.stderr


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("actors.twn.resolve=1.5", "--set actors.twn.resolve=1.5: Input should be less than or equal to 1"),
        ("actors.twn.resolv=0.5", "--set actors.twn.resolv=0.5: no field 'resolv' at actors.twn"),
        ("horizon_days=" + "9" * 5000, "argument --set: "),
        ("x", "argument --set: expected PATH=VALUE, got 'x'"),
    ],
    ids=["bound", "typo", "5000-digits", "no-equals"],
)
def test_a_bad_set_flag_is_refused_and_nothing_is_written(hostile, tmp_path, flag, message):
    out = tmp_path / "out"
    result = hostile.run("run", REFERENCE, "--runs", "5", "--quiet", "--out", out, "--set", flag)
    assert_refused(result, message, unchanged=[out])
