"""The adversary's calculus: deterrence by punishment and by denial, over the actors its ladder coerces.

Equations (see ``docs/model.md``; Snyder 1961, Russett 1963, Huth & Russett 1984)::

    strength(a) = readiness_a * mean over domains of capability_a
    C[a, p]     = 1 if a is p; the credibility of a's commitment to p if there is one; else 0
    D_p         = sum over allied a of C[a, p] * strength(a) * resolve_a            (punishment)
    D           = sum_p w_p D_p                 (w_p: weights of the coerced actors, escalation.targets)
    A           = strength(adversary)
    Y_{p,d}(T)  = sum_a C[a, p] capability_{a,d} readiness_a arrival_a(T)          (allied force, domain d)
    P_r         = sum_p w_p sum_d w_{r,d} Phi((2 ln(X_d / Y_{p,d}(T_r)) - 2 ln rho_r) / sigma)   (denial)
    EU_r        = resolve_adv * P_r * gain_r - (1 - P_r) * failure_cost_r - cost_r
                  - (1 - risk_tolerance_adv) * risk_r * D / A

``P_r = 1`` for a rung without a campaign (a posture that stands by itself). The adversary evaluates this
with its perceived values of the allied quantities (its beliefs) and its true own ones; allies value their
responses with the same functions on their own side's values.

The plain-array functions (:func:`strength`, :func:`deterrent_term`, :func:`ladder_utilities`) hold the
arithmetic that a model without a scenario (the teaching escalation ladder) shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from wargame.core.campaign import domain_success_probability
from wargame.core.parameters import RunParameters, per_run_rows
from wargame.scenario import DOMAINS, Scenario
from wargame.scenario.derived import derived_table

__all__ = [
    "ROWS_PER_ACTOR",
    "CalculusTable",
    "DeterrenceInputs",
    "Ladder",
    "allied_deterrent_terms",
    "calculus_table",
    "deterrence_inputs",
    "deterrent_term",
    "ladder_of",
    "ladder_utilities",
    "rung_utilities",
    "strength",
]

ROWS_PER_ACTOR = len(DOMAINS) + 3
"""Rows the calculus reads per actor: capability by domain, readiness, resolve, forward presence."""
_READINESS, _RESOLVE, _PRESENCE = len(DOMAINS), len(DOMAINS) + 1, len(DOMAINS) + 2
_VALUATION_DAYS = 30.0  # horizon over which allies count their forces when they value a response


def strength(readiness: ArrayLike, mean_capability: ArrayLike) -> np.ndarray:
    """Return an actor's strength: readiness times its capability averaged over the domains."""
    return np.asarray(readiness) * mean_capability


def deterrent_term(credibility: ArrayLike, actor_strength: ArrayLike, resolve: ArrayLike) -> np.ndarray:
    """Return one allied actor's contribution to the deterrent: credibility * strength * resolve."""
    return np.multiply(np.multiply(np.asarray(credibility), actor_strength), resolve)


