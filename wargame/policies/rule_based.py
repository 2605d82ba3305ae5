"""The allies' default policy: the first response on the menu whose rule holds."""

from __future__ import annotations

import numpy as np

from wargame.policies.base import NO_ACTION, Observation, PolicyDraws
from wargame.scenario import Scenario

__all__ = ["RuleBasedPolicy"]

_RuleTable = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""(has a rule, rung floor, attributed floor, needs a mobilization warning), one entry per response."""

# Rule tables by (id(scenario), actor id), with the scenario kept to check identity. Policies store only their
# parameters, so the table a decision needs is kept here rather than on the policy.
_RULE_TABLES: dict[tuple[int, str], tuple[Scenario, _RuleTable]] = {}
_RULE_TABLES_KEPT = 64


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
        """The rules as columns over the menu, built once per (scenario, actor)."""
        key = (id(self.scenario), self.actor_id)
        cached = _RULE_TABLES.get(key)
        if cached is not None and cached[0] is self.scenario:
            return cached[1]
        rules = [response.when for response in self.scenario.actor(self.actor_id).responses]
        index_of = self.scenario.escalation.index_of
        rung_floors = [0 if r is None or not r.rung_at_least else index_of(r.rung_at_least) for r in rules]
        table = (
            np.array([rule is not None for rule in rules], dtype=bool),
            np.array(rung_floors),
            np.array([0 if r is None else r.attributed_incidents_at_least or 0 for r in rules]),
            np.array([r is not None and r.on_mobilization_warning for r in rules], dtype=bool),
        )
        if len(_RULE_TABLES) >= _RULE_TABLES_KEPT:
            _RULE_TABLES.clear()
        _RULE_TABLES[key] = (self.scenario, table)
        return table

    def decide(self, observation: Observation, draws: PolicyDraws) -> np.ndarray:
        has_rule, rung_floor, attributed_floor, needs_warning = self._rules()
        if not has_rule.any():
            return np.full(observation.runs, NO_ACTION, dtype=np.int64)
        holds = observation.allowed & has_rule
        holds &= observation.rung_index[:, None] >= rung_floor
        holds &= observation.attributed_incidents[:, None] >= attributed_floor
        holds &= observation.mobilization_warned[:, None] | ~needs_warning
        # The first response whose rule holds, or none.
        return np.where(holds.any(axis=1), holds.argmax(axis=1), NO_ACTION).astype(np.int64)
