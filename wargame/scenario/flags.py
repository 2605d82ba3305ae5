"""The flags every command that loads a scenario shares: ``--set PATH=VALUE`` and ``--allow-dir DIR``.

``--set`` (repeatable) moves any field of the scenario from the command line, validated like the file:
``PATH`` is an override path (``actors.twn.resolve``, ``links.usa-twn.latency_hours``,
``programs.policy_dialogue.effects.0.gain_per_exchange``) and ``VALUE`` a YAML flow scalar or mapping
(``0.5``, ``"Taiwan Strait"``, ``{dist: uniform, low: 0.4, high: 0.8}``). Errors name the flag::

    --set actors.twn.resolve=1.5: Input should be less than or equal to 1
    --set actors.twn.resolv=0.5: no field 'resolv' at actors.twn; did you mean 'resolve'?

``--allow-dir`` (repeatable) lets ``extends:``, policy scripts and taxonomy files come from a folder
outside the scenario's own folder tree.

A command registers both with :func:`add_scenario_flags` (or ``--allow-dir`` alone with
:func:`add_allow_dir_flag`) and loads with :func:`load_scenario_with`.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wargame._flags import add_repeatable_flag
from wargame.errors import InputError

if TYPE_CHECKING:
    from wargame.scenario.schema import Scenario

__all__ = [
    "SetFlag",
    "add_allow_dir_flag",
    "add_scenario_flags",
    "apply_set_flags",
    "load_scenario_with",
    "parse_set_flag",
    "set_overrides",
]

MAX_SET_CHARS = 2000
"""Longest ``--set`` argument accepted."""


@dataclass(frozen=True)
class SetFlag:
    """One ``--set PATH=VALUE``: the path, the parsed value and the text as typed."""

    path: str
    value: Any
    text: str


def parse_set_flag(text: str) -> SetFlag:
    """Parse ``PATH=VALUE`` (an argparse ``type``): VALUE is a YAML flow scalar or mapping.

    Raises:
        argparse.ArgumentTypeError: For text without ``=``, an empty path or value, several lines,
            malformed YAML or a list.
    """
    shown = text if len(text) <= 80 else text[:80] + "..."
    if len(text) > MAX_SET_CHARS:
        raise argparse.ArgumentTypeError(f"{len(text):,} characters (the limit is {MAX_SET_CHARS:,})")
    path, separator, value_text = text.partition("=")
    path = path.strip()
    if not separator or not path:
        raise argparse.ArgumentTypeError(f"expected PATH=VALUE, got {shown!r}")
    if any(character in text for character in "\n\r"):
        named = path if path.isprintable() else repr(path)  # the error itself stays one line
        raise argparse.ArgumentTypeError(f"{named}: the value must be one line")
    if not value_text.strip():
        raise argparse.ArgumentTypeError(f"{path}=: give a value after '='")
    from wargame.scenario.yaml_reader import parse_yaml

    try:
        value = parse_yaml(value_text, "VALUE").data
    except InputError as error:
        raise argparse.ArgumentTypeError(f"{shown}: {error.message}") from None
    if isinstance(value, list):
        raise argparse.ArgumentTypeError(f"{shown}: a value is a number, text or a {{dist: ...}} mapping")
    if isinstance(value, dict) and "dist" not in value:
        raise argparse.ArgumentTypeError(f"{shown}: a mapping value must be a distribution {{dist: ...}}")
    return SetFlag(path, value, text.strip())


def add_scenario_flags(parser: argparse.ArgumentParser, *, which: str = "the scenario") -> None:
    """Add ``--set PATH=VALUE`` and ``--allow-dir DIR`` (both repeatable) to a sub-command's parser."""
    add_repeatable_flag(
        parser,
        "--set",
        dest="set_flags",
        type=parse_set_flag,
        metavar="PATH=VALUE",
        help=f"set a field of {which}, validated like the file (repeatable): actors.twn.resolve=0.5, "
        "links.usa-twn.latency_hours='{dist: uniform, low: 6, high: 24}'",
    )
    add_allow_dir_flag(parser)


def add_allow_dir_flag(parser: argparse.ArgumentParser) -> None:
    """Add ``--allow-dir DIR`` (repeatable, into ``args.allow_dirs``) to a sub-command's parser."""
    add_repeatable_flag(
        parser,
        "--allow-dir",
        dest="allow_dirs",
        type=Path,
        metavar="DIR",
        help="let extends:, policy scripts and taxonomies come from DIR too (repeatable); by default "
        "only from the scenario's own folder tree",
    )


def set_overrides(flags: Sequence[SetFlag]) -> dict[str, Any]:
    """Return ``{path: value}`` of the ``--set`` flags given.

    Raises:
        InputError: For a path set twice.
    """
    overrides: dict[str, Any] = {}
    for flag in flags:
        if flag.path in overrides:
            raise InputError(f"{flag.path} is set twice", source=f"--set {flag.text}")
        overrides[flag.path] = flag.value
    return overrides


def _as_typed(path: str, value: Any) -> str:
    import yaml

    if isinstance(value, dict):
        value_text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**6).strip()
    elif isinstance(value, str):
        value_text = value
    else:
        value_text = yaml.safe_dump(value).removesuffix("\n...\n").strip()
    return f"--set {path}={value_text}"


def apply_set_flags(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """Return ``scenario`` with ``--set`` overrides applied; errors name the flag at fault.

    Raises:
        InputError: ``--set PATH=VALUE: reason`` for a path that does not exist or a value that does not
            fit; for values that are fine alone but break a rule together, the rule and its field.
    """
    from wargame.scenario.paths import OverrideError, apply_overrides

    if not overrides:
        return scenario
    try:
        return apply_overrides(scenario, overrides)
    except OverrideError as error:
        if error.path is not None:
            raise InputError(error.reason, source=_as_typed(error.path, overrides[error.path])) from None
        raise InputError(
            f"the --set values make the scenario invalid: {error.reason}", source="--set", field=error.field
        ) from None


def load_scenario_with(
    path: str | Path,
    *,
    overrides: Mapping[str, Any] | None = None,
    allow_dirs: Sequence[str | Path] = (),
    playable: bool = False,
) -> Scenario:
    """Load a scenario file, then apply ``--set`` overrides (errors naming the flag).

    Args:
        path: The scenario file.
        overrides: ``{path: value}`` from :func:`set_overrides`.
        allow_dirs: Folders ``extends:`` and policy scripts may also come from.
        playable: Also check the rules a facilitated session needs, on the scenario as overridden.

    Raises:
        InputError: Naming the file, line and field, or the ``--set`` flag.
    """
    from wargame.scenario._api import check_playable, load_located_scenario, load_scenario

    if not overrides:
        return load_scenario(path, allow_dirs=allow_dirs, playable=playable)
    scenario, document = load_located_scenario(path, allow_dirs=allow_dirs)
    scenario = apply_set_flags(scenario, overrides)
    if playable:
        moved = [p for p in ("turn_length_days", "decision_interval_days") if p in overrides]
        # A prepared inject's error names its line in the file, or the flag that changed the library.
        library = next((p for p in overrides if p.partition(".")[0] == "inject_library"), None)
        check_playable(
            scenario,
            source=_as_typed(moved[0], overrides[moved[0]]) if moved else str(path),
            locate=lambda where: (
                _as_typed(library, overrides[library]) if library else document.source(where, str(path))
            ),
        )
    return scenario
