"""The human seat goes through the policy interface and passes the per-decision policy checks.

The engine's policies pass every check of ``wargame.testing``; the seat people play keeps a queue of
decisions (state beyond its parameters), so it passes these: one menu index per run, only allowed
actions (``wargame.testing.check_policy_choice``), each run decided from its own entries, and a model
played through the seat equals the model played by the policy it imitates.
"""

from __future__ import annotations

import numpy as np
import pytest
from session_helpers import REFERENCE

from wargame.model import DeterrenceModel, run_keys_from_seed
from wargame.policies import NO_ACTION, Policy, PolicyDraws, RuleBasedPolicy
from wargame.scenario import load_scenario
from wargame.session import HumanSeatPolicy
from wargame.session._seat import RecordingPolicy
from wargame.testing import check_policy_choice

SEAT = "usa"


def _observation_at_decision(runs: int, day: int = 35, only_run: int | None = None):
    """A real observation of ``SEAT`` at a decision day (of one run of the batch with ``only_run``)."""
    scenario = load_scenario(REFERENCE)
    keys = run_keys_from_seed(4, runs)
    if only_run is not None:
        keys = keys[only_run : only_run + 1]
    model = DeterrenceModel(scenario, keys)
    while model.day < day:
        model.step()
    assert model.begin_day()
    actor_index = [a.id for a in scenario.actors].index(SEAT)
    return model, model.observe(SEAT), PolicyDraws(model.random_streams, actor_index, model.day)


def check_policy_output(policy: Policy, observation, draws) -> np.ndarray:
    """The per-decision conformance check every policy passes; return the choice."""
    choice = policy.decide(observation, draws)
    check_policy_choice(observation, choice)
    return choice


@pytest.mark.parametrize("index", [NO_ACTION, 0, 1, 4])
def test_human_seat_returns_one_allowed_index_per_run(index: int) -> None:
    _, observation, draws = _observation_at_decision(runs=64)
    policy = HumanSeatPolicy(SEAT)
    assert isinstance(policy, Policy)
    policy.queue(index)
    choice = check_policy_output(policy, observation, draws)
    if index == NO_ACTION:
        assert (choice == NO_ACTION).all()
    else:
        np.testing.assert_array_equal(choice == index, observation.allowed[:, index])
    assert not policy.has_queued  # one queued decision serves one decision point


def test_human_seat_decides_each_run_from_its_own_entries() -> None:
    _, observation, draws = _observation_at_decision(runs=64)
    allowed_runs = observation.allowed.sum(axis=0)
    mixed = [i for i, count in enumerate(allowed_runs) if 0 < count < observation.runs]
    assert mixed, "the fixture needs an action allowed in some runs and cooling down in others"
    index = mixed[0]
    whole = HumanSeatPolicy(SEAT)
    whole.queue(index)
    together = whole.decide(observation, draws)
    for run in range(0, 64, 9):
        _, alone_observation, alone_draws = _observation_at_decision(runs=64, only_run=run)
        single = HumanSeatPolicy(SEAT)
        single.queue(index)
        assert single.decide(alone_observation, alone_draws)[0] == together[run]


def test_nothing_queued_is_an_error_unless_a_fallback_decides() -> None:
    _, observation, draws = _observation_at_decision(runs=8)
    with pytest.raises(RuntimeError, match="no decision queued"):
        HumanSeatPolicy(SEAT).decide(observation, draws)
    scenario = load_scenario(REFERENCE)
    fallback = RuleBasedPolicy(scenario, SEAT)
    np.testing.assert_array_equal(
        HumanSeatPolicy(SEAT, fallback=fallback).decide(observation, draws),
        fallback.decide(observation, draws),
    )
    with pytest.raises(ValueError, match="menu index"):
        HumanSeatPolicy(SEAT).queue(-2)


def test_a_model_played_through_the_human_seat_equals_the_policy_it_imitates() -> None:
    """Queue, at each decision, what the rule-based policy chose: the run is identical to the policy's."""
    scenario = load_scenario(REFERENCE)
    keys = run_keys_from_seed(9, 1)
    recording = RecordingPolicy(RuleBasedPolicy(scenario, SEAT))
    by_policy = DeterrenceModel(scenario, keys, policies={SEAT: recording})
    choices = []
    while not by_policy.finished:
        if by_policy.begin_day():
            for agent in by_policy.deciding_agents():
                agent.decide()
                if agent.actor.id == SEAT:
                    choices.append(int(recording.last_choice[0]))
            by_policy.close_decisions()
        by_policy.end_day()
    assert any(choice != NO_ACTION for choice in choices)

    seat = HumanSeatPolicy(SEAT)
    by_person = DeterrenceModel(scenario, keys, policies={SEAT: seat})
    queued = iter(choices)
    while not by_person.finished:
        if by_person.begin_day():
            seat.queue(next(queued))
            for agent in by_person.deciding_agents():
                agent.decide()
            by_person.close_decisions()
        by_person.end_day()
    for name, values in by_policy.outcomes().items():
        np.testing.assert_array_equal(by_person.outcomes()[name], values, err_msg=name)
