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
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from wargame.errors import InputError
from wargame.session import (
    WHITE_CELL,
    Ack,
    Command,
    PlayResult,
    Prompt,
    Resume,
    Session,
    play,
    saved_files_stamp,
)
from wargame.web._snapshot import SessionSnapshot
from wargame.web._submissions import ConsoleError, Listener, Submission, SubmissionQueue

__all__ = ["ConsoleError", "Submission", "WebConsole"]

log = logging.getLogger("wargame.web")


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
        self._snapshot = SessionSnapshot(session)
        self.human_seats = self._snapshot.human_seats
        self.version = 0
        self._cond = threading.Condition()
        self._queue = SubmissionQueue(len(self.seats))
        self._listeners: set[Listener] = set()
        self._listeners_lock = threading.Lock()  # apart from the session's: taken on the event loop
        self._stopping = False
        self._closing = False
        self._fatal: str | None = None
        self._thread: threading.Thread | None = None
        self._report_cache: tuple[tuple[object, ...], str] | None = None
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
            self._queue.drop_all("the server stopped before this queued move applied")
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
                        item = self._queue.take(lambda s: isinstance(s.command, Resume))
                        if item is None:
                            self._cond.wait()
                            continue
                        try:
                            ack = self.session.submit(item.command)
                        except InputError as error:
                            self._settle("rejected", error=str(error))
                        else:
                            self._settle("recorded", ack=ack)
                        continue
                    result = play(self.session, self.front_end)
                    log.info("play loop returned: %s", result)
                    if result is PlayResult.STOPPED:
                        break
            except Exception as error:  # a bug or a broken journal: stop taking commands, say why
                log.exception("the session stopped with an error")
                self._fatal = f"{type(error).__name__}: {error}"
                if self._queue.in_flight is not None:
                    self._settle("rejected", error=f"server error: {self._fatal}")
                self._queue.drop_all(f"server error: {self._fatal}")
                self._bump()
                self._cond.notify_all()

    # ------------------------------------------------------------------ the front end (play thread)
    def _choose(self, prompt: Prompt) -> Command | None:
        self._refresh()
        while True:
            if self._stopping:
                return None
            item = self._queue.take(
                lambda s: s.seat == prompt.seat and s.turn == prompt.turn and s.branch == self.session.branch
            )
            if item is not None:
                if prompt.seat == WHITE_CELL and isinstance(item.command, Resume):
                    self._settle_item(item, "rejected", error="the session is not paused")
                    continue
                return item.command
            self._cond.wait()

    def _settle(self, status: str, *, ack: Ack | None = None, error: str | None = None) -> None:
        item = self._queue.in_flight
        self._queue.in_flight = None
        if item is None:
            return
        self._settle_item(item, status, ack=ack, error=error)

    def _settle_item(
        self, item: Submission, status: str, *, ack: Ack | None = None, error: str | None = None
    ) -> None:
        self._queue.settle(item, status, ack=ack, error=error)
        self._bump()
        self._cond.notify_all()

    def _refresh(self) -> None:
        """Bring the snapshot up to the session and drop what the session left behind (play thread, lock
        held)."""
        self._snapshot.refresh(self.session)
        self._queue.drop_stale(self._snapshot.status)
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
            if self._fatal is not None:
                raise ConsoleError(
                    503, f"the session stopped with an error and takes no commands: {self._fatal}"
                )
            if self._stopping:
                raise ConsoleError(503, "the server is stopping")
            self._queue.admit(seat, command, turn, request_id, self._snapshot)
            item = Submission(seat, command, self._snapshot.status.branch, turn, request_id)
            self._queue.add(item)
            self._bump()
            self._cond.notify_all()
            prompt = self._snapshot.prompt
            if prompt is not None and prompt.seat == seat:
                self._cond.wait_for(lambda: item.status != "queued" or self._stopping, timeout=wait_seconds)
            return item

    # ------------------------------------------------------------------ snapshots (any thread)
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
            state = self._snapshot.seat_state(seat, self._queue, self._fatal)
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

    def white_cell_state(self) -> dict[str, Any]:
        """The white cell's dashboard: ground truth, every seat's move and queue, its own log."""
        with self._cond:
            return self._snapshot.white_cell_state(self.version, self._queue, self._fatal)

    def report_html(self, render: Callable[[Session], str]) -> str:
        """Return the after-action report rendered by ``render``, cached until what it is built from
        changes: the journal grows, the active branch changes, or a fan or the debrief is saved (by
        ``wargame session branch`` or ``debrief``, while the console serves the session)."""
        with self._cond:
            key = (
                self._snapshot.journal_length,
                self._snapshot.status.branch,
                saved_files_stamp(self.session.directory),
            )
            if self._report_cache is None or self._report_cache[0] != key:
                self._report_cache = (key, render(self.session))
            return self._report_cache[1]
