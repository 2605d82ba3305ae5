"""The session as the web console's play thread last saw it, and the states the pages show built from it.

The play thread refreshes the snapshot from the session (its status, the prompt, the active branch's
journal digested) under the console's lock; request handlers read it under the same lock, never the
session itself.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from wargame.session import WHITE_CELL, Session
from wargame.web._index import JournalIndex

if TYPE_CHECKING:
    from wargame.web._submissions import SubmissionQueue

__all__ = ["SessionSnapshot"]


class SessionSnapshot:
    """What the pages show of a session, as of the play thread's last refresh. Not thread-safe: the
    console's lock guards it.

    Args:
        session: The session served.
    """

    def __init__(self, session: Session) -> None:
        scenario = session.scenario
        self.scenario = scenario
        self.deciding_order: tuple[str, ...] = (
            scenario.adversary,
            *(actor.id for actor in scenario.allied_actors),
        )
        self.actor_names = {actor.id: actor.name for actor in scenario.actors}
        self.status = session.status()
        self.human_seats: tuple[str, ...] = tuple(self.status.human_seats)
        self.has_white_cell = bool(self.status.white_cell)
        self.prompt = session.pending
        self.journal_length = -1
        # The first refresh builds the index from the active branch's timeline.
        self.index = JournalIndex(-1, scenario.gray_zone)

    def refresh(self, session: Session) -> None:
        """Bring the snapshot up to ``session`` (the play thread, lock held)."""
        length = len(session.journal)
        if session.branch != self.index.branch:
            self.index = JournalIndex(session.branch, self.scenario.gray_zone)
            for entry in session.timeline():
                self.index.add(entry)
        elif length != self.journal_length:
            start = max(self.journal_length, 1)
            for entry in itertools.islice(session.journal, start, None):
                if entry.branch == self.index.branch:
                    self.index.add(entry)
        self.journal_length = length
        self.status = session.status()
        self.prompt = session.pending

    def summary(self, error: str | None) -> dict[str, Any]:
        """Where the session stands, as every page shows it (``error``: why it stopped, if it did)."""
        status, prompt = self.status, self.prompt
        return {
            "scenario_name": status.scenario_name,
            "turn": status.turn,
            "turns_total": status.turns_total,
            "day": status.day,
            "turn_length_days": self.scenario.turn_length_days,
            "branch": status.branch,
            "paused": status.paused,
            "finished": status.finished,
            "waiting_for": status.waiting_for,
            "phase": None if prompt is None else prompt.kind,
            "turn_opened_utc": self.index.turn_opened.get(status.turn),
            "now_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "order": ([WHITE_CELL] if self.has_white_cell else []) + list(self.deciding_order),
            "human_seats": list(self.human_seats),
            "white_cell": self.has_white_cell,
            "outcome": self.index.outcome,
            "error": error,
        }

    def seat_state(self, seat: str, queue: SubmissionQueue, error: str | None) -> dict[str, Any]:
        """Everything the seat's page shows: only what the seat's own views and moves hold."""
        status, prompt = self.status, self.prompt
        seq, view = self.index.views.get(seat, (None, None))
        moved = self.index.moves.get(status.turn, {}).get(seat)
        return {
            "seat": seat,
            "actor_name": self.actor_names.get(seat, seat),
            "session": self.summary(error),
            "your_move": prompt is not None and prompt.seat == seat and prompt.kind == "move",
            "moved": moved,
            "programs_this_turn": self.index.programs.get(status.turn, {}).get(seat, []),
            "queued": queue.of(seat),
            "view": view,
            "view_seq": seq,
            "history": self.index.history.get(seat, []),
            "news": self.index.news.get(seat, [])[-30:],
            "notices": queue.notices(seat),
        }

    def white_cell_state(self, version: int, queue: SubmissionQueue, error: str | None) -> dict[str, Any]:
        """The white cell's dashboard: ground truth, every seat's move and queue, its own log."""
        status, prompt = self.status, self.prompt
        moves = self.index.moves.get(status.turn, {})
        seats = []
        for seat in self.deciding_order:
            human = seat in self.human_seats
            move = moves.get(seat)
            queued = queue.of(seat)
            if move is not None:
                state = "moved"
            elif prompt is not None and prompt.seat == seat:
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
                    "programs": self.index.programs.get(status.turn, {}).get(seat, []),
                    "queued": queued,
                }
            )
        view = self.index.views.get(WHITE_CELL, (None, None))[1]
        digest = self.index.last_digest or {}
        return {
            "version": version,
            "seat": WHITE_CELL,
            "session": self.summary(error),
            "your_move": prompt is not None and prompt.seat == WHITE_CELL,
            "seats": seats,
            "queue": [item.public() for item in queue.items],
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
            "posture": self.index.latest_posture,
            "rungs": [rung.id for rung in self.scenario.escalation.rungs],
            "trajectory": self.index.digests,
            "log": self.index.white_log[-50:],
            "notices": queue.notices(WHITE_CELL),
            "rewind_turns": list(range(1, status.turn + 1)),
            "inject_library": [
                {
                    "id": item.id,
                    "name": item.name,
                    "text": item.text,
                    "effects": [effect.model_dump(mode="json", exclude_none=True) for effect in item.effects],
                }
                for item in self.scenario.inject_library
            ],
        }
