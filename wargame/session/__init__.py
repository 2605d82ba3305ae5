"""Facilitated sessions: human seats with fog of war, a white cell, an append-only journal, replay,
counterfactual fans and after-action reports.

Every front end (the terminal now, a web console later) talks only to this package: it opens a
:class:`Session`, shows :attr:`Session.pending` prompts to the right people and sends their commands back
with :meth:`Session.submit`.
"""

from typing import TYPE_CHECKING

from wargame._lazy import lazy_exports

if TYPE_CHECKING:
    from wargame.session._commands import (
        MATRIX_SUCCESS_TOTAL,
        MAX_ARGUMENT_STRENGTH,
        MAX_PROGRAM_INTENSITY_PER_YEAR,
        WHITE_CELL,
        Command,
        Continue,
        Inject,
        MatrixRoll,
        Override,
        Pause,
        ProgramChange,
        Resume,
        Rewind,
        SeatAction,
    )
    from wargame.session._engine import Prompt
    from wargame.session._errors import JournalMismatchError
    from wargame.session._frontend import PlayResult, SeatFrontEnd, play
    from wargame.session._journal import Journal, JournalEntry
    from wargame.session._report import write_report
    from wargame.session._seat import HumanSeatPolicy
    from wargame.session._session import Ack, ReplayReport, Session, SessionStatus

__all__ = [
    "MATRIX_SUCCESS_TOTAL",
    "MAX_ARGUMENT_STRENGTH",
    "MAX_PROGRAM_INTENSITY_PER_YEAR",
    "WHITE_CELL",
    "Ack",
    "Command",
    "Continue",
    "HumanSeatPolicy",
    "Inject",
    "Journal",
    "JournalEntry",
    "JournalMismatchError",
    "MatrixRoll",
    "Override",
    "Pause",
    "PlayResult",
    "ProgramChange",
    "Prompt",
    "ReplayReport",
    "Resume",
    "Rewind",
    "SeatAction",
    "SeatFrontEnd",
    "Session",
    "SessionStatus",
    "play",
    "write_report",
]

_HOMES = {
    "Ack": "._session",
    "Command": "._commands",
    "Continue": "._commands",
    "HumanSeatPolicy": "._seat",
    "Inject": "._commands",
    "Journal": "._journal",
    "JournalEntry": "._journal",
    "JournalMismatchError": "._errors",
    "MATRIX_SUCCESS_TOTAL": "._commands",
    "MAX_ARGUMENT_STRENGTH": "._commands",
    "MAX_PROGRAM_INTENSITY_PER_YEAR": "._commands",
    "MatrixRoll": "._commands",
    "Override": "._commands",
    "Pause": "._commands",
    "PlayResult": "._frontend",
    "ProgramChange": "._commands",
    "Prompt": "._engine",
    "ReplayReport": "._session",
    "Resume": "._commands",
    "Rewind": "._commands",
    "SeatAction": "._commands",
    "SeatFrontEnd": "._frontend",
    "Session": "._session",
    "SessionStatus": "._session",
    "WHITE_CELL": "._commands",
    "play": "._frontend",
    "write_report": "._report",
}

__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
