"""Scenario files: the typed schema, the YAML loader with located errors, and dotted paths.

The scenario layer knows nothing of the model that runs it. Names are imported on first use, so that a
command's parser can register the scenario flags (:func:`add_scenario_flags`) without loading pydantic.
"""

from typing import TYPE_CHECKING

from wargame._lazy import lazy_exports

if TYPE_CHECKING:
    from wargame.scenario._actors import Actor
    from wargame.scenario._api import check_playable, load_scenario, scenario_hash
    from wargame.scenario._effects import Condition, Effect, Inject
    from wargame.scenario._fields import (
        DOMAINS,
        ESCALATION_CATEGORIES,
        MAX_COMMAND_EFFECTS,
        MAX_COMMAND_TEXT_CHARS,
        refuse_control_characters,
    )
    from wargame.scenario._gray_zone import Activity, GrayZone
    from wargame.scenario._programs import Objective, Taxonomy
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
    from wargame.scenario.schema import Scenario
    from wargame.scenario.taxonomy import EXCHANGE_OBJECTIVES, reference_taxonomy
    from wargame.scenario.uncertain import scenario_document

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
