"""Uncertain inputs: the ``{dist: ...}`` values of a scenario, checked against the fields they stand for.

The loader finds every mapping with a ``dist`` key in the merged document (after ``extends:``, so an overlay
may put a distribution on a parent's number or a number on a parent's distribution), checks it against
its field (a number; an integer field takes only a ``choice`` of whole numbers; the support inside the
field's bounds), puts the median in its place, so that the nominal scenario validates as any other, and
records it as an :class:`~wargame.scenario.distributions.UncertainInput` in ``Scenario.uncertain_inputs``,
in document order.
"""

from __future__ import annotations

import difflib
import math
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from wargame.errors import InputError
from wargame.scenario.distributions import (
    DISTRIBUTION_KINDS,
    Beta,
    Choice,
    LogNormal,
    Normal,
    Triangular,
    UncertainInput,
    Uniform,
    parse_distribution,
)

if TYPE_CHECKING:
    from wargame.scenario.loader import LocatedDocument
    from wargame.scenario.schema import Scenario

__all__ = [
    "FieldSpec",
    "check_fits",
    "check_inputs",
    "field_spec",
    "find_distributions",
    "median_for",
    "parse_at",
    "resolve_distributions",
    "scenario_document",
]

Loc = tuple[str | int, ...]
_CLASSES: dict[str, type[BaseModel]] = {
    "uniform": Uniform,
    "normal": Normal,
    "lognormal": LogNormal,
    "beta": Beta,
    "triangular": Triangular,
    "choice": Choice,
}


@dataclass(frozen=True)
class FieldSpec:
    """What a numeric field accepts: whole numbers or reals, within bounds (``gt``/``lt`` are open)."""

    integer: bool
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False

    def describe(self) -> str:
        left = "(" if self.low_open or self.low == -math.inf else "["
        right = ")" if self.high_open or self.high == math.inf else "]"
        return f"{left}{_number(self.low)}, {_number(self.high)}{right}"


def _number(value: float) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:g}"


