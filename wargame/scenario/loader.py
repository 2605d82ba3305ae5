"""Loading YAML documents with located errors, ``extends:`` inheritance and confined file references.

Every error names the file, the line and the field path: ``scenarios/x.yaml:42: actors.twn.readiness:
Input should be less than or equal to 1``. Each file is read once by :mod:`wargame.scenario.yaml_reader`
(regular files only, bounded size and aliases, duplicate keys refused).

Files a document names (``extends:``, a policy ``script:``, a ``taxonomy:``) must lie inside the folder
of the file the user gave, or inside a folder the user allowed (``allow_dirs``, the ``--allow-dir`` flag);
an absolute path is refused unless it is inside an allowed folder. A refused path is never opened.
"""

from __future__ import annotations

import copy
import difflib
import os
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from wargame.errors import InputError
from wargame.scenario._fields import LocatedValueError
from wargame.scenario.yaml_reader import Location, PathKey, read_yaml_file

__all__ = [
    "FileRoots",
    "LocatedDocument",
    "document_kind",
    "error_location",
    "item_key",
    "keyed_parts",
    "load_document",
    "readable_path",
    "resolve_reference",
    "validate_document",
]

MAX_REFERENCE_CHARS = 1000
"""Longest file reference (``extends:``, ``script:``, ``taxonomy:``) accepted."""


class LocatedDocument:
    """A plain YAML document with the file and line of every node, keyed by path tuple.

    Attributes:
        data: The plain document (mappings, lists, scalars).
        locations: ``(file, line)`` of every value, keyed by its path of keys and list indices.
        roots: The folders files named in the document may come from.
    """

    def __init__(self, data: Any, locations: dict[PathKey, Location], roots: FileRoots | None = None) -> None:
        self.data = data
        self.locations = locations
        self.roots = roots

    def where(self, path: PathKey) -> Location | None:
        """Return the location of ``path`` or of its nearest located ancestor."""
        for length in range(len(path), -1, -1):
            found = self.locations.get(tuple(path[:length]))
            if found is not None:
                return found
        return None

    def source(self, path: PathKey, default: str) -> str:
        """Return ``file:line`` of ``path`` (or of its nearest located ancestor), else ``default``."""
        where = self.where(path)
        return f"{where[0]}:{where[1]}" if where is not None and where[1] else default


class FileRoots:
    """The folders a document's file references may reach: the given file's folder and allowed ones.

    Args:
        top_file: The file the user named; its folder and everything below it are allowed.
        allow_dirs: More folders (and everything below them) that references may reach, by relative or
            absolute path.
    """

    def __init__(self, top_file: str | Path, allow_dirs: Sequence[str | Path] = ()) -> None:
        self.top_file = str(top_file)
        self.top_dir = Path(os.path.realpath(Path(top_file).absolute().parent))
        self.allowed = tuple(Path(os.path.realpath(Path(folder).absolute())) for folder in allow_dirs)

    def inside(self, path: Path, *, absolute: bool) -> bool:
        """Whether ``path`` (resolved) may be read; absolute references only inside allowed folders."""
        folders = self.allowed if absolute else (self.top_dir, *self.allowed)
        return any(path == folder or path.is_relative_to(folder) for folder in folders)


def resolve_reference(
    reference: Any, *, base_dir: Path, roots: FileRoots, source: str, field: str, what: str
) -> Path:
    """Return the file a document names (``extends:``, ``script:``), checked before it is opened.

    Args:
        reference: The value written in the document.
        base_dir: The folder a relative reference is relative to.
        roots: The folders the reference may reach.
        source: ``file:line`` of the reference, for errors.
        field: The field path, for errors.
        what: What the file is, for errors (``extended file``, ``policy script``).

    Raises:
        InputError: For a reference that is not a path, reaches outside the allowed folders (never
            opened then), or names no regular file.
    """
    if not isinstance(reference, str) or not reference.strip():
        raise InputError(f"'{field.rsplit('.', 1)[-1]}' must be a file path", source=source, field=field)
    if len(reference) > MAX_REFERENCE_CHARS or "\x00" in reference:
        raise InputError(
            f"not a usable file path ({len(reference):,} characters)", source=source, field=field
        )
    shown = _shown(reference)
    absolute = Path(reference).is_absolute()
    resolved = Path(os.path.realpath(base_dir / reference))
    if not roots.inside(resolved, absolute=absolute):
        where = "an absolute path" if absolute else f"outside the folder of {roots.top_file}"
        raise InputError(
            f"{what} {shown} is {where}; allow its folder with --allow-dir DIR", source=source, field=field
        )
    if not resolved.exists():
        raise InputError(f"{what} {shown} not found", source=source, field=field)
    if not resolved.is_file():
        raise InputError(f"{what} {shown} is not a regular file", source=source, field=field)
    return base_dir / reference


# Keys only one kind of file has, to name a file given to the wrong command.
_KIND_KEYS: dict[str, frozenset[str]] = {
    "scenario": frozenset(
        {
            "actors",
            "escalation",
            "gray_zone",
            "defender",
            "adversary",
            "horizon_days",
            "decision_interval_days",
            "commitments",
            "links",
            "programs",
            "injects",
            "turn_length_days",
        }
    ),
    "experiment": frozenset(
        {
            "parameters",
            "design",
            "replications",
            "root_seed",
            "common_seeds",
            "discovery",
            "scenario",
            "runs_per_part",
            "run_timeout_seconds",
        }
    ),
    "policy script": frozenset({"actions"}),
    "objective taxonomy": frozenset({"objectives"}),
    "teaching scenario": frozenset({"model", "method", "question", "references"}),
}
_KIND_COMMANDS = {
    "scenario": "give it to `wargame run`, `compare` or `session new`",
    "experiment": "give it to `wargame sweep`",
    "policy script": "name it in an actor's policy `script:`",
    "objective taxonomy": "name it in a scenario's `taxonomy:`",
    "teaching scenario": "`wargame teach MODEL` runs the shipped ones by name",
}


