"""Levers derived from a scenario: which there are, their levels, theory's signs, and that every level
reaches the model exactly as editing the scenario file would."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from validity_scenario import TINY_SCENARIO, write_tiny_scenario

from wargame.errors import InputError
from wargame.model import DeterrenceModel, run_keys_from_seed
from wargame.runner.executors import SerialExecutor
from wargame.scenario import Scenario, apply_overrides, load_scenario
from wargame.validity import Prediction, levers_of, run_levers

UP, DOWN, NONE, INVARIANT = Prediction.UP, Prediction.DOWN, Prediction.NONE, Prediction.INVARIANT


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return load_scenario(write_tiny_scenario(tmp_path_factory.mktemp("tiny")))


def _tiny_with(tmp_path: Path, old: str, new: str) -> Scenario:
    assert old in TINY_SCENARIO
    path = tmp_path / "edited.yaml"
    path.write_text(TINY_SCENARIO.replace(old, new, 1), encoding="utf-8")
    return load_scenario(path)


def test_the_reference_scenario_has_every_kind_of_lever(reference_scenario: Scenario) -> None:
    levers = {lever.key: lever for lever in levers_of(reference_scenario)}
    objectives = [key for key in levers if key.startswith("objective_")]
    assert len(objectives) == 10
    assert {f"capability_{d}" for d in ("air", "maritime", "land", "cyber", "information")} <= set(levers)
    for key in ("allied_resolve", "credibility", "readiness", "latency", "fidelity", "gray_zone", "cadence"):
        assert key in levers
    assert levers["allied_resolve"].paths == (
        "actors.twn.resolve",
        "actors.usa.resolve",
        "actors.jpn.resolve",
    )
    assert levers["credibility"].paths == (
        "commitments.usa-twn.credibility",
        "commitments.jpn-twn.credibility",
    )
    roots = ("pla_aircraft", "coast_guard_incursion", "cyber_intrusion", "disinformation")
    assert levers["gray_zone"].paths == tuple(
        f"gray_zone.activities.{a}.base_rate_per_day" for a in (*roots, "undersea_cable_damage")
    )
    assert levers["horizon"].levels == (180, 333, 485, 638, 790, 943, 1095)
    assert levers["cadence"].levels == (3, 5, 7, 9, 10, 12, 14)


def test_a_scaling_lever_never_passes_a_field_bound(reference_scenario: Scenario) -> None:
    for lever in levers_of(reference_scenario, 9):
        assert len(lever.levels) == 9 or lever.key == "cadence"
        top = lever.values_at(lever.levels[-1])
        for path, upper in zip(lever.paths, lever.upper, strict=True):
            assert 0.0 <= top[path] <= upper
    fidelity = next(lever for lever in levers_of(reference_scenario) if lever.key == "fidelity")
    assert fidelity.values_at(fidelity.levels[-1])["links.usa-twn.fidelity"] == pytest.approx(1.0)


def test_theory_signs_of_the_levers(reference_scenario: Scenario) -> None:
    levers = {lever.key: lever.predictions for lever in levers_of(reference_scenario)}
    assert levers["allied_resolve"] == {"war": DOWN, "escalation": DOWN, "resolve": UP}
    assert levers["credibility"] == {"war": DOWN, "escalation": DOWN, "resolve": NONE}
    assert levers["capability_air"] == {"war": DOWN, "escalation": DOWN, "resolve": NONE}
    assert levers["latency"] == {"war": UP, "escalation": UP, "resolve": DOWN}
    assert levers["fidelity"] == {"war": DOWN, "escalation": DOWN, "resolve": UP}
    assert levers["gray_zone"] == {"war": UP, "escalation": UP, "resolve": DOWN}
    # objectives: from what their programs move (latency down and fidelity up protect resolve)
    assert levers["objective_intelligence_sharing"] == {"war": DOWN, "escalation": DOWN, "resolve": UP}
    assert levers["objective_combat_readiness"] == {"war": DOWN, "escalation": DOWN, "resolve": NONE}
    assert set(levers["cadence"].values()) == {INVARIANT}
    assert levers["horizon"] == {"war": UP, "war_per_year": DOWN, "escalation": NONE, "resolve": NONE}


def test_another_theatre_gets_its_own_levers(tiny: Scenario) -> None:
    levers = {lever.key: lever for lever in levers_of(tiny, 5)}
    assert levers["allied_resolve"].paths == ("actors.blu.resolve", "actors.grn.resolve")
    assert [k for k in levers if k.startswith("objective_")] == [
        "objective_intelligence_sharing",
        "objective_combat_readiness",
    ]
    assert levers["gray_zone"].paths == ("gray_zone.activities.patrols.base_rate_per_day",)
    assert all(len(lever.levels) == 5 for lever in levers.values())


def test_with_two_defended_allies_both_resolves_count(tmp_path: Path) -> None:
    """Where the ladder coerces two allies, the watched resolve is theirs, weighted as the calculus does."""
    targets = "  war_starts_at: strike\n  targets: {blu: 3, grn: 1}\n"
    scenario = _tiny_with(tmp_path, "  war_starts_at: strike\n", targets)
    levers = {lever.key: lever for lever in levers_of(scenario, 5)}
    assert levers["allied_resolve"].predictions["resolve"] is UP
    keys = run_keys_from_seed(2, 10)
    readiness = levers["readiness"]
    (response,) = run_levers(scenario, [readiness], keys, SerialExecutor())
    lowest = readiness.values_at(readiness.levels[0])
    model = DeterrenceModel(scenario, keys, inputs={p: np.full(keys.size, v) for p, v in lowest.items()})
    model.run_to_end()
    columns = model.outcomes()
    np.testing.assert_allclose(
        response.columns["resolve"][0],
        0.75 * columns["final_resolve_blu"] + 0.25 * columns["final_resolve_grn"],
    )


def test_a_program_that_pulls_a_quantity_down_reverses_its_objective_sign(tmp_path: Path) -> None:
    scenario = _tiny_with(
        tmp_path,
        "{quantity: actors.blu.readiness, target: 0.9,",
        "{quantity: actors.blu.readiness, target: 0.3,",
    )
    readiness = next(lever for lever in levers_of(scenario) if lever.key == "objective_combat_readiness")
    assert readiness.predictions["war"] is UP
    assert "actors.blu.readiness down" in readiness.reason


def test_a_lever_with_nothing_to_scale_is_left_out(tmp_path: Path) -> None:
    scenario = _tiny_with(
        tmp_path,
        "intensity_per_year: 30\n    effects:\n      - {quantity: actors.blu",
        "intensity_per_year: 0\n    effects:\n      - {quantity: actors.blu",
    )
    keys = [lever.key for lever in levers_of(scenario)]
    assert "objective_combat_readiness" not in keys
    assert "objective_intelligence_sharing" in keys


@pytest.mark.parametrize("levels", [2, 4, 16])
def test_levels_out_of_range_are_refused(tiny: Scenario, levels: int) -> None:
    with pytest.raises(InputError, match="levels must be between 5 and 15"):
        levers_of(tiny, levels)


def test_an_ensemble_lever_sets_its_fields_in_a_scenario_per_level(tiny: Scenario) -> None:
    cadence = next(lever for lever in levers_of(tiny) if lever.key == "cadence")
    at_three = cadence.scenario_at(tiny, 3)
    assert (at_three.decision_interval_days, at_three.turn_length_days, at_three.horizon_days) == (3, 3, 60)


def test_a_level_that_breaks_the_scenario_is_one_error_naming_the_lever(tiny: Scenario) -> None:
    horizon = next(lever for lever in levers_of(tiny) if lever.key == "horizon")
    broken = dataclasses.replace(horizon, levels=(0.0, *horizon.levels[1:]))
    with pytest.raises(InputError, match="lever 'horizon' at 0 days makes the scenario invalid") as error:
        broken.scenario_at(tiny, 0.0)
    assert error.value.field == "horizon_days"


def _outcomes(model: DeterrenceModel) -> dict[str, np.ndarray]:
    """Every outcome column and the final value and baseline of every quantity."""
    model.run_to_end()
    columns = {k: v for k, v in model.outcomes().items() if not k.startswith("input:")}
    columns.update({f"state:{p}": model.state.levels[:, row] for row, p in enumerate(model.state.paths)})
    return columns


@pytest.mark.slow
@pytest.mark.parametrize("which", ["tiny", "reference"])
def test_every_scaling_level_given_per_run_equals_the_edited_scenario(
    which: str, tiny: Scenario, reference_scenario: Scenario
) -> None:
    """A lever path the model does not read per run would silently do nothing: compare with the file."""
    scenario = tiny if which == "tiny" else apply_overrides(reference_scenario, {"horizon_days": 30})
    keys = run_keys_from_seed(3, 20)
    for lever in levers_of(scenario, 5):
        if lever.ensemble:
            continue
        values = lever.values_at(lever.levels[-1])
        inputs = {p: np.full(keys.size, v) for p, v in values.items()}
        given = _outcomes(DeterrenceModel(scenario, keys, inputs=inputs))
        edited = _outcomes(DeterrenceModel(apply_overrides(scenario, values), keys))
        nominal = _outcomes(DeterrenceModel(scenario, keys))
        assert given.keys() == edited.keys()
        for column, expected in edited.items():
            np.testing.assert_array_equal(given[column], expected, err_msg=f"{lever.key}: {column}")
        moved = [
            c for c, v in edited.items() if not np.array_equal(nominal[c], v, equal_nan=v.dtype.kind == "f")
        ]
        assert moved, f"{lever.key} at its top level changes nothing"


def test_levels_run_on_common_random_numbers(tiny: Scenario) -> None:
    keys = run_keys_from_seed(5, 30)
    lever = next(lever for lever in levers_of(tiny) if lever.key == "objective_combat_readiness")
    (response,) = run_levers(tiny, [lever], keys, SerialExecutor())
    assert lever.levels[2] == 1.0
    plain = DeterrenceModel(tiny, keys)
    plain.run_to_end()
    outcomes = plain.outcomes()
    np.testing.assert_array_equal(response.columns["war"][2], outcomes["war"].astype(float))
    np.testing.assert_array_equal(response.columns["resolve"][2], outcomes["final_resolve_blu"])
    np.testing.assert_array_equal(response.columns["escalation"][2], outcomes["escalation_per_30_days"])
    assert response.columns["war"].shape == (len(lever.levels), 30)
    assert response.horizon_days == (60,) * len(lever.levels)


def test_levers_sharing_ensembles_give_the_results_they_give_alone(tiny: Scenario) -> None:
    """Levels of several levers are cut into shared ensembles; a run's result must not depend on it."""
    keys = run_keys_from_seed(7, 9)  # 9 runs x 5 levels: ensembles mix levels and levers
    levers = [lever for lever in levers_of(tiny, 5) if lever.key in ("latency", "readiness", "gray_zone")]
    together = run_levers(tiny, levers, keys, SerialExecutor())
    for lever, shared in zip(levers, together, strict=True):
        (alone,) = run_levers(tiny, [lever], keys, SerialExecutor())
        for column, values in alone.columns.items():
            np.testing.assert_array_equal(shared.columns[column], values, err_msg=f"{lever.key}: {column}")


@pytest.mark.slow
def test_horizon_levels_run_their_own_scenarios(tiny: Scenario) -> None:
    horizon = next(lever for lever in levers_of(tiny, 5) if lever.key == "horizon")
    (response,) = run_levers(tiny, [horizon], run_keys_from_seed(0, 4), SerialExecutor())
    assert response.horizon_days == (180, 409, 638, 866, 1095)


@pytest.mark.slow
def test_results_do_not_depend_on_the_executor(tiny: Scenario) -> None:
    from wargame.runner.executors import make_executor

    keys = run_keys_from_seed(11, 8)
    levers = [lever for lever in levers_of(tiny, 5) if lever.key in ("readiness", "cadence")]
    serial = run_levers(tiny, levers, keys, SerialExecutor())
    with make_executor(2) as pool:
        pooled = run_levers(tiny, levers, keys, pool, max_in_flight=4)
    for alone, shared in zip(serial, pooled, strict=True):
        for column, values in alone.columns.items():
            np.testing.assert_array_equal(
                shared.columns[column], values, err_msg=f"{alone.lever.key}: {column}"
            )
