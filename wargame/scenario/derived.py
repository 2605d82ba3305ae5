"""Tables derived from a scenario, built once per scenario object and kept on it.

Policies store only their constructor parameters, and scenarios are immutable, so lookup tables that a
decision needs every time (rule columns, rows of the deterrent) are built the first time and kept in a
private attribute of the scenario object itself: no module-level state, and the tables go when the
scenario goes. They are not part of the scenario's value: equal scenarios compare equal whatever they
hold, and a copy or a pickle (to a worker process) starts without them.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wargame.scenario.schema import Scenario

__all__ = ["TableSlot", "derived_table"]


class TableSlot:
    """The derived tables of one scenario object, keyed by what they are (a scenario's private slot)."""

    def __init__(self) -> None:
        self.owner: weakref.ref[Scenario] | None = None
        self.tables: dict[Any, Any] = {}

    def __eq__(self, other: object) -> bool:  # never part of a scenario's value
        return isinstance(other, TableSlot)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[TableSlot], tuple[()]]:
        return TableSlot, ()  # copies and pickles start empty


def derived_table[T](scenario: Scenario, key: Any, build: Callable[[Scenario], T]) -> T:
    """Return ``build(scenario)``, computing it only the first time for this scenario object and ``key``."""
    slot: TableSlot = scenario._derived_tables
    if slot.owner is None:
        slot.owner = weakref.ref(scenario)
    elif slot.owner() is not scenario:  # a model_copy shares its original's slot: start its own
        slot = TableSlot()
        slot.owner = weakref.ref(scenario)
        scenario._derived_tables = slot
    if key not in slot.tables:
        slot.tables[key] = build(scenario)
    return slot.tables[key]