def ladder_utilities(
    gains: ArrayLike,
    costs: ArrayLike,
    risks: ArrayLike,
    *,
    adversary_resolve: ArrayLike,
    risk_tolerance: ArrayLike,
    perceived_deterrent: ArrayLike,
    adversary_strength: ArrayLike,
    success_probability: ArrayLike | None = None,
    failure_costs: ArrayLike | None = None,
) -> np.ndarray:
    """Return the expected utility of every rung per run, shape ``(runs, rungs)``.

    Args:
        gains: Each rung's gain, shape ``(rungs,)`` or ``(rungs, runs)``.
        costs: Each rung's cost, like ``gains``.
        risks: Each rung's risk, like ``gains``.
        adversary_resolve: The adversary's resolve per run, shape ``(runs,)``.
        risk_tolerance: The adversary's risk tolerance (a number or one per run).
        perceived_deterrent: ``D`` as the adversary perceives it, per run.
        adversary_strength: ``A`` per run (floored at 1e-9).
        success_probability: ``P_r`` per rung and run, shape ``(rungs, runs)`` (default 1: punishment only).
        failure_costs: Each rung's cost of failure, like ``gains`` (default 0).
    """
    resolve = np.asarray(adversary_resolve, dtype=np.float64).reshape(-1)
    floored = np.maximum(np.asarray(adversary_strength, dtype=np.float64).reshape(-1), 1e-9)
    risk_weight = (1.0 - np.asarray(risk_tolerance)) * np.asarray(perceived_deterrent).reshape(-1) / floored
    gains = np.asarray(gains, dtype=np.float64)
    gains = gains if gains.ndim == 2 else gains[:, None]
    expected_gain = gains
    if success_probability is not None:
        success = np.asarray(success_probability, dtype=np.float64)
        expected_gain = gains * success
        if failure_costs is not None:
            failure = np.asarray(failure_costs, dtype=np.float64)
            expected_gain = expected_gain - (failure if failure.ndim == 2 else failure[:, None]) * (
                1.0 - success
            )
    costs = np.asarray(costs, dtype=np.float64)
    risks = np.asarray(risks, dtype=np.float64)
    utilities = (expected_gain * resolve).T
    utilities -= (costs if costs.ndim == 2 else costs[:, None]).T
    utilities -= ((risks if risks.ndim == 2 else risks[:, None]) * risk_weight).T
    return utilities


@dataclass(frozen=True)
class CalculusTable:
    """What the calculus reads, built once per scenario object.

    Attributes:
        allies: Allied actor ids, in scenario order.
        targets: The coerced actors, with ``target_weights`` summing to 1.
        paths: Quantity paths read: per ally in turn and then the adversary, capability by domain,
            readiness, resolve and forward presence; then the credibility of each commitment among allies.
        credibility_row: ``(allies, targets)``: position in ``paths`` of ``C[a, p]``, or -1 where ``C`` is
            the constant ``fixed_credibility``.
        fixed_credibility: ``(allies, targets, 1)``: 1 where the ally is the target, else 0.
        campaign_rungs: Indices of the rungs with a campaign.
    """

    allies: tuple[str, ...]
    targets: tuple[str, ...]
    target_weights: np.ndarray
    paths: tuple[str, ...]
    credibility_row: np.ndarray
    fixed_credibility: np.ndarray
    campaign_rungs: np.ndarray

    @staticmethod
    def of(scenario: Scenario) -> CalculusTable:
        allies = tuple(actor.id for actor in scenario.allied_actors)
        weights = scenario.target_weights()
        targets = tuple(weights)

        def actor_paths(actor_id: str) -> list[str]:
            capability = [f"actors.{actor_id}.capability.{domain}" for domain in DOMAINS]
            readiness, resolve, presence = (
                f"actors.{actor_id}.{name}" for name in ("readiness", "resolve", "forward_presence")
            )
            return [*capability, readiness, resolve, presence]

        paths = [path for actor_id in [*allies, scenario.adversary] for path in actor_paths(actor_id)]
        credibility_row = np.full((len(allies), len(targets)), -1, dtype=np.intp)
        fixed = np.zeros((len(allies), len(targets), 1))
        committed = {commitment.key for commitment in scenario.commitments}
        for a, ally in enumerate(allies):
            for p, target in enumerate(targets):
                if ally == target:
                    fixed[a, p] = 1.0
                elif f"{ally}-{target}" in committed:
                    credibility_row[a, p] = len(paths)
                    paths.append(f"commitments.{ally}-{target}.credibility")
        rungs = scenario.escalation.rungs
        campaign_rungs = [r for r, rung in enumerate(rungs) if rung.campaign is not None]
        return CalculusTable(
            allies=allies,
            targets=targets,
            target_weights=np.array([weights[t] for t in targets])[:, None],
            paths=tuple(paths),
            credibility_row=credibility_row,
            fixed_credibility=fixed,
            campaign_rungs=np.array(campaign_rungs, dtype=np.intp),
        )


def calculus_table(scenario: Scenario) -> CalculusTable:
    """Return the scenario's calculus table (built once per scenario object)."""
    return derived_table(scenario, "calculus_table", CalculusTable.of)


