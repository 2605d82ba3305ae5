"""The allies' default policy: the first response on the menu whose rule holds."""

from __future__ import annotations

import numpy as np

from wargame.policies.base import NO_ACTION, Observation, PolicyDraws
from wargame.scenario import Scenario

__all__ = ["RuleBasedPolicy"]


class RuleBasedPolicy:
    """Takes, in each run, the first allowed response whose ``when`` rule holds.

    A rule holds when all its conditions do: the adversary's rung is at least ``rung_at_least``; at least
    ``attributed_incidents_at_least`` incidents were attributed in time since the last decision; and, with
    ``on_mobilization_warning``, the side has warning of a mobilization. Responses without a rule are left
    to people and scripts.

    Args:
        scenario: The scenario (for rung positions).
        actor_id: The actor this policy plays.
    """

    def __init__(self, scenario: Scenario, actor_id: str) -> None:
        self.scenario = scenario
        self.actor_id = actor_id

    def decide(self, observation: Observation, draws: PolicyDraws) -> np.ndarray:
        actor = self.scenario.actor(self.actor_id)
        choice = np.full(observation.runs, NO_ACTION, dtype=np.int64)
        undecided = np.ones(observation.runs, dtype=bool)
        for index, response in enumerate(actor.responses):
            rule = response.when
            if rule is None:
                continue
            holds = observation.allowed[:, index] & undecided
            if rule.rung_at_least is not None:
                holds &= observation.rung_index >= self.scenario.escalation.index_of(rule.rung_at_least)
            if rule.attributed_incidents_at_least is not None:
                holds &= observation.attributed_incidents >= rule.attributed_incidents_at_least
            if rule.on_mobilization_warning:
                holds &= observation.mobilization_warned
            choice[holds] = index
            undecided &= ~holds
        return choice
