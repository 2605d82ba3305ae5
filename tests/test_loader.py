"""The scenario loader: round trips, ``extends:``, dotted paths, and generated good and bad documents.

Generated valid documents (numbers anywhere in their ranges) must load and round-trip; generated invalid
ones (out of range, wrong type, unknown or misspelt key, garbage text) must raise
:class:`wargame.errors.InputError`, never another exception, with a message naming a field or a line.
"""

from __future__ import annotations

import copy
import math
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_builders import (
    LEGACY_REFERENCE,
    REFERENCE_SCENARIO,
    SCENARIOS_DIR,
    build,
    minimal_scenario,
    write_yaml,
)

from wargame.errors import InputError
from wargame.scenario import (
    Scenario,
    apply_overrides,
    get_value,
    load_scenario,
    quantity_bounds,
    scenario_document,
    scenario_hash,
)

HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------- helpers


def set_at(document: Any, path: tuple[str | int, ...], value: Any) -> None:
    for part in path[:-1]:
        document = document[part]
    document[path[-1]] = value


def get_at(document: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


def load_text(text: str) -> Scenario:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.yaml"
        path.write_text(text, encoding="utf-8")
        return load_scenario(path)


def load_document(document: Any) -> Scenario:
    return load_text(yaml.safe_dump(document, sort_keys=False))


def names_field_or_line(error: InputError) -> bool:
    """Whether the error says where: a field path, or a ``file:line`` source."""
    return bool(error.field) or bool(error.source and re.search(r":\d+$", error.source))


# (path in the minimal document, field path as errors print it)
FRACTIONS = [
    (("actors", 0, "readiness"), "actors[blue].readiness"),
    (("actors", 0, "resolve"), "actors[blue].resolve"),
    (("actors", 1, "isr_detection_probability"), "actors[green].isr_detection_probability"),
    (("actors", 2, "risk_tolerance"), "actors[red].risk_tolerance"),
    (("actors", 0, "capability", "cyber"), "actors[blue].capability.cyber"),
    (("actors", 0, "cognitive_resilience"), "actors[blue].cognitive_resilience"),
    (("commitments", 0, "credibility"), "commitments[green-blue].credibility"),
    (("links", 0, "fidelity"), "links[green-blue].fidelity"),
    (("gray_zone", "attribution_mitigation"), "gray_zone.attribution_mitigation"),
    (("gray_zone", "activities", 0, "detectability"), "gray_zone.activities[patrol].detectability"),
    (("programs", 0, "effects", 0, "gain_per_exchange"), "programs[training].effects[0].gain_per_exchange"),
]
NON_NEGATIVE = [
    (("actors", 0, "attribution_time_hours"), "actors[blue].attribution_time_hours"),
    (("links", 0, "latency_hours"), "links[green-blue].latency_hours"),
    (("gray_zone", "activities", 0, "base_rate_per_day"), "gray_zone.activities[patrol].base_rate_per_day"),
    (("gray_zone", "activities", 0, "posture_elasticity"), "gray_zone.activities[patrol].posture_elasticity"),
    (("gray_zone", "attribution_deadline_hours"), "gray_zone.attribution_deadline_hours"),
    (("programs", 0, "intensity_per_year"), "programs[training].intensity_per_year"),
    (("escalation", "rungs", 1, "cost"), "escalation.rungs[war].cost"),
    (("escalation", "rungs", 1, "mobilization_days"), "escalation.rungs[war].mobilization_days"),
]
POSITIVE = [
    (("escalation", "rungs", 1, "gray_zone_multiplier"), "escalation.rungs[war].gray_zone_multiplier"),
]
INTEGERS = [  # (path, field, low, high)
    (("horizon_days",), "horizon_days", 1, 36_500),
    (("decision_interval_days",), "decision_interval_days", 1, None),
    (("escalation", "max_rungs_up_per_decision"), "escalation.max_rungs_up_per_decision", 1, None),
]
NUMERIC_FIELDS = FRACTIONS + NON_NEGATIVE + POSITIVE + [(path, field) for path, field, _, _ in INTEGERS]

finite = {"allow_nan": False, "allow_infinity": False}


@st.composite
def valid_variations(draw: st.DrawFn) -> tuple[dict, list[tuple[tuple, Any]]]:
    """The minimal scenario with several numeric fields set anywhere in their valid ranges."""
    document = minimal_scenario()
    changes: list[tuple[tuple, Any]] = []
    for path, _ in FRACTIONS:
        if draw(st.booleans()):
            changes.append((path, draw(st.floats(0.0, 1.0, **finite))))
    for path, _ in NON_NEGATIVE:
        if draw(st.booleans()):
            changes.append((path, draw(st.floats(0.0, 1e6, **finite))))
    for path, _ in POSITIVE:
        if draw(st.booleans()):
            changes.append((path, draw(st.floats(1e-9, 1e3, **finite))))
    for path, _, low, high in INTEGERS:
        if draw(st.booleans()):
            changes.append((path, draw(st.integers(low, high if high is not None else 10_000))))
    for path, value in changes:
        set_at(document, path, value)
    return document, changes


@st.composite
def out_of_range(draw: st.DrawFn) -> tuple[dict, str]:
    """The minimal scenario with one numeric field outside its range; returns the field path too."""
    kind = draw(st.sampled_from(["fraction", "non_negative", "positive", "integer"]))
    negative = st.floats(max_value=-math.ulp(0.0), allow_nan=False)
    if kind == "fraction":
        path, field = draw(st.sampled_from(FRACTIONS))
        value = draw(st.one_of(negative, st.floats(min_value=math.nextafter(1.0, 2.0), allow_nan=False)))
    elif kind == "non_negative":
        path, field = draw(st.sampled_from(NON_NEGATIVE))
        value = draw(negative)
    elif kind == "positive":
        path, field = draw(st.sampled_from(POSITIVE))
        value = draw(st.one_of(st.just(0.0), negative))
    else:
        path, field, low, high = draw(st.sampled_from(INTEGERS))
        below = st.integers(max_value=low - 1)
        value = draw(st.one_of(below, st.integers(min_value=high + 1)) if high is not None else below)
    document = minimal_scenario()
    set_at(document, path, value)
    return document, field


wrong_type_values = st.one_of(
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["a", "b", "value"]), st.integers(), max_size=2),
    st.sampled_from(["high", "", "n/a", "0.5.1", "one half", "1,5"]),
    st.none(),
)


