"""The typed schema of a scenario file.

Every model is immutable and rejects unknown keys. Units are in field names: ``_days``, ``_hours``,
``_per_day``, ``_per_year``. Probabilities and normalised indices are fractions in [0, 1].
Cross-references (actor ids, rung ids, quantity paths) are checked in :meth:`Scenario._check_references`.
"""

from __future__ import annotations

import typing
import unicodedata
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from wargame.scenario.derived import TableSlot
from wargame.scenario.distributions import UncertainInput

__all__ = [
    "DOMAINS",
    "ESCALATION_CATEGORIES",
    "SIGNAL_COSTS",
    "Activity",
    "Actor",
    "Campaign",
    "Capability",
    "Clustering",
    "Commitment",
    "Condition",
    "Effect",
    "EscalationLadder",
    "GrayZone",
    "Inject",
    "LibraryInject",
    "Link",
    "LocatedValueError",
    "Objective",
    "PolicySpec",
    "Program",
    "ProgramEffect",
    "Response",
    "ResponseRule",
    "Rung",
    "Scenario",
    "Taxonomy",
    "UnlessResponse",
]

Domain = Literal["air", "maritime", "land", "cyber", "information"]
DOMAINS: tuple[Domain, ...] = typing.get_args(Domain)

# Rivera et al. (2024) escalation categories and the weights of their evaluation code.
ESCALATION_CATEGORIES: dict[str, int] = {
    "de_escalation": -2,
    "status_quo": 0,
    "posturing": 4,
    "non_violent_escalation": 12,
    "violent_escalation": 28,
    "nuclear": 60,
}
EscalationCategory = Literal[
    "de_escalation", "status_quo", "posturing", "non_violent_escalation", "violent_escalation", "nuclear"
]
assert set(typing.get_args(EscalationCategory)) == set(ESCALATION_CATEGORIES)

# Default cost of a response as a signal of resolve, by category (Fearon 1997: cheap talk moves nothing).
SIGNAL_COSTS: dict[str, float] = {
    "de_escalation": 0.0,
    "status_quo": 0.0,
    "posturing": 0.3,
    "non_violent_escalation": 0.5,
    "violent_escalation": 0.8,
    "nuclear": 0.95,
}


MAX_ID_CHARS = 64
"""Longest id (actors, responses, programs, activities, rungs, injects)."""
MAX_NAME_CHARS = 120
"""Longest display name (one line)."""
MAX_TEXT_CHARS = 5000
"""Longest description or inject text."""
MAX_SOURCE_CHARS = 1000
"""Longest source citation."""
MAX_PATH_CHARS = 200
"""Longest quantity path or outcome name."""