def _per_run(parameters: Any, path: str, nominal: float) -> np.ndarray:
    return np.asarray(parameters.value(path, nominal), dtype=np.float64)


@dataclass(frozen=True)
class Ladder:
    """The escalation ladder's numbers, each ``(rungs, n)`` with ``n`` 1 or the runs (uncertain inputs).

    Campaign numbers are ``(campaigns, n)``, their ``force_ratio_needed`` and normalised ``domain_weights``
    ``(campaigns, domains, n)``;
    ``reinforcement_days`` is ``(allies, n)``.
    """

    gains: np.ndarray
    costs: np.ndarray
    risks: np.ndarray
    failure_costs: np.ndarray
    risk_tolerance: np.ndarray
    force_ratio_needed: np.ndarray
    decisive_days: np.ndarray
    domain_weights: np.ndarray
    reinforcement_days: np.ndarray
    battle_sigma: np.ndarray

    @staticmethod
    def of(scenario: Scenario, parameters: Any) -> Ladder:
        rungs = scenario.escalation.rungs
        table = calculus_table(scenario)

        def by_rung(field: str) -> np.ndarray:
            values = [
                _per_run(parameters, f"escalation.rungs.{r.id}.{field}", getattr(r, field)) for r in rungs
            ]
            return per_run_rows(values)

        def by_campaign(field: str) -> np.ndarray:
            values = []
            for r in table.campaign_rungs:
                rung = rungs[r]
                nominal = getattr(rung.campaign, field)
                values.append(_per_run(parameters, f"escalation.rungs.{rung.id}.campaign.{field}", nominal))
            return per_run_rows(values)

        def by_campaign_and_domain(fields: Callable[[Any], Iterable[tuple[str, float]]]) -> np.ndarray:
            """Stack each campaign's per-domain values (field below the campaign, nominal) into
            ``(campaigns, domains, n)``."""
            stacked = []
            for r in table.campaign_rungs:
                rung = rungs[r]
                assert rung.campaign is not None
                prefix = f"escalation.rungs.{rung.id}.campaign"
                values = [
                    _per_run(parameters, f"{prefix}.{f}", nominal) for f, nominal in fields(rung.campaign)
                ]
                stacked.append(per_run_rows(values))  # (domains, n)
            return np.stack(np.broadcast_arrays(*stacked)) if stacked else np.zeros((0, len(DOMAINS), 1))

        force_ratio_needed = by_campaign_and_domain(lambda campaign: campaign.force_ratio_fields())
        raw_weights = by_campaign_and_domain(
            lambda campaign: [(f"weights.{d}", campaign.weights.get(d, 0.0)) for d in DOMAINS]
        )
        domain_weights = raw_weights / raw_weights.sum(axis=1, keepdims=True)
        failure = [
            _per_run(parameters, f"escalation.rungs.{r.id}.campaign.failure_cost", r.campaign.failure_cost)
            if r.campaign is not None
            else np.zeros(())
            for r in rungs
        ]
        adversary = scenario.actor(scenario.adversary)
        ladder = scenario.escalation
        return Ladder(
            gains=by_rung("gain"),
            costs=by_rung("cost"),
            risks=by_rung("risk"),
            failure_costs=per_run_rows(failure),
            risk_tolerance=_per_run(
                parameters, f"actors.{adversary.id}.risk_tolerance", adversary.risk_tolerance
            ),
            force_ratio_needed=force_ratio_needed,
            decisive_days=by_campaign("decisive_days"),
            domain_weights=domain_weights,
            reinforcement_days=_reinforcement_days(scenario, table, parameters),
            battle_sigma=_per_run(
                parameters, "escalation.battle_uncertainty_sigma", ladder.battle_uncertainty_sigma
            ),
        )


def _reinforcement_days(scenario: Scenario, table: CalculusTable, parameters: Any) -> np.ndarray:
    """Each ally's reinforcement days, ``(allies, n)``."""
    return per_run_rows(
        [
            _per_run(parameters, f"actors.{a}.reinforcement_days", scenario.actor(a).reinforcement_days)
            for a in table.allies
        ]
    )


