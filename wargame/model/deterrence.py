"""The adversary's calculus: perceived allied deterrent, own strength, and the utility of each rung.

Equations (see ``docs/model.md``)::

    strength(a)  = readiness_a * mean_domain(capability_a)
    D            = sum over allied a of  credibility_a * strength(a) * resolve_a
                   (credibility of the defender is 1; of any other ally, its commitment to the defender)
    A            = strength(adversary)
    EU(rung)     = resolve_adv * gain_rung - cost_rung - (1 - risk_tolerance_adv) * risk_rung * D / A

The plain-array functions (:func:`strength`, :func:`deterrent_term`, :func:`ladder_utilities`) hold the
arithmetic; the scenario-level functions read a scenario and its quantities and call them, so a model that
has no scenario (the teaching escalation ladder) computes the very same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from wargame.scenario import DOMAINS, Scenario

__all__ = [
    "adversary_strength",
    "allied_deterrent_terms",
    "deterrent_term",
    "ladder_utilities",
    "rung_utilities",
    "strength",
]


def strength(readiness: ArrayLike, mean_capability: ArrayLike) -> np.ndarray:
    """Return an actor's strength: readiness times its capability averaged over the domains."""
    return np.asarray(readiness) * mean_capability


def deterrent_term(credibility: ArrayLike, actor_strength: ArrayLike, resolve: ArrayLike) -> np.ndarray:
    """Return one allied actor's contribution to the deterrent: credibility * strength * resolve."""
    return np.asarray(credibility) * actor_strength * resolve


def ladder_utilities(
    gains: ArrayLike,
    costs: ArrayLike,
    risks: ArrayLike,
    *,
    adversary_resolve: ArrayLike,
    risk_tolerance: float,
    perceived_deterrent: ArrayLike,
    adversary_strength: ArrayLike,
) -> np.ndarray:
    """Return the expected utility of every rung per run, shape ``(runs, rungs)``.

    Args:
        gains: Each rung's gain, shape ``(rungs,)``.
        costs: Each rung's cost, shape ``(rungs,)``.
        risks: Each rung's risk, shape ``(rungs,)``.
        adversary_resolve: The adversary's resolve per run, shape ``(runs,)``.
        risk_tolerance: The adversary's risk tolerance.
        perceived_deterrent: ``D`` as the adversary perceives it, per run.
        adversary_strength: ``A`` per run (floored at 1e-9).
    """
    gains, costs, risks = (np.asarray(values, dtype=np.float64) for values in (gains, costs, risks))
    resolve = np.atleast_1d(np.asarray(adversary_resolve, dtype=np.float64))
    floored = np.maximum(np.atleast_1d(np.asarray(adversary_strength, dtype=np.float64)), 1e-9)
    risk_weight = (1.0 - risk_tolerance) * np.atleast_1d(perceived_deterrent) / floored
    return resolve[:, None] * gains[None, :] - costs[None, :] - risk_weight[:, None] * risks[None, :]


def _strengths(quantities: Mapping[str, np.ndarray], actor_ids: list[str]) -> np.ndarray:
    """Return the strength of each actor, shape ``(actors, runs)``."""
    capability = np.array(
        [quantities[f"actors.{actor_id}.capability.{domain}"] for actor_id in actor_ids for domain in DOMAINS]
    ).reshape(len(actor_ids), len(DOMAINS), -1)
    readiness = np.array([quantities[f"actors.{actor_id}.readiness"] for actor_id in actor_ids])
    return strength(readiness.reshape(len(actor_ids), -1), capability.sum(axis=1) / len(DOMAINS))


def allied_deterrent_terms(scenario: Scenario, quantities: Mapping[str, np.ndarray]) -> np.ndarray:
    """Return each allied actor's contribution to the deterrent, shape ``(allies, runs)``."""
    allies = [actor.id for actor in scenario.allied_actors]  # never empty: the defender is allied
    strengths = _strengths(quantities, allies)
    credibility = np.ones_like(strengths)
    for position, actor_id in enumerate(allies):
        if actor_id != scenario.defender:
            credibility[position] = quantities.get(
                f"commitments.{actor_id}-{scenario.defender}.credibility", 0.0
            )
    resolve = np.array([quantities[f"actors.{actor_id}.resolve"] for actor_id in allies])
    return deterrent_term(credibility, strengths, resolve.reshape(strengths.shape))


def adversary_strength(scenario: Scenario, quantities: Mapping[str, np.ndarray]) -> np.ndarray:
    """Return the adversary's strength (readiness times mean capability) per run."""
    return _strengths(quantities, [scenario.adversary])[0]


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
    rungs = scenario.escalation.rungs
    return ladder_utilities(
        [rung.gain for rung in rungs],
        [rung.cost for rung in rungs],
        [rung.risk for rung in rungs],
        adversary_resolve=quantities[f"actors.{adversary.id}.resolve"],
        risk_tolerance=adversary.risk_tolerance,
        perceived_deterrent=perceived_deterrent,
        adversary_strength=adversary_strength(scenario, quantities),
    )