def _not_a_boolean(value: object) -> object:
    """Reject YAML booleans (``yes``, ``on``, ``true``) where a number is expected."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got the boolean {value!r}")
    return value


Real = Annotated[float, BeforeValidator(_not_a_boolean)]
Whole = Annotated[int, BeforeValidator(_not_a_boolean)]
Fraction = Annotated[Real, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[Real, Field(ge=0.0)]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=MAX_ID_CHARS)]

# Bidirectional overrides and isolates reorder what a terminal shows ("trojan source").
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _printable(text: str, allowed: str) -> str:
    for character in text:
        if character in allowed:
            continue
        if unicodedata.category(character) == "Cc" or character in _BIDI_CONTROLS:
            raise ValueError(f"control character U+{ord(character):04X} is not allowed in text")
    return text


def _one_line(text: str) -> str:
    return _printable(text, "")


def _multi_line(text: str) -> str:
    return _printable(text, "\n\t")


Name = Annotated[str, Field(max_length=MAX_NAME_CHARS), AfterValidator(_one_line)]
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS), AfterValidator(_multi_line)]
SourceText = Annotated[str, Field(max_length=MAX_SOURCE_CHARS), AfterValidator(_multi_line)]
PathText = Annotated[str, Field(max_length=MAX_PATH_CHARS), AfterValidator(_one_line)]


class _Frozen(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        use_attribute_docstrings=True,
        allow_inf_nan=False,
    )


class Capability(_Frozen):
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


class Effect(_Frozen):
    """A change to one named model quantity: exactly one of ``add``, ``multiply`` or ``set``.

    ``quantity`` is a path such as ``actors.twn.resolve``, ``actors.usa.capability.maritime``,
    ``links.usa-twn.latency_hours`` or ``commitments.usa-twn.credibility``. Results are clipped to the
    quantity's bounds.
    """

    quantity: PathText
    """Quantity path the effect acts on."""
    add: Real | None = None
    """Amount added."""
    multiply: Annotated[Real, Field(ge=0.0)] | None = None
    """Factor the quantity is multiplied by."""
    set: Real | None = None
    """Value the quantity is set to."""

    @model_validator(mode="after")
    def _exactly_one_operation(self) -> Self:
        given = [name for name in ("add", "multiply", "set") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of add, multiply, set (got {', '.join(given) or 'none'})")
        return self


class ResponseRule(_Frozen):
    """When the rule-based policy takes a response: every condition given must hold."""

    rung_at_least: Identifier | None = None
    """Rung id: the adversary is on this rung or higher."""
    attributed_incidents_at_least: Annotated[Whole, Field(ge=0)] | None = None
    """Incidents attributed in time since the last decision."""
    on_mobilization_warning: bool = False
    """The side has warning of an adversary mobilization."""


class Response(_Frozen):
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


class PolicySpec(_Frozen):
    """Which policy plays an actor: ``rule_based``, ``expected_utility`` or ``scripted`` (with a file)."""

    kind: Literal["rule_based", "expected_utility", "scripted"]
    """Policy that plays the actor."""
    script: PathText | None = Field(None, description="YAML file of day -> response id, for kind 'scripted'.")
    perception_noise_sigma: NonNegative = Field(
        0.2, description="Adversary: sd of each week's noisy observation of an allied quantity (logit scale)."
    )
    perception_bias_sigma: NonNegative = Field(
        0.2, description="Adversary: sd of its initial misjudgment of each allied quantity (logit scale)."
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


class Actor(_Frozen):
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
    responses: tuple[Response, ...] = ()
    """Action menu (for allies: responses, signals, deployments, sanctions)."""
    policy: PolicySpec | None = None
    """Who plays the actor; default: expected utility for the adversary, rule-based for others."""
    source: SourceText | None = None
    """Public source for the numbers."""

    @field_validator("responses")
    @classmethod
    def _unique_responses(cls, responses: tuple[Response, ...]) -> tuple[Response, ...]:
        _require_unique([response.id for response in responses], "response id")
        return responses


class Commitment(_Frozen):
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


class Link(_Frozen):
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


class ProgramEffect(_Frozen):
    """How a cooperation program moves one quantity.

    Each exchange closes ``gain_per_exchange`` of the gap between the quantity and ``target``:
    ``dq/dt = intensity_per_year / 365 * gain_per_exchange * (target - q)``.
    """

    quantity: PathText
    """Quantity path the program moves."""
    target: Real
    """Level the program moves the quantity towards."""
    gain_per_exchange: Fraction
    """Share of the gap to target closed by one exchange."""


class Program(_Frozen):
    """A cooperation program along one objective of the scenario's taxonomy."""

    id: Identifier
    """Identifier used in paths (programs.<id>...)."""
    objective: Identifier
    """Id of an objective of the scenario's taxonomy (by default the reference's ten)."""
    partners: tuple[Identifier, Identifier]
    """The two actors that cooperate."""
    intensity_per_year: NonNegative = Field(description="Exchanges and cooperative projects per year.")
    effects: tuple[ProgramEffect, ...] = ()
    """Quantities the program moves and how fast."""
    source: SourceText | None = None
    """Public source for the numbers."""


class Clustering(_Frozen):
    """Self-excitation of an activity's daily counts: a discrete-time Hawkes process.

    With ``phi = exp(-1 / decay_days)`` and ``a = branching_ratio * (1 - phi)``, the count of day ``t``
    adds ``a * E_t`` to the day's mean, where ``E_t = phi * E_{t-1} + N_{t-1}`` sums the past counts with
    exponentially fading weights. ``branching_ratio`` is the share of incidents triggered by earlier ones.
    """

    branching_ratio: Annotated[Real, Field(ge=0.0, le=0.95)]
    """Share of incidents triggered by earlier incidents (n < 1 keeps the process stationary)."""
    decay_days: Annotated[Real, Field(gt=0.0, le=365.0)]
    """Time constant of the excitation's exponential decay, in days."""