@st.composite
def wrong_types(draw: st.DrawFn) -> tuple[dict, str]:
    path, field = draw(st.sampled_from(NUMERIC_FIELDS))
    document = minimal_scenario()
    set_at(document, path, draw(wrong_type_values))
    return document, field


MAPPINGS = [  # (path of a mapping in the minimal document, its field path as errors print it)
    ((), ""),
    (("actors", 0), "actors[blue]"),
    (("actors", 2, "capability"), "actors[red].capability"),
    (("links", 0), "links[green-blue]"),
    (("gray_zone",), "gray_zone"),
    (("gray_zone", "activities", 0), "gray_zone.activities[patrol]"),
    (("escalation",), "escalation"),
    (("escalation", "rungs", 0), "escalation.rungs[calm]"),
    (("programs", 0), "programs[training]"),
]
KEY_FIELDS = ("id", "from", "to")  # without them a list item is named by its index


@st.composite
def unknown_keys(draw: st.DrawFn) -> tuple[dict, str]:
    """Add a key no model has, or misspell an existing one by dropping a character."""
    path, prefix = draw(st.sampled_from(MAPPINGS))
    document = minimal_scenario()
    mapping = get_at(document, path)
    if draw(st.booleans()):
        key = "x_" + draw(st.from_regex(r"[a-z_]{1,12}", fullmatch=True))
        mapping[key] = draw(st.one_of(st.integers(), st.text(max_size=5)))
    else:
        original = draw(st.sampled_from(sorted(k for k in mapping if len(k) > 1)))
        position = draw(st.integers(0, len(original) - 1))
        key = original[:position] + original[position + 1 :]
        if key in mapping:  # dropping a doubled letter can give another existing key: rename back
            key = original + "_typo"
        mapping[key] = mapping.pop(original)
        if original in KEY_FIELDS:
            prefix = re.sub(r"\[[^\]]*\]$", f"[{path[-1]}]", prefix)
    field = f"{prefix}.{key}" if prefix else key
    return document, field


