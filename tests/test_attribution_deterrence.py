"""Timely attribution deters deniable activities (Baliga, Bueno de Mesquita & Wolitzky 2020), and an actor's
hours to attribute are a quantity that programs move.

Expected values are computed by hand from the equations of docs/model.md ("Detection and attribution",
"Attribution deters"), on pictures simple enough to do so: the defender's own ISR only, deliveries that take
exactly their mean time.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scenario_builders import build, minimal_scenario

from wargame.core.random_streams import EnsembleRandom
from wargame.model import DeterrenceModel, run_keys_from_seed
from wargame.model.gray_zone import GrayZoneMechanics
from wargame.model.state import EnsembleState
from wargame.scenario import apply_overrides, load_scenario, quantity_paths

REFERENCE = Path(__file__).resolve().parent.parent / "scenarios" / "taiwan_strait_baseline.yaml"
RUNS, DAYS = 2000, 100


def own_picture_document(deterrence: float, attribution_hours: float = 10.0) -> dict:
    """One deniable activity seen by the defender's own ISR alone (detection 0.5, attribution in time)."""
    document = minimal_scenario(links=[])
    document["actors"][0].update(isr_detection_probability=0.5, attribution_time_hours=attribution_hours)
    document["gray_zone"]["activities"] = [
        {
            "id": "sabotage",
            "name": "Sabotage",
            "domain": "cyber",
            "base_rate_per_day": 4.0,
            "detectability": 1.0,
            "attribution_deterrence": deterrence,
        }
    ]
    return document


def mean_daily_incidents(mechanics: GrayZoneMechanics, runs: int = RUNS, days: int = DAYS) -> float:
    random = EnsembleRandom(np.arange(runs, dtype=np.uint64))
    block = mechanics.draw_block(random, 1, days, np.zeros(runs, dtype=np.int64))
    return float(block.counts[:, 0].mean())


@pytest.mark.parametrize("deterrence", [0.0, 0.5, 2.0])
def test_better_attribution_lowers_a_deniable_rate_by_exp_of_minus_epsilon_times_the_change(deterrence):
    scenario = build(own_picture_document(deterrence))
    state = EnsembleState(scenario, RUNS)
    mechanics = GrayZoneMechanics(scenario, state)
    # At the start a half of the incidents is attributed in time (detected with 0.5, analysed in 10 h <
    # the 24 h deadline); the defender's ISR then improves to 0.9: P_att moves from 0.5 to 0.9.
    state.row("actors.blue.isr_detection_probability")[:] = 0.9
    expected = 4.0 * math.exp(-deterrence * (0.9 - 0.5))
    # Poisson counts over 200,000 run-days: the mean's sd is under 0.005.
    assert mean_daily_incidents(mechanics) == pytest.approx(expected, abs=0.02)


def test_worse_attribution_emboldens_a_deniable_activity():
    scenario = build(own_picture_document(1.0))
    state = EnsembleState(scenario, RUNS)
    mechanics = GrayZoneMechanics(scenario, state)
    # Analysis slows past the deadline: nothing is attributed in time any more (P_att 0.5 -> 0).
    state.row("actors.blue.attribution_time_hours")[:] = 30.0
    assert mean_daily_incidents(mechanics) == pytest.approx(4.0 * math.exp(0.5), abs=0.03)


def test_the_rate_stands_for_the_start_so_an_unchanged_picture_keeps_it():
    for deterrence in (0.0, 1.5):
        mechanics = GrayZoneMechanics(*_built(own_picture_document(deterrence)))
        assert mean_daily_incidents(mechanics) == pytest.approx(4.0, abs=0.02)


def test_the_rate_holds_at_the_reference_share_and_a_better_start_lowers_it():
    document = own_picture_document(1.0)
    document["gray_zone"]["activities"][0]["attribution_reference"] = 0.3
    mechanics = GrayZoneMechanics(*_built(document))
    # The run starts with P_att 0.5, above the 0.3 under which the rate of 4 a day holds.
    assert mean_daily_incidents(mechanics) == pytest.approx(4.0 * math.exp(-0.2), abs=0.02)


def _built(document: dict) -> tuple:
    scenario = build(document)
    return scenario, EnsembleState(scenario, RUNS)


def test_attribution_hours_are_a_quantity_of_the_state_that_the_picture_reads():
    scenario = build(own_picture_document(0.0, attribution_hours=30.0))
    assert "actors.blue.attribution_time_hours" in quantity_paths(scenario)
    state = EnsembleState(scenario, 1)
    mechanics = GrayZoneMechanics(scenario, state)
    _, timely, delay = mechanics.attribution_profile()
    assert timely[0, 0] == 0.0 and delay[0, 0] == 30.0  # 30 h > the 24 h deadline
    state.row("actors.blue.attribution_time_hours")[:] = 20.0
    _, timely, delay = mechanics.attribution_profile()
    assert timely[0, 0] == 1.0 and delay[0, 0] == 20.0


def test_a_program_speeds_attribution_as_the_program_equation_says():
    document = own_picture_document(0.0, attribution_hours=30.0)
    document["horizon_days"] = 365
    document["programs"] = [
        {
            "id": "analysis",
            "objective": "intelligence_sharing",
            "partners": ["green", "blue"],
            "intensity_per_year": 36.5,
            "effects": [
                {"quantity": "actors.blue.attribution_time_hours", "target": 10.0, "gain_per_exchange": 0.02}
            ],
        }
    ]
    model = DeterrenceModel(build(document), run_keys_from_seed(0, 20))
    model.run_to_end()
    # r = 36.5 / 365 * 0.02 = 0.002 a day: q_t = 10 + 20 (1 - r)**t, below the 24 h deadline after 178 days.
    hours = model.state.row("actors.blue.attribution_time_hours")
    assert hours == pytest.approx(10.0 + 20.0 * 0.998**365, rel=0.01)
    outcomes = model.outcomes()
    share = outcomes["attributed_timely_total"] / outcomes["detected_total"]
    # Attributed in time only once the hours are under the deadline: roughly the last half of the year.
    assert (share > 0.3).all() and (share < 0.7).all()


@pytest.mark.slow  # two 300-run ensembles of the reference scenario
def test_the_intelligence_sharing_program_deters_disinformation_in_the_reference_scenario():
    scenario = load_scenario(REFERENCE)
    keys = run_keys_from_seed(5, 300)
    outcomes = {}
    for level in (0.0, 3.0):
        changed = apply_overrides(
            scenario, {"programs.intelligence_sharing.intensity_per_year": 34.0 * level}
        )
        model = DeterrenceModel(changed, keys)
        model.run_to_end()
        outcomes[level] = model.outcomes()
    # Common random numbers: the same runs, more timely attribution, fewer deniable incidents.
    assert outcomes[3.0]["attribution_rate"].mean() > outcomes[0.0]["attribution_rate"].mean() + 0.02
    assert (
        outcomes[3.0]["incidents_disinformation"].sum()
        < 0.99 * outcomes[0.0]["incidents_disinformation"].sum()
    )
