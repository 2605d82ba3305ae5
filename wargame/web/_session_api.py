"""Everything the web console uses from the session layer, in one place.

The web package talks only to :mod:`wargame.session`. Most of it is the package's public API; the seat
front-end interface (:class:`SeatFrontEnd` and the :func:`play` loop that drives it, which the terminal
front end implements too) and the after-action report writer are not exported from
``wargame.session.__init__`` yet, so they are imported here from their modules and nowhere else.
"""

from __future__ import annotations

from wargame.session import (
    MAX_PROGRAM_INTENSITY_PER_YEAR,
    WHITE_CELL,
    Ack,
    Command,
    Continue,
    Inject,
    JournalEntry,
    MatrixRoll,
    Override,
    Pause,
    ProgramChange,
    Prompt,
    Resume,
    Rewind,
    SeatAction,
    Session,
    SessionStatus,
)
from wargame.session._frontend import PlayResult, SeatFrontEnd, play
from wargame.session._report import write_report

__all__ = [
    "MAX_PROGRAM_INTENSITY_PER_YEAR",
    "WHITE_CELL",
    "Ack",
    "Command",
    "Continue",
    "Inject",
    "JournalEntry",
    "MatrixRoll",
    "Override",
    "Pause",
    "PlayResult",
    "ProgramChange",
    "Prompt",
    "Resume",
    "Rewind",
    "SeatAction",
    "SeatFrontEnd",
    "Session",
    "SessionStatus",
    "play",
    "write_report",
]
