"""The web console's hold on a session: a seat front end fed by HTTP requests, and per-seat snapshots.

One thread (the *play thread*) owns the :class:`Session`: it runs the session package's :func:`play` loop
with :class:`WebFrontEnd`, the same small interface the terminal implements. ``choose`` waits until the
seat of the prompt has sent a command over HTTP; ``acknowledge`` and ``reject`` settle that submission.
Request handlers never touch the session: they read snapshots the play thread builds from the journal,
and queue submissions. One condition variable guards both; the play thread holds it whenever it runs the
session and lets go only while it waits for people, so a reader never sees a half-adjudicated turn.

A seat may send its move before its prompt comes (the engine asks seats one after the other, each
seeing the decisions before it): the move is *queued* and submitted when the seat's prompt arrives. It is
acknowledged (journaled) only then; if the session refuses it then, the seat is told why and moves
again. Every submission names the turn it is for, so a late or replayed one is refused, and may carry a
``request_id`` that is refused if seen again: nothing is applied twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from wargame.errors import InputError
from wargame.session import (
    MAX_PROGRAM_INTENSITY_PER_YEAR,
    WHITE_CELL,
    Ack,
    Command,
    PlayResult,
    ProgramChange,
    Prompt,
    Resume,
    SeatAction,
    Session,
    SessionStatus,
    play,
)
from wargame.web._index import JournalIndex
from wargame.web._submissions import ConsoleError, Listener, Submission, now

__all__ = ["ConsoleError", "Submission", "WebConsole"]

log = logging.getLogger("wargame.web")

_NOTICES_KEPT = 20
MAX_QUEUED_PER_SEAT = 10
"""Commands one seat may have waiting for its move (program changes included); more get 429."""
MAX_REQUEST_IDS = 10_000
"""Request ids remembered per seat to refuse replays (the oldest are forgotten first)."""


class WebFrontEnd:
    """The web seat front end: the :class:`SeatFrontEnd` the play loop drives (see :class:`WebConsole`)."""

    def __init__(self, console: WebConsole) -> None:
        self.console = console

    def choose(self, prompt: Prompt) -> Command | None:
        return self.console._choose(prompt)

    def acknowledge(self, prompt: Prompt, command: Command, ack: Ack) -> None:
        self.console._settle("recorded", ack=ack)

    def reject(self, prompt: Prompt, command: Command, error: InputError) -> None:
        self.console._settle("rejected", error=str(error))

    def notify(self, message: str) -> None:
        log.debug("session: %s", message)


class WebConsole:
    """Serves one open session to its seats and white cell over HTTP.

    Args:
        session: A session opened for play (the console owns it from :meth:`start` to :meth:`stop`).
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        scenario = session.scenario
        self.deciding_order: tuple[str, ...] = (
            scenario.adversary,
            *(actor.id for actor in scenario.allied_actors),
        )
        self.actor_names = {actor.id: actor.name for actor in scenario.actors}
        self.human_seats: tuple[str, ...] = tuple(session.status().human_seats)
        self.has_white_cell = bool(session.status().white_cell)
        self.version = 0
        self._cond = threading.Condition()
        self._queue: list[Submission] = []
        self._requests: dict[tuple[str, str], Submission] = {}
        self._notices: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._listeners: set[Listener] = set()
        self._listeners_lock = threading.Lock()  # apart from the session's: taken on the event loop
        self._in_flight: Submission | None = None
        self._stopping = False
        self._closing = False
        self._fatal: str | None = None
        self._thread: threading.Thread | None = None
        self._journal_length = -1
        self._index = JournalIndex(-1)  # the first refresh builds it from the active branch's timeline
        self._status: SessionStatus = session.status()
        self._prompt: Prompt | None = session.pending
        self._report_cache: tuple[int, str] | None = None
        self._seat_versions: dict[str, tuple[str, int]] = {}
        self.front_end = WebFrontEnd(self)
        with self._cond:
            self._refresh()

    # ------------------------------------------------------------------ life cycle
    @property
    def seats(self) -> tuple[str, ...]:
        """Every seat that gets a link: the human seats, then the white cell."""
        return (*self.human_seats, WHITE_CELL)

    @property
    def stopping(self) -> bool:
        """Whether the console is stopping (event streams end; no more commands)."""
        return self._stopping or self._closing

    def close_streams(self) -> None:
        """End every event stream now (the server is shutting down); safe from a signal handler."""
        self._closing = True
        self._bump()

    def start(self) -> None:
        """Start the play thread."""
        if self._thread is not None:
            raise RuntimeError("the console is already started")
        self._thread = threading.Thread(target=self._run, name="wargame-web-play", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the play thread (everything acknowledged is in the journal) and wake every waiter."""
        with self._cond:
            self._stopping = True
            for item in self._queue:
                item.status, item.error = "dropped", "the server stopped before this queued move applied"
            self._queue.clear()
            self._bump()
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        with self._cond:
            try:
                while not self._stopping:
                    self._refresh()
                    prompt = self.session.pending
                    if prompt is None:
                        self._cond.wait()
                        continue
                    if prompt.kind == "paused":
                        item = self._take(lambda s: isinstance(s.command, Resume))
                        if item is None:
                            self._cond.wait()
                            continue
                        try:
                            ack = self.session.submit(item.command)
                        except InputError as error:
                            self._in_flight = item
                            self._settle("rejected", error=str(error))
                        else:
                            self._in_flight = item
                            self._settle("recorded", ack=ack)
                        continue
                    result = play(self.session, self.front_end)
                    log.info("play loop returned: %s", result)
                    if result is PlayResult.STOPPED:
                        break
            except Exception as error:  # a bug or a broken journal: stop taking commands, say why
                log.exception("the session stopped with an error")
                self._fatal = f"{type(error).__name__}: {error}"
                if self._in_flight is not None:
                    self._settle("rejected", error=f"server error: {self._fatal}")
                for item in self._queue:
                    item.status, item.error = "dropped", f"server error: {self._fatal}"
                self._queue.clear()
                self._bump()
                self._cond.notify_all()

    # ------------------------------------------------------------------ the front end (play thread)
    def _choose(self, prompt: Prompt) -> Command | None:
        self._refresh()
        while True:
            if self._stopping:
                return None
            item = self._take(
                lambda s: s.seat == prompt.seat and s.turn == prompt.turn and s.branch == self.session.branch
            )
            if item is not None:
                if prompt.seat == WHITE_CELL and isinstance(item.command, Resume):
                    self._settle_item(item, "rejected", error="the session is not paused")
                    continue
                return item.command
            self._cond.wait()

    def _take(self, match: Callable[[Submission], bool]) -> Submission | None:
        for item in self._queue:
            if match(item):
                self._in_flight = item
                return item
        return None

    def _settle(self, status: str, *, ack: Ack | None = None, error: str | None = None) -> None:
        item = self._in_flight
        self._in_flight = None
        if item is None:
            return
        self._settle_item(item, status, ack=ack, error=error)

    def _settle_item(
        self, item: Submission, status: str, *, ack: Ack | None = None, error: str | None = None
    ) -> None:
        if self._in_flight is item:
            self._in_flight = None
        if item in self._queue:
            self._queue.remove(item)
        item.status = status
        if ack is not None:
            item.seq, item.result = ack.seq, ack.result
        if error is not None:
            item.error = error
            self._notice(item.seat, f"Not accepted: {item.command.describe()}: {error}")
        elif ack is not None and ack.result is not None:
            result = ack.result
            outcome = "success" if result["success"] else "failure"
            self._notice(
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
        self._bump()
        self._cond.notify_all()

    def _notice(self, seat: str, text: str, kind: str = "error") -> None:
        notices = self._notices[seat]
        notices.append({"time_utc": now(), "text": text, "kind": kind})
        del notices[:-_NOTICES_KEPT]

    def _refresh(self) -> None:
        """Bring the snapshots up to the session (play thread, lock held)."""
        session = self.session
        length = len(session.journal)
        if session.branch != self._index.branch:
            self._index = JournalIndex(session.branch)
            for entry in session.timeline():
                self._index.add(entry)
        elif length != self._journal_length:
            start = max(self._journal_length, 1)
            for entry in itertools.islice(session.journal, start, None):
                if entry.branch == self._index.branch:
                    self._index.add(entry)
        self._journal_length = length
        self._status = session.status()
        self._prompt = session.pending
        for item in list(self._queue):
            stale = item.branch != self._status.branch or item.turn != self._status.turn
            if (stale or self._status.finished) and item is not self._in_flight:
                self._queue.remove(item)
                item.status = "dropped"
                item.error = f"turn {item.turn} went by before it applied (the session is now at turn "
                item.error += f"{self._status.turn}, branch {self._status.branch})"
                self._notice(item.seat, f"Dropped: {item.command.describe()}: {item.error}")
        self._bump()

    def _bump(self) -> None:
        self.version += 1
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener.wake()

    # ------------------------------------------------------------------ requests (any thread)
    def subscribe(self, loop: asyncio.AbstractEventLoop) -> Listener:
        """Register an event-stream client; it is woken at every change."""
        listener = Listener(loop)
        with self._listeners_lock:
            self._listeners.add(listener)
        return listener

    def unsubscribe(self, listener: Listener) -> None:
        with self._listeners_lock:
            self._listeners.discard(listener)

    def submit(
        self,
        seat: str,
        command: Command,
        *,
        turn: int,
        request_id: str | None = None,
        wait_seconds: float = 10.0,
    ) -> Submission:
        """Queue a command from ``seat`` for ``turn``; wait for it when it is ``seat``'s move now.

        Returns:
            The submission: ``recorded`` (journaled), ``rejected`` (refused by the session, with its
            message), or ``queued`` (the seat's prompt has not come yet).

        Raises:
            ConsoleError: 409 for a submission out of turn, a second move in a turn, a replayed request or
                a finished or paused session; 422 for a move not on the seat's menu; 503 when stopping.
        """
        with self._cond:
            self._check(seat, command, turn, request_id)
            item = Submission(seat, command, self._status.branch, turn, request_id)
            self._queue.append(item)
            if request_id is not None:
                self._requests[(seat, request_id)] = item
                if len(self._requests) > MAX_REQUEST_IDS * len(self.seats):
                    del self._requests[next(iter(self._requests))]
            log.info("received %s from %s for turn %d", command.kind, seat, turn)
            self._bump()
            self._cond.notify_all()
            if self._prompt is not None and self._prompt.seat == seat:
                self._cond.wait_for(lambda: item.status != "queued" or self._stopping, timeout=wait_seconds)
            return item

    def _check(self, seat: str, command: Command, turn: int, request_id: str | None) -> None:
        if self._fatal is not None:
            raise ConsoleError(503, f"the session stopped with an error and takes no commands: {self._fatal}")
        if self._stopping:
            raise ConsoleError(503, "the server is stopping")
        if request_id is not None and (seat, request_id) in self._requests:
            before = self._requests[(seat, request_id)]
            where = f" as journal entry #{before.seq}" if before.seq else ""
            raise ConsoleError(
                409,
                f"replayed submission: request {request_id!r} was already received ({before.status}{where}); "
                "nothing was applied again",
            )
        status, prompt = self._status, self._prompt
        if status.finished or prompt is None:
            raise ConsoleError(409, "the session is finished; nothing more can be played")
        if turn != status.turn:
            raise ConsoleError(
                409, f"out of turn: this submission is for turn {turn}, the session is at turn {status.turn}"
            )
        if seat == WHITE_CELL:
            self._check_white_cell(command, prompt)
        else:
            self._check_seat(seat, command, prompt)

    def _check_white_cell(self, command: Command, prompt: Prompt) -> None:
        if not self.has_white_cell:
            raise ConsoleError(409, "this session has no white cell seat (create it with --white-cell)")
        if prompt.kind == "paused":
            if not isinstance(command, Resume):
                raise ConsoleError(409, "the session is paused; resume it first")
            if any(isinstance(item.command, Resume) for item in self._queue):
                raise ConsoleError(409, "a resume is already on its way")
            return
        if isinstance(command, Resume):
            raise ConsoleError(409, "the session is not paused")
        if prompt.seat != WHITE_CELL:
            raise ConsoleError(
                409,
                f"out of turn: the white cell acts at the start of a turn; now waiting for {prompt.seat}",
            )

    def _check_seat(self, seat: str, command: Command, prompt: Prompt) -> None:
        turn = self._status.turn
        if prompt.kind == "paused":
            raise ConsoleError(409, "the session is paused by the white cell; wait for it to resume")
        moved = self._index.moves.get(turn, {}).get(seat)
        if moved is not None:
            raise ConsoleError(
                409,
                f"out of turn: you already moved in turn {turn} ({moved['action'] or 'pass'}, "
                f"journal entry #{moved['seq']})",
            )
        mine = [item for item in self._queue if item.seat == seat]
        if any(item.command.ends_move for item in mine):
            raise ConsoleError(409, f"out of turn: your move for turn {turn} is already queued")
        if len(mine) >= MAX_QUEUED_PER_SEAT:
            raise ConsoleError(
                429,
                f"too many queued commands: {len(mine)} wait for your move (at most {MAX_QUEUED_PER_SEAT})",
            )
        view = self._index.views.get(seat, (0, None))[1]
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

    # ------------------------------------------------------------------ snapshots (any thread)
    def _session_summary(self) -> dict[str, Any]:
        status, prompt = self._status, self._prompt
        return {
            "scenario_name": status.scenario_name,
            "turn": status.turn,
            "turns_total": status.turns_total,
            "day": status.day,
            "turn_length_days": self.session.scenario.turn_length_days,
            "branch": status.branch,
            "paused": status.paused,
            "finished": status.finished,
            "waiting_for": status.waiting_for,
            "phase": None if prompt is None else prompt.kind,
            "turn_opened_utc": self._index.turn_opened.get(status.turn),
            "now_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "order": ([WHITE_CELL] if self.has_white_cell else []) + list(self.deciding_order),
            "human_seats": list(self.human_seats),
            "white_cell": self.has_white_cell,
            "outcome": self._index.outcome,
            "error": self._fatal,
        }

    def version_for(self, seat: str) -> int:
        """The version of what ``seat`` sees: it moves only when the seat's own state changes."""
        if seat == WHITE_CELL:
            return self.version
        return int(self.seat_state(seat)["version"])

    def seat_state(self, seat: str) -> dict[str, Any]:
        """Everything the seat's page shows: only what the seat's own views and moves hold.

        Its ``version`` counts changes of this state alone, so a seat cannot learn from it when another
        seat acts before its move is journaled.
        """
        with self._cond:
            state = self._seat_state(seat)
            digest = hashlib.sha256(
                json.dumps(
                    {**state, "session": {**state["session"], "now_utc": None}}, sort_keys=True
                ).encode()
            ).hexdigest()
            before, counter = self._seat_versions.get(seat, ("", 0))
            if digest != before:
                counter += 1
                self._seat_versions[seat] = (digest, counter)
            return {"version": counter, **state}

    def _seat_state(self, seat: str) -> dict[str, Any]:
        status, prompt = self._status, self._prompt
        seq, view = self._index.views.get(seat, (None, None))
        moved = self._index.moves.get(status.turn, {}).get(seat)
        return {
            "seat": seat,
            "actor_name": self.actor_names.get(seat, seat),
            "session": self._session_summary(),
            "your_move": prompt is not None and prompt.seat == seat and prompt.kind == "move",
            "moved": moved,
            "programs_this_turn": self._index.programs.get(status.turn, {}).get(seat, []),
            "queued": [item.public() for item in self._queue if item.seat == seat],
            "view": view,
            "view_seq": seq,
            "history": self._index.history.get(seat, []),
            "news": self._index.news.get(seat, [])[-30:],
            "notices": self._notices.get(seat, [])[-5:],
        }

    def white_cell_state(self) -> dict[str, Any]:
        """The white cell's dashboard: ground truth, every seat's move and queue, its own log."""
        with self._cond:
            status = self._status
            moves = self._index.moves.get(status.turn, {})
            seats = []
            for seat in self.deciding_order:
                human = seat in self.human_seats
                move = moves.get(seat)
                queued = [item.public() for item in self._queue if item.seat == seat]
                if move is not None:
                    state = "moved"
                elif self._prompt is not None and self._prompt.seat == seat:
                    state = "to move now"
                elif queued:
                    state = "queued"
                else:
                    state = "waiting" if human else "engine"
                seats.append(
                    {
                        "seat": seat,
                        "name": self.actor_names.get(seat, seat),
                        "played_by": "person" if human else "engine",
                        "state": state,
                        "move": move,
                        "programs": self._index.programs.get(status.turn, {}).get(seat, []),
                        "queued": queued,
                    }
                )
            view = self._index.views.get(WHITE_CELL, (None, None))[1]
            digest = self._index.last_digest or {}
            return {
                "version": self.version,
                "seat": WHITE_CELL,
                "session": self._session_summary(),
                "your_move": self._prompt is not None and self._prompt.seat == WHITE_CELL,
                "seats": seats,
                "queue": [item.public() for item in self._queue],
                "view": view,
                "truth": {
                    "turn": digest.get("turn"),
                    "day": digest.get("day"),
                    "rung": digest.get("rung"),
                    "pending_mobilization": digest.get("pending_mobilization"),
                    "war_day": digest.get("war_day"),
                    "escalation_score": digest.get("escalation_score"),
                    "quantities": digest.get("quantities", {}),
                    "programs": digest.get("programs", {}),
                },
                "posture": self._index.latest_posture,
                "rungs": [rung.id for rung in self.session.scenario.escalation.rungs],
                "trajectory": self._index.digests,
                "log": self._index.white_log[-50:],
                "notices": self._notices.get(WHITE_CELL, [])[-5:],
                "rewind_turns": list(range(1, status.turn + 1)),
                "inject_library": [
                    {
                        "id": item.id,
                        "name": item.name,
                        "text": item.text,
                        "effects": [
                            effect.model_dump(mode="json", exclude_none=True) for effect in item.effects
                        ],
                    }
                    for item in self.session.scenario.inject_library
                ],
            }

    def report_html(self, render: Callable[[Session], str]) -> str:
        """Return the after-action report rendered by ``render`` (cached until the journal grows)."""
        with self._cond:
            key = self._journal_length * 1000 + self._status.branch
            if self._report_cache is None or self._report_cache[0] != key:
                self._report_cache = (key, render(self.session))
            return self._report_cache[1]
