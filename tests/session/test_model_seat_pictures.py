"""The model's opt-in per-seat pictures: additive, on their own stream, never more than the truth."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from wargame.model import DeterrenceModel, run_keys_from_seed
from wargame.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

# Digests of the outcomes and rung paths of 300 runs (root seed 11) computed before per-seat pictures and
# the split daily step existed: mass runs must stay bit-for-bit the same.
PINNED_DIGESTS = {
    "taiwan_strait_baseline": "174f99259746add0c80ba28df21cd27a40e716132ac49401519bb35e2c5e5e32",
    "high_gray_zone": "8ce59491454becb2785a534a8b53b21338eefdab7f323d5abe813032f9f027dc",
}


def _digest(model: DeterrenceModel) -> str:
    digest = hashlib.sha256()
    for name, values in sorted(model.outcomes().items()):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(values).tobytes())
    digest.update(model.rung_by_day.tobytes())
    return digest.hexdigest()


@pytest.mark.parametrize("name", sorted(PINNED_DIGESTS))
@pytest.mark.parametrize("pictures_for", [(), ("usa", "jpn")])
def test_mass_run_outcomes_are_unchanged_by_seat_pictures(name: str, pictures_for: tuple[str, ...]) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    model = DeterrenceModel(scenario, run_keys_from_seed(11, 300), pictures_for=pictures_for)
    model.run_to_end()
    assert _digest(model) == PINNED_DIGESTS[name]


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
