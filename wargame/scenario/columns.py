"""The output columns a scenario's ids produce, and the ids that are reserved.

A run writes one row per run with fixed columns (``war``, ``incidents_total``, ...) and columns named
after ids (``incidents_<activity>``, ``final_resolve_<actor>``, ``final_credibility_<from>_<to>``). Two
sources giving one column name would silently overwrite each other, so :func:`check_columns` refuses a
scenario where that happens, naming the second source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wargame.scenario._fields import LocatedValueError

if TYPE_CHECKING:
    from wargame.scenario.schema import Scenario

__all__ = ["FIXED_COLUMNS", "RESERVED_ACTOR_IDS", "check_columns", "id_columns"]

FIXED_COLUMNS: tuple[str, ...] = (
    "war",
    "war_day",
    "max_rung",
    "max_rung_id",
    "final_rung_id",
    "escalation_score",
    "incidents_total",
    "detected_total",
    "attributed_timely_total",
    "detection_rate",
    "attribution_rate",
    "mean_attribution_delay_hours",
    "injects_fired",
)
"""Columns every run has, whatever the scenario's ids."""

RESERVED_ACTOR_IDS: dict[str, str] = {
    "white_cell": "sessions name the facilitators' seat so",
}
"""Actor ids taken by the engine, with the reason."""

Loc = tuple[str | int, ...]


def id_columns(scenario: Scenario) -> list[tuple[str, str, Loc]]:
    """Return ``(column, what gives it, location of its id)`` for every column named after an id."""
    columns: list[tuple[str, str, Loc]] = []
    for i, activity in enumerate(scenario.gray_zone.activities):
        columns.append(
            (f"incidents_{activity.id}", f"activity {activity.id!r}", ("gray_zone", "activities", i, "id"))
        )
    for i, actor in enumerate(scenario.actors):
        if actor.side == "allied":
            for quantity in ("resolve", "readiness"):
                columns.append((f"final_{quantity}_{actor.id}", f"actor {actor.id!r}", ("actors", i, "id")))
    for i, commitment in enumerate(scenario.commitments):
        column = f"final_credibility_{commitment.from_actor}_{commitment.to_actor}"
        columns.append((column, f"commitment {commitment.key!r}", ("commitments", i, "to")))
    return columns


def check_columns(scenario: Scenario) -> None:
    """Refuse reserved ids and ids whose output columns collide.

    Raises:
        LocatedValueError: Naming the column and both sources, located at the second one.
    """
    for i, actor in enumerate(scenario.actors):
        if actor.id in RESERVED_ACTOR_IDS:
            raise LocatedValueError(
                f"actor id {actor.id!r} is reserved ({RESERVED_ACTOR_IDS[actor.id]}); choose another id",
                ("actors", i, "id"),
            )
    given: dict[str, str] = {column: "the model" for column in FIXED_COLUMNS}
    for column, what, loc in id_columns(scenario):
        if column in given:
            first = given[column]
            reason = (
                "a column every run has"
                if first == "the model"
                else f"the column of {first} already; ids that differ only by '-' and '_' collide"
            )
            raise LocatedValueError(
                f"{what} would write the output column {column!r}, {reason}; choose another id", loc
            )
        given[column] = what
