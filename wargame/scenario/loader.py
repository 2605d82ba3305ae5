"""Loading YAML documents with located errors, and ``extends:`` inheritance.

Every error names the file, the line and the field path: ``scenarios/x.yaml:42: actors.twn.readiness:
Input should be less than or equal to 1``. YAML is parsed with :class:`yaml.SafeLoader` only.
"""

from __future__ import annotations

import copy
import difflib
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from wargame.errors import InputError
from wargame.scenario.schema import LocatedValueError

__all__ = ["LocatedDocument", "item_key", "load_document", "validate_document"]

Location = tuple[str, int]  # (file, line)
PathKey = tuple[str | int, ...]


class LocatedDocument:
    """A plain YAML document with the file and line of every node, keyed by path tuple."""

    def __init__(self, data: Any, locations: dict[PathKey, Location]) -> None:
        self.data = data
        self.locations = locations

    def where(self, path: PathKey) -> Location | None:
        """Return the location of ``path`` or of its nearest located ancestor."""
        for length in range(len(path), -1, -1):
            found = self.locations.get(tuple(path[:length]))
            if found is not None:
                return found
        return None


def _read_yaml(path: Path) -> LocatedDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", source=str(path)) from None
    locations: dict[PathKey, Location] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=yaml.SafeLoader)
        if node is not None:
            _collect_locations(node, (), str(path), locations)
    except yaml.reader.ReaderError as error:  # a character YAML does not allow; it knows only the offset
        line = text.count("\n", 0, error.position) + 1
        raise InputError(
            f"malformed YAML: {error.reason} #x{error.character:04x}", source=f"{path}:{line}"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise InputError(f"malformed YAML: {problem}", source=f"{path}{line}") from None
    except RecursionError:
        raise InputError("malformed YAML: nested too deeply", source=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("the document must be a mapping of fields", source=f"{path}:1")
    return LocatedDocument(data, locations)


def _collect_locations(node: yaml.Node, path: PathKey, file: str, out: dict[PathKey, Location]) -> None:
    out[path] = (file, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[(*path, key)] = (file, key_node.start_mark.line + 1)
            _collect_locations(value_node, (*path, key), file, out)
            out[(*path, key)] = (file, key_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_locations(item, (*path, index), file, out)


def item_key(item: Any) -> str | None:
    """Return the key a list item is addressed by: its ``id``, or ``from-to`` for links and commitments."""
    if isinstance(item, dict):
        if "id" in item:
            return str(item["id"])
        if "from" in item and "to" in item:
            return f"{item['from']}-{item['to']}"
    return None


def _keyed(items: Any) -> bool:
    return isinstance(items, list) and bool(items) and all(item_key(item) is not None for item in items)


def _subtree(locations: dict[PathKey, Location], prefix: PathKey) -> dict[PathKey, Location]:
    n = len(prefix)
    return {path[n:]: where for path, where in locations.items() if path[:n] == prefix}


def _merge(
    base: Any, base_locs: dict[PathKey, Location], over: Any, over_locs: dict[PathKey, Location]
) -> tuple[Any, dict[PathKey, Location]]:
    """Merge ``over`` onto ``base``: mappings key by key, lists of objects with ids item by item.

    Location maps are relative to each value's own root.
    """
    if isinstance(base, dict) and isinstance(over, dict):
        merged: dict[str, Any] = {}
        locations: dict[PathKey, Location] = {(): over_locs.get((), base_locs.get((), ("?", 0)))}
        for key in [*base, *(k for k in over if k not in base)]:
            if key in over and key in base:
                value, sub = _merge(
                    base[key], _subtree(base_locs, (key,)), over[key], _subtree(over_locs, (key,))
                )
            elif key in over:
                value, sub = copy.deepcopy(over[key]), _subtree(over_locs, (key,))
            else:
                value, sub = copy.deepcopy(base[key]), _subtree(base_locs, (key,))
            merged[key] = value
            locations.update({(key, *path): where for path, where in sub.items()})
        return merged, locations
    if _keyed(base) and _keyed(over):
        base_keys = [item_key(item) for item in base]
        over_keys = [item_key(item) for item in over]
        items: list[Any] = []
        locations = {(): over_locs.get((), ("?", 0))}
        for key in [*base_keys, *(k for k in over_keys if k not in base_keys)]:
            if key in over_keys and key in base_keys:
                i, j = base_keys.index(key), over_keys.index(key)
                value, sub = _merge(base[i], _subtree(base_locs, (i,)), over[j], _subtree(over_locs, (j,)))
            elif key in over_keys:
                j = over_keys.index(key)
                value, sub = copy.deepcopy(over[j]), _subtree(over_locs, (j,))
            else:
                i = base_keys.index(key)
                value, sub = copy.deepcopy(base[i]), _subtree(base_locs, (i,))
            locations.update({(len(items), *path): where for path, where in sub.items()})
            items.append(value)
        return items, locations
    return copy.deepcopy(over), dict(over_locs)


def load_document(path: str | Path, *, _chain: tuple[Path, ...] = ()) -> LocatedDocument:
    """Read a YAML document, resolving ``extends:`` (a path relative to the file) recursively.

    Raises:
        InputError: For a missing file, malformed YAML, a non-mapping document or a cycle of ``extends``.
    """
    path = Path(path)
    resolved = path.resolve()
    document = _read_yaml(path)
    parent_ref = document.data.pop("extends", None)
    if parent_ref is None:
        return document
    where = document.locations.get(("extends",), (str(path), 1))
    if not isinstance(parent_ref, str):
        raise InputError("'extends' must be a file path", source=f"{where[0]}:{where[1]}", field="extends")
    parent_path = path.parent / parent_ref
    if not parent_path.exists():
        raise InputError(
            f"extended file {parent_ref!r} not found", source=f"{where[0]}:{where[1]}", field="extends"
        )
    chain = (*_chain, resolved)
    if parent_path.resolve() in chain:
        cycle = " -> ".join(p.name for p in (*chain, parent_path.resolve()))
        raise InputError(f"cyclic 'extends': {cycle}", source=f"{where[0]}:{where[1]}", field="extends")
    parent = load_document(parent_path, _chain=chain)
    data, locations = _merge(parent.data, parent.locations, document.data, document.locations)
    return LocatedDocument(data, locations)


def _unwrap(annotation: Any) -> Any:
    """Return the model class inside ``X | None``, ``tuple[X, ...]``, ``list[X]`` or ``Annotated``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (types.UnionType, typing.Union, tuple, list):
        for arg in typing.get_args(annotation):
            inner = _unwrap(arg)
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return annotation


def _model_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """Walk a pydantic model class along an error location (ignoring list indices)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part) or next(
            (f for f in current.model_fields.values() if f.alias == part), None
        )
        if field is None:
            return None
        current = _unwrap(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _field_names(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _readable_path(data: Any, loc: tuple[str | int, ...]) -> str:
    """Render an error location, naming list items by their id where they have one."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            key = item_key(node[part])
            parts.append(f"{parts.pop() if parts else ''}[{key if key is not None else part}]")
            node = node[part]
            continue
        parts.append(str(part))
        node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)


def validate_document[M: BaseModel](document: LocatedDocument, model: type[M], *, source: str) -> M:
    """Validate ``document`` against ``model``; raise one located :class:`InputError` on failure."""
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        errors = error.errors()
        # An unknown key usually explains a "missing" one (a typo): report it first.
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = tuple(first["loc"])
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, LocatedValueError):  # a cross-reference check that knows its place
            loc = (*loc, *cause.loc)
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            parent = _model_at(model, loc[:-1])
            names = _field_names(parent) if parent else []
            close = difflib.get_close_matches(str(loc[-1]), names, n=1)
            message = f"unknown field {loc[-1]!r}" + (f"; did you mean {close[0]!r}?" if close else "")
            if close:  # the misspelt field is also reported missing: one mistake, one error
                errors = [
                    e
                    for e in errors
                    if not (e["type"] == "missing" and tuple(e["loc"]) == (*loc[:-1], close[0]))
                ]
        elif first["type"] == "value_error":
            message = message.removeprefix("Value error, ")
        where = document.where(loc) or (source, 0)
        more = len(errors) - 1
        suffix = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
        line = f":{where[1]}" if where[1] else ""
        raise InputError(
            message + suffix, source=f"{where[0]}{line}", field=_readable_path(document.data, loc) or None
        ) from None
