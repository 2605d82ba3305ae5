"""The text every layer writes for people: ordinals (1st, 2nd, 3rd, 4th, 11th, 22nd), for the percentiles of
session debriefs and reports and of the experiments' plots; and text from files shown on a terminal with
its control characters made visible (:func:`terminal_text`)."""

from __future__ import annotations

import re

__all__ = ["BIDI_CONTROLS", "ordinal", "terminal_text"]

_SUFFIX_BY_LAST_DIGIT = {1: "st", 2: "nd", 3: "rd"}

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidirectional overrides and isolates: they reorder what a terminal shows ("trojan source")."""

# C0 but tab and newline, DEL, C1, and the bidirectional controls; one-line text escapes newlines too.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS))
_CONTROL_CHARACTER = re.compile(f"[{_CONTROLS}]")
_CONTROL_CHARACTER_OR_NEWLINE = re.compile(f"[\n{_CONTROLS}]")


def ordinal(number: int) -> str:
    """Return ``number`` with its English ordinal suffix: 1st, 2nd, 3rd, 4th, 11th to 13th, 21st, 111th."""
    last_two = abs(number) % 100
    suffix = "th" if last_two in (11, 12, 13) else _SUFFIX_BY_LAST_DIGIT.get(last_two % 10, "th")
    return f"{number}{suffix}"


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str, *, one_line: bool = False) -> str:
    """Return ``text`` as a terminal may print it: every control character (C0 and C1 codes such as an
    escape, a bell, a carriage return or a backspace, DEL, and bidirectional overrides and isolates)
    written as its escape (``\\x1b``, ``\\x9b``, ``\\u202e``), so that text from a file can neither move
    the cursor nor rewrite the screen; tabs, newlines (escaped too when ``one_line``) and every other
    character, non-ASCII letters included, are kept as they are."""
    pattern = _CONTROL_CHARACTER_OR_NEWLINE if one_line else _CONTROL_CHARACTER
    return pattern.sub(_escape, text)