class Activity(_Frozen):
    """A gray-zone activity type.

    A root activity's daily count is ``N ~ Poisson(lambda * S)``: ``lambda = base_rate_per_day * (1 - n) *
    M_rung ** posture_elasticity + a * E`` (``n``, ``a``, ``E`` from ``clustering``; ``n = 0`` without it) and
    a log-normal shock ``S = exp(sigma * Z - sigma**2 / 2)``, ``sigma = overdispersion_sigma``. A subset
    activity (``subset_of``) counts a ``Binomial(N_parent, share)`` part of its parent's incidents.
    """

    id: Identifier
    """Identifier used in paths and outcome columns (incidents_<id>)."""
    name: Name
    """Display name."""
    domain: Domain
    """Domain of the activity (which links cover it)."""
    base_rate_per_day: NonNegative | None = None
    """Long-run mean incidents a day at the status quo, clustering included (a subset: instead of share)."""
    posture_elasticity: NonNegative = 1.0
    """Exponent e in rate = base * M_rung ** e (a subset follows its parent)."""
    overdispersion_sigma: NonNegative = 0.0
    """Sigma of the daily log-normal shock (0: no shock; a subset follows its parent)."""
    clustering: Clustering | None = None
    """Self-excitation of the daily counts (none: days are independent given the posture)."""
    subset_of: Identifier | None = None
    """Id of the activity this one is a subset of (its incidents are also the parent's)."""
    share: Fraction | None = None
    """For a subset: the share of the parent's incidents that are also this activity."""
    detectability: Fraction = 1.0
    """Factor on every source's detection probability."""
    resolve_erosion_per_incident: NonNegative = 0.0
    """Resolve the target loses per unanswered incident."""
    readiness_cost_per_incident: NonNegative = 0.0
    """Readiness the target loses per incident (scrambles, patrols)."""
    target: Identifier | None = Field(
        None, description="Actor the activity is aimed at; default the defender."
    )
    source: SourceText | None = None
    """Public source for the numbers."""

    @model_validator(mode="after")
    def _rate_or_share(self) -> Self:
        if self.subset_of is None:
            if self.share is not None:
                raise LocatedValueError("'share' is for a subset activity (give subset_of)", ("share",))
            if self.base_rate_per_day is None:
                raise LocatedValueError("an activity needs base_rate_per_day", ("base_rate_per_day",))
            return self
        if (self.share is None) == (self.base_rate_per_day is None):
            raise LocatedValueError(
                "a subset activity needs exactly one of share or base_rate_per_day", ("share",)
            )
        own = {
            "clustering": self.clustering is not None,
            "overdispersion_sigma": self.overdispersion_sigma != 0.0,
            "posture_elasticity": self.posture_elasticity != 1.0,
        }
        for name, given in own.items():
            if given:
                raise LocatedValueError(f"a subset activity follows its parent's {name}; remove it", (name,))
        return self