def document_kind(data: Any) -> str | None:
    """Name the kind of file a document is (``scenario``, ``experiment``, ...) from its keys, if it shows."""
    if not isinstance(data, dict):
        return None
    counts = {kind: len(keys & data.keys()) for kind, keys in _KIND_KEYS.items()}
    best = max(counts, key=lambda kind: counts[kind])
    return best if counts[best] else None


def _check_kind(document: LocatedDocument, kind: str, source: str) -> None:
    data = document.data
    if not isinstance(data, dict) or kind not in _KIND_KEYS or _KIND_KEYS[kind] & data.keys():
        return
    found = document_kind(data)
    if found is not None and found != kind:
        raise InputError(
            f"this is {_article(found)} file, not {_article(kind)} ({_KIND_COMMANDS[found]})", source=source
        )


def _article(kind: str) -> str:
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _shown(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _read_yaml(path: Path) -> LocatedDocument:
    parsed = read_yaml_file(path)
    if not isinstance(parsed.data, dict):
        raise InputError("the document must be a mapping of fields", source=f"{path}:1")
    return LocatedDocument(parsed.data, parsed.locations)


def item_key(item: Any) -> str | None:
    """Return the key a list item is addressed by: its ``id``, or ``from-to`` for links and commitments."""
    if isinstance(item, dict):
        if isinstance(item.get("id"), str):
            return item["id"]
        if isinstance(item.get("from"), str) and isinstance(item.get("to"), str):
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

    A distribution (a mapping with ``dist``) in ``over`` replaces what ``base`` has whole. Location maps
    are relative to each value's own root.
    """
    if isinstance(base, dict) and isinstance(over, dict) and "dist" not in over:
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


def load_document(
    path: str | Path, *, allow_dirs: Sequence[str | Path] = (), kind: str | None = None
) -> LocatedDocument:
    """Read a YAML document, resolving ``extends:`` (a path relative to the file) recursively.

    Args:
        path: The file.
        allow_dirs: Folders besides the file's own that ``extends:`` (and other references checked with
            the returned document's ``roots``) may reach.
        kind: What the file should be (``scenario``, ``experiment``, ``policy script``): a file that is
            recognisably another kind is refused as such instead of with a misleading unknown field.

    Raises:
        InputError: For an unreadable or malformed file, a non-mapping document, an ``extends`` cycle or
            an ``extends`` outside the allowed folders, or a file of another kind.
    """
    path = Path(path)
    roots = FileRoots(path, allow_dirs)
    document = _load(path, roots, ())
    document.roots = roots
    if kind is not None:
        _check_kind(document, kind, f"{path}:1")
    return document


def _load(path: Path, roots: FileRoots, chain: tuple[Path, ...]) -> LocatedDocument:
    document = _read_yaml(path)
    if "extends" not in document.data:
        return document
    parent_ref = document.data.pop("extends")
    source = document.source(("extends",), str(path))
    parent_path = resolve_reference(
        parent_ref, base_dir=path.parent, roots=roots, source=source, field="extends", what="extended file"
    )
    here = Path(os.path.realpath(path))
    chain = (*chain, here)
    parent_real = Path(os.path.realpath(parent_path))
    if parent_real in chain:
        cycle = " -> ".join(p.name for p in (*chain, parent_real))
        raise InputError(f"cyclic 'extends': {cycle}", source=source, field="extends")
    parent = _load(parent_path, roots, chain)
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


def keyed_parts(data: Any, loc: tuple[str | int, ...]) -> list[tuple[str, bool]]:
    """Return each part of a location of keys and list indices in ``data`` as text, and whether it names a
    list item: an item by its key (:func:`item_key`) if it has one, else by its index."""
    parts: list[tuple[str, bool]] = []
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            key = item_key(node[part])
            parts.append((key if key is not None else str(part), True))
            node = node[part]
            continue
        parts.append((str(part), False))
        node = node.get(part) if isinstance(node, dict) else None
    return parts


def readable_path(data: Any, loc: tuple[str | int, ...]) -> str:
    """Render an error location as errors print it (``actors[twn].resolve``): items by id if they have one."""
    parts: list[str] = []
    for text, is_item in keyed_parts(data, loc):
        parts.append(f"{parts.pop() if parts else ''}[{text}]" if is_item else text)
    return ".".join(parts)


def error_location(error: Any) -> tuple[str | int, ...]:
    """Return where in the document a pydantic error is: its location without the tags pydantic adds for a
    tagged union's member (written ``(like this)``, never a key of a file), followed by the place a
    cross-reference check names (:class:`LocatedValueError`)."""
    loc = tuple(
        part
        for part in error["loc"]
        if not (isinstance(part, str) and part.startswith("(") and part.endswith(")"))
    )
    cause = error.get("ctx", {}).get("error")
    return (*loc, *cause.loc) if isinstance(cause, LocatedValueError) else loc


def validate_document[M: BaseModel](
    document: LocatedDocument, model: type[M], *, source: str, context: dict[str, Any] | None = None
) -> M:
    """Validate ``document`` against ``model``; raise one located :class:`InputError` on failure.

    ``context`` is passed to the model's validators (pydantic's validation context).
    """
    try:
        return model.model_validate(document.data, context=context)
    except ValidationError as error:
        errors = error.errors()
        # An unknown key usually explains a "missing" one (a typo): report it first.
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = error_location(first)
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
            message + suffix, source=f"{where[0]}{line}", field=readable_path(document.data, loc) or None
        ) from None
