"""Teaching scenario files: every shipped file validates, bad files name file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from wargame.errors import InputError
from wargame.teaching import MODEL_CLASSES, get_model, load_teaching_scenario
from wargame.teaching._scenario import shipped_scenario_names

GOOD = """\
model: toy
title: Toy
question: Does it load?
references: ["Nobody (2024)."]
method:
  kind: ode
  integrator: rk4
  description: RK4
parameters:
  rate_per_day:
    value: 0.5
    unit: 1/day
    description: a rate
    source: illustrative
    minimum: 0
cases:
  default:
    description: the defaults
"""


def test_every_shipped_scenario_loads_and_cites_a_source_for_every_parameter() -> None:
    assert shipped_scenario_names() == sorted(MODEL_CLASSES)
    for name in MODEL_CLASSES:
        scenario = get_model(name).scenario
        assert scenario.model == name
        assert all(spec.source.strip() for spec in scenario.parameters.values())


def test_a_good_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "toy.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_teaching_scenario(path).parameters["rate_per_day"].value == 0.5


@pytest.mark.parametrize(
    ("change", "line", "field"),
    [
        (("    source: illustrative\n", "    source: illustrative\n    colour: red\n"), 15, "colour"),
        (("    value: 0.5\n", "    value: fast\n"), 11, "value"),
        (("    value: 0.5\n", "    value: -1\n"), 11, "rate_per_day"),
        (("  kind: ode\n", "  kind: magic\n"), 6, "method.kind"),
    ],
)
def test_errors_name_the_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], line: int, field: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_teaching_scenario(path)
    assert f"{path}:{line}" == caught.value.source
    assert caught.value.field.endswith(field)


def test_unknown_case_parameter_and_wrong_parameter_set_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD + "  other:\n    description: x\n    parameters: {speed: 1}\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown parameter"):
        load_teaching_scenario(path)
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(InputError, match="missing other_rate"):
        load_teaching_scenario(path, expected_parameters=frozenset({"rate_per_day", "other_rate"}))


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("model: toy\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_teaching_scenario(path)
    assert caught.value.source.startswith(f"{path}:")


OBSERVATION = """\
observations:
  counts:
    description: daily counts
    unit: troops
    source: a report
    times: [1, 2, 3]
    time_unit: day
    values: [5, 6]
"""


def test_an_observation_needs_one_value_per_time(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD + OBSERVATION, encoding="utf-8")
    with pytest.raises(InputError, match="3 times but 2 values") as caught:
        load_teaching_scenario(path)
    assert caught.value.source == f"{path}:21"
    assert caught.value.field == "observations.counts"
    path.write_text(GOOD + OBSERVATION.replace("[5, 6]", "[5, 6, 7]"), encoding="utf-8")
    assert load_teaching_scenario(path).observations["counts"].values == (5.0, 6.0, 7.0)


def test_only_list_parameters_may_have_any_length(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    any_length = GOOD.replace("    minimum: 0\n", "    minimum: 0\n    fixed_length: false\n")
    path.write_text(any_length, encoding="utf-8")
    with pytest.raises(InputError, match="list values only") as caught:
        load_teaching_scenario(path)
    assert caught.value.field == "parameters.rate_per_day"
