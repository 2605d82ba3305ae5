"""The typed schema of a scenario file: the top-level :class:`Scenario` and its cross-field checks.

Every model is immutable and rejects unknown keys. Units are in field names: ``_days``, ``_hours``,
``_per_day``, ``_per_year``. Probabilities and normalised indices are fractions in [0, 1].
Cross-references (actor ids, rung ids, quantity paths) are checked in :meth:`Scenario._check_references`.
The sections of a scenario are defined beside it: actors, commitments and links in ``_actors``, the
gray-zone campaign in ``_gray_zone``, the escalation ladder in ``_escalation``, programs and taxonomies in
``_programs``, effects and injects in ``_effects``.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BeforeValidator, Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from wargame.scenario._actors import Actor, Commitment, Link
from wargame.scenario._effects import Inject, LibraryInject
from wargame.scenario._escalation import EscalationLadder
from wargame.scenario._fields import (
    FrozenModel,
    Identifier,
    LocatedValueError,
    Name,
    PathText,
    SourceText,
    Text,
    Whole,
    require_unique,
)
from wargame.scenario._gray_zone import GrayZone
from wargame.scenario._programs import Program, Taxonomy
from wargame.scenario.derived import TableSlot
from wargame.scenario.distributions import UncertainInput

__all__ = ["Scenario"]


def _not_a_file_name(value: object) -> object:
    if isinstance(value, str):
        raise ValueError(
            "a taxonomy file is read by load_scenario (relative to the scenario file); "
            "give the taxonomy itself here"
        )
    return value


class Scenario(FrozenModel):
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
        require_unique([actor.id for actor in self.actors], "actor id", ("actors",))
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
        require_unique([c.key for c in self.commitments], "commitment", ("commitments",))
        for i, link in enumerate(self.links):
            _require_known(link.from_actor, actors, ("links", i, "from"))
            _require_known(link.to_actor, actors, ("links", i, "to"))
            _require_distinct(link.from_actor, link.to_actor, ("links", i, "to"))
        require_unique([link.key for link in self.links], "link", ("links",))
        require_unique([program.id for program in self.programs], "program id", ("programs",))
        for i, program in enumerate(self.programs):
            for j, partner in enumerate(program.partners):
                _require_known(partner, actors, ("programs", i, "partners", j))
            _require_distinct(*program.partners, ("programs", i, "partners", 1))
        for i, activity in enumerate(self.gray_zone.activities):
            if activity.target is not None:
                _require_known(activity.target, actors, ("gray_zone", "activities", i, "target"))
        require_unique([inject.id for inject in self.injects], "inject id", ("injects",))
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

        require_unique([item.id for item in self.inject_library], "inject_library id", ("inject_library",))
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
