"""Changes to the model's quantities and the events that make them: effects, and the injects that apply
them on a day, when a condition first holds, or when the white cell fires one from its library.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from wargame.scenario._fields import FrozenModel, Identifier, NonNegative, PathText, Real, SourceText, Text

__all__ = ["Condition", "Effect", "Inject", "LibraryInject", "UnlessResponse"]


class Effect(FrozenModel):
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

    @property
    def amount(self) -> float | None:
        """The operation's number: the amount added, the factor or the value set."""
        return self.add if self.add is not None else self.multiply if self.multiply is not None else self.set

    @model_validator(mode="after")
    def _exactly_one_operation(self) -> Self:
        given = [name for name in ("add", "multiply", "set") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of add, multiply, set (got {', '.join(given) or 'none'})")
        return self


class Condition(FrozenModel):
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


class UnlessResponse(FrozenModel):
    """Names a response of an actor: the inject is cancelled in runs where that actor chose it."""

    actor: Identifier
    """Actor whose response cancels the inject."""
    response: Identifier
    """Id of that response."""


class Inject(FrozenModel):
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


class LibraryInject(FrozenModel):
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