def _unwrap(annotation: Any, found: list[Any]) -> Any:
    """Return the type inside ``Annotated`` and ``X | None``, adding every constraint met to ``found``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            base, *extra = typing.get_args(annotation)
            for item in extra:
                found.extend(item.metadata if isinstance(item, FieldInfo) else [item])
            annotation = base
        elif options := _options(annotation):
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation


def _options(annotation: Any) -> tuple[Any, ...]:
    """Return the types of a union other than ``None`` (``()`` for anything but a union)."""
    if typing.get_origin(annotation) in (types.UnionType, typing.Union):
        return tuple(arg for arg in typing.get_args(annotation) if arg is not type(None))
    return ()


def _model_field(model: type[BaseModel], name: str) -> FieldInfo | None:
    return model.model_fields.get(name) or next(
        (field for field in model.model_fields.values() if field.alias == name), None
    )


def field_spec(model: type[BaseModel], loc: Loc) -> FieldSpec | str | None:
    """Return what the field at ``loc`` (keys and list indices) of ``model`` accepts.

    Returns:
        A :class:`FieldSpec` for a number; a description of anything else (``text``, ``a section``); or
        ``None`` when the schema has no such field (the validation of the document then says so).
    """
    current: Any = model
    constraints: list[Any] = []
    for part in loc:
        annotation = _unwrap(current, [])
        if _options(annotation) and isinstance(part, str):
            # A number or a mapping (``force_ratio_needed: 1.2`` or ``{air: 1.2}``): a key picks the mapping.
            mappings = [_unwrap(o, []) for o in _options(annotation)]
            annotation = next((o for o in mappings if typing.get_origin(o) is dict), annotation)
        if typing.get_origin(annotation) is dict and isinstance(part, str):
            current, constraints = typing.get_args(annotation)[1], []
            continue
        if isinstance(part, int):
            args = typing.get_args(annotation) if typing.get_origin(annotation) is tuple else ()
            if args and args[-1] is Ellipsis:
                current = args[0]
            elif 0 <= part < len(args):
                current = args[part]
            else:
                return None
            constraints = []
            continue
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        field = _model_field(annotation, part)
        if field is None:
            return None
        current, constraints = field.annotation, list(field.metadata)
    base = _unwrap(current, constraints)
    # A number or a mapping: a value (no key left) stands for the number.
    numbers = [option for option in _options(base) if _unwrap(option, []) in (int, float)]
    if numbers:
        base = _unwrap(numbers[0], constraints)
    if base is int or base is float:
        bounds: dict[str, Any] = {"integer": base is int}
        for item in constraints:
            for name, end, is_open in (
                ("ge", "low", False),
                ("gt", "low", True),
                ("le", "high", False),
                ("lt", "high", True),
            ):
                value = getattr(item, name, None)
                if value is not None:
                    bounds[end], bounds[f"{end}_open"] = float(value), is_open
        return FieldSpec(**bounds)
    if base is bool:
        return "true or false"
    if isinstance(base, type) and issubclass(base, BaseModel):
        return "a section"
    if typing.get_origin(base) is tuple:
        return "a list"
    return "text"


def check_fits(distribution: Any, spec: FieldSpec) -> str | None:
    """Return why ``distribution`` cannot stand for a field of ``spec``, or ``None`` if it can."""
    if spec.integer and not (isinstance(distribution, Choice) and distribution.whole_numbers):
        return "an integer field takes only {dist: choice, values: [...]} of whole numbers"
    low, high = distribution.support()
    below = low < spec.low or (low == spec.low and spec.low_open and not distribution.open_below)
    above = high > spec.high or (high == spec.high and spec.high_open)
    if not (below or above):
        return None
    if isinstance(distribution, Normal | LogNormal):
        hint = "; give low and high to truncate it"
    else:
        hint = f"; keep its values inside {spec.describe()}"
    return (
        f"the {distribution.dist} distribution's support [{_number(low)}, {_number(high)}] is outside the "
        f"field's bounds {spec.describe()}{hint}"
    )


def find_distributions(data: Any, loc: Loc = ()) -> Iterator[Loc]:
    """Yield the location of every mapping with a ``dist`` key, in document order (not inside one)."""
    if isinstance(data, dict):
        if "dist" in data:
            yield loc
            return
        for key, value in data.items():
            yield from find_distributions(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from find_distributions(value, (*loc, index))


def parse_at(mapping: Any, spec: FieldSpec | str | None) -> tuple[Any, str | None, Loc]:
    """Parse a ``{dist: ...}`` mapping standing for a field of ``spec``.

    Returns:
        ``(distribution, None, ())`` when it is fine; else ``(None, why, where inside the mapping)``.
    """
    if isinstance(spec, str):
        return None, f"a distribution stands for a number; this field is {spec}", ()
    kind = mapping.get("dist")
    if not isinstance(kind, str) or kind not in DISTRIBUTION_KINDS:
        close = difflib.get_close_matches(kind, DISTRIBUTION_KINDS, n=1) if isinstance(kind, str) else []
        shown = repr(kind if not isinstance(kind, str) or len(kind) <= 40 else kind[:40] + "...")
        hint = f"did you mean {close[0]!r}? " if close else ""
        return (
            None,
            f"unknown distribution {shown}; {hint}(choose from {', '.join(DISTRIBUTION_KINDS)})",
            ("dist",),
        )
    try:
        distribution = parse_distribution(mapping)
    except ValidationError as error:
        errors = error.errors()
        # An unknown key usually explains a missing one (a typo): report it first.
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        inner: Loc = tuple(first["loc"][1:])  # the first element names the tag
        if first["type"] == "extra_forbidden":
            names = [field.alias or name for name, field in _CLASSES[kind].model_fields.items()]
            close = difflib.get_close_matches(str(inner[-1]), names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (its fields: {', '.join(names)})"
            return None, f"unknown field {str(inner[-1])[:40]!r} in a {kind} distribution{hint}", inner
        if first["type"] == "missing":
            return None, f"a {kind} distribution needs {inner[-1]!r}", inner[:-1]
        return None, first["msg"].removeprefix("Value error, "), inner
    if spec is not None:
        problem = check_fits(distribution, spec)
        if problem is not None:
            return None, problem, ()
    return distribution, None, ()


def median_for(distribution: Any, spec: FieldSpec | str | None) -> float | int:
    """The value a nominal scenario holds for ``distribution``: its median (whole for an integer field)."""
    median = distribution.median()
    return int(median) if isinstance(spec, FieldSpec) and spec.integer else median


def resolve_distributions(document: LocatedDocument, model: type[BaseModel]) -> list[UncertainInput]:
    """Check every ``{dist: ...}`` of ``document``, put its median in its place and return them.

    Raises:
        InputError: At the file and line of the distribution (or of its bad key), naming the field.
    """
    from wargame.scenario.loader import readable_path
    from wargame.scenario.paths import path_of

    if document.data.get("uncertain_inputs") == []:  # a dump of a scenario without distributions
        del document.data["uncertain_inputs"]
    if "uncertain_inputs" in document.data:
        raise InputError(
            "uncertain_inputs is filled from the {dist: ...} values: write each distribution at its field",
            source=document.source(("uncertain_inputs",), "?"),
            field="uncertain_inputs",
        )
    found: list[UncertainInput] = []
    for loc in list(find_distributions(document.data)):
        spec = field_spec(model, loc)
        container = document.data
        for part in loc[:-1]:
            container = container[part]
        distribution, problem, inner = parse_at(container[loc[-1]], spec)
        if problem is not None:
            field = readable_path(document.data, (*loc, *inner))
            raise InputError(problem, source=document.source((*loc, *inner), "?"), field=field)
        integer = isinstance(spec, FieldSpec) and spec.integer
        found.append(
            UncertainInput(path=path_of(document.data, loc), distribution=distribution, integer=integer)
        )
        container[loc[-1]] = median_for(distribution, spec)
    return found


def _item_key(item: Any) -> str | None:
    key = getattr(item, "id", None)
    if isinstance(key, str):
        return key
    key = getattr(item, "key", None)
    return key if isinstance(key, str) else None


def _loc_in(scenario: Scenario, path: str) -> Loc | None:
    """Return the location of an override path inside a scenario object, or ``None`` if it has none."""
    node: Any = scenario
    loc: list[str | int] = []
    for segment in path.split("."):
        if isinstance(node, BaseModel):
            field = _model_field(type(node), segment)
            if field is None:
                return None
            name = next(name for name, info in type(node).model_fields.items() if info is field)
            node = getattr(node, name)
            loc.append(segment)
        elif isinstance(node, tuple):
            keys = [_item_key(item) for item in node]
            if any(key is not None for key in keys):
                if segment not in keys:
                    return None
                index = keys.index(segment)
            elif segment.isdecimal() and int(segment) < len(node):
                index = int(segment)
            else:
                return None
            node = node[index]
            loc.append(index)
        elif isinstance(node, dict) and segment in node:
            node = node[segment]
            loc.append(segment)
        else:
            return None
    return tuple(loc)


def check_inputs(scenario: Scenario) -> None:
    """Check ``scenario.uncertain_inputs`` against the scenario (for scenarios not built by the loader).

    Raises:
        LocatedValueError: For a path that names no number of the scenario, a path given twice, an
            ``integer`` flag that does not match the field, or a distribution that does not fit it.
    """
    from wargame.scenario._fields import LocatedValueError

    seen: set[str] = set()
    for index, uncertain in enumerate(scenario.uncertain_inputs):
        where: Loc = ("uncertain_inputs", index, "path")
        if uncertain.path in seen:
            raise LocatedValueError(f"{uncertain.path} has two distributions", where)
        seen.add(uncertain.path)
        loc = _loc_in(scenario, uncertain.path)
        spec = field_spec(type(scenario), loc) if loc is not None else None
        if not isinstance(spec, FieldSpec):
            raise LocatedValueError(f"{uncertain.path!r} is not a number of this scenario", where)
        if uncertain.integer != spec.integer:
            raise LocatedValueError(
                f"integer is {uncertain.integer} but {uncertain.path} is "
                + ("an integer" if spec.integer else "a real number"),
                ("uncertain_inputs", index, "integer"),
            )
        problem = check_fits(uncertain.distribution, spec)
        if problem is not None:
            raise LocatedValueError(problem, ("uncertain_inputs", index, "distribution"))


def scenario_document(scenario: Scenario) -> dict[str, Any]:
    """Return the scenario as a file would write it: each distribution at its field, no uncertain_inputs."""
    from wargame.scenario.paths import locate

    document = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    inputs = document.pop("uncertain_inputs", [])
    for uncertain in inputs:
        loc = locate(document, uncertain["path"])
        container: Any = document
        for part in loc[:-1]:
            container = container[part]
        container[loc[-1]] = {
            key: value for key, value in uncertain["distribution"].items() if value is not None
        }
    return document
