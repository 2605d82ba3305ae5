"""The escalation ladder: its rungs as the adversary values them, and the campaign that decides a coercive
rung by force.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import Discriminator, Field, Tag, model_validator

from wargame.scenario._fields import (
    DOMAINS,
    Domain,
    EscalationCategory,
    FrozenModel,
    Identifier,
    Name,
    NonNegative,
    Real,
    SourceText,
    Whole,
    require_unique,
)

__all__ = ["Campaign", "EscalationLadder", "Rung"]

PositiveRatio = Annotated[Real, Field(gt=0.0)]


def _ratio_kind(value: Any) -> str:
    return "(by domain)" if isinstance(value, dict) else "(number)"


ForceRatio = Annotated[
    Annotated[PositiveRatio, Tag("(number)")] | Annotated[dict[Domain, PositiveRatio], Tag("(by domain)")],
    Discriminator(_ratio_kind),
]
"""One force ratio for every domain, or one per domain (only the form given is validated)."""


class Campaign(FrozenModel):
    """How a coercive rung is fought: the weight of each domain and the force ratio it needs there.

    The adversary wins domain ``d`` when ``2 ln(X_d / Y_d) - 2 ln(rho_d) + sigma Z > 0`` (Lanchester's
    square law with a log-normal battle noise), ``X_d`` its force, ``Y_d`` the allied force that arrives
    within ``decisive_days`` and ``rho_d`` the force ratio it needs for even odds in ``d``; the move succeeds
    when the domains it wins weigh more than half. ``P(success) = sum_d w_d Phi((2 ln(X_d / Y_d) - 2 ln
    rho_d) / sigma)``.
    """

    weights: dict[Domain, Annotated[Real, Field(ge=0.0)]]
    """Weight of each domain in the outcome (normalised to sum to 1)."""
    force_ratio_needed: ForceRatio = 1.0
    """Force ratio (attacker to defender) for even odds: one for every domain, or one per weighted domain."""
    decisive_days: NonNegative = 30.0
    """Days the defence must hold: allied reinforcements arriving later do not count."""
    failure_cost: NonNegative = 0.0
    """Cost to the adversary if the move fails, in utility units."""

    @model_validator(mode="after")
    def _some_weight(self) -> Self:
        if not self.weights or sum(self.weights.values()) <= 0.0:
            raise ValueError("a campaign needs a positive weight on at least one domain")
        if isinstance(self.force_ratio_needed, dict):
            missing = [
                d for d in DOMAINS if self.weights.get(d, 0.0) > 0.0 and d not in self.force_ratio_needed
            ]
            if missing:
                raise ValueError(
                    f"force_ratio_needed names no ratio for {', '.join(missing)}, a domain with weight"
                )
        return self

    def force_ratio_fields(self) -> tuple[tuple[str, float], ...]:
        """Return, for each domain of ``DOMAINS``, the field path of its force ratio (below the campaign)
        and its nominal value; a domain without weight that the mapping leaves out gets ``rho = 1``."""
        ratio = self.force_ratio_needed
        if not isinstance(ratio, dict):
            return tuple(("force_ratio_needed", ratio) for _ in DOMAINS)
        return tuple((f"force_ratio_needed.{d}", ratio.get(d, 1.0)) for d in DOMAINS)

    def domain_weights(self) -> tuple[float, ...]:
        """Return the weights over ``DOMAINS``, normalised to sum to 1."""
        total = sum(self.weights.values())
        return tuple(self.weights.get(domain, 0.0) / total for domain in DOMAINS)


class Rung(FrozenModel):
    """A rung of the escalation ladder, as the adversary values it."""

    id: Identifier
    """Identifier used in rules and injects."""
    name: Name
    """Display name."""
    gain: Real = Field(description="Value to the adversary if the move stands.")
    cost: NonNegative = Field(description="Certain cost of the move (economic, reputational).")
    risk: NonNegative = Field(description="Exposure to allied retaliation, scaled by perceived deterrence.")
    gray_zone_multiplier: Annotated[Real, Field(gt=0.0)] = 1.0
    """M_rung: multiplier on gray-zone rates while the adversary is on this rung."""
    escalation_category: EscalationCategory
    """Rivera et al. (2024) category, scored in the escalation score."""
    mobilization_days: NonNegative = Field(0.0, description="Preparation before the rung takes effect.")
    campaign: Campaign | None = None
    """What decides whether the move succeeds by force (none: it succeeds as a posture)."""
    source: SourceText | None = None
    """Public source for the numbers."""


class EscalationLadder(FrozenModel):
    """Ordered rungs, from the status quo upwards, and where war starts."""

    rungs: tuple[Rung, ...]
    """Rungs from the status quo upwards."""
    war_starts_at: Identifier = Field(description="Id of the lowest rung that counts as war.")
    max_rungs_up_per_decision: Annotated[Whole, Field(ge=1)] = 1
    """How many rungs the adversary may climb at one decision."""
    targets: dict[Identifier, Annotated[Real, Field(gt=0.0)]] | None = None
    """Allied actors the ladder coerces, with their weights (default: the defender and every actor an
    ally is committed to, weighted equally)."""
    battle_uncertainty_sigma: Annotated[Real, Field(gt=0.0)] = 0.5
    """Sigma of the log-normal noise on a domain's fighting-strength ratio."""
    attrition_per_day: Annotated[Real, Field(gt=0.0)] = 0.05
    """Lanchester attrition coefficient of the defender's fire, per day."""
    breakpoint: Annotated[Real, Field(gt=0.0, lt=1.0)] = 0.5
    """Share of its force at which a side stops fighting in a domain."""

    @model_validator(mode="after")
    def _war_rung_exists(self) -> Self:
        ids = [rung.id for rung in self.rungs]
        require_unique(ids, "rung id")
        if len(ids) < 2:
            raise ValueError("an escalation ladder needs at least two rungs")
        if self.war_starts_at not in ids:
            raise ValueError(f"war_starts_at {self.war_starts_at!r} is not a rung id ({', '.join(ids)})")
        return self

    def index_of(self, rung_id: str) -> int:
        return [rung.id for rung in self.rungs].index(rung_id)

    @property
    def war_index(self) -> int:
        return self.index_of(self.war_starts_at)
