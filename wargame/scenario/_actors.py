"""The parties of a scenario: actors with their capability, action menu and policy, the commitments
between them as the adversary perceives them, and the links that share what they detect.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from wargame.scenario._effects import Effect
from wargame.scenario._fields import (
    DOMAINS,
    SIGNAL_COSTS,
    Domain,
    EscalationCategory,
    Fraction,
    FrozenModel,
    Identifier,
    Name,
    NonNegative,
    PathText,
    Real,
    SourceText,
    Text,
    Whole,
    unique_ids,
)

__all__ = ["Actor", "Capability", "Commitment", "Link", "PolicySpec", "Response", "ResponseRule"]


class Capability(FrozenModel):
    """Normalised capability index by domain, 0 (none) to 1 (the strongest in the theatre)."""

    air: Fraction
    """Air power index."""
    maritime: Fraction
    """Naval and coast-guard power index."""
    land: Fraction
    """Ground-force index."""
    cyber: Fraction
    """Cyber capability index."""
    information: Fraction
    """Information and cognitive-domain capability index."""


class ResponseRule(FrozenModel):
    """When the rule-based policy takes a response: every condition given must hold."""

    rung_at_least: Identifier | None = None
    """Rung id: the adversary is on this rung or higher."""
    attributed_incidents_at_least: Annotated[Whole, Field(ge=0)] | None = None
    """Incidents attributed in time a week, on average since the last decision."""
    on_mobilization_warning: bool = False
    """The side has warning of an adversary mobilization."""


class Response(FrozenModel):
    """One entry of an actor's action menu: a response, signal, deployment or sanction."""

    id: Identifier
    """Identifier, unique within the actor."""
    name: Name
    """Display name."""
    description: Text = ""
    """Longer text shown to players."""
    escalation_category: EscalationCategory = "posturing"
    """Rivera et al. (2024) category, scored in the escalation score."""
    effects: tuple[Effect, ...] = ()
    """Changes applied when the response is taken (after delay_days)."""
    delay_days: NonNegative = Field(0.0, description="Transit or preparation time before the effects land.")
    cooldown_days: NonNegative = Field(0.0, description="Days before the response can be taken again.")
    when: ResponseRule | None = Field(
        None, description="When the rule-based policy may take it (none: whenever its value is positive)."
    )
    signal_cost: Fraction | None = Field(
        None,
        description="Cost of the response to its sender as a signal of resolve, 0 (cheap talk) to 1; "
        "default by escalation category (status quo and de-escalation 0, posturing 0.3, "
        "non-violent escalation 0.5, violent escalation 0.8, nuclear 0.95).",
    )
    source: SourceText | None = None
    """Public source for the numbers."""

    @property
    def cost_as_signal(self) -> float:
        """The response's cost as a signal: ``signal_cost``, or its escalation category's default."""
        return self.signal_cost if self.signal_cost is not None else SIGNAL_COSTS[self.escalation_category]


class PolicySpec(FrozenModel):
    """Which policy plays an actor: ``rule_based``, ``expected_utility`` or ``scripted`` (with a file)."""

    kind: Literal["rule_based", "expected_utility", "scripted"]
    """Policy that plays the actor."""
    script: PathText | None = Field(None, description="YAML file of day -> response id, for kind 'scripted'.")
    perception_noise_sigma: NonNegative = Field(
        0.2, description="Adversary: sd of the noise of each look at an allied quantity (logit scale)."
    )
    perception_bias_sigma: NonNegative = Field(
        0.2, description="Adversary: sd of its persistent misjudgment of each allied quantity (logit scale)."
    )
    decision_temperature: Annotated[Real, Field(gt=0.0)] = Field(
        0.05, description="Logit choice temperature in utility units (smaller: closer to strict argmax)."
    )
    learning_days: Annotated[Real, Field(gt=0.0)] = Field(
        60.0, description="Adversary: days to learn an allied quantity's true level with perfect ISR."
    )
    credibility_half_life_days: Annotated[Real, Field(gt=0.0)] = Field(
        90.0, description="Adversary: half-life of a credibility belief's distance to its fundamental."
    )
    review_days: Annotated[Real, Field(gt=0.0)] = Field(
        14.0, description="Adversary: mean days between reviews of its posture (a Poisson review hazard)."
    )
    choice_temperature: Annotated[Real, Field(gt=0.0)] = Field(
        0.005, description="Allies: logit temperature of the choice among responses by value."
    )
    action_cost: NonNegative = Field(
        0.005,
        description="Allies: value a response must exceed to be worth taking (political cost of acting).",
    )

    @model_validator(mode="after")
    def _script_for_scripted(self) -> Self:
        if self.kind == "scripted" and not self.script:
            raise ValueError("a scripted policy needs a 'script' file")
        if self.kind != "scripted" and self.script:
            raise ValueError(f"'script' is only for kind 'scripted', not {self.kind!r}")
        return self


