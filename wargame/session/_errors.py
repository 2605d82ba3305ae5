"""The error a journal raises when it does not replay to what it recorded."""

from __future__ import annotations

from typing import Any

from wargame.errors import InputError

__all__ = ["JournalMismatchError", "first_difference", "shown"]

_SHOWN_CHARACTERS = 60


def shown(value: Any) -> str:
    """Return ``repr(value)`` cut to a short length: what an error message may echo of a user's input."""
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARACTERS else text[: _SHOWN_CHARACTERS - 1] + "…"


def first_difference(recorded: Any, produced: Any, path: str = "") -> str | None:
    """Return the dotted path of the first place two JSON values differ, or ``None`` if equal."""
    if isinstance(recorded, dict) and isinstance(produced, dict):
        for key in sorted(set(recorded) | set(produced), key=str):
            if key not in recorded or key not in produced:
                return f"{path}.{key}".lstrip(".")
            found = first_difference(recorded[key], produced[key], f"{path}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(recorded, list) and isinstance(produced, list):
        if len(recorded) != len(produced):
            return f"{path} (length {len(recorded)} recorded, {len(produced)} now)".lstrip(".")
        for index, (a, b) in enumerate(zip(recorded, produced, strict=True)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    return None if recorded == produced else (path.lstrip(".") or "(value)")


class JournalMismatchError(InputError):
    """A journal entry differs from what re-simulating the session produces at that point.

    Args:
        entry: The recorded entry.
        produced_kind: What the engine produced (or expected) there.
        produced: The engine's payload, or a reason the recorded input is not acceptable.
    """

    def __init__(self, entry: Any, produced_kind: str, produced: Any) -> None:
        if isinstance(produced, str):
            detail = f"expected {produced_kind}, and the entry is not acceptable: {produced}"
        elif entry.kind != produced_kind:
            detail = f"the journal has {entry.kind} where re-simulation produces {produced_kind}"
        else:
            where = first_difference(entry.payload, produced)
            detail = f"{entry.kind} differs from re-simulation at {where}"
        super().__init__(f"journal entry #{entry.seq} (turn {entry.turn}) does not replay: {detail}")
        self.entry = entry