class GrayZone(_Frozen):
    """The gray-zone campaign and how attribution blunts it."""

    activities: tuple[Activity, ...]
    """The activity types of the campaign."""
    attribution_deadline_hours: NonNegative = Field(
        72.0, description="An incident attributed within this many hours counts as timely."
    )
    attribution_mitigation: Fraction = Field(
        0.7, description="Fraction of an incident's resolve erosion undone when it is attributed in time."
    )
    delivery_time_cv: NonNegative = Field(
        0.5,
        description="Coefficient of variation of each source's time to deliver an attribution (log-normal "
        "around its latency plus analysis hours; 0: every delivery takes exactly that long).",
    )

    @field_validator("activities")
    @classmethod
    def _unique_activities(cls, activities: tuple[Activity, ...]) -> tuple[Activity, ...]:
        _require_unique([activity.id for activity in activities], "activity id")
        return activities

    @model_validator(mode="after")
    def _subsets_form_a_forest(self) -> Self:
        by_id = {activity.id: activity for activity in self.activities}
        for i, activity in enumerate(self.activities):
            where = ("activities", i, "subset_of")
            seen = {activity.id}
            parent = activity.subset_of
            while parent is not None:
                if parent not in by_id:
                    known = ", ".join(by_id)
                    raise LocatedValueError(f"unknown activity {parent!r} (known: {known})", where)
                if parent in seen:
                    raise LocatedValueError(f"subset_of makes a cycle through {parent!r}", where)
                seen.add(parent)
                parent = by_id[parent].subset_of
        for i, activity in enumerate(self.activities):
            children = [a for a in self.activities if a.subset_of == activity.id]
            total = sum(self.share_of(child) for child in children)
            if total > 1.0 + 1e-9:
                names = ", ".join(child.id for child in children)
                raise LocatedValueError(
                    f"the subsets of {activity.id!r} ({names}) take {total:.3g} of its incidents (at most 1)",
                    ("activities", i, "id"),
                )
        return self

    def activity(self, activity_id: str) -> Activity:
        """Return the activity with id ``activity_id``."""
        for activity in self.activities:
            if activity.id == activity_id:
                return activity
        raise KeyError(activity_id)

    def root_of(self, activity: Activity) -> Activity:
        """Return the root activity whose incidents include ``activity``'s (itself for a root)."""
        while activity.subset_of is not None:
            activity = self.activity(activity.subset_of)
        return activity

    def share_of(self, activity: Activity) -> float:
        """Return the share of its parent's incidents that are ``activity``'s (1 for a root)."""
        if activity.subset_of is None:
            return 1.0
        if activity.share is not None:
            return activity.share
        parent_rate = self.mean_rate_per_day(self.activity(activity.subset_of))
        return 0.0 if parent_rate == 0.0 else float(activity.base_rate_per_day or 0.0) / parent_rate

    def mean_rate_per_day(self, activity: Activity) -> float:
        """Return the long-run mean incidents a day of ``activity`` at the status-quo posture."""
        if activity.subset_of is None:
            return float(activity.base_rate_per_day or 0.0)
        return self.mean_rate_per_day(self.activity(activity.subset_of)) * self.share_of(activity)


class Campaign(_Frozen):
    """How a coercive rung is fought: the weight of each domain and the force ratio it needs.

    The adversary wins domain ``d`` when ``2 ln(X_d / Y_d) - 2 ln(force_ratio_needed) + sigma Z > 0``
    (Lanchester's square law with a log-normal battle noise), ``X_d`` its force and ``Y_d`` the allied
    force that arrives within ``decisive_days``; the move succeeds when the domains it wins weigh more than
    half. ``P(success) = sum_d w_d Phi((2 ln(X_d / Y_d) - 2 ln rho) / sigma)``.
    """

    weights: dict[Domain, Annotated[Real, Field(ge=0.0)]]
    """Weight of each domain in the outcome (normalised to sum to 1)."""
    force_ratio_needed: Annotated[Real, Field(gt=0.0)] = 1.0
    """Force ratio (attacker to defender) at which the attacker has even odds in a domain."""
    decisive_days: NonNegative = 30.0
    """Days the defence must hold: allied reinforcements arriving later do not count."""
    failure_cost: NonNegative = 0.0
    """Cost to the adversary if the move fails, in utility units."""

    @model_validator(mode="after")
    def _some_weight(self) -> Self:
        if not self.weights or sum(self.weights.values()) <= 0.0:
            raise ValueError("a campaign needs a positive weight on at least one domain")
        return self

    def domain_weights(self) -> tuple[float, ...]:
        """Return the weights over ``DOMAINS``, normalised to sum to 1."""
        total = sum(self.weights.values())
        return tuple(self.weights.get(domain, 0.0) / total for domain in DOMAINS)


class Rung(_Frozen):
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


class EscalationLadder(_Frozen):
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
        _require_unique(ids, "rung id")
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


class Condition(_Frozen):
    """A per-run condition, checked daily.

    Set one of: ``rung_at_least`` (a rung id), or ``quantity`` with ``below``/``above``.
    """

    rung_at_least: Identifier | None = None
    """Rung id: holds while the adversary is on it or higher."""
    quantity: PathText | None = None
    """Quantity path compared with below or above."""
    below: Real | None = None
    """Holds while the quantity is below this value."""
    above: Real | None = None
    """Holds while the quantity is above this value."""

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        if (self.rung_at_least is None) == (self.quantity is None):
            raise ValueError("give either rung_at_least or quantity (with below or above)")
        if self.quantity is not None and (self.below is None) == (self.above is None):
            raise ValueError("a quantity condition needs exactly one of below or above")
        if self.rung_at_least is not None and (self.below is not None or self.above is not None):
            raise ValueError("below and above belong to a quantity condition, not to rung_at_least")
        return self