def _parameters_or_nominal(scenario: Scenario, parameters: Any) -> Any:
    if parameters is None:
        return derived_table(scenario, "nominal_parameters", lambda _: RunParameters.empty())
    return parameters


def ladder_of(scenario: Scenario, parameters: Any = None) -> Ladder:
    """Return the ladder's numbers for ``parameters`` (built once per parameters object)."""
    parameters = _parameters_or_nominal(scenario, parameters)
    return parameters.derived(("ladder", id(scenario)), lambda: Ladder.of(scenario, parameters))


def _reinforcement_days_of(scenario: Scenario, parameters: Any) -> np.ndarray:
    """Return the ladder's ``reinforcement_days`` alone (the rest of it is not built when not yet needed:
    a policy valuing its responses reads this only, on parameters selected for the runs it values)."""
    parameters = _parameters_or_nominal(scenario, parameters)
    return parameters.derived(
        ("reinforcement_days", id(scenario)),
        lambda: _reinforcement_days(scenario, calculus_table(scenario), parameters),
    )


@dataclass(frozen=True)
class DeterrenceInputs:
    """What the calculus derives from one reading of the quantities, per run.

    Attributes:
        deterrent: ``D``.
        deterrent_by_target: ``D_p``, shape ``(targets, runs)``.
        allied_terms: Each ally's share of ``D``, ``sum_p w_p C[a, p] strength(a) resolve_a``, by ally.
        adversary_strength: ``A``.
        adversary_resolve: The adversary's resolve.
        success_probability: ``P_r``, shape ``(rungs, runs)``.
        allied_force: ``sum_p w_p`` of the mean allied force over domains within 30 days, per run.
    """

    deterrent: np.ndarray
    deterrent_by_target: np.ndarray
    allied_terms: np.ndarray
    adversary_strength: np.ndarray
    adversary_resolve: np.ndarray
    success_probability: np.ndarray
    allied_force: np.ndarray


def _read(table: CalculusTable, quantities: Mapping[str, np.ndarray]) -> np.ndarray:
    stack = getattr(quantities, "stack", None)  # a QuantityView reads all rows in one operation
    return stack(table.paths) if stack is not None else np.array([quantities[p] for p in table.paths])


