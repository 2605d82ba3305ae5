"""``wargame.run(scenario, policies={actor_id: policy})``: the policies play their actors in every run,
in this process or, pickled, in worker processes."""

from __future__ import annotations

import pandas as pd
import pytest
from scenario_builders import REFERENCE_SCENARIO

import wargame
from wargame.errors import InputError
from wargame.policies import ScriptedPolicy

RUNS = 20
CLIMB = {7: "gray_zone_intensification", 14: "coercive_signalling", 21: "quarantine", 28: "blockade"}


@pytest.fixture(scope="module")
def scenario():
    return wargame.load_scenario(REFERENCE_SCENARIO)


@pytest.mark.slow  # three ensembles, one of them on two worker processes
def test_a_given_policy_plays_its_actor_the_same_in_worker_processes(scenario) -> None:
    climbing = {"prc": ScriptedPolicy(CLIMB, scenario.decision_interval_days)}
    default = wargame.run(scenario, runs=RUNS, seed=3)
    here = wargame.run(scenario, runs=RUNS, seed=3, policies=climbing)
    in_workers = wargame.run(scenario, runs=RUNS, seed=3, jobs=2, policies=climbing)
    pd.testing.assert_frame_equal(in_workers, here, check_exact=True)
    blockade = [rung.id for rung in scenario.escalation.rungs].index("blockade")
    assert (here["max_rung"] >= blockade).all()
    assert not (default["max_rung"] >= blockade).all()


def test_policies_that_cannot_reach_workers_are_refused_before_running(scenario) -> None:
    class Unpicklable(ScriptedPolicy):
        pass  # defined in a function: pickle cannot find it by name

    policies = {"prc": Unpicklable(CLIMB, scenario.decision_interval_days)}
    with pytest.raises(InputError, match="policies must pickle when jobs > 1"):
        wargame.run(scenario, runs=RUNS, jobs=2, policies=policies)


def test_a_policy_for_an_unknown_actor_is_refused(scenario) -> None:
    with pytest.raises(InputError, match="no actor 'xyz'"):
        wargame.run(scenario, runs=RUNS, policies={"xyz": ScriptedPolicy({}, 7)})
