"""The gray-zone campaign: activity types, their daily counts' clustering, and how attribution blunts it."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from wargame.scenario._fields import (
    Domain,
    Fraction,
    FrozenModel,
    Identifier,
    LocatedValueError,
    Name,
    NonNegative,
    Real,
    SourceText,
    unique_ids,
)

__all__ = ["Activity", "Clustering", "GrayZone"]


class Clustering(FrozenModel):
    """Self-excitation of an activity's daily counts: a discrete-time Hawkes process.

    With ``phi = exp(-1 / decay_days)`` and ``a = branching_ratio * (1 - phi)``, the count of day ``t``
    adds ``a * E_t`` to the day's mean, where ``E_t = phi * E_{t-1} + N_{t-1}`` sums the past counts with
    exponentially fading weights. ``branching_ratio`` is the share of incidents triggered by earlier ones.
    """

    branching_ratio: Annotated[Real, Field(ge=0.0, le=0.95)]
    """Share of incidents triggered by earlier incidents (n < 1 keeps the process stationary)."""
    decay_days: Annotated[Real, Field(gt=0.0, le=365.0)]
    """Time constant of the excitation's exponential decay, in days."""


class Activity(FrozenModel):
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
    attribution_deterrence: NonNegative = 0.0
    """How much timely attribution deters the activity (Baliga et al. 2020): its rate is multiplied by
    ``exp(-attribution_deterrence * (P_att - P_att(0)))``, ``P_att`` the share of its incidents attributed in
    time and ``P_att(0)`` that share where its rate holds (0: an overt activity; a subset follows its
    parent)."""
    attribution_reference: Fraction | None = None
    """``P_att(0)``: the share of its incidents attributed in time under which ``base_rate_per_day`` holds
    (today's picture, where the rate was observed); none: each run's share at its start."""
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
            "attribution_deterrence": self.attribution_deterrence != 0.0,
            "attribution_reference": self.attribution_reference is not None,
        }
        for name, given in own.items():
            if given:
                raise LocatedValueError(f"a subset activity follows its parent's {name}; remove it", (name,))
        return self


class GrayZone(FrozenModel):
    """The gray-zone campaign and how attribution blunts it."""

    activities: Annotated[tuple[Activity, ...], unique_ids("activity id")]
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
