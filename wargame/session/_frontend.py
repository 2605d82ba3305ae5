"""The one small interface a seat front end implements, and the play loop that drives any of them.

A front end shows a :class:`Prompt` to the person it is for and returns their :class:`Command`; the loop
submits it to the session and reports back. The terminal (hot seat) implements it today; a web console
implements the same four methods (or talks to :class:`Session` directly, request by request).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from wargame.errors import InputError
from wargame.session._commands import WHITE_CELL, Command, Resume
from wargame.session._session import Ack, Session
from wargame.session._turns import Prompt

__all__ = ["PlayResult", "SeatFrontEnd", "play"]


class SeatFrontEnd(Protocol):
    """Shows prompts to people and returns their commands."""

    def choose(self, prompt: Prompt) -> Command | None:
        """Show ``prompt`` to its seat and return the seat's command, or ``None`` to stop playing."""
        ...

    def acknowledge(self, prompt: Prompt, command: Command, ack: Ack) -> None:
        """Tell the seat its command is recorded (durable in the journal)."""
        ...

    def reject(self, prompt: Prompt, command: Command, error: InputError) -> None:
        """Tell the seat its command was not accepted, and why (the session is unchanged)."""
        ...

    def notify(self, message: str) -> None:
        """Tell everyone at the table something (the session finished, paused, resumed)."""
        ...


class PlayResult(StrEnum):
    """Why :func:`play` returned."""

    FINISHED = "finished"
    PAUSED = "paused"
    STOPPED = "stopped"


def play(session: Session, front_end: SeatFrontEnd) -> PlayResult:
    """Play a session through a front end until it finishes, the white cell pauses it, or people stop.

    A session found paused is resumed (the resume is journaled). Every accepted command is acknowledged
    only after it is durable, so stopping at any moment loses nothing acknowledged.
    """
    first = True
    while True:
        prompt = session.pending
        if prompt is None:
            front_end.notify("The session is finished. Write the report with `wargame session report`.")
            return PlayResult.FINISHED
        if prompt.kind == "paused":
            if not first:
                front_end.notify("The white cell paused the session. Run `wargame session play` to resume.")
                return PlayResult.PAUSED
            session.submit(Resume(seat=WHITE_CELL))
            front_end.notify("Resuming the session the white cell paused.")
            continue
        first = False
        command = front_end.choose(prompt)
        if command is None:
            front_end.notify("Stopped. Everything acknowledged is saved; `wargame session play` resumes.")
            return PlayResult.STOPPED
        try:
            ack = session.submit(command)
        except InputError as error:
            front_end.reject(prompt, command, error)
            continue
        front_end.acknowledge(prompt, command, ack)
