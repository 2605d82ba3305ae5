"""What the console holds between requests: submissions waiting for their seat's move, the errors it
answers before a submission reaches the session, and the event-stream clients it wakes."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wargame.session import Command

__all__ = ["ConsoleError", "Listener", "Submission", "now"]


def now() -> str:
    """Return the current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class ConsoleError(Exception):
    """A submission the console refuses before it reaches the session (an HTTP 4xx or 503)."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


@dataclass
class Submission:
    """A command received over HTTP, and what became of it.

    Attributes:
        seat: Who sent it.
        command: The command.
        branch: The branch it is for.
        turn: The turn it is for.
        request_id: The client's idempotency key, if it sent one.
        status: ``queued``, ``recorded`` (journaled as entry ``seq``), ``rejected`` (``error`` says why) or
            ``dropped`` (the turn it was for went by, after a rewind).
    """

    seat: str
    command: Command
    branch: int
    turn: int
    request_id: str | None
    received_utc: str = field(default_factory=now)
    status: str = "queued"
    seq: int | None = None
    result: dict[str, Any] | None = None
    error: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "seat": self.seat,
            "kind": self.command.kind,
            "command": self.command.payload(),
            "describe": self.command.describe(),
            "turn": self.turn,
            "request_id": self.request_id,
            "received_utc": self.received_utc,
            "status": self.status,
            "seq": self.seq,
            "result": self.result,
            "error": self.error,
        }


class Listener:
    """An event-stream client waiting for the next change (woken from any thread)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.event = asyncio.Event()

    def wake(self) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed: the client is gone
            self.loop.call_soon_threadsafe(self.event.set)