# ---------------------------------------------------------------- fixed cases


@pytest.mark.parametrize("path", sorted(SCENARIOS_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_scenarios_round_trip_through_json_and_yaml(path, tmp_path):
    scenario = load_scenario(path)
    dumped = scenario.model_dump(mode="json", by_alias=True)
    assert Scenario.model_validate(dumped) == scenario
    reloaded = load_scenario(write_yaml(tmp_path / "dumped.yaml", scenario_document(scenario)))
    assert reloaded == scenario
    assert scenario_hash(reloaded) == scenario_hash(scenario)


def test_minimal_scenario_builds_and_round_trips(tmp_path):
    document = minimal_scenario()
    scenario = build(document)
    assert load_scenario(write_yaml(tmp_path / "minimal.yaml", document)) == scenario
    dumped = scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    assert dumped["actors"][0]["readiness"] == 0.5


def test_deep_cooperation_is_the_baseline_with_every_intensity_raised(reference_scenario):
    programs = {program.id: program.intensity_per_year for program in reference_scenario.programs}
    assert len(programs) == 11 and programs["policy_dialogue_japan"] == 12
    overrides = {f"programs.{program}.intensity_per_year": 150 for program in programs}
    overrides["programs.policy_dialogue_japan.intensity_per_year"] = 53  # 12 x 150 / 34, like the others
    overrides["name"] = "Taiwan Strait - deep cooperation"
    assert load_scenario(SCENARIOS_DIR / "deep_cooperation.yaml") == apply_overrides(
        reference_scenario, overrides
    )


def test_extends_merges_list_items_by_key_and_keeps_unchanged_fields(reference_scenario):
    variant = load_scenario(SCENARIOS_DIR / "no_information_sharing.yaml")
    expected = apply_overrides(
        reference_scenario,
        {
            "name": "Taiwan Strait - no information sharing",
            "links.usa-twn.fidelity": 0.0,
            "links.usa-twn.source": "variant: no sharing",
            "links.jpn-twn.fidelity": 0.0,
            "links.jpn-twn.source": "variant: no sharing",
            "programs.intelligence_sharing.intensity_per_year": 0,
            "programs.communications_and_command_control.intensity_per_year": 0,
        },
    )
    assert variant == expected
    assert variant.links[0].domains == ("air", "maritime", "cyber", "information")
    assert variant.links[0].latency_hours == get_value(reference_scenario, "links.usa-twn.latency_hours")


def test_an_error_in_the_child_names_the_child_file_and_line(tmp_path):
    write_yaml(tmp_path / "parent.yaml", minimal_scenario())
    child = tmp_path / "child.yaml"
    child.write_text(
        "extends: parent.yaml\nname: child\nactors:\n  - id: green\n    readiness: 2.5\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as caught:
        load_scenario(child)
    assert caught.value.source == f"{child}:5"
    assert caught.value.field == "actors[green].readiness"
    assert caught.value.message == "Input should be less than or equal to 1"


def test_an_error_inherited_from_the_parent_names_the_parent_file_and_line(tmp_path):
    document = minimal_scenario()
    document["actors"][1]["readiness"] = 2.5
    parent = write_yaml(tmp_path / "parent.yaml", document)
    line = parent.read_text().splitlines().index("  readiness: 2.5") + 1
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\nname: child\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(child)
    assert (caught.value.source, caught.value.field) == (f"{parent}:{line}", "actors[green].readiness")


def test_extends_of_a_missing_file_names_the_extends_line(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text("name: child\nextends: nowhere.yaml\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(child)
    assert str(caught.value) == f"{child}:2: extends: extended file 'nowhere.yaml' not found"


def test_get_value_and_apply_overrides_use_ids_and_from_to_keys():
    reference_scenario = load_scenario(LEGACY_REFERENCE)
    assert get_value(reference_scenario, "links.usa-twn.latency_hours") == 12.0
    assert get_value(reference_scenario, "actors.twn.capability.air") == 0.45
    changed = apply_overrides(reference_scenario, {"links.usa-twn.latency_hours": 3.5})
    assert get_value(changed, "links.usa-twn.latency_hours") == 3.5
    assert get_value(reference_scenario, "links.usa-twn.latency_hours") == 12.0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"links.usa-twn.latency_hour": 1},
            "links.usa-twn.latency_hour",
            "no field 'latency_hour' at links.usa-twn; did you mean 'latency_hours'?",
        ),
        ({"actors.tw.readiness": 1}, "actors.tw.readiness", "no item 'tw' in actors; did you mean 'twn'?"),
        ({"actors.twn.capability": 1}, "actors.twn.capability", "points at a section, not a value"),
    ],
)
def test_bad_overrides_raise_located_input_errors(reference_scenario, overrides, field, message):
    with pytest.raises(InputError) as caught:
        apply_overrides(reference_scenario, overrides)
    assert (caught.value.field, caught.value.message) == (field, message)


def test_an_override_that_makes_the_scenario_invalid_names_the_field(reference_scenario):
    with pytest.raises(InputError) as caught:
        apply_overrides(reference_scenario, {"actors.twn.readiness": 1.5})
    assert (
        caught.value.message == "override makes the scenario invalid: Input should be less than or equal to 1"
    )
    assert caught.value.field.startswith("actors") and caught.value.field.endswith("readiness")


def test_quantity_bounds_of_the_minimal_scenario():
    bounds = quantity_bounds(build(minimal_scenario()))
    assert bounds["links.green-blue.latency_hours"] == (0.0, float("inf"))
    assert bounds["commitments.green-blue.credibility"] == (0.0, 1.0)
    assert bounds["actors.red.capability.land"] == (0.0, 1.0)
    assert bounds["actors.red.forward_presence"] == (0.0, 1.0)
    assert bounds["actors.blue.attribution_time_hours"] == (0.0, float("inf"))
    # Per actor: five fractions, five capabilities, the hours to attribute; per link two; per commitment one.
    assert len(bounds) == 3 * (5 + 5 + 1) + 2 + 1


def test_an_effect_on_an_unknown_quantity_suggests_the_nearest():
    document = minimal_scenario()
    document["programs"][0]["effects"][0]["quantity"] = "actors.blue.readines"
    with pytest.raises(InputError) as caught:
        load_document(document)
    assert caught.value.message.endswith(
        "unknown quantity 'actors.blue.readines'; did you mean 'actors.blue.readiness'?"
    )


# ---------------------------------------------------------------- generated documents


@HYPOTHESIS
@given(valid_variations())
def test_valid_variations_load_and_round_trip(variation):
    document, changes = variation
    scenario = load_document(document)
    dumped = scenario.model_dump(mode="json", by_alias=True)
    for path, value in changes:
        assert get_at(dumped, path) == value
    assert Scenario.model_validate(dumped) == scenario
    assert load_text(yaml.safe_dump(dumped)) == scenario


def located_error(document: dict, field: str) -> InputError:
    """Load ``document``, expect an InputError naming ``field`` and a line of the file, and return it."""
    with pytest.raises(InputError) as caught:
        load_document(document)
    assert caught.value.field == field
    assert re.search(r"generated\.yaml:\d+$", caught.value.source)
    return caught.value


@HYPOTHESIS
@given(out_of_range())
def test_out_of_range_values_raise_input_error_naming_the_field(case):
    located_error(*case)


@HYPOTHESIS
@given(wrong_types())
def test_wrong_types_raise_input_error_naming_the_field(case):
    located_error(*case)


@HYPOTHESIS
@given(unknown_keys())
def test_unknown_keys_raise_input_error_naming_the_key(case):
    document, field = case
    error = located_error(document, field)
    assert error.message.startswith(f"unknown field {field.rsplit('.', 1)[-1]!r}")


# Printable text, tabs and newlines; YAML's reader rejects control characters (tested below).
yaml_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]),
        st.sampled_from(list(":-[]{},#&*!|>'\"%@`?\n\t ")),
    ),
    max_size=200,
)


