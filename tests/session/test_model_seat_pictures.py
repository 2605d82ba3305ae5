"""The model's opt-in per-seat pictures: additive, on their own stream, never more than the truth."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from wargame.model import DeterrenceModel, run_keys_from_seed
from wargame.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

SCENARIO_NAMES = ("taiwan_strait_baseline", "high_gray_zone")


def _digest(model: DeterrenceModel) -> str:
    digest = hashlib.sha256()
    for name, values in sorted(model.outcomes().items()):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(values).tobytes())
    digest.update(model.rung_by_day.tobytes())
    return digest.hexdigest()


@pytest.mark.parametrize(
    "name",
    # two 300-run ensembles each: the reference scenario in test-fast, the other in the full suite
    [SCENARIO_NAMES[0], pytest.param(SCENARIO_NAMES[1], marks=pytest.mark.slow)],
)
def test_mass_run_outcomes_are_unchanged_by_seat_pictures(name: str) -> None:
    """Seat pictures draw on their own stream: every outcome and rung path stays bit-for-bit the same."""
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    keys = run_keys_from_seed(11, 300)
    plain = DeterrenceModel(scenario, keys)
    plain.run_to_end()
    with_pictures = DeterrenceModel(scenario, keys, pictures_for=("usa", "jpn"))
    with_pictures.run_to_end()
    assert _digest(with_pictures) == _digest(plain)
    assert with_pictures.seat_detected["usa"].sum() > 0


@pytest.mark.slow
def test_split_day_matches_step() -> None:
    scenario = load_scenario(SCENARIOS / "taiwan_strait_baseline.yaml")
    keys = run_keys_from_seed(5, 40)
    stepped, split = DeterrenceModel(scenario, keys), DeterrenceModel(scenario, keys)
    stepped.run_to_end()
    while not split.finished:
        if split.begin_day():
            for agent in split.deciding_agents():
                agent.decide()
            split.close_decisions()
        split.end_day()
    assert _digest(split) == _digest(stepped)
    with pytest.raises(RuntimeError, match="has not begun"):
        DeterrenceModel(scenario, keys).end_day()


@pytest.mark.slow
def test_seat_pictures_never_exceed_the_truth_and_follow_their_sources() -> None:
    scenario = load_scenario(SCENARIOS / "taiwan_strait_baseline.yaml")
    model = DeterrenceModel(scenario, run_keys_from_seed(2, 200), pictures_for=("usa", "jpn"))
    model.run_to_end()
    for seat in ("usa", "jpn"):
        assert (model.seat_detected[seat] <= model.incidents).all()
        assert (model.seat_attributed_timely[seat] <= model.seat_detected[seat]).all()
    # Japan has no link into it and a weaker ISR than the US, which also hears from Taiwan.
    assert model.seat_detected["jpn"].sum() < model.seat_detected["usa"].sum()
    # Japan sees only its own ISR: its detection rate is near isr * detectability per activity.
    detectability = np.array([a.detectability for a in scenario.gray_zone.activities])
    expected = scenario.actor("jpn").isr_detection_probability * detectability
    rate = model.seat_detected["jpn"].sum(axis=0) / model.incidents.sum(axis=0)
    busy = model.incidents.sum(axis=0) > 2000
    np.testing.assert_allclose(rate[busy], expected[busy], rtol=0.05)


def test_seat_without_sensors_sees_nothing() -> None:
    from wargame.scenario import apply_overrides

    scenario = load_scenario(SCENARIOS / "taiwan_strait_baseline.yaml")
    blind = apply_overrides(scenario, {"actors.jpn.isr_detection_probability": 0.0})
    model = DeterrenceModel(blind, run_keys_from_seed(3, 50), pictures_for=("jpn",))
    model.run_to_end()
    assert model.incidents.sum() > 0
    assert model.seat_detected["jpn"].sum() == 0
    assert not model.seat_mobilization_warned["jpn"].any()
