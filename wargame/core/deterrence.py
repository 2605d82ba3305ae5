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
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from wargame.scenario import DOMAINS, Scenario
from wargame.scenario.derived import derived_table

__all__ = [
    "Ladder",
    "adversary_strength",
    "allied_deterrent_terms",
    "deterrence_inputs",
    "deterrent_term",
    "ladder_of",
    "ladder_utilities",
    "rung_utilities",
    "strength",
]

_DOMAIN_COUNT = np.array(float(len(DOMAINS)))  # a 0-d array: numpy applies it faster than a Python float


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
    gains = np.asarray(gains, dtype=np.float64)
    costs = np.asarray(costs, dtype=np.float64)
    risks = np.asarray(risks, dtype=np.float64)
    resolve = np.asarray(adversary_resolve, dtype=np.float64).reshape(-1)
    floored = np.maximum(np.asarray(adversary_strength, dtype=np.float64).reshape(-1), 1e-9)
    risk_weight = (1.0 - risk_tolerance) * np.asarray(perceived_deterrent).reshape(-1) / floored
    utilities = np.multiply.outer(resolve, gains)
    utilities -= costs
    utilities -= np.multiply.outer(risk_weight, risks)
    return utilities


@dataclass(frozen=True)
class Ladder:
    """The escalation ladder as arrays over rungs, and the adversary's risk tolerance."""

    gains: np.ndarray
    costs: np.ndarray
    risks: np.ndarray
    risk_tolerance: float


@dataclass(frozen=True)
class _DeterrentPaths:
    """The quantity paths the deterrent reads, built once per scenario object."""

    allies: int
    # Per ally in turn, then for the adversary: capability by domain, readiness, resolve; then the
    # credibility of each commitment read (see `credibility_rows`).
    paths: tuple[str, ...]
    actor_rows: int  # how many of `paths` are actors' (the rest are credibilities)
    # Credibility per ally: read from path `credibility_rows[a]` where `read_credibility[a]`, else the
    # constant `fixed_credibility[a]` (1 for the defender, 0 for an ally with no commitment to it).
    credibility_rows: np.ndarray  # (allies,) positions in `paths`
    read_credibility: np.ndarray  # (allies, 1) bool
    fixed_credibility: np.ndarray  # (allies, 1)
    ladder: Ladder


def _deterrent_paths(scenario: Scenario) -> _DeterrentPaths:
    def actor_paths(actor_id: str) -> list[str]:
        capability = [f"actors.{actor_id}.capability.{domain}" for domain in DOMAINS]
        return [*capability, f"actors.{actor_id}.readiness", f"actors.{actor_id}.resolve"]

    allies = [actor.id for actor in scenario.allied_actors]  # never empty: the defender is allied
    rungs = scenario.escalation.rungs
    actor_rows = [path for actor_id in [*allies, scenario.adversary] for path in actor_paths(actor_id)]
    committed = {commitment.key for commitment in scenario.commitments}
    credible = [
        position
        for position, actor_id in enumerate(allies)
        if actor_id != scenario.defender and f"{actor_id}-{scenario.defender}" in committed
    ]
    credibility_rows = np.zeros(len(allies), dtype=np.intp)
    credibility_rows[credible] = len(actor_rows) + np.arange(len(credible))
    read_credibility = np.zeros((len(allies), 1), dtype=bool)
    read_credibility[credible] = True
    defender = np.array([actor_id == scenario.defender for actor_id in allies])
    return _DeterrentPaths(
        allies=len(allies),
        paths=(
            *actor_rows,
            *(f"commitments.{allies[position]}-{scenario.defender}.credibility" for position in credible),
        ),
        actor_rows=len(actor_rows),
        credibility_rows=credibility_rows,
        read_credibility=read_credibility,
        fixed_credibility=defender.astype(np.float64)[:, None],
        ladder=Ladder(
            gains=np.array([rung.gain for rung in rungs], dtype=np.float64),
            costs=np.array([rung.cost for rung in rungs], dtype=np.float64),
            risks=np.array([rung.risk for rung in rungs], dtype=np.float64),
            risk_tolerance=scenario.actor(scenario.adversary).risk_tolerance,
        ),
    )


def _paths(scenario: Scenario) -> _DeterrentPaths:
    return derived_table(scenario, "deterrent_paths", _deterrent_paths)


def ladder_of(scenario: Scenario) -> Ladder:
    """Return the scenario's ladder as arrays (built once per scenario object)."""
    return _paths(scenario).ladder


def deterrence_inputs(
    scenario: Scenario, quantities: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return each allied term of the deterrent ``(allies, runs)``, the adversary's strength and its resolve.

    One read of every quantity involved serves all three.
    """
    table = _paths(scenario)
    per_actor = len(DOMAINS) + 2
    stack = getattr(quantities, "stack", None)  # a QuantityView reads all rows in one operation
    values = stack(table.paths) if stack is not None else np.array([quantities[p] for p in table.paths])
    rows = values[: table.actor_rows].reshape(table.allies + 1, per_actor, -1)
    mean_capability = np.add.reduce(rows[:, : len(DOMAINS)], axis=1)
    mean_capability /= _DOMAIN_COUNT
    strengths = strength(rows[:, len(DOMAINS)], mean_capability)
    # The defender's credibility is 1; an ally's is its commitment to the defender (0 without one).
    credibility = np.where(
        table.read_credibility, values.take(table.credibility_rows, axis=0), table.fixed_credibility
    )
    resolve = rows[:, len(DOMAINS) + 1]
    return deterrent_term(credibility, strengths[:-1], resolve[:-1]), strengths[-1], resolve[-1]


def allied_deterrent_terms(scenario: Scenario, quantities: Mapping[str, np.ndarray]) -> np.ndarray:
    """Return each allied actor's contribution to the deterrent, shape ``(allies, runs)``."""
    return deterrence_inputs(scenario, quantities)[0]


def adversary_strength(scenario: Scenario, quantities: Mapping[str, np.ndarray]) -> np.ndarray:
    """Return the adversary's strength (readiness times mean capability) per run."""
    return deterrence_inputs(scenario, quantities)[1]


def rung_utilities(
    scenario: Scenario, perceived_deterrent: np.ndarray, quantities: Mapping[str, np.ndarray]
) -> np.ndarray:
    """Return the expected utility of every rung per run, shape ``(runs, rungs)``.

    Args:
        scenario: Provides the rungs and the adversary's risk tolerance.
        perceived_deterrent: ``D`` as the adversary perceives it, per run.
        quantities: True state values (the adversary knows its own strength and resolve).
    """
    _, strength_of_adversary, resolve_of_adversary = deterrence_inputs(scenario, quantities)
    ladder = ladder_of(scenario)
    return ladder_utilities(
        ladder.gains,
        ladder.costs,
        ladder.risks,
        adversary_resolve=resolve_of_adversary,
        risk_tolerance=ladder.risk_tolerance,
        perceived_deterrent=perceived_deterrent,
        adversary_strength=strength_of_adversary,
    )
