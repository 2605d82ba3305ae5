"""Errors that reach a user: each carries a one-line message naming what is wrong and where."""

from __future__ import annotations

__all__ = ["InputError", "WargameError", "join_clauses"]


def join_clauses(*clauses: str | None, separator: str = "; ") -> str:
    """Return the clauses that are neither empty nor ``None``, joined by ``separator``."""
    return separator.join(clause for clause in clauses if clause)


class WargameError(Exception):
    """Base class of every error wargame raises on purpose."""


class InputError(WargameError):
    """Bad input from a user: a file, a CLI flag, an API argument or a request.

    Args:
        message: What is wrong, in one line.
        source: Where: a file path, ``file:line``, a flag name or an API argument. Optional.
        field: Dotted field path inside the source, for example ``actors[2].readiness``. Optional.
    """

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None) -> None:
        self.message = message
        self.source = source
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = join_clauses(self.source, self.field, separator=": ")
        return f"{where}: {self.message}" if where else self.message
