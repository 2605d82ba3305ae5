"""List the shipped examples and copy one, with the files it refers to, into a folder of the user's."""

from __future__ import annotations

import dataclasses
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

import yaml

from wargame.errors import InputError

__all__ = ["Example", "copy_example", "example_files", "list_examples"]

_KINDS = (("scenario", "scenarios"), ("experiment", "experiments"), ("teaching", "scenarios/teaching"))


@dataclasses.dataclass(frozen=True)
class Example:
    """One shipped example file."""

    name: str
    kind: str  # "scenario", "experiment" or "teaching"
    path: PurePosixPath  # relative to the examples root: scenarios/x.yaml, experiments/x.yaml, ...
    summary: str


def example_files() -> Traversable:
    """The root of the shipped examples (``scenarios/`` and ``experiments/`` inside it)."""
    return resources.files(__package__ or "wargame.examples")


def list_examples() -> list[Example]:
    """Every shipped example, scenarios first, then experiments, then teaching scenarios."""
    root = example_files()
    examples = []
    for kind, folder in _KINDS:
        directory = root.joinpath(*folder.split("/"))
        for entry in sorted(directory.iterdir(), key=lambda item: item.name):
            if entry.is_file() and entry.name.endswith(".yaml"):
                text = entry.read_text(encoding="utf-8")
                path = PurePosixPath(folder) / entry.name
                examples.append(Example(entry.name.removesuffix(".yaml"), kind, path, _summary(text)))
    return examples


def copy_example(name: str, destination: str | Path) -> list[Path]:
    """Copy example ``name`` into ``destination``, with every file it refers to (``extends:``,
    ``scenario:``), keeping their layout so the references still hold; return the files written.

    Raises:
        InputError: ``name`` is not an example, or a file to write exists already (nothing is written).
    """
    examples = {example.name: example for example in list_examples()}
    if name not in examples:
        raise InputError(f"no example {name!r}; `wargame examples` lists them: {', '.join(examples)}")
    destination = Path(destination)
    if destination.exists() and not destination.is_dir():
        raise InputError("exists and is not a folder", source=str(destination))
    needed = _with_references(examples[name].path)
    targets = [destination.joinpath(*path.parts) for path in needed]
    existing = [str(target) for target in targets if target.exists()]
    if existing:
        raise InputError(
            f"would overwrite {', '.join(existing)}; nothing was copied", source=str(destination)
        )
    root = example_files()
    for path, target in zip(needed, targets, strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(root.joinpath(*path.parts).read_bytes())
    return targets


def _with_references(path: PurePosixPath) -> list[PurePosixPath]:
    """``path`` and the example files it refers to, transitively, in a stable order."""
    root = example_files()
    found: list[PurePosixPath] = []
    pending = [path]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.append(current)
        document = yaml.safe_load(root.joinpath(*current.parts).read_text(encoding="utf-8"))
        for key in ("extends", "scenario"):
            reference = document.get(key) if isinstance(document, dict) else None
            if isinstance(reference, str):
                pending.append(_normalise(current.parent / reference))
    return found


def _normalise(path: PurePosixPath) -> PurePosixPath:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts)


def _summary(text: str) -> str:
    """The first comment line of a file, or its ``description``."""
    for line in text.splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
        if line.strip():
            break
    document = yaml.safe_load(text)
    description = document.get("description", "") if isinstance(document, dict) else ""
    return " ".join(str(description).split())
