"""Facilitated sessions: human seats with fog of war, a white cell, an append-only journal, replay,
counterfactual fans and after-action reports.

Every front end (the terminal now, a web console later) talks only to this package: it opens a
:class:`Session`, shows :attr:`Session.pending` prompts to the right people and sends their commands back
with :meth:`Session.submit`.
"""

from typing import TYPE_CHECKING

from wargame._lazy import lazy_exports

if TYPE_CHECKING:
    from wargame.session._commands import *
    from wargame.session._debrief import Debrief, WhatIf, debrief
    from wargame.session._errors import JournalMismatchError
    from wargame.session._files import private_folder, read_small_json, write_private
    from wargame.session._frontend import PlayResult, SeatFrontEnd, play
    from wargame.session._incidents import incidents_once
    from wargame.session._journal import Journal, JournalEntry
    from wargame.session._report import write_report
    from wargame.session._saved import saved_files_stamp
    from wargame.session._seat import HumanSeatPolicy
    from wargame.session._session import Ack, ReplayReport, Session, SessionStatus
    from wargame.session._turns import Prompt

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
