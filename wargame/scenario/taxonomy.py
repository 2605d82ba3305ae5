"""Objective taxonomies: which cooperation objectives a scenario's programs may pursue.

A taxonomy lists objectives, each with an ``id``, a ``name``, a ``description`` and ``acts_through`` (which
model quantities the objective moves). A scenario names its own with ``taxonomy: file.yaml`` (relative to
the file, confined like ``extends:``) or writes it inline; without one, the reference taxonomy shipped with
wargame applies: the ten military-exchange objectives of the R.O.C. National Defense Report.
"""

from __future__ import annotations

import functools
from importlib import resources

from wargame.scenario._programs import Taxonomy
from wargame.scenario.yaml_reader import parse_yaml

__all__ = ["EXCHANGE_OBJECTIVES", "REFERENCE_TAXONOMY_FILE", "reference_taxonomy"]

REFERENCE_TAXONOMY_FILE = "reference_taxonomy.yaml"
"""The reference taxonomy, package data of ``wargame.scenario``."""


@functools.cache
def reference_taxonomy() -> Taxonomy:
    """Return the reference taxonomy (read once from the package's data)."""
    text = resources.files("wargame.scenario").joinpath(REFERENCE_TAXONOMY_FILE).read_text(encoding="utf-8")
    return Taxonomy.model_validate(parse_yaml(text, REFERENCE_TAXONOMY_FILE).data)


EXCHANGE_OBJECTIVES: tuple[str, ...] = tuple(objective.id for objective in reference_taxonomy().objectives)
"""The ids of the reference taxonomy's ten objectives."""