@HYPOTHESIS
@given(yaml_text)
def test_garbage_text_raises_input_error_naming_a_line_or_field(text):
    with pytest.raises(InputError) as caught:
        load_text(text)
    assert names_field_or_line(caught.value), str(caught.value)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(
    position=st.integers(0, REFERENCE_SCENARIO.stat().st_size - 1),
    insert=st.sampled_from([*":-[]{},#&*!|>'\"%@`?\n\t ", "", "x", "- ", ": ", "\n  "]),
    delete=st.integers(0, 3),
)
def test_edited_reference_text_loads_or_raises_a_located_input_error(position, insert, delete):
    text = REFERENCE_SCENARIO.read_text(encoding="utf-8")
    edited = text[:position] + insert + text[position + delete :]
    try:
        load_text(edited)
    except InputError as error:
        assert names_field_or_line(error), str(error)


# ---------------------------------------------------------------- bugs


def test_deeply_nested_yaml_is_an_input_error():
    with pytest.raises(InputError):
        load_text("name: " + "[" * 1000 + "]" * 1000 + "\n")


def test_a_control_character_names_its_line():
    with pytest.raises(InputError) as caught:
        load_text("name: ok\nhorizon_days: 3\x07\n")
    assert caught.value.source.endswith("generated.yaml:2")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("gray_zone", "activities", 0, "base_rate_per_day"), float("inf")),
        (("programs", 0, "intensity_per_year"), float("inf")),
        (("escalation", "rungs", 1, "gain"), float("nan")),
    ],
    ids=["inf-rate", "inf-intensity", "nan-gain"],
)
def test_non_finite_numbers_are_rejected(path, value):
    document = minimal_scenario()
    set_at(document, path, value)
    with pytest.raises(InputError):
        load_document(document)


def test_a_yaml_boolean_is_not_a_number():
    document = minimal_scenario()
    set_at(document, ("actors", 0, "readiness"), True)
    with pytest.raises(InputError):
        load_document(copy.deepcopy(document))


def test_a_link_from_an_actor_to_itself_is_rejected():
    document = minimal_scenario()
    document["links"].append({"from": "blue", "to": "blue", "latency_hours": 0.0, "fidelity": 1.0})
    with pytest.raises(InputError) as caught:
        load_document(document)
    assert "links" in str(caught.value)


def test_a_rung_condition_with_a_threshold_is_a_located_error_not_a_crash(tmp_path):
    document = minimal_scenario()
    rung = document["escalation"]["rungs"][1]["id"]
    document["injects"] = [
        {
            "id": "odd",
            "text": "An odd condition",
            "when": {"rung_at_least": rung, "below": 0.3},
            "effects": [{"quantity": "actors.blue.resolve", "add": -0.1}],
        }
    ]
    with pytest.raises(InputError) as caught:
        load_scenario(write_yaml(tmp_path / "odd.yaml", document))
    assert caught.value.field == "injects[odd].when"
    assert caught.value.message == "below and above belong to a quantity condition, not to rung_at_least"
