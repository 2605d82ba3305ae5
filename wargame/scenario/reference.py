"""Generate the reference of every scenario field from the schema itself.

``python -m wargame.scenario.reference`` prints Markdown; ``docs/scenario-reference.md`` and the README's
field table are generated this way, and a test checks they match the schema.
"""

from __future__ import annotations

import sys
import types
import typing

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from wargame.scenario.schema import Scenario

__all__ = ["scenario_reference"]


def _type_name(annotation: typing.Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin is typing.Literal:
        return " \\| ".join(f"`{value}`" for value in typing.get_args(annotation))
    if origin in (types.UnionType, typing.Union):
        names = [_type_name(arg) for arg in typing.get_args(annotation) if arg is not type(None)]
        return " or ".join(names)
    if origin is tuple:
        args = typing.get_args(annotation)
        return (
            f"list of {_type_name(args[0])}"
            if args and args[-1] is Ellipsis
            else "pair of " + _type_name(args[0])
        )
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.__name__
    return getattr(annotation, "__name__", str(annotation))


def _bounds(field: FieldInfo) -> str:
    parts = []
    for item in field.metadata:
        for name, symbol in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(item, name, None)
            if value is not None:
                parts.append(f"{symbol} {value}")
        pattern = getattr(item, "pattern", None)
        if pattern:
            parts.append("identifier (lower case, digits, _)")
    annotation = field.annotation
    for arg in typing.get_args(annotation):
        if typing.get_origin(arg) is typing.Annotated:
            for item in typing.get_args(arg)[1:]:
                for name, symbol in (("ge", ">="), ("gt", ">"), ("le", "<=")):
                    value = getattr(item, name, None)
                    if value is not None:
                        parts.append(f"{symbol} {value}")
    return ", ".join(dict.fromkeys(parts))


def _models(model: type[BaseModel], seen: list[type[BaseModel]]) -> list[type[BaseModel]]:
    if model in seen:
        return seen
    seen.append(model)
    for field in model.model_fields.values():
        for inner in _inner_models(field.annotation):
            _models(inner, seen)
    return seen


def _inner_models(annotation: typing.Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _inner_models(arg)
    return found


def scenario_reference() -> str:
    """Return the Markdown reference of every scenario section and field."""
    lines: list[str] = []
    for model in _models(Scenario, []):
        doc = (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        lines += [f"### `{model.__name__}`", "", doc, ""]
        lines += ["| field | type | required / default | bounds | meaning |", "|---|---|---|---|---|"]
        for name, field in model.model_fields.items():
            key = field.alias or name
            if field.is_required():
                default = "required"
            else:
                default = f"`{field.default!r}`" if field.default not in ((), None) else "optional"
            description = (field.description or "").replace("|", "\\|")
            lines.append(
                f"| `{key}` | {_type_name(field.annotation)} | {default} | {_bounds(field)} | {description} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(scenario_reference())