def deterrence_inputs(
    scenario: Scenario,
    quantities: Mapping[str, np.ndarray] | np.ndarray,
    parameters: Any = None,
    *,
    denial: bool = True,
) -> DeterrenceInputs:
    """Return ``D``, ``D_p``, the allied terms, ``A``, the adversary's resolve and ``P_r`` per run.

    Args:
        scenario: The scenario.
        quantities: Quantity path -> values per run (a view), or the rows of :class:`CalculusTable`'s
            ``paths`` already read, shape ``(rows, columns)`` (columns may hold several variants of the runs,
            with per-run parameters tiled to match).
        parameters: Per-run values of uncertain inputs (default: nominal values).
        denial: Compute ``P_r`` (else it is left at 1 for every rung, for callers that do not use it).
    """
    table = calculus_table(scenario)
    values = quantities if isinstance(quantities, np.ndarray) else _read(table, quantities)
    columns = values.shape[1]
    actors = values[: ROWS_PER_ACTOR * (len(table.allies) + 1)].reshape(
        len(table.allies) + 1, ROWS_PER_ACTOR, columns
    )
    capability = actors[:, : len(DOMAINS)]
    readiness, resolve, presence = actors[:, _READINESS], actors[:, _RESOLVE], actors[:, _PRESENCE]
    strengths = strength(readiness, np.add.reduce(capability, axis=1) / len(DOMAINS))
    credibility = np.where(
        table.credibility_row[:, :, None] >= 0,
        values.take(np.maximum(table.credibility_row, 0), axis=0),
        table.fixed_credibility,
    )  # (allies, targets, columns)
    allied_terms = strengths[:-1] * resolve[:-1]
    by_target = np.einsum("apc,ac->pc", credibility, allied_terms)
    deterrent = np.add.reduce(table.target_weights * by_target, axis=0)
    weighted_credibility = np.add.reduce(
        credibility * table.target_weights[None], axis=1
    )  # (allies, columns)
    allied_force_by_domain = capability[:-1] * readiness[:-1, None]  # (allies, domains, columns)
    reinforcement_days = _tile(_reinforcement_days_of(scenario, parameters), columns)
    arrival_30 = presence[:-1] + (1.0 - presence[:-1]) * np.minimum(1.0, _VALUATION_DAYS / reinforcement_days)
    allied_force = np.add.reduce(
        weighted_credibility * arrival_30 * np.add.reduce(allied_force_by_domain, axis=1) / len(DOMAINS),
        axis=0,
    )
    success = np.ones((len(scenario.escalation.rungs), columns))
    if denial and table.campaign_rungs.size:
        ladder = ladder_of(scenario, parameters)
        decisive = _tile(ladder.decisive_days, columns)[:, None]  # (campaigns, 1, columns)
        arriving = np.minimum(1.0, decisive / reinforcement_days[None])  # (campaigns, allies, columns)
        arrival = presence[None, :-1] + (1.0 - presence[None, :-1]) * arriving
        defended = np.einsum("apc,adc,kac->kpdc", credibility, allied_force_by_domain, arrival)
        attack = capability[-1] * readiness[-1]  # (domains, columns)
        ratio = _tile(ladder.force_ratio_needed, columns)[:, None]  # (campaigns, 1, domains, columns)
        sigma = _tile(np.atleast_1d(ladder.battle_sigma)[None], columns)[0]
        p_domain = domain_success_probability(attack[None, None], defended, ratio, sigma)
        weights = _tile(ladder.domain_weights, columns)[:, None]  # (campaigns, 1, domains, columns)
        by_domain = np.add.reduce(weights * p_domain, axis=2)  # (campaigns, targets, columns)
        success[table.campaign_rungs] = np.add.reduce(table.target_weights[None] * by_domain, axis=1)
    return DeterrenceInputs(
        deterrent=deterrent,
        deterrent_by_target=by_target,
        allied_terms=weighted_credibility * allied_terms,
        adversary_strength=strengths[-1],
        adversary_resolve=resolve[-1],
        success_probability=success,
        allied_force=allied_force,
    )


def _tile(array: np.ndarray, columns: int) -> np.ndarray:
    """Repeat per-run numbers ``(..., n)`` along their last axis to ``columns`` (variants of the runs)."""
    n = array.shape[-1]
    return array if n in (1, columns) else np.tile(array, columns // n)


def allied_deterrent_terms(scenario: Scenario, quantities: Mapping[str, np.ndarray]) -> np.ndarray:
    """Return each allied actor's contribution to the deterrent, shape ``(allies, runs)``."""
    return deterrence_inputs(scenario, quantities).allied_terms


def rung_utilities(
    scenario: Scenario,
    perceived_deterrent: np.ndarray | None,
    quantities: Mapping[str, np.ndarray],
    parameters: Any = None,
    success_probability: np.ndarray | None = None,
) -> np.ndarray:
    """Return the expected utility of every rung per run, shape ``(runs, rungs)``.

    Args:
        scenario: Provides the rungs and the adversary's risk tolerance.
        perceived_deterrent: ``D`` as the adversary perceives it, per run (None: the deterrent of
            ``quantities``).
        quantities: Values the adversary decides on (its own true ones, its beliefs of the allies').
        parameters: Per-run values of uncertain inputs (default: nominal values).
        success_probability: ``P_r`` (default: computed from ``quantities``).
    """
    inputs = deterrence_inputs(scenario, quantities, parameters)
    ladder = ladder_of(scenario, parameters)
    return ladder_utilities(
        ladder.gains,
        ladder.costs,
        ladder.risks,
        adversary_resolve=inputs.adversary_resolve,
        risk_tolerance=ladder.risk_tolerance,
        perceived_deterrent=inputs.deterrent if perceived_deterrent is None else perceived_deterrent,
        adversary_strength=inputs.adversary_strength,
        success_probability=inputs.success_probability
        if success_probability is None
        else success_probability,
        failure_costs=ladder.failure_costs,
    )
