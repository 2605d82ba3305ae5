"""Generate the reference of every scenario field from the schema itself.

``python -m wargame.scenario.reference`` prints Markdown; ``--write`` regenerates the field reference of
``docs/scenario-reference.md`` (after its hand-written part) and the README's copy, which a test checks
against the schema.
"""

from __future__ import annotations

import sys
import types
import typing
from pathlib import Path

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from wargame.scenario._programs import Objective
from wargame.scenario.distributions import UncertainInput
from wargame.scenario.schema import Scenario
from wargame.scenario.taxonomy import reference_taxonomy

__all__ = ["scenario_reference", "write_reference"]


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
        max_length = getattr(item, "max_length", None)
        if max_length is not None and field.annotation is str:
            parts.append(f"at most {max_length} characters")
    annotation = field.annotation
    for arg in typing.get_args(annotation):
        if typing.get_origin(arg) is typing.Annotated:
            base, *extras = typing.get_args(arg)
            for extra in extras:
                for item in extra.metadata if isinstance(extra, FieldInfo) else [extra]:
                    for name, symbol in (("ge", ">="), ("gt", ">"), ("le", "<=")):
                        value = getattr(item, name, None)
                        if value is not None:
                            parts.append(f"{symbol} {value}")
                    max_length = getattr(item, "max_length", None)
                    if max_length is not None and base is str:
                        parts.append(f"at most {max_length} characters")
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


DISTRIBUTIONS = """\
Any number of a scenario file may be given as a distribution instead: a mapping with a `dist` key. The
scenario then holds the distribution's median (so it runs as before), and `Scenario.uncertain_inputs` lists
every such field with its override path and distribution, in file order, for the model to draw from in
each run. An overlay (`extends:`) may put a distribution on its parent's number, or a number on its parent's
distribution; `--set PATH='{dist: ...}'` does the same from the command line.

```yaml
actors:
  - id: twn
    resolve: {dist: beta, alpha: 6, beta: 4, source: "polls 2023-2024: 55-65% would resist"}
links:
  - {from: usa, to: twn, latency_hours: {dist: triangular, low: 6, mode: 12, high: 48}, fidelity: 0.85}
gray_zone:
  activities:
    - id: cyber_intrusion
      base_rate_per_day: {dist: lognormal, median: 0.6, sigma: 0.4, high: 3}
horizon_days: {dist: choice, values: [182, 364, 728], weights: [1, 2, 1]}
```

Each distribution is checked against its field, one line with the file, line and field for each
mistake: `low` must be below `high`; `sd`, `sigma`, `alpha` and `beta` positive; a triangle's `mode` inside
[`low`, `high`]; `weights` non-negative, as many as `values`, not all zero; the support inside the field's
bounds (a `normal` without `low`/`high` on a field bounded to [0, 1] is refused, with a hint to truncate it;
a `lognormal`'s open end at 0 fits a field that must be positive); an integer field takes only a `choice`
of whole numbers. Every kind takes an optional `source:` saying why this range."""


def scenario_reference() -> str:
    """Return the Markdown reference of every scenario section and field."""
    lines: list[str] = []
    for model in _models(Scenario, []):
        if model is UncertainInput:
            lines += ["### `Distributions`", "", DISTRIBUTIONS, ""]
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
        if model is Objective:
            lines += _reference_objectives()
    return "\n".join(lines)


def _reference_objectives() -> list[str]:
    taxonomy = reference_taxonomy()
    lines = [
        f"Without `taxonomy:`, a scenario uses the reference taxonomy, {taxonomy.name} "
        "(`wargame/scenario/reference_taxonomy.yaml`):",
        "",
        "| id | name | acts through (in the reference scenario) |",
        "|---|---|---|",
    ]
    for objective in taxonomy.objectives:
        acts = objective.acts_through.replace("|", "\\|")
        lines.append(f"| `{objective.id}` | {objective.name} | {acts} |")
    return [*lines, ""]


_PAGE = Path(__file__).resolve().parents[2] / "docs" / "scenario-reference.md"
_README = Path(__file__).resolve().parents[2] / "README.md"
_START, _END = "<!-- scenario-reference:start -->", "<!-- scenario-reference:end -->"


def write_reference(page: Path = _PAGE, readme: Path = _README) -> None:
    """Regenerate the field reference in ``page`` (after its hand-written part) and ``readme``'s copy."""
    generated = scenario_reference()
    text = page.read_text(encoding="utf-8")
    head = text[: text.index("### `Scenario`")]
    page.write_text(head + generated, encoding="utf-8")
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(_START) + len(_START), text.index(_END)
    copy = generated.replace("### `", "#### `").strip()
    readme.write_text(f"{text[:start]}\n{copy}\n{text[end:]}", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_reference()
    else:
        sys.stdout.write(scenario_reference())
