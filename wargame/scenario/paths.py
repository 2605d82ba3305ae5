"""Dotted paths into a scenario.

Two grammars share one addressing rule: lists of objects are indexed by their ``id`` (links and
commitments by ``from-to``), so ``links.usa-twn.latency_hours`` and ``actors.twn.capability.air`` read the
same in effects, injects, experiment parameters and the CLI.

* **Quantity paths** name the model's state variables that change during a run (effects act on them).
* **Override paths** name any scalar field of the scenario file (experiments set them before a run).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from wargame.errors import InputError
from wargame.scenario.loader import error_location, keyed_parts
from wargame.scenario.loader import item_key as _item_key

if TYPE_CHECKING:
    from wargame.scenario.schema import Scenario

__all__ = [
    "OverrideError",
    "QuantityBounds",
    "apply_overrides",
    "get_value",
    "locate",
    "path_of",
    "quantity_bounds",
    "quantity_paths",
    "value_paths",
]

QuantityBounds = tuple[float, float]

_ACTOR_FRACTIONS = (
    "readiness",
    "resolve",
    "isr_detection_probability",
    "cognitive_resilience",
    "forward_presence",
)
_UNBOUNDED = float("inf")


def quantity_bounds(scenario: Scenario) -> dict[str, QuantityBounds]:
    """Return every quantity path of ``scenario`` with its (low, high) bounds, in a stable order."""
    from wargame.scenario._fields import DOMAINS

    bounds: dict[str, QuantityBounds] = {}
    for actor in scenario.actors:
        for name in _ACTOR_FRACTIONS:
            bounds[f"actors.{actor.id}.{name}"] = (0.0, 1.0)
        for domain in DOMAINS:
            bounds[f"actors.{actor.id}.capability.{domain}"] = (0.0, 1.0)
        bounds[f"actors.{actor.id}.attribution_time_hours"] = (0.0, _UNBOUNDED)
    for link in scenario.links:
        bounds[f"links.{link.key}.latency_hours"] = (0.0, _UNBOUNDED)
        bounds[f"links.{link.key}.fidelity"] = (0.0, 1.0)
    for commitment in scenario.commitments:
        bounds[f"commitments.{commitment.key}.credibility"] = (0.0, 1.0)
    return bounds


def quantity_paths(scenario: Scenario) -> list[str]:
    """Return the quantity paths of ``scenario`` in a stable order."""
    return list(quantity_bounds(scenario))


MAX_PATH_CHARS = 200
"""Longest override path accepted."""


def _walk(document: Any, path: str) -> tuple[Any, str | int]:
    """Return (container, key) for the last segment of ``path`` inside a plain document."""
    loc = locate(document, path)
    container = document
    for key in loc[:-1]:
        container = container[key]
    return container, loc[-1]


def locate(document: Any, path: str) -> tuple[str | int, ...]:
    """Return the location (keys and list indices) of an override path in a plain document.

    Items of a list of objects with ids (or ``from``/``to``) are addressed by their key; items without
    one, such as a program's ``effects``, by their index from 0.

    Raises:
        InputError: For a path that does not exist, naming the closest field or item.
    """
    if not isinstance(path, str) or not path:
        raise InputError("empty path", field=str(path))
    if len(path) > MAX_PATH_CHARS:
        raise InputError(f"a path of {len(path):,} characters (the limit is {MAX_PATH_CHARS})")
    node = document
    loc: list[str | int] = []
    walked: list[str] = []
    for segment in path.split("."):
        where = ".".join(walked) or "top level"
        if not segment:
            raise InputError(f"an empty segment in the path after {where}", field=path)
        if isinstance(node, dict):
            if segment not in node:
                options = sorted(node)
                close = difflib.get_close_matches(segment, options, n=1)
                listed = ", ".join(options[:20]) + (", ..." if len(options) > 20 else "")
                hint = f"; did you mean {close[0]!r}?" if close else f"; options: {listed}"
                raise InputError(f"no field {segment!r} at {where}{hint}", field=path)
            key: str | int = segment
        elif isinstance(node, list):
            key = _list_index(node, segment, where, path)
        else:
            raise InputError(f"{where} is a value, not a section", field=path)
        loc.append(key)
        node = node[key]
        walked.append(segment)
    return tuple(loc)


def _list_index(items: list[Any], segment: str, where: str, path: str) -> int:
    keys = [_item_key(item) for item in items]
    if any(key is not None for key in keys):
        if segment not in keys:
            options = [key for key in keys if key is not None]
            close = difflib.get_close_matches(segment, options, n=1)
            listed = ", ".join(options[:10]) + (", ..." if len(options) > 10 else "")
            if segment.isdecimal():
                hint = f"; its items are addressed by id, not index ({listed})"
            else:
                hint = f"; did you mean {close[0]!r}?" if close else f"; options: {listed}"
            raise InputError(f"no item {segment!r} in {where}{hint}", field=path)
        return keys.index(segment)
    if not (segment.isdecimal() and int(segment) < len(items)):
        count = f"0 to {len(items) - 1}" if items else "none: the list is empty"
        raise InputError(
            f"no item {segment!r} in {where}; its items are addressed by index ({count})", field=path
        )
    return int(segment)


def path_of(document: Any, loc: tuple[str | int, ...]) -> str:
    """Return the override path of a location of keys and list indices in a plain document."""
    return ".".join(text for text, _ in keyed_parts(document, loc))


def value_paths(document: Any, prefix: str = "") -> Iterator[str]:
    """Yield the override path of every value (not section) of a plain document, in document order."""
    if isinstance(document, dict):
        items: Iterable[tuple[str, Any]] = document.items()
    elif isinstance(document, list):
        keys = [_item_key(item) for item in document]
        keyed = any(key is not None for key in keys)
        items = (
            (key if keyed and key is not None else str(i), item)
            for i, (key, item) in enumerate(zip(keys, document, strict=True))
        )
    else:
        yield prefix
        return
    for key, value in items:
        yield from value_paths(value, f"{prefix}.{key}" if prefix else str(key))


def get_value(scenario: Scenario, path: str) -> Any:
    """Return the value of the scenario field at dotted ``path``."""
    document = scenario.model_dump(mode="json", by_alias=True)
    container, key = _walk(document, path)
    return container[key]


class OverrideError(InputError):
    """An override that does not fit the scenario.

    Attributes:
        path: The override path at fault, when one is (else ``None``: the overrides together break a rule).
        reason: What is wrong, without the path.
    """

    def __init__(self, message: str, *, path: str | None, reason: str, field: str | None) -> None:
        super().__init__(message, field=field)
        self.path = path
        self.reason = reason


def apply_overrides(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """Return a new scenario with the fields at the given dotted paths replaced.

    Args:
        scenario: The base scenario (left unchanged).
        overrides: Mapping of override path (``links.usa-twn.latency_hours``,
            ``programs.policy_dialogue.effects.0.gain_per_exchange``) to the new value.

    Raises:
        OverrideError: If a path does not exist, points at a section rather than a value, or the result
            is not a valid scenario (naming the override at fault when there is one).
    """
    from pydantic import ValidationError

    from wargame.scenario.schema import Scenario
    from wargame.scenario.uncertain import FieldSpec, field_spec, median_for, parse_at

    document = scenario.model_dump(mode="json", by_alias=True)
    uncertain = {item["path"]: item for item in document.pop("uncertain_inputs", [])}
    for path, value in overrides.items():
        try:
            loc = locate(document, path)
        except InputError as error:
            raise OverrideError(error.message, path=path, reason=error.message, field=path) from None
        container: Any = document
        for part in loc[:-1]:
            container = container[part]
        reason = None
        if isinstance(container[loc[-1]], dict | list):
            reason = "points at a section, not a value"
        elif isinstance(value, list) or (isinstance(value, dict) and "dist" not in value):
            reason = "a value must be a number, text or a distribution {dist: ...}"
        elif isinstance(value, dict):
            spec = field_spec(Scenario, loc)
            distribution, problem, inner = parse_at(value, spec)
            if problem is not None:
                reason = f"{'.'.join(map(str, inner))}: {problem}" if inner else problem
            else:
                container[loc[-1]] = median_for(distribution, spec)
                canonical = path_of(document, loc)
                uncertain[canonical] = {
                    "path": canonical,
                    "distribution": distribution,
                    "integer": isinstance(spec, FieldSpec) and spec.integer,
                }
        else:
            uncertain.pop(path_of(document, loc), None)
            container[loc[-1]] = value
        if reason is not None:
            raise OverrideError(reason, path=path, reason=reason, field=path)
    if uncertain:
        document["uncertain_inputs"] = list(uncertain.values())
    try:
        return Scenario.model_validate(document)
    except ValidationError as error:
        first = error.errors()[0]
        loc = error_location(first)
        reason = first["msg"].removeprefix("Value error, ")
        at = path_of(document, loc)
        # The override at fault: the one at the error's place, or the only one inside the failing section.
        inside = [p for p in overrides if not at or p == at or p.startswith(f"{at}.")]
        culprit = at if at in overrides else (inside[0] if len(inside) == 1 else None)
        raise OverrideError(
            f"override makes the scenario invalid: {reason}", path=culprit, reason=reason, field=at or None
        ) from None
