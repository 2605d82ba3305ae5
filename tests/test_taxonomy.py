"""Open objective taxonomies: the shipped reference, a theatre's own file, inline ones, and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from scenario_builders import REFERENCE_SCENARIO, SCENARIOS_DIR, minimal_scenario, write_yaml

from wargame.errors import InputError
from wargame.scenario import (
    EXCHANGE_OBJECTIVES,
    Scenario,
    apply_overrides,
    load_scenario,
    reference_taxonomy,
    scenario_document,
    scenario_hash,
)

BALTIC = {
    "name": "Baltic deterrence objectives",
    "source": "test theatre",
    "objectives": [
        {
            "id": "forward_presence",
            "name": "Forward presence",
            "description": "Allied battlegroups stationed in the host nation.",
            "acts_through": "commitments.<ally>-<host>.credibility",
        },
        {
            "id": "air_policing",
            "name": "Air policing",
            "description": "Rotating allied fighters guarding the host nation's airspace.",
            "acts_through": "actors.<host>.capability.air",
        },
    ],
}


def baltic_scenario(folder: Path, objective: str = "forward_presence", taxonomy: str = "baltic.yaml") -> Path:
    write_yaml(folder / "baltic.yaml", BALTIC)
    document = minimal_scenario(taxonomy=taxonomy)
    document["programs"][0]["objective"] = objective
    return write_yaml(folder / "scenario.yaml", document)


def refused(path: Path, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        load_scenario(path, **kwargs)
    return caught.value


def line_of(path: Path, text: str) -> int:
    return path.read_text().splitlines().index(text) + 1


def test_the_reference_taxonomy_is_the_reports_ten_and_every_shipped_scenario_uses_it():
    taxonomy = reference_taxonomy()
    assert len(taxonomy.objectives) == 10
    assert tuple(objective.id for objective in taxonomy.objectives) == EXCHANGE_OBJECTIVES
    assert all(objective.acts_through and objective.description for objective in taxonomy.objectives)
    taiwan = [path for path in sorted(SCENARIOS_DIR.glob("*.yaml")) if path.stem != "baltic_deterrence"]
    for path in taiwan:
        scenario = load_scenario(path)
        assert scenario.taxonomy is None
        assert {program.objective for program in scenario.programs} <= set(EXCHANGE_OBJECTIVES)


def test_the_shipped_baltic_theatre_files_its_programs_under_its_own_objectives():
    scenario = load_scenario(SCENARIOS_DIR / "baltic_deterrence.yaml")
    assert scenario.taxonomy is not None
    own = {objective.id for objective in scenario.taxonomy.objectives}
    programs = {program.objective for program in scenario.programs}
    assert programs and programs <= own
    assert not programs <= set(EXCHANGE_OBJECTIVES)


def test_a_theatre_declares_its_own_objectives(tmp_path):
    scenario = load_scenario(baltic_scenario(tmp_path))
    assert scenario.taxonomy is not None
    assert [objective.id for objective in scenario.taxonomy.objectives] == [
        "forward_presence",
        "air_policing",
    ]
    assert scenario.programs[0].objective == "forward_presence"


def test_an_objective_unknown_to_the_taxonomy_names_the_program_line_and_the_taxonomy_file(tmp_path):
    path = baltic_scenario(tmp_path, objective="air_polcing")
    error = refused(path)
    assert error.source == f"{path}:{line_of(path, '  objective: air_polcing')}"
    assert error.field == "programs[training].objective"
    assert error.message == (
        f"objective 'air_polcing' is not in the taxonomy {tmp_path / 'baltic.yaml'}; "
        "did you mean 'air_policing'?"
    )


def test_an_objective_of_the_reference_taxonomy_is_not_in_another_theatre(tmp_path):
    error = refused(baltic_scenario(tmp_path, objective="policy_dialogue"))
    assert error.message.endswith("it has: forward_presence, air_policing")


def test_without_a_taxonomy_the_reference_applies(tmp_path):
    document = minimal_scenario()
    document["programs"][0]["objective"] = "educaton_and_training"
    error = refused(write_yaml(tmp_path / "scenario.yaml", document))
    assert error.message == (
        "objective 'educaton_and_training' is not in the reference taxonomy; "
        "did you mean 'education_and_training'?"
    )


def test_duplicate_objective_ids_name_the_taxonomy_file_and_line(tmp_path):
    path = baltic_scenario(tmp_path)
    taxonomy = {**BALTIC, "objectives": [*BALTIC["objectives"], dict(BALTIC["objectives"][0], name="Again")]}
    write_yaml(tmp_path / "baltic.yaml", taxonomy)
    error = refused(path)
    text = (tmp_path / "baltic.yaml").read_text().splitlines()
    second = [i for i, line in enumerate(text, 1) if line.strip() == "- id: forward_presence"][1]
    assert (error.source, error.field) == (
        f"{tmp_path / 'baltic.yaml'}:{second}",
        "objectives[forward_presence]",
    )
    assert error.message == "duplicate objective id 'forward_presence'"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"colour": "blue"}, "colour", "unknown field 'colour'"),
        ({"acts_throgh": "x"}, "acts_throgh", "unknown field 'acts_throgh'; did you mean 'acts_through'?"),
    ],
)
def test_unknown_keys_in_a_taxonomy_are_located(tmp_path, change, field, message):
    path = baltic_scenario(tmp_path)
    objective = dict(BALTIC["objectives"][1])
    if "acts_throgh" in change:
        objective.pop("acts_through")
    objective.update(change)
    write_yaml(tmp_path / "baltic.yaml", {**BALTIC, "objectives": [BALTIC["objectives"][0], objective]})
    error = refused(path)
    assert error.source.startswith(f"{tmp_path / 'baltic.yaml'}:")
    assert error.field == f"objectives[air_policing].{field}"
    assert error.message == message


def test_a_taxonomy_file_is_confined_like_extends(tmp_path):
    inner = tmp_path / "inner"
    inner.mkdir()
    write_yaml(tmp_path / "shared.yaml", BALTIC)
    document = minimal_scenario(taxonomy="../shared.yaml")
    document["programs"][0]["objective"] = "air_policing"
    path = write_yaml(inner / "scenario.yaml", document)
    error = refused(path)
    assert (error.field, error.source) == ("taxonomy", f"{path}:{line_of(path, 'taxonomy: ../shared.yaml')}")
    assert error.message.startswith("taxonomy file '../shared.yaml' is outside the folder of")
    assert load_scenario(path, allow_dirs=[tmp_path]).programs[0].objective == "air_policing"
    absolute = write_yaml(inner / "absolute.yaml", {**document, "taxonomy": "/etc/passwd"})
    assert refused(absolute).message.startswith("taxonomy file '/etc/passwd' is an absolute path")


def test_a_missing_taxonomy_file_and_a_scenario_given_as_one(tmp_path):
    error = refused(baltic_scenario(tmp_path, taxonomy="nowhere.yaml"))
    assert (error.field, error.message) == ("taxonomy", "taxonomy file 'nowhere.yaml' not found")
    (tmp_path / "reference.yaml").write_text(REFERENCE_SCENARIO.read_text(encoding="utf-8"), encoding="utf-8")
    error = refused(baltic_scenario(tmp_path, taxonomy="reference.yaml"))
    assert error.message.startswith("this is a scenario file, not an objective taxonomy")


def test_an_overlay_inherits_its_parents_taxonomy_relative_to_the_parent(tmp_path):
    theatre = tmp_path / "theatre"
    theatre.mkdir()
    baltic_scenario(theatre)
    (tmp_path / "variant.yaml").write_text(
        "extends: theatre/scenario.yaml\nname: variant\n", encoding="utf-8"
    )
    scenario = load_scenario(tmp_path / "variant.yaml")
    assert scenario.taxonomy is not None and scenario.taxonomy.name == "Baltic deterrence objectives"


def test_an_inline_taxonomy_round_trips_and_is_part_of_the_hash(tmp_path):
    scenario = load_scenario(baltic_scenario(tmp_path))
    inline = write_yaml(tmp_path / "inline.yaml", scenario_document(scenario))
    assert isinstance(yaml.safe_load(inline.read_text())["taxonomy"], dict)
    reloaded = load_scenario(inline)
    assert reloaded == scenario and scenario_hash(reloaded) == scenario_hash(scenario)
    changed = BALTIC["objectives"][1] | {"acts_through": "actors.<host>.readiness"}
    write_yaml(tmp_path / "baltic.yaml", {**BALTIC, "objectives": [BALTIC["objectives"][0], changed]})
    assert scenario_hash(load_scenario(tmp_path / "scenario.yaml")) != scenario_hash(scenario)


def test_overrides_keep_the_taxonomy(tmp_path):
    scenario = load_scenario(baltic_scenario(tmp_path))
    moved = apply_overrides(scenario, {"programs.training.objective": "air_policing"})
    assert moved.programs[0].objective == "air_policing"
    with pytest.raises(
        InputError, match="'policy_dialogue' is not in the taxonomy 'Baltic deterrence objectives'"
    ):
        apply_overrides(scenario, {"programs.training.objective": "policy_dialogue"})


def test_the_api_takes_a_taxonomy_not_a_file_name():
    with pytest.raises(ValueError, match="a taxonomy file is read by load_scenario"):
        Scenario.model_validate(minimal_scenario(taxonomy="baltic.yaml"))
    assert (
        Scenario.model_validate(minimal_scenario(taxonomy=BALTIC, programs=[])).taxonomy.objectives[0].id
        == "forward_presence"
    )