class UnlessResponse(_Frozen):
    """Names a response of an actor: the inject is cancelled in runs where that actor chose it."""

    actor: Identifier
    """Actor whose response cancels the inject."""
    response: Identifier
    """Id of that response."""


class Inject(_Frozen):
    """A scripted event, on a day or when a condition first holds in a run.

    With ``unless_response`` the effects land ``check_after_days`` after the trigger only in runs where
    actor ``unless_response.actor`` has not chosen response ``unless_response.response`` in that time.
    """

    id: Identifier
    """Identifier."""
    text: Text
    """What the players are told."""
    day: Annotated[Real, Field(ge=0.0)] | None = None
    """Day the inject fires (scripted)."""
    when: Condition | None = None
    """Condition that fires the inject, once per run, the first day it holds."""
    check_after_days: NonNegative = 0.0
    """Days between the condition and the effects."""
    unless_response: UnlessResponse | None = None
    """Cancels the inject in runs where this response was taken meanwhile."""
    effects: tuple[Effect, ...]
    """Changes applied when the inject fires."""
    source: SourceText | None = None
    """Public source for the numbers."""

    @model_validator(mode="after")
    def _day_or_condition(self) -> Self:
        if (self.day is None) == (self.when is None):
            raise ValueError("an inject needs either 'day' or 'when', not both")
        return self


class Objective(_Frozen):
    """One objective of a taxonomy: what cooperation programs along it are for."""

    id: Identifier
    """Identifier that programs name in their objective."""
    name: Name
    """Display name."""
    description: Text
    """What exchanges and projects along this objective are."""
    acts_through: Text
    """Which model quantities the objective moves (the paths its programs' effects act on)."""


def _not_a_file_name(value: object) -> object:
    if isinstance(value, str):
        raise ValueError(
            "a taxonomy file is read by load_scenario (relative to the scenario file); "
            "give the taxonomy itself here"
        )
    return value


class Taxonomy(_Frozen):
    """Objectives that a scenario's cooperation programs may pursue."""

    name: Name
    """Display name."""
    source: SourceText | None = None
    """Where the objectives come from."""
    objectives: Annotated[tuple[Objective, ...], Field(min_length=1, max_length=500)]
    """The objectives, each with a distinct id."""

    @field_validator("objectives")
    @classmethod
    def _unique_objectives(cls, objectives: tuple[Objective, ...]) -> tuple[Objective, ...]:
        _require_unique([objective.id for objective in objectives], "objective id")
        return objectives


class LibraryInject(_Frozen):
    """A prepared inject the white cell fires by name during a facilitated session (``wargame session``):
    public text, and effects applied when fired (none for a narrative inject)."""

    id: Identifier
    """Identifier the white cell types (``fire ID``) or picks on the web console."""
    name: Text
    """Short title shown in the list of prepared injects."""
    text: Text
    """What the players are told when it fires."""
    effects: tuple[Effect, ...] = ()
    """Changes applied when it fires (none: a narrative inject)."""


