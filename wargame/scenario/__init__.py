"""Scenario files: the typed schema, the YAML loader with located errors, and dotted paths.

The scenario layer knows nothing of the model that runs it. Names are imported on first use, so that a
command's parser can register the scenario flags (:func:`add_scenario_flags`) without loading pydantic.
"""

from typing import TYPE_CHECKING

from wargame._lazy import lazy_exports

if TYPE_CHECKING:
    from wargame.scenario._api import check_playable, load_scenario, scenario_hash
    from wargame.scenario.distributions import UncertainInput
    from wargame.scenario.flags import add_scenario_flags, load_scenario_with, set_overrides
    from wargame.scenario.loader import (
        FileRoots,
        LocatedDocument,
        document_kind,
        load_document,
        resolve_reference,
        validate_document,
    )
    from wargame.scenario.paths import (
        OverrideError,
        apply_overrides,
        get_value,
        quantity_bounds,
        quantity_paths,
    )
    from wargame.scenario.schema import DOMAINS, ESCALATION_CATEGORIES, Actor, Objective, Scenario, Taxonomy
    from wargame.scenario.taxonomy import EXCHANGE_OBJECTIVES, reference_taxonomy
    from wargame.scenario.uncertain import scenario_document

_HOMES = {
    "check_playable": "._api",
    "load_scenario": "._api",
    "scenario_hash": "._api",
    "add_scenario_flags": ".flags",
    "load_scenario_with": ".flags",
    "set_overrides": ".flags",
    "scenario_document": ".uncertain",
    "UncertainInput": ".distributions",
    "FileRoots": ".loader",
    "LocatedDocument": ".loader",
    "document_kind": ".loader",
    "load_document": ".loader",
    "resolve_reference": ".loader",
    "validate_document": ".loader",
    "OverrideError": ".paths",
    "apply_overrides": ".paths",
    "get_value": ".paths",
    "quantity_bounds": ".paths",
    "quantity_paths": ".paths",
    "DOMAINS": ".schema",
    "ESCALATION_CATEGORIES": ".schema",
    "EXCHANGE_OBJECTIVES": ".taxonomy",
    "Objective": ".schema",
    "Taxonomy": ".schema",
    "reference_taxonomy": ".taxonomy",
    "Actor": ".schema",
    "Scenario": ".schema",
}

__all__ = [
    "DOMAINS",
    "ESCALATION_CATEGORIES",
    "EXCHANGE_OBJECTIVES",
    "Actor",
    "FileRoots",
    "LocatedDocument",
    "Objective",
    "OverrideError",
    "Scenario",
    "Taxonomy",
    "UncertainInput",
    "add_scenario_flags",
    "apply_overrides",
    "check_playable",
    "document_kind",
    "get_value",
    "load_document",
    "load_scenario",
    "load_scenario_with",
    "quantity_bounds",
    "quantity_paths",
    "reference_taxonomy",
    "resolve_reference",
    "scenario_document",
    "scenario_hash",
    "set_overrides",
    "validate_document",
]
__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
