"""The adversary's calculus: perceived allied deterrent, own strength, and the utility of each rung.

Equations (see ``docs/model.md``)::

    strength(a)  = readiness_a * mean_domain(capability_a)
    D            = sum over allied a of  credibility_a * strength(a) * resolve_a
                   (credibility of the defender is 1; of any other ally, its commitment to the defender)
    A            = strength(adversary)
    EU(rung)     = resolve_adv * gain_rung - cost_rung - (1 - risk_tolerance_adv) * risk_rung * D / A
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from wargame.scenario import DOMAINS, Scenario

__all__ = ["adversary_strength", "allied_deterrent_terms", "rung_utilities"]


def _strength(quantities: Mapping[str, np.ndarray], actor_id: str) -> np.ndarray:
    capability = sum(quantities[f"actors.{actor_id}.capability.{domain}"] for domain in DOMAINS) / len(
        DOMAINS
    )
    return quantities[f"actors.{actor_id}.readiness"] * capability


def allied_deterrent_terms(scenario: Scenario, quantities: Mapping[str, np.ndarray]) -> np.ndarray:
    """Return each allied actor's contribution to the deterrent, shape ``(allies, runs)``."""
    terms = []
    for actor in scenario.allied_actors:
        if actor.id == scenario.defender:
            credibility = 1.0
        else:
            key = f"commitments.{actor.id}-{scenario.defender}.credibility"
            credibility = quantities.get(key, 0.0)
        terms.append(credibility * _strength(quantities, actor.id) * quantities[f"actors.{actor.id}.resolve"])
    return np.array(terms, dtype=np.float64).reshape(len(terms), -1)


def adversary_strength(scenario: Scenario, quantities: Mapping[str, np.ndarray]) -> np.ndarray:
    """Return the adversary's strength (readiness times mean capability) per run."""
    return _strength(quantities, scenario.adversary)


def rung_utilities(
    scenario: Scenario, perceived_deterrent: np.ndarray, quantities: Mapping[str, np.ndarray]
) -> np.ndarray:
    """Return the expected utility of every rung per run, shape ``(runs, rungs)``.

    Args:
        scenario: Provides the rungs and the adversary's risk tolerance.
        perceived_deterrent: ``D`` as the adversary perceives it, per run.
        quantities: True state values (the adversary knows its own strength and resolve).
    """
    adversary = scenario.actor(scenario.adversary)
    gains = np.array([rung.gain for rung in scenario.escalation.rungs])
    costs = np.array([rung.cost for rung in scenario.escalation.rungs])
    risks = np.array([rung.risk for rung in scenario.escalation.rungs])
    strength = np.maximum(adversary_strength(scenario, quantities), 1e-9)
    resolve = quantities[f"actors.{adversary.id}.resolve"]
    risk_weight = (1.0 - adversary.risk_tolerance) * perceived_deterrent / strength
    return resolve[:, None] * gains[None, :] - costs[None, :] - risk_weight[:, None] * risks[None, :]