class Scenario(_Frozen):
    """A complete, validated scenario."""

    name: Name
    """Display name."""
    description: Text = ""
    """What the scenario is about."""
    horizon_days: Annotated[Whole, Field(ge=1, le=36_500)]
    """Days simulated in each run."""
    decision_interval_days: Annotated[Whole, Field(ge=1)]
    """Days between the adversary's (and allies') decisions."""
    turn_length_days: Annotated[Whole, Field(ge=1)] = 7
    """Game days per turn in a facilitated session."""
    defender: Identifier
    """Allied actor whose picture and resolve are at stake."""
    adversary: Identifier
    """The actor that climbs the escalation ladder."""
    actors: tuple[Actor, ...]
    """Every actor."""
    commitments: tuple[Commitment, ...] = ()
    """Intervention commitments as the adversary perceives them."""
    links: tuple[Link, ...] = ()
    """Information-sharing links."""
    programs: tuple[Program, ...] = ()
    """Cooperation programs."""
    gray_zone: GrayZone
    """The gray-zone campaign."""
    escalation: EscalationLadder
    """The escalation ladder."""
    injects: tuple[Inject, ...] = ()
    """Scripted and conditional events."""
    inject_library: tuple[LibraryInject, ...] = ()
    """Prepared injects the white cell of a facilitated session may fire by name."""
    outcomes: tuple[PathText, ...] = ()
    """Extra outcome columns to print in the summary."""
    sources: tuple[SourceText, ...] = ()
    """Public sources the scenario draws on."""
    taxonomy: Annotated[Taxonomy, BeforeValidator(_not_a_file_name)] | None = None
    """Objectives the programs pursue: a file (relative, like extends:) or inline; default the reference."""
    uncertain_inputs: tuple[UncertainInput, ...] = ()
    """Fields given as {dist: ...} in the file, sorted by path; filled by the loader, not written."""

    @field_validator("uncertain_inputs")
    @classmethod
    def _sort_uncertain_inputs(cls, inputs: tuple[UncertainInput, ...]) -> tuple[UncertainInput, ...]:
        # One order whatever the order of keys in the file: equal scenarios compare and hash equal.
        return tuple(sorted(inputs, key=lambda uncertain: uncertain.path))

    # Tables derived from this scenario object (see wargame.scenario.derived); not part of its value.
    _derived_tables: TableSlot = PrivateAttr(default_factory=TableSlot)

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        from wargame.scenario.paths import quantity_paths  # the path grammar lives in one place

        actors = {actor.id: actor for actor in self.actors}
        _require_unique([actor.id for actor in self.actors], "actor id", ("actors",))
        _require_known(self.defender, actors, ("defender",))
        _require_known(self.adversary, actors, ("adversary",))
        if actors[self.adversary].side != "adversary":
            raise LocatedValueError(f"{self.adversary!r} must have side 'adversary'", ("adversary",))
        if actors[self.defender].side != "allied":
            raise LocatedValueError(f"{self.defender!r} must have side 'allied'", ("defender",))
        for i, commitment in enumerate(self.commitments):
            _require_known(commitment.from_actor, actors, ("commitments", i, "from"))
            _require_known(commitment.to_actor, actors, ("commitments", i, "to"))
            _require_distinct(commitment.from_actor, commitment.to_actor, ("commitments", i, "to"))
        _require_unique([c.key for c in self.commitments], "commitment", ("commitments",))
        for i, link in enumerate(self.links):
            _require_known(link.from_actor, actors, ("links", i, "from"))
            _require_known(link.to_actor, actors, ("links", i, "to"))
            _require_distinct(link.from_actor, link.to_actor, ("links", i, "to"))
        _require_unique([link.key for link in self.links], "link", ("links",))
        _require_unique([program.id for program in self.programs], "program id", ("programs",))
        for i, program in enumerate(self.programs):
            for j, partner in enumerate(program.partners):
                _require_known(partner, actors, ("programs", i, "partners", j))
            _require_distinct(*program.partners, ("programs", i, "partners", 1))
        for i, activity in enumerate(self.gray_zone.activities):
            if activity.target is not None:
                _require_known(activity.target, actors, ("gray_zone", "activities", i, "target"))
        _require_unique([inject.id for inject in self.injects], "inject id", ("injects",))
        for target in self.escalation.targets or {}:
            _require_known(target, actors, ("escalation", "targets", target))
            if actors[target].side != "allied":
                raise LocatedValueError(
                    f"{target!r} is not allied: the ladder coerces allies", ("escalation", "targets", target)
                )
        rung_ids = [rung.id for rung in self.escalation.rungs]
        known_paths = set(quantity_paths(self))
        for i, actor in enumerate(self.actors):
            for j, response in enumerate(actor.responses):
                rung = response.when.rung_at_least if response.when else None
                where: tuple[str | int, ...] = ("actors", i, "responses", j)
                if rung is not None and rung not in rung_ids:
                    raise LocatedValueError(f"unknown rung {rung!r}", (*where, "when", "rung_at_least"))
                for k, effect in enumerate(response.effects):
                    _require_path(effect.quantity, known_paths, (*where, "effects", k, "quantity"))
        for i, program in enumerate(self.programs):
            for k, program_effect in enumerate(program.effects):
                _require_path(program_effect.quantity, known_paths, ("programs", i, "effects", k, "quantity"))
        for i, inject in enumerate(self.injects):
            where = ("injects", i)
            for k, effect in enumerate(inject.effects):
                _require_path(effect.quantity, known_paths, (*where, "effects", k, "quantity"))
            rung = inject.when.rung_at_least if inject.when is not None else None
            if rung is not None and rung not in rung_ids:
                raise LocatedValueError(f"unknown rung {rung!r}", (*where, "when", "rung_at_least"))
            if inject.when is not None and inject.when.quantity is not None:
                _require_path(inject.when.quantity, known_paths, (*where, "when", "quantity"))
            if inject.unless_response is not None:
                actor_id = inject.unless_response.actor
                _require_known(actor_id, actors, (*where, "unless_response", "actor"))
                if inject.unless_response.response not in {r.id for r in actors[actor_id].responses}:
                    raise LocatedValueError(
                        f"actor {actor_id!r} has no response {inject.unless_response.response!r}",
                        (*where, "unless_response", "response"),
                    )
        from wargame.scenario.columns import check_columns
        from wargame.scenario.uncertain import check_inputs

        check_columns(self)
        check_inputs(self)
        return self

    @model_validator(mode="after")
    def _check_objectives(self, info: ValidationInfo) -> Self:
        from wargame.scenario.taxonomy import reference_taxonomy

        taxonomy = self.taxonomy or reference_taxonomy()
        known = [objective.id for objective in taxonomy.objectives]
        context = info.context if isinstance(info.context, dict) else {}
        if self.taxonomy is None:
            named = "the reference taxonomy"
        elif context.get("taxonomy_file"):
            named = f"the taxonomy {context['taxonomy_file']}"
        else:
            named = f"the taxonomy {self.taxonomy.name!r}"
        for i, program in enumerate(self.programs):
            if program.objective not in known:
                import difflib

                close = difflib.get_close_matches(program.objective, known, n=3)
                listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
                hint = (
                    f"did you mean {' or '.join(repr(c) for c in close)}?" if close else f"it has: {listed}"
                )
                raise LocatedValueError(
                    f"objective {program.objective!r} is not in {named}; {hint}", ("programs", i, "objective")
                )
        return self

    @model_validator(mode="after")
    def _check_inject_library(self) -> Self:
        from wargame.scenario.paths import quantity_paths

        _require_unique([item.id for item in self.inject_library], "inject_library id", ("inject_library",))
        known_paths = set(quantity_paths(self)) if self.inject_library else set()
        for i, item in enumerate(self.inject_library):
            for k, effect in enumerate(item.effects):
                _require_path(effect.quantity, known_paths, ("inject_library", i, "effects", k, "quantity"))
        return self

    def target_weights(self) -> dict[str, float]:
        """Return the actors the adversary's ladder coerces and their weights, summing to 1.

        ``escalation.targets`` if given, else the defender and every actor some ally is committed to.
        """
        targets = self.escalation.targets
        if targets is None:
            defended = [self.defender, *(c.to_actor for c in self.commitments)]
            targets = dict.fromkeys(dict.fromkeys(defended), 1.0)
        total = sum(targets.values())
        return {actor_id: weight / total for actor_id, weight in targets.items()}

    def actor(self, actor_id: str) -> Actor:
        """Return the actor with id ``actor_id``."""
        for actor in self.actors:
            if actor.id == actor_id:
                return actor
        raise KeyError(actor_id)

    @property
    def allied_actors(self) -> tuple[Actor, ...]:
        return tuple(actor for actor in self.actors if actor.side == "allied")


class LocatedValueError(ValueError):
    """A validation error that knows where in the document it is: ``loc`` is a path of keys and indices."""

    def __init__(self, message: str, loc: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.loc = loc


def _require_unique(values: list[str], what: str, loc: tuple[str | int, ...] = ()) -> None:
    seen: set[str] = set()
    for position, value in enumerate(values):
        if value in seen:
            raise LocatedValueError(f"duplicate {what} {value!r}", (*loc, position))
        seen.add(value)


def _require_distinct(first: str, second: str, loc: tuple[str | int, ...]) -> None:
    if first == second:
        raise LocatedValueError(f"needs two different actors, got {first!r} twice", loc)


def _require_known(actor_id: str, actors: dict, loc: tuple[str | int, ...]) -> None:
    if actor_id not in actors:
        raise LocatedValueError(f"unknown actor {actor_id!r} (known: {', '.join(actors)})", loc)


def _require_path(path: str, known_paths: set[str], loc: tuple[str | int, ...]) -> None:
    if path not in known_paths:
        import difflib

        close = difflib.get_close_matches(path, sorted(known_paths), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise LocatedValueError(f"unknown quantity {path!r}{hint}", loc)
