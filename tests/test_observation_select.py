"""A policy shown only some runs decides them as it would in the whole ensemble (the model asks only the runs
that decide, e.g. those whose mobilization completes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wargame.core.policy import PolicyDraws
from wargame.model import DeterrenceModel, run_keys_from_seed
from wargame.scenario import load_scenario

REFERENCE = Path(__file__).resolve().parent.parent / "scenarios" / "taiwan_strait_baseline.yaml"


@pytest.fixture(scope="module")
def model() -> DeterrenceModel:
    model = DeterrenceModel(load_scenario(REFERENCE), run_keys_from_seed(5, 300))
    for _ in range(70):  # into the crisis: rungs and responses differ between runs
        model.step()
    return model


@pytest.mark.parametrize("actor_id", ["prc", "twn", "usa"])
def test_a_policy_decides_the_selected_runs_as_in_the_whole_ensemble(model, actor_id) -> None:
    agent = next(a for a in model.agents if a.actor.id == actor_id)
    observation = model.observe(actor_id)
    draws = PolicyDraws(model.random_streams, agent.actor_index, model.day)
    whole = agent.policy.decide(observation, draws)
    index = np.arange(1, 300, 7)[::-1]  # a subset, out of order
    part = agent.policy.decide(observation.select(index), draws.select(index))
    np.testing.assert_array_equal(part, whole[index])
    assert len(set(whole.tolist())) > 1  # the check is not vacuous: runs decide differently


def test_selected_quantities_are_a_copy_of_those_runs(model) -> None:
    observation = model.observe("twn")
    index = np.array([4, 2])
    picked = observation.select(index)
    path = "actors.twn.readiness"
    np.testing.assert_array_equal(picked.quantities[path], observation.quantities[path][index])
    assert picked.runs == 2
    with pytest.raises(KeyError):
        picked.quantities["actors.prc.readiness"]  # what the ally's view hides stays hidden
