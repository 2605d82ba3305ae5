"""Scenario files: the typed schema, the YAML loader with located errors, and dotted paths.

The scenario layer knows nothing of the model that runs it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from wargame.scenario.loader import LocatedDocument, load_document, validate_document
from wargame.scenario.paths import apply_overrides, get_value, quantity_bounds, quantity_paths
from wargame.scenario.schema import (
    DOMAINS,
    ESCALATION_CATEGORIES,
    EXCHANGE_OBJECTIVES,
    Actor,
    Scenario,
)

__all__ = [
    "DOMAINS",
    "ESCALATION_CATEGORIES",
    "EXCHANGE_OBJECTIVES",
    "Actor",
    "LocatedDocument",
    "Scenario",
    "apply_overrides",
    "get_value",
    "load_document",
    "load_scenario",
    "quantity_bounds",
    "quantity_paths",
    "scenario_hash",
    "validate_document",
]


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file (resolving ``extends:``).

    Raises:
        InputError: With file, line and field path, for any problem in the file or its parents.
    """
    return validate_document(load_document(path), Scenario, source=str(path))


def scenario_hash(scenario: Scenario) -> str:
    """Return a SHA-256 of the scenario's canonical JSON form (stable across key order and extends)."""
    canonical = json.dumps(
        scenario.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
