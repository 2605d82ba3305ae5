"""Dotted paths into a scenario.

Two grammars share one addressing rule: lists of objects are indexed by their ``id`` (links and
commitments by ``from-to``), so ``links.usa-twn.latency_hours`` and ``actors.twn.capability.air`` read the
same in effects, injects, experiment parameters and the CLI.

* **Quantity paths** name the model's state variables that change during a run (effects act on them).
* **Override paths** name any scalar field of the scenario file (experiments set them before a run).
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from wargame.errors import InputError
from wargame.scenario.loader import item_key as _item_key

if TYPE_CHECKING:
    from wargame.scenario.schema import Scenario

__all__ = ["QuantityBounds", "apply_overrides", "get_value", "quantity_bounds", "quantity_paths"]

QuantityBounds = tuple[float, float]

_ACTOR_FRACTIONS = ("readiness", "resolve", "isr_detection_probability", "cognitive_resilience")
_UNBOUNDED = float("inf")


def quantity_bounds(scenario: Scenario) -> dict[str, QuantityBounds]:
    """Return every quantity path of ``scenario`` with its (low, high) bounds, in a stable order."""
    from wargame.scenario.schema import DOMAINS

    bounds: dict[str, QuantityBounds] = {}
    for actor in scenario.actors:
        for name in _ACTOR_FRACTIONS:
            bounds[f"actors.{actor.id}.{name}"] = (0.0, 1.0)
        for domain in DOMAINS:
            bounds[f"actors.{actor.id}.capability.{domain}"] = (0.0, 1.0)
    for link in scenario.links:
        bounds[f"links.{link.key}.latency_hours"] = (0.0, _UNBOUNDED)
        bounds[f"links.{link.key}.fidelity"] = (0.0, 1.0)
    for commitment in scenario.commitments:
        bounds[f"commitments.{commitment.key}.credibility"] = (0.0, 1.0)
    return bounds


def quantity_paths(scenario: Scenario) -> list[str]:
    """Return the quantity paths of ``scenario`` in a stable order."""
    return list(quantity_bounds(scenario))


def _walk(document: Any, path: str) -> tuple[Any, str | int]:
    """Return (container, key) for the last segment of ``path`` inside a plain document."""
    segments = path.split(".")
    node = document
    walked: list[str] = []
    for position, segment in enumerate(segments):
        is_last = position == len(segments) - 1
        if isinstance(node, dict):
            if segment not in node:
                options = sorted(node)
                close = difflib.get_close_matches(segment, options, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f"; options: {', '.join(options)}"
                raise InputError(
                    f"no field {segment!r} at {'.'.join(walked) or 'top level'}{hint}", field=path
                )
            if is_last:
                return node, segment
            node = node[segment]
        elif isinstance(node, list):
            keys = [_item_key(item) for item in node]
            if segment not in keys:
                options = [key for key in keys if key is not None]
                close = difflib.get_close_matches(segment, options, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f"; options: {', '.join(options)}"
                raise InputError(f"no item {segment!r} in {'.'.join(walked)}{hint}", field=path)
            index = keys.index(segment)
            if is_last:
                return node, index
            node = node[index]
        else:
            raise InputError(f"{'.'.join(walked)} is a value, not a section", field=path)
        walked.append(segment)
    raise InputError("empty path", field=path)


def get_value(scenario: Scenario, path: str) -> Any:
    """Return the value of the scenario field at dotted ``path``."""
    document = scenario.model_dump(mode="json", by_alias=True)
    container, key = _walk(document, path)
    return container[key]


def apply_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """Return a new scenario with the fields at the given dotted paths replaced.

    Args:
        scenario: The base scenario (left unchanged).
        overrides: Mapping of override path (``links.usa-twn.latency_hours``) to the new value.

    Raises:
        InputError: If a path does not exist, points at a section rather than a value, or the result is
            not a valid scenario.
    """
    from pydantic import ValidationError

    from wargame.scenario.schema import Scenario

    document = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for path, value in overrides.items():
        container, key = _walk(document, path)
        if isinstance(container[key], dict | list):
            raise InputError("points at a section, not a value", field=path)
        container[key] = value
    try:
        return Scenario.model_validate(document)
    except ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(part) for part in first["loc"])
        raise InputError(f"override makes the scenario invalid: {first['msg']}", field=location) from None
