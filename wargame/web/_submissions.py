"""What the console holds between requests: submissions waiting for their seat's move (the queue, and the
checks a submission passes before it joins it), the errors it answers before a submission reaches the
session, and the event-stream clients it wakes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from wargame.session import (
    MAX_PROGRAM_INTENSITY_PER_YEAR,
    WHITE_CELL,
    Ack,
    Command,
    ProgramChange,
    Prompt,
    Resume,
    SeatAction,
    SessionStatus,
)

if TYPE_CHECKING:
    from wargame.web._snapshot import SessionSnapshot

__all__ = ["ConsoleError", "Listener", "Submission", "SubmissionQueue", "now"]

log = logging.getLogger("wargame.web")

_NOTICES_KEPT = 20
MAX_QUEUED_PER_SEAT = 10
"""Commands one seat may have waiting for its move (program changes included); more get 429."""
MAX_REQUEST_IDS = 10_000
"""Request ids remembered per seat to refuse replays (the oldest are forgotten first)."""


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


class SubmissionQueue:
    """The submissions waiting for their seat's move, the one being applied, the request ids seen and the
    notices each seat is shown. Not thread-safe: the console's lock guards it.

    Args:
        seats: How many seats send submissions (request ids are remembered per seat).
    """

    def __init__(self, seats: int) -> None:
        self.items: list[Submission] = []
        self.in_flight: Submission | None = None
        self._requests: dict[tuple[str, str], Submission] = {}
        self._max_requests = MAX_REQUEST_IDS * seats
        self._notices: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def of(self, seat: str) -> list[dict[str, Any]]:
        """The public form of ``seat``'s queued submissions."""
        return [item.public() for item in self.items if item.seat == seat]

    def notices(self, seat: str) -> list[dict[str, Any]]:
        """The last five notices for ``seat``."""
        return self._notices.get(seat, [])[-5:]

    # ------------------------------------------------------------------ receiving
    def admit(
        self, seat: str, command: Command, turn: int, request_id: str | None, snapshot: SessionSnapshot
    ) -> None:
        """Check a submission against the session as ``snapshot`` shows it, before it joins the queue.

        Raises:
            ConsoleError: 409 for a replayed request, a finished session or a submission out of turn (or
                paused); 422 for a move or program the seat's view does not offer; 429 for a full queue.
        """
        if request_id is not None and (seat, request_id) in self._requests:
            before = self._requests[(seat, request_id)]
            where = f" as journal entry #{before.seq}" if before.seq else ""
            raise ConsoleError(
                409,
                f"replayed submission: request {request_id!r} was already received ({before.status}{where}); "
                "nothing was applied again",
            )
        status, prompt = snapshot.status, snapshot.prompt
        if status.finished or prompt is None:
            raise ConsoleError(409, "the session is finished; nothing more can be played")
        if turn != status.turn:
            raise ConsoleError(
                409, f"out of turn: this submission is for turn {turn}, the session is at turn {status.turn}"
            )
        if seat == WHITE_CELL:
            self._admit_white_cell(command, prompt, snapshot.has_white_cell)
        else:
            self._admit_seat(seat, command, prompt, snapshot)

    def _admit_white_cell(self, command: Command, prompt: Prompt, has_white_cell: bool) -> None:
        if not has_white_cell:
            raise ConsoleError(409, "this session has no white cell seat (create it with --white-cell)")
        if prompt.kind == "paused":
            if not isinstance(command, Resume):
                raise ConsoleError(409, "the session is paused; resume it first")
            if any(isinstance(item.command, Resume) for item in self.items):
                raise ConsoleError(409, "a resume is already on its way")
            return
        if isinstance(command, Resume):
            raise ConsoleError(409, "the session is not paused")
        if prompt.seat != WHITE_CELL:
            raise ConsoleError(
                409,
                f"out of turn: the white cell acts at the start of a turn; now waiting for {prompt.seat}",
            )

    def _admit_seat(self, seat: str, command: Command, prompt: Prompt, snapshot: SessionSnapshot) -> None:
        turn = snapshot.status.turn
        if prompt.kind == "paused":
            raise ConsoleError(409, "the session is paused by the white cell; wait for it to resume")
        moved = snapshot.index.moves.get(turn, {}).get(seat)
        if moved is not None:
            raise ConsoleError(
                409,
                f"out of turn: you already moved in turn {turn} ({moved['action'] or 'pass'}, "
                f"journal entry #{moved['seq']})",
            )
        mine = [item for item in self.items if item.seat == seat]
        if any(item.command.ends_move for item in mine):
            raise ConsoleError(409, f"out of turn: your move for turn {turn} is already queued")
        if len(mine) >= MAX_QUEUED_PER_SEAT:
            raise ConsoleError(
                429,
                f"too many queued commands: {len(mine)} wait for your move (at most {MAX_QUEUED_PER_SEAT})",
            )
        view = snapshot.index.views.get(seat, (0, None))[1]
        if view is None:
            raise ConsoleError(409, "your first view is not ready yet: wait until it is your move")
        if isinstance(command, SeatAction) and command.action is not None:
            menu = [item["id"] for item in view.get("menu", [])]
            if command.action not in menu:
                raise ConsoleError(422, f"{command.action!r} is not on your menu ({', '.join(menu)})")
        if isinstance(command, ProgramChange):
            programs = [program["id"] for program in view.get("programs", [])]
            if command.program not in programs:
                raise ConsoleError(
                    422,
                    f"no program {command.program!r} that you are a partner in "
                    f"({', '.join(programs) or 'none'})",
                )
            if not 0 <= command.intensity_per_year <= MAX_PROGRAM_INTENSITY_PER_YEAR:
                raise ConsoleError(
                    422,
                    f"intensity must be from 0 to {MAX_PROGRAM_INTENSITY_PER_YEAR:g} exchanges a year",
                )

    def add(self, item: Submission) -> None:
        """Queue an admitted submission and remember its request id."""
        self.items.append(item)
        if item.request_id is not None:
            self._requests[(item.seat, item.request_id)] = item
            if len(self._requests) > self._max_requests:
                del self._requests[next(iter(self._requests))]
        log.info("received %s from %s for turn %d", item.command.kind, item.seat, item.turn)

    # ------------------------------------------------------------------ applying
    def take(self, match: Callable[[Submission], bool]) -> Submission | None:
        """The first queued submission ``match`` accepts, now in flight (or ``None``)."""
        for item in self.items:
            if match(item):
                self.in_flight = item
                return item
        return None

    def settle(
        self, item: Submission, status: str, *, ack: Ack | None = None, error: str | None = None
    ) -> None:
        """Record what became of ``item`` (``recorded`` with its ack, or ``rejected`` with the error) and
        take it off the queue; its seat is told of a refusal or a roll."""
        if self.in_flight is item:
            self.in_flight = None
        if item in self.items:
            self.items.remove(item)
        item.status = status
        if ack is not None:
            item.seq, item.result = ack.seq, ack.result
        if error is not None:
            item.error = error
            self.notice(item.seat, f"Not accepted: {item.command.describe()}: {error}")
        elif ack is not None and ack.result is not None:
            result = ack.result
            outcome = "success" if result["success"] else "failure"
            self.notice(
                item.seat,
                f"2d6 rolled {result['dice'][0]} + {result['dice'][1]}, modifier {result['modifier']:+d}: "
                f"{result['total']} against {result['needed']}: {outcome}",
                kind="info",
            )
        log.info(
            "%s %s from %s for turn %d: %s",
            status,
            item.command.kind,
            item.seat,
            item.turn,
            f"entry #{item.seq}" if item.seq else item.error,
        )

    def drop_stale(self, status: SessionStatus) -> None:
        """Drop what waits for a turn or branch the session has left (or for a finished session)."""
        for item in list(self.items):
            stale = item.branch != status.branch or item.turn != status.turn
            if (stale or status.finished) and item is not self.in_flight:
                self.items.remove(item)
                item.status = "dropped"
                item.error = f"turn {item.turn} went by before it applied (the session is now at turn "
                item.error += f"{status.turn}, branch {status.branch})"
                self.notice(item.seat, f"Dropped: {item.command.describe()}: {item.error}")

    def drop_all(self, error: str) -> None:
        """Drop everything that waits (the server stops), saying why."""
        for item in self.items:
            item.status, item.error = "dropped", error
        self.items.clear()

    def notice(self, seat: str, text: str, kind: str = "error") -> None:
        """Tell ``seat`` something on its page (the last twenty are kept)."""
        notices = self._notices[seat]
        notices.append({"time_utc": now(), "text": text, "kind": kind})
        del notices[:-_NOTICES_KEPT]
