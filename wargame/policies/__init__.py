"""Policies: who decides for each actor. One interface (:class:`Policy`), several implementations."""

from __future__ import annotations

from pathlib import Path

from wargame.core.policy import NO_ACTION, Observation, Policy, PolicyDraws
from wargame.errors import InputError
from wargame.policies.expected_utility import ExpectedUtilityPolicy
from wargame.policies.rule_based import RuleBasedPolicy
from wargame.policies.scripted import ScriptedPolicy, load_script
from wargame.scenario import Scenario

__all__ = [
    "NO_ACTION",
    "ExpectedUtilityPolicy",
    "Observation",
    "Policy",
    "PolicyDraws",
    "RuleBasedPolicy",
    "ScriptedPolicy",
    "default_policy",
    "menu_of",
]


def menu_of(scenario: Scenario, actor_id: str) -> tuple[str, ...]:
    """Return the action ids on offer to an actor: rung ids for the adversary, response ids otherwise."""
    if actor_id == scenario.adversary:
        return tuple(rung.id for rung in scenario.escalation.rungs)
    return tuple(response.id for response in scenario.actor(actor_id).responses)


def default_policy(scenario: Scenario, actor_id: str, scenario_dir: Path | None = None) -> Policy:
    """Build the policy an actor's ``policy:`` field asks for, or its side's default.

    Defaults: expected utility for the adversary, rule-based for everyone else. Script paths are relative
    to ``scenario_dir``.
    """
    actor = scenario.actor(actor_id)
    spec = actor.policy
    kind = spec.kind if spec else ("expected_utility" if actor_id == scenario.adversary else "rule_based")
    if kind == "expected_utility":
        if actor_id != scenario.adversary:
            raise InputError(f"the expected-utility policy plays the adversary, not {actor_id!r}")
        return ExpectedUtilityPolicy(scenario)  # its settings: the scenario's, per run where uncertain
    if kind == "rule_based":
        return RuleBasedPolicy(scenario, actor_id)
    script_path = Path(spec.script) if spec and spec.script else Path()
    if scenario_dir is not None and not script_path.is_absolute():
        script_path = scenario_dir / script_path
    actions = load_script(script_path)
    menu = menu_of(scenario, actor_id)
    for day, action in actions.items():
        if action not in menu:
            raise InputError(
                f"day {day}: {action!r} is not on {actor_id}'s menu ({', '.join(menu)})",
                source=str(script_path),
            )
    return ScriptedPolicy(actions, scenario.decision_interval_days)