class Actor(FrozenModel):
    """A state, alliance member or other party."""

    id: Identifier
    """Identifier used in paths (actors.<id>...)."""
    name: Name
    """Display name."""
    side: Literal["allied", "adversary", "neutral"]
    """Whose side the actor is on."""
    capability: Capability
    """Capability index by domain."""
    readiness: Fraction
    """Share of capability ready to use now."""
    resolve: Fraction
    """Public and political will to resist or to act."""
    risk_tolerance: Fraction
    """Willingness to accept risk; for the adversary it discounts the risk term of every rung."""
    isr_detection_probability: Fraction = Field(
        description="Probability this actor's own ISR detects an incident of detectability 1."
    )
    attribution_time_hours: NonNegative = Field(
        24.0, description="Hours this actor needs to attribute an incident it detected itself."
    )
    cognitive_resilience: Fraction = Field(
        0.0, description="Fraction of cognitive-operation erosion resisted."
    )
    capability_growth_per_year: Annotated[Real, Field(ge=-0.5, le=0.5)] = Field(
        0.0, description="Yearly relative growth of every capability index (modernization; capped at 1)."
    )
    forward_presence: Fraction = Field(
        1.0, description="Share of the actor's capability that is in the theatre now (home forces: 1)."
    )
    reinforcement_days: NonNegative = Field(
        30.0, description="Days for the rest of its capability to arrive once it fights."
    )
    audience_cost_per_signal: NonNegative = Field(
        0.0,
        description="Resolve it gains per unit of signal cost of a public response it takes (tying hands).",
    )
    rally_on_coercion: NonNegative = Field(
        0.0, description="Resolve it gains when the adversary climbs to a coercive rung against it (a rally)."
    )
    resolve_recovery_per_day: Fraction = Field(0.0, description="Daily fraction of the gap to base resolve.")
    resolve_fluctuation_sd: Annotated[Real, Field(ge=0.0, le=0.5)] = Field(
        0.0,
        description="Stationary sd of resolve around its baseline from daily shocks (domestic politics); "
        "needs resolve_recovery_per_day > 0.",
    )
    readiness_recovery_per_day: Fraction = Field(
        0.0, description="Daily fraction of the gap to base readiness."
    )
    responses: Annotated[tuple[Response, ...], unique_ids("response id")] = ()
    """Action menu (for allies: responses, signals, deployments, sanctions)."""
    policy: PolicySpec | None = None
    """Who plays the actor; default: expected utility for the adversary, rule-based for others."""
    source: SourceText | None = None
    """Public source for the numbers."""


class Commitment(FrozenModel):
    """How likely ``from`` is to intervene for ``to``, as the adversary perceives it."""

    from_actor: Identifier = Field(alias="from")
    """Actor that may intervene."""
    to_actor: Identifier = Field(alias="to")
    """Actor it would defend."""
    credibility: Fraction
    """Probability of intervention as the adversary believes it at the start (and its fundamental level)."""
    resolve_coupling_per_day: Fraction = Field(
        0.0,
        description="Daily share of the gap to the protected actor's resolve closed by the patron's resolve.",
    )
    source: SourceText | None = None
    """Public source for the numbers."""

    @property
    def key(self) -> str:
        return f"{self.from_actor}-{self.to_actor}"


class Link(FrozenModel):
    """An information-sharing link: what ``from`` detects reaches ``to`` after a latency."""

    from_actor: Identifier = Field(alias="from")
    """Actor that shares what it detects."""
    to_actor: Identifier = Field(alias="to")
    """Actor that receives it."""
    latency_hours: NonNegative
    """Hours from the partner's detection to delivery."""
    fidelity: Fraction = Field(description="Probability a detection is passed on intact.")
    domains: tuple[Domain, ...] = DOMAINS
    """Domains of activity the link covers."""
    source: SourceText | None = None
    """Public source for the numbers."""

    @property
    def key(self) -> str:
        return f"{self.from_actor}-{self.to_actor}"
