"""Every policy passes the conformance checks of :mod:`wargame.testing`, one pytest case per check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from scenario_builders import REFERENCE_SCENARIO

from wargame.policies import ExpectedUtilityPolicy, PolicyDraws, RuleBasedPolicy, ScriptedPolicy
from wargame.scenario import Scenario, load_scenario
from wargame.testing import (
    PolicySubject,
    check_policy_conformance,
    parametrize_with_checks,
    slice_draws,
    slice_observation,
)

SCENARIO = load_scenario(REFERENCE_SCENARIO)


@dataclass(frozen=True)
class Case:
    policy_class: type
    actor_id: str
    params: Callable[[Scenario], dict[str, Any]]
    min_distinct_actions: int = 1


CASES = {
    "expected_utility-prc": Case(
        ExpectedUtilityPolicy,
        "prc",
        lambda s: {
            "scenario": s,
            "decision_temperature": 0.5,
            "review_days": 7.0,
        },
        min_distinct_actions=3,
    ),
    "expected_utility-prc-defaults": Case(ExpectedUtilityPolicy, "prc", lambda s: {"scenario": s}, 2),
    **{
        f"rule_based-{actor.id}": Case(
            RuleBasedPolicy, actor.id, lambda s, a=actor.id: {"scenario": s, "actor_id": a}
        )
        for actor in SCENARIO.allied_actors
    },
    "scripted-usa": Case(
        ScriptedPolicy,
        "usa",
        lambda s: {
            "actions_by_day": {14: "offramp", 30: "signal", 31: "sanction", 60: "signal"},
            "decision_interval_days": 7,
        },
        min_distinct_actions=2,
    ),
    "scripted-prc": Case(
        ScriptedPolicy,
        "prc",
        lambda s: {
            "actions_by_day": {7: "gray_zone_intensification", 21: "coercive_signalling", 40: "status_quo"},
            "decision_interval_days": 7,
        },
        min_distinct_actions=3,
    ),
}


SUBJECTS = {
    name: PolicySubject(case.policy_class, case.params(SCENARIO), SCENARIO, case.actor_id, name=name)
    for name, case in CASES.items()
}


@parametrize_with_checks(SUBJECTS.values())
def test_policy_conformance(subject, check):
    check(subject)


@pytest.mark.parametrize("name", CASES)
def test_the_checks_saw_every_decision_and_real_actions(name):
    case, report = CASES[name], SUBJECTS[name].report()
    # One decision per decision day, and for the adversary a go/no-go on the days a mobilization completes.
    assert report.decisions >= SCENARIO.horizon_days // SCENARIO.decision_interval_days
    assert report.actions_taken > 0
    assert len(report.distinct_actions) >= case.min_distinct_actions


# ---------------------------------------------------------------- the checker catches bad policies


class CouplesRuns:
    """Takes an action in every run when the first run saw an even number of attributed incidents: not per
    run (a sub-ensemble without that run decides otherwise)."""

    def __init__(self, scenario: Scenario, actor_id: str) -> None:
        self.scenario = scenario
        self.actor_id = actor_id

    def decide(self, observation, draws: PolicyDraws) -> np.ndarray:
        choice = np.full(observation.runs, -1, dtype=np.int64)
        if observation.attributed_incidents[0] % 2 == 0:
            choice[observation.allowed[:, 0]] = 0
        return choice


class Counts:
    """Keeps a counter: state beyond its parameters."""

    def __init__(self, scenario: Scenario, actor_id: str) -> None:
        self.scenario = scenario
        self.actor_id = actor_id

    def decide(self, observation, draws: PolicyDraws) -> np.ndarray:
        self.calls = getattr(self, "calls", 0) + 1
        return np.full(observation.runs, -1, dtype=np.int64)


class IgnoresAllowed:
    """Always takes the first menu entry, allowed or not."""

    def __init__(self, scenario: Scenario, actor_id: str) -> None:
        self.scenario = scenario
        self.actor_id = actor_id

    def decide(self, observation, draws: PolicyDraws) -> np.ndarray:
        return np.zeros(observation.runs, dtype=np.int64)


class DrawsFromItsOwnGenerator:
    """Randomises with a private generator instead of the run-keyed draws."""

    def __init__(self, scenario: Scenario, actor_id: str) -> None:
        self.scenario = scenario
        self.actor_id = actor_id

    def decide(self, observation, draws: PolicyDraws) -> np.ndarray:
        coin = np.random.default_rng().random(observation.runs) < 0.5
        return np.where(coin & observation.allowed[:, 0], 0, -1).astype(np.int64)


@pytest.mark.parametrize(
    ("policy_class", "message"),
    [
        (CouplesRuns, "as a sub-ensemble"),
        (Counts, r"vars\(policy\) has"),
        (IgnoresAllowed, "not allowed"),
        (DrawsFromItsOwnGenerator, "not deterministic"),
    ],
)
def test_the_checker_rejects_non_conforming_policies(policy_class, message):
    with pytest.raises(AssertionError, match=message):
        check_policy_conformance(
            policy_class, {"scenario": SCENARIO, "actor_id": "usa"}, SCENARIO, "usa", runs=24
        )


def test_slicing_keeps_each_runs_rows_and_draws():
    from wargame.model import DeterrenceModel, run_keys_from_seed

    model = DeterrenceModel(SCENARIO, run_keys_from_seed(3, 10))
    for _ in range(8):
        model.step()
    observation = model.observe("prc")
    draws = PolicyDraws(model.random_streams, 3, model.day)
    runs = np.array([7, 2, 2, 9])
    sliced = slice_observation(observation, runs)
    assert sliced.runs == 4
    assert (
        sliced.quantities["actors.twn.resolve"] == observation.quantities["actors.twn.resolve"][runs]
    ).all()
    assert (sliced.allowed == observation.allowed[runs]).all()
    assert (slice_draws(draws, runs).uniform(5) == draws.uniform(5)[runs]).all()
    assert (slice_draws(draws, runs).persistent_normal(2) == draws.persistent_normal(2)[runs]).all()
