"""Cooperation programs and the taxonomy of objectives they pursue."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from wargame.scenario._fields import (
    Fraction,
    FrozenModel,
    Identifier,
    Name,
    NonNegative,
    PathText,
    Real,
    SourceText,
    Text,
    unique_ids,
)

__all__ = ["Objective", "Program", "ProgramEffect", "Taxonomy"]


class ProgramEffect(FrozenModel):
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


class Program(FrozenModel):
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


class Objective(FrozenModel):
    """One objective of a taxonomy: what cooperation programs along it are for."""

    id: Identifier
    """Identifier that programs name in their objective."""
    name: Name
    """Display name."""
    description: Text
    """What exchanges and projects along this objective are."""
    acts_through: Text
    """Which model quantities the objective moves (the paths its programs' effects act on)."""


class Taxonomy(FrozenModel):
    """Objectives that a scenario's cooperation programs may pursue."""

    name: Name
    """Display name."""
    source: SourceText | None = None
    """Where the objectives come from."""
    objectives: Annotated[
        tuple[Objective, ...], Field(min_length=1, max_length=500), unique_ids("objective id")
    ]
    """The objectives, each with a distinct id."""
