"""The allies' default policy: the first response on the menu whose rule holds."""

from __future__ import annotations

import numpy as np

from wargame.core.policy import NO_ACTION, Observation, PolicyDraws
from wargame.scenario import Scenario
from wargame.scenario.derived import derived_table

__all__ = ["RuleBasedPolicy"]

_RuleTable = tuple[bool, np.ndarray, np.ndarray, np.ndarray]
"""(any rule, rung floor, attributed floor, holds without a mobilization warning) over the menu."""

_NEVER = np.iinfo(np.int64).max


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

    def _rules(self) -> _RuleTable:
        """The rules as columns over the menu (built once per scenario object and actor)."""
        return derived_table(self.scenario, ("rules", self.actor_id), self._build_rules)

    def _build_rules(self, scenario: Scenario) -> _RuleTable:
        rules = [response.when for response in scenario.actor(self.actor_id).responses]
        index_of = scenario.escalation.index_of
        # A response without a rule gets a rung floor no rung reaches, so it never holds.
        rung_floors = [
            _NEVER if r is None else index_of(r.rung_at_least) if r.rung_at_least else 0 for r in rules
        ]
        return (
            any(rule is not None for rule in rules),
            np.array(rung_floors, dtype=np.int64),
            np.array([0 if r is None else r.attributed_incidents_at_least or 0 for r in rules]),
            np.array([r is None or not r.on_mobilization_warning for r in rules], dtype=bool),
        )

    def decide(self, observation: Observation, draws: PolicyDraws) -> np.ndarray:
        any_rule, rung_floor, attributed_floor, warning_optional = self._rules()
        if not any_rule:
            return np.full(observation.runs, NO_ACTION, dtype=np.int64)
        holds = observation.rung_index[:, None] >= rung_floor
        holds &= observation.attributed_incidents[:, None] >= attributed_floor
        holds &= observation.mobilization_warned[:, None] | warning_optional
        holds &= observation.allowed
        # The first response whose rule holds, or none.
        choice = holds.argmax(axis=1).astype(np.int64, copy=False)
        choice[~np.logical_or.reduce(holds, axis=1)] = NO_ACTION
        return choice
