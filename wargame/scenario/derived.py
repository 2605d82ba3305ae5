"""Tables derived from a scenario, built once per scenario object.

Policies store only their constructor parameters, and scenarios are immutable, so lookup tables that a
decision needs every time (rule columns, rows of the deterrent) are kept here, keyed by the scenario's
identity and checked against it, so a new scenario object never sees another's table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wargame.scenario.schema import Scenario

__all__ = ["derived_table"]

_TABLES: dict[tuple[int, Any], tuple[Scenario, Any]] = {}
_TABLES_KEPT = 64


def derived_table[T](scenario: Scenario, key: Any, build: Callable[[Scenario], T]) -> T:
    """Return ``build(scenario)``, computing it only the first time for this scenario object and ``key``."""
    entry = _TABLES.get((id(scenario), key))
    if entry is not None and entry[0] is scenario:
        return entry[1]
    table = build(scenario)
    if len(_TABLES) >= _TABLES_KEPT:
        _TABLES.clear()
    _TABLES[(id(scenario), key)] = (scenario, table)
    return table
