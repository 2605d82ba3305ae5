"""Loading a scenario file, the session rules, and the scenario's hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from wargame.errors import InputError
from wargame.scenario._fields import MAX_COMMAND_EFFECTS, MAX_COMMAND_TEXT_CHARS
from wargame.scenario._programs import Taxonomy
from wargame.scenario.loader import LocatedDocument, load_document, resolve_reference, validate_document
from wargame.scenario.schema import Scenario
from wargame.scenario.uncertain import resolve_distributions
from wargame.scenario.yaml_reader import PathKey

__all__ = ["check_playable", "load_located_scenario", "load_scenario", "scenario_hash"]


def load_scenario(
    path: str | Path, *, allow_dirs: Sequence[str | Path] = (), playable: bool = False
) -> Scenario:
    """Load and validate a scenario file (resolving ``extends:``).

    Args:
        path: The scenario file.
        allow_dirs: Folders besides the file's own that ``extends:``, policy scripts and the taxonomy file
            may come from.
        playable: Also check the rules a facilitated session needs (:func:`check_playable`).

    Raises:
        InputError: With file, line and field path, for any problem in the file, its parents or the
            policy scripts it names (checked to exist inside the allowed folders; read when a run starts).
    """
    scenario, document = load_located_scenario(path, allow_dirs=allow_dirs)
    if playable:
        field = "turn_length_days" if "turn_length_days" in document.data else "decision_interval_days"
        check_playable(
            scenario,
            source=document.source((field,), str(path)),
            locate=lambda where: document.source(where, str(path)),
        )
    return scenario


def load_located_scenario(
    path: str | Path, *, allow_dirs: Sequence[str | Path] = ()
) -> tuple[Scenario, LocatedDocument]:
    """Load and validate a scenario file as :func:`load_scenario` does; return it with its located
    document (where each field is in the files)."""
    path = Path(path)
    document = load_document(path, allow_dirs=allow_dirs, kind="scenario")
    uncertain = resolve_distributions(document, Scenario)
    if uncertain:
        document.data["uncertain_inputs"] = uncertain
    context = _read_taxonomy(document, path)
    scenario = validate_document(document, Scenario, source=str(path), context=context)
    assert document.roots is not None
    for i, actor in enumerate(scenario.actors):
        if actor.policy is not None and actor.policy.script is not None:
            where = ("actors", i, "policy", "script")
            resolve_reference(
                actor.policy.script,
                base_dir=path.parent,
                roots=document.roots,
                source=document.source(where, str(path)),
                field=f"actors[{actor.id}].policy.script",
                what="policy script",
            )
    return scenario, document


def _read_taxonomy(document: LocatedDocument, path: Path) -> dict[str, str]:
    """Replace a ``taxonomy:`` file name by the taxonomy it holds; return the validation context."""
    reference = document.data.get("taxonomy")
    if not isinstance(reference, str):
        return {}
    assert document.roots is not None
    where = document.where(("taxonomy",)) or (str(path), 0)
    taxonomy_path = resolve_reference(
        reference,
        base_dir=Path(where[0]).parent,
        roots=document.roots,
        source=document.source(("taxonomy",), str(path)),
        field="taxonomy",
        what="taxonomy file",
    )
    taxonomy_document = load_document(taxonomy_path, kind="objective taxonomy")
    document.data["taxonomy"] = validate_document(taxonomy_document, Taxonomy, source=str(taxonomy_path))
    return {"taxonomy_file": str(taxonomy_path)}


def check_playable(
    scenario: Scenario,
    *,
    source: str | None = None,
    locate: Callable[[PathKey], str | None] | None = None,
) -> None:
    """Check the rules a facilitated session needs beyond a valid scenario.

    A turn must be a whole number of decision intervals, so that every turn ends on a decision day. Every
    prepared inject must be one the white cell can fire, as the inject command that carries it: text that
    is not blank and at most :data:`MAX_COMMAND_TEXT_CHARS` characters, at most
    :data:`MAX_COMMAND_EFFECTS` effects (the schema checks the rest of what the command checks: no control
    characters but newlines and tabs, known quantities, finite values).

    Args:
        scenario: The scenario.
        source: Where an error is: ``file:line`` of the turn length, the file, or the ``--set`` flag that
            moved it.
        locate: ``file:line`` of a field (its keys and list indices) in the file the scenario was read
            from, for a prepared inject's error; without it, that error names ``source``.

    Raises:
        InputError: Naming ``turn_length_days`` (at ``source``) or the prepared inject's field.
    """
    if scenario.turn_length_days % scenario.decision_interval_days:
        raise InputError(
            f"a session's turn ({scenario.turn_length_days} days) must be a whole number of "
            f"decision_interval_days ({scenario.decision_interval_days}); runs do not need this",
            source=source,
            field="turn_length_days",
        )
    for position, item in enumerate(scenario.inject_library):
        field, problem = "text", None
        if not item.text.strip():
            problem = "a prepared inject needs text: the white cell cannot fire a blank one"
        elif len(item.text) > MAX_COMMAND_TEXT_CHARS:
            problem = (
                f"a prepared inject's text is at most {MAX_COMMAND_TEXT_CHARS:,} characters (the white cell "
                f"fires it as an inject command), got {len(item.text):,}"
            )
        elif len(item.effects) > MAX_COMMAND_EFFECTS:
            field = "effects"
            problem = (
                f"a prepared inject has at most {MAX_COMMAND_EFFECTS} effects (the white cell fires it as an "
                f"inject command), got {len(item.effects)}"
            )
        if problem is not None:
            where = ("inject_library", position, field)
            raise InputError(
                problem,
                source=source if locate is None else locate(where),
                field=f"inject_library[{item.id}].{field}",
            )


def scenario_hash(scenario: Scenario) -> str:
    """Return a SHA-256 of the scenario's canonical JSON form.

    Stable across key order and ``extends:``, and across new optional fields left at their defaults (only
    values that differ from their field's default enter the hash). Uncertain inputs are part of it.
    """
    canonical = json.dumps(
        scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True),
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
