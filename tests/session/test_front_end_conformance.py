"""The terminal seat front end passes the seat front-end checks of :mod:`wargame.testing`."""

from __future__ import annotations

import io

from session_helpers import REFERENCE

from wargame.session import WHITE_CELL
from wargame.session._terminal import TerminalFrontEnd
from wargame.testing import SeatFrontEndSubject, parametrize_with_checks


def scripted_terminal(session) -> TerminalFrontEnd:
    """A terminal whose people pass at every seat prompt and continue at the white cell's."""

    def read_line(prompt_text: str) -> str:
        return "continue" if prompt_text.startswith(WHITE_CELL) else "pass"

    return TerminalFrontEnd(read_line=read_line, out=io.StringIO(), clear_screen=False)


@parametrize_with_checks(
    [
        SeatFrontEndSubject(
            scripted_terminal,
            REFERENCE,
            seats=["twn", "usa"],
            name="terminal",
            overrides={"horizon_days": 35},
        )
    ]
)
def test_seat_front_end_conformance(subject, check):
    check(subject)
