"""How numbers read in the English text every layer writes: ordinals (1st, 2nd, 3rd, 4th, 11th, 22nd), for
the percentiles of session debriefs and reports and of the experiments' plots."""

from __future__ import annotations

__all__ = ["ordinal"]

_SUFFIX_BY_LAST_DIGIT = {1: "st", 2: "nd", 3: "rd"}


def ordinal(number: int) -> str:
    """Return ``number`` with its English ordinal suffix: 1st, 2nd, 3rd, 4th, 11th to 13th, 21st, 111th."""
    last_two = abs(number) % 100
    suffix = "th" if last_two in (11, 12, 13) else _SUFFIX_BY_LAST_DIGIT.get(last_two % 10, "th")
    return f"{number}{suffix}"
