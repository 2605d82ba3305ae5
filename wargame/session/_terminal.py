"""The terminal front end: a hot seat, where the people at a table share one screen.

Before each private view the screen is handed over ("pass the screen to ...") so that a seat sees only its
own picture. Commands are typed one per line; see ``help`` at any prompt or ``docs/sessions.md``. Text from
the journal is printed with its control characters escaped (a journal may come from an older version or
be crafted), so it cannot rewrite the screen.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from wargame._text import terminal_text
from wargame.errors import InputError
from wargame.session._command_lines import (
    SEAT_HELP,
    WHITE_CELL_HELP,
    parse_seat_command,
    parse_white_cell_command,
)
from wargame.session._commands import WHITE_CELL, Command
from wargame.session._session import Ack
from wargame.session._turns import Prompt
from wargame.session._view_text import render_view

__all__ = ["TerminalFrontEnd"]


class TerminalFrontEnd:
    """Hot-seat play at one terminal.

    Args:
        read_line: Reads one line after printing a prompt (``input`` by default); raises ``EOFError`` at
            the end of input.
        out: Where text goes.
        clear_screen: Clear the screen at each hand-over (default: when ``out`` is a terminal).
    """

    def __init__(
        self,
        read_line: Callable[[str], str] = input,
        out: TextIO | None = None,
        clear_screen: bool | None = None,
    ) -> None:
        self.read_line = read_line
        self.out = out or sys.stdout
        self.clear_screen = self.out.isatty() if clear_screen is None else clear_screen
        self._shown: tuple[int, int, str, str] | None = None

    def _print(self, text: str = "") -> None:
        print(terminal_text(text), file=self.out, flush=True)

    def _hand_over(self, prompt: Prompt) -> None:
        who = (
            "the white cell"
            if prompt.seat == WHITE_CELL
            else (prompt.view or {}).get("actor_name", prompt.seat)
        )
        if self.clear_screen:
            self.out.write("\033[2J\033[H")
        self._print(
            f"\n--- Turn {prompt.turn}, day {prompt.day}: pass the screen to {who} ({prompt.seat}) ---"
        )
        self.read_line("Press Enter when only they are looking: ")

    def choose(self, prompt: Prompt) -> Command | None:
        identity = (prompt.turn, prompt.day, prompt.seat, prompt.kind)
        try:
            if identity != self._shown:
                self._hand_over(prompt)
                self._print(render_view(prompt))
                self._print("Type `help` for commands.")
                self._shown = identity
            while True:
                line = self.read_line(f"{prompt.seat}> ")
                try:
                    if prompt.seat == WHITE_CELL:
                        parsed = parse_white_cell_command(line)
                    else:
                        parsed = parse_seat_command(prompt.seat, line, (prompt.view or {}).get("menu", []))
                except InputError as error:
                    self._print(f"  not understood: {error}")
                    continue
                if parsed == "help":
                    self._print(WHITE_CELL_HELP if prompt.seat == WHITE_CELL else SEAT_HELP)
                elif parsed == "view":
                    self._print(render_view(prompt))
                else:
                    assert isinstance(parsed, Command)
                    return parsed
        except EOFError:
            self._print()
            return None

    def acknowledge(self, prompt: Prompt, command: Command, ack: Ack) -> None:
        self._print(f"  recorded: {ack.describe or command.describe()} (journal entry #{ack.seq})")
        if ack.result is not None:
            result = ack.result
            outcome = "SUCCESS" if result["success"] else "failure"
            self._print(
                f"  2d6 rolled {result['dice'][0]} + {result['dice'][1]}, modifier {result['modifier']:+d}: "
                f"{result['total']} against {result['needed']}: {outcome}"
            )

    def reject(self, prompt: Prompt, command: Command, error: InputError) -> None:
        self._print(f"  not accepted: {error}")

    def notify(self, message: str) -> None:
        self._print(message)
