"""``wargame examples``: the shipped scenarios and experiments, listed and copied with what they refer to."""

from __future__ import annotations

from pathlib import Path

import pytest

from wargame.examples import copy_example, example_files, list_examples
from wargame.experiments import load_experiment
from wargame.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def test_the_examples_are_the_repository_folders_files() -> None:
    listed = {(example.kind, str(example.path)) for example in list_examples()}
    on_disk = {("scenario", f"scenarios/{path.name}") for path in (ROOT / "scenarios").glob("*.yaml")}
    on_disk |= {("experiment", f"experiments/{path.name}") for path in (ROOT / "experiments").glob("*.yaml")}
    on_disk |= {
        ("teaching", f"scenarios/teaching/{path.name}")
        for path in (ROOT / "scenarios/teaching").glob("*.yaml")
    }
    assert listed == on_disk
    assert len({example.name for example in list_examples()}) == len(listed)  # names are unique
    for example in list_examples():
        shipped = example_files().joinpath(*example.path.parts).read_bytes()
        assert shipped == (ROOT / example.path).read_bytes()
        assert example.summary


def test_copying_an_experiment_brings_its_scenario_and_both_load(tmp_path: Path) -> None:
    written = copy_example("info_sharing_latency", tmp_path)
    assert sorted(path.relative_to(tmp_path).as_posix() for path in written) == [
        "experiments/info_sharing_latency.yaml",
        "scenarios/taiwan_strait_baseline.yaml",
    ]
    experiment = load_experiment(tmp_path / "experiments" / "info_sharing_latency.yaml")
    assert experiment.spec.name == "info_sharing_latency"


def test_copying_a_variant_brings_its_base(tmp_path: Path) -> None:
    copy_example("deep_cooperation", tmp_path)
    assert load_scenario(tmp_path / "scenarios" / "deep_cooperation.yaml").name


def test_the_cli_lists_and_copies_and_refuses_to_overwrite(cli, tmp_path: Path) -> None:
    listing = cli("examples")
    assert listing.code == 0
    for name in ("taiwan_strait_baseline", "info_sharing_latency", "richardson"):
        assert f"  {name} " in listing.out
    assert cli("examples", "copy", "taiwan_strait_baseline", tmp_path / "mine").code == 0
    before = (tmp_path / "mine" / "scenarios" / "taiwan_strait_baseline.yaml").read_bytes()
    again = cli("examples", "copy", "high_gray_zone", tmp_path / "mine")
    assert again.code == 2 and "would overwrite" in again.err and len(again.err.strip().splitlines()) == 1
    assert not (tmp_path / "mine" / "scenarios" / "high_gray_zone.yaml").exists()  # nothing half-written
    assert (tmp_path / "mine" / "scenarios" / "taiwan_strait_baseline.yaml").read_bytes() == before


@pytest.mark.parametrize("name", ["nope", "../scenarios/taiwan_strait_baseline"])
def test_an_unknown_example_is_one_line_and_exit_2(cli, tmp_path: Path, name: str) -> None:
    result = cli("examples", "copy", name, tmp_path / "out")
    assert result.code == 2 and f"no example {name!r}" in result.err
    assert not (tmp_path / "out").exists()
