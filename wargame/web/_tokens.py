"""Access tokens of a served session: one per human seat and one for the white cell.

Each token is ``secrets.token_urlsafe(32)`` (256 bits). They are kept in ``SESSION_DIR/web/tokens.json``
(folder mode 0700, file mode 0600) so the links stay the same when the server restarts; ``rotate``
replaces them all. Tokens are compared with :func:`secrets.compare_digest` and shown in logs only as a
short prefix (:func:`redact`).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from wargame.errors import InputError
from wargame.session import WHITE_CELL, private_folder, read_small_json, write_private

__all__ = ["TOKEN_BYTES", "TOKEN_FILE", "SeatTokens", "redact"]

TOKEN_BYTES = 32
"""Random bytes in a token (256 bits; the issue asks for at least 128)."""

TOKEN_FILE = Path("web") / "tokens.json"
"""Where the tokens live, relative to the session directory."""

_SHOWN = 4


def redact(token: str | None) -> str:
    """Return the short prefix of a token that logs may show (``'AbCd…'``)."""
    if not token:
        return "-"
    return token[:_SHOWN] + "…"


@dataclass(frozen=True)
class SeatTokens:
    """The tokens of a session: ``by_seat`` maps each seat (and ``white_cell``) to its token."""

    by_seat: dict[str, str]

    @classmethod
    def load_or_create(cls, directory: Path, seats: tuple[str, ...], *, rotate: bool = False) -> SeatTokens:
        """Read the session's tokens, creating any that are missing (all of them with ``rotate``).

        Args:
            directory: The session directory.
            seats: The seats that need a token (human seats, and ``white_cell`` if it sits).
            rotate: Replace every token (old links stop working).

        Raises:
            InputError: If the token file exists but is not readable JSON of strings.
        """
        path = directory / TOKEN_FILE
        stored: dict[str, str] = {}
        if path.exists() and not rotate:
            try:
                stored = read_small_json(path, limit=64 * 1024)
            except (OSError, ValueError) as error:
                raise InputError(f"cannot read the web tokens ({error})", source=str(path)) from None
            if not isinstance(stored, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and len(v) >= 22 for k, v in stored.items()
            ):
                raise InputError(
                    "the web token file is malformed; delete it to make new links", source=str(path)
                )
        tokens = {seat: stored.get(seat) or secrets.token_urlsafe(TOKEN_BYTES) for seat in seats}
        if tokens != stored:
            private_folder(path.parent)
            write_private(path, json.dumps(tokens, indent=2) + "\n")
        return cls(tokens)

    def seat_of(self, token: str | None) -> str | None:
        """Return the seat a token opens, or ``None``; every stored token is compared in constant time."""
        if not token:
            return None
        found = None
        given = token.encode()
        for seat, expected in self.by_seat.items():
            if secrets.compare_digest(given, expected.encode()):
                found = seat
        return found

    def opens(self, token: str | None, seat: str) -> bool:
        """Whether ``token`` is the token of ``seat``."""
        expected = self.by_seat.get(seat)
        if not token or expected is None:
            return False
        return secrets.compare_digest(token.encode(), expected.encode())

    @property
    def white_cell(self) -> str | None:
        return self.by_seat.get(WHITE_CELL)
