"""Scenario files written before uncertain inputs, beliefs and the campaign keep validating and running.

``tests/legacy_scenarios`` holds the shipped scenarios as users had them (single numbers everywhere, one
defended ally): the model's new fields all have defaults that such files need not name.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wargame.model import DeterrenceModel, run_keys_from_seed
from wargame.scenario import load_scenario

LEGACY = sorted((Path(__file__).resolve().parent / "legacy_scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", LEGACY, ids=[path.stem for path in LEGACY])
def test_a_legacy_scenario_file_validates_and_runs(path):
    scenario = load_scenario(path)
    assert scenario.uncertain_inputs == ()
    model = DeterrenceModel(scenario, run_keys_from_seed(0, 50))
    model.run_to_end()
    outcomes = model.outcomes()
    assert outcomes["war"].shape == (50,)
    assert np.all(outcomes["incidents_total"] > 0)
