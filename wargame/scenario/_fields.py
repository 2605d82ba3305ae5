"""Building blocks of every section of the scenario schema: field types, the frozen base model, and
errors that know where in the document they are.

Units are in field names: ``_days``, ``_hours``, ``_per_day``, ``_per_year``. Probabilities and normalised
indices are fractions in [0, 1]. Text is bounded in length and refuses control characters.
"""

from __future__ import annotations

import typing
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from wargame._text import BIDI_CONTROLS

__all__ = [
    "DOMAINS",
    "ESCALATION_CATEGORIES",
    "MAX_COMMAND_EFFECTS",
    "MAX_COMMAND_TEXT_CHARS",
    "MAX_ID_CHARS",
    "MAX_NAME_CHARS",
    "MAX_PATH_CHARS",
    "MAX_SOURCE_CHARS",
    "MAX_TEXT_CHARS",
    "SIGNAL_COSTS",
    "Domain",
    "EscalationCategory",
    "Fraction",
    "FrozenModel",
    "Identifier",
    "LocatedValueError",
    "Name",
    "NonNegative",
    "PathText",
    "Real",
    "SourceText",
    "Text",
    "Whole",
    "refuse_control_characters",
    "require_unique",
    "unique_ids",
]


Domain = Literal["air", "maritime", "land", "cyber", "information"]
DOMAINS: tuple[Domain, ...] = typing.get_args(Domain)

# Rivera et al. (2024) escalation categories and the weights of their evaluation code.
ESCALATION_CATEGORIES: dict[str, int] = {
    "de_escalation": -2,
    "status_quo": 0,
    "posturing": 4,
    "non_violent_escalation": 12,
    "violent_escalation": 28,
    "nuclear": 60,
}
EscalationCategory = Literal[
    "de_escalation", "status_quo", "posturing", "non_violent_escalation", "violent_escalation", "nuclear"
]
assert set(typing.get_args(EscalationCategory)) == set(ESCALATION_CATEGORIES)

# Default cost of a response as a signal of resolve, by category (Fearon 1997: cheap talk moves nothing).
SIGNAL_COSTS: dict[str, float] = {
    "de_escalation": 0.0,
    "status_quo": 0.0,
    "posturing": 0.3,
    "non_violent_escalation": 0.5,
    "violent_escalation": 0.8,
    "nuclear": 0.95,
}


MAX_ID_CHARS = 64
"""Longest id (actors, responses, programs, activities, rungs, injects)."""
MAX_NAME_CHARS = 120
"""Longest display name (one line)."""
MAX_TEXT_CHARS = 5000
"""Longest description or inject text."""
MAX_SOURCE_CHARS = 1000
"""Longest source citation."""
MAX_PATH_CHARS = 200
"""Longest quantity path or outcome name."""
MAX_COMMAND_TEXT_CHARS = 2000
"""Longest text a session command carries (an inject's text, an override's reason, an argument), and so the
longest text of a prepared inject, which the white cell fires as such a command."""
MAX_COMMAND_EFFECTS = 20
"""Most effects a session command carries, and so a prepared inject."""


def _not_a_boolean(value: object) -> object:
    """Reject YAML booleans (``yes``, ``on``, ``true``) where a number is expected."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got the boolean {value!r}")
    return value


Real = Annotated[float, BeforeValidator(_not_a_boolean)]
Whole = Annotated[int, BeforeValidator(_not_a_boolean)]
Fraction = Annotated[Real, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[Real, Field(ge=0.0)]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=MAX_ID_CHARS)]


def refuse_control_characters(text: str, allowed: str = "") -> str:
    """Return ``text`` if it holds no control character (but those in ``allowed``) and no bidirectional
    override or isolate.

    Raises:
        ValueError: Naming the first such character.
    """
    for character in text:
        if character in allowed:
            continue
        if unicodedata.category(character) == "Cc" or character in BIDI_CONTROLS:
            raise ValueError(f"control character U+{ord(character):04X} is not allowed in text")
    return text


def _one_line(text: str) -> str:
    return refuse_control_characters(text)


def _multi_line(text: str) -> str:
    return refuse_control_characters(text, "\n\t")


Name = Annotated[str, Field(max_length=MAX_NAME_CHARS), AfterValidator(_one_line)]
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS), AfterValidator(_multi_line)]
SourceText = Annotated[str, Field(max_length=MAX_SOURCE_CHARS), AfterValidator(_multi_line)]
PathText = Annotated[str, Field(max_length=MAX_PATH_CHARS), AfterValidator(_one_line)]


class FrozenModel(BaseModel):
    """Base of every schema model: immutable, unknown keys refused, each field documented by its docstring."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        use_attribute_docstrings=True,
        allow_inf_nan=False,
    )


class LocatedValueError(ValueError):
    """A validation error that knows where in the document it is: ``loc`` is a path of keys and indices."""

    def __init__(self, message: str, loc: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.loc = loc


def require_unique(values: list[str], what: str, loc: tuple[str | int, ...] = ()) -> None:
    seen: set[str] = set()
    for position, value in enumerate(values):
        if value in seen:
            raise LocatedValueError(f"duplicate {what} {value!r}", (*loc, position))
        seen.add(value)


def unique_ids(what: str) -> AfterValidator:
    """Return the validator of a tuple of items with an ``id``: a repeated id is refused at its index."""

    def check(items: tuple[Any, ...]) -> tuple[Any, ...]:
        require_unique([item.id for item in items], what)
        return items

    return AfterValidator(check)
