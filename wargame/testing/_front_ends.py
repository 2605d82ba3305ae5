"""Conformance checks for seat front ends (:class:`wargame.session.SeatFrontEnd`): the terminal, the web
console, or a front end of your own.

The subject makes a front end for a session whose person answers by script (a terminal reading canned
lines, say); the checks play a real session through :func:`wargame.session.play` with that front end and
watch what the loop and the front end say to each other.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from wargame.errors import InputError
from wargame.testing._checks import NamedSubject

__all__ = ["SeatFrontEndSubject"]


@dataclasses.dataclass(eq=False)
class SeatFrontEndSubject(NamedSubject):
    """A seat front end under test.

    Args:
        make: Returns the front end for an open session; its person answers every prompt by script.
        scenario: The scenario file of the sessions the checks create.
        seats: Seats people play (at least one).
        white_cell: Whether facilitators sit as the white cell.
        overrides: Scenario overrides (dotted path -> value), e.g. a short ``horizon_days``.
        commands: Commands to play before the check stops the session (``None``: to the end).
        name: The subject's id.
    """

    make: Callable[[Any], Any]
    scenario: Path
    seats: Sequence[str]
    name: str
    white_cell: bool = True
    overrides: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    commands: int | None = 12

    def checks(self) -> list[Any]:
        return [
            check_has_the_four_methods,
            check_commands_belong_to_their_prompt,
            check_acknowledges_only_what_the_journal_holds,
            check_a_rejected_command_leaves_the_session_unchanged,
            check_the_played_session_replays_equal,
        ]

    def play(self, folder: Path, *, corrupt_first: bool = False) -> _Spy:
        """Create a session in ``folder``, play it through a spy around the front end; return the spy."""
        from wargame.session import Session, play

        session = Session.create(
            self.scenario,
            folder / "session",
            seats=list(self.seats),
            white_cell=self.white_cell,
            seed=7,
            overrides=dict(self.overrides),
            allow_dirs=[self.scenario.parent],
        )
        spy = _Spy(self.make(session), session, self.commands, corrupt_first)
        with session:
            spy.result = play(session, spy)
            spy.replay_checked = session.replay().entries_checked
        return spy


class _Spy:
    """Stands between the play loop and the front end under test, recording what each says."""

    def __init__(self, front_end: Any, session: Any, commands: int | None, corrupt_first: bool) -> None:
        self.front_end = front_end
        self.session = session
        self.commands_left = commands
        self.corrupt_first = corrupt_first
        self.chosen: list[tuple[Any, Any]] = []
        self.journal_before = 0  # journal length when the pending command was chosen
        self.acknowledged: list[tuple[Any, Any, list[Any]]] = []  # with the journal entries it added
        self.rejected: list[tuple[Any, Any, InputError, bool]] = []  # with whether the journal moved
        self.result: Any = None
        self.replay_checked = 0

    def choose(self, prompt: Any) -> Any:
        if self.commands_left is not None:
            if self.commands_left == 0:
                return None
            self.commands_left -= 1
        command = self.front_end.choose(prompt)
        if command is not None and self.corrupt_first and prompt.seat != "white_cell":
            from wargame.session import SeatAction

            self.corrupt_first = False
            command = SeatAction(prompt.seat, "no_such_action")
        self.chosen.append((prompt, command))
        self.journal_before = len(self.session.journal.entries)
        return command

    def acknowledge(self, prompt: Any, command: Any, ack: Any) -> None:
        added = list(self.session.journal.entries[self.journal_before :])
        self.acknowledged.append((prompt, command, added))
        self.front_end.acknowledge(prompt, command, ack)

    def reject(self, prompt: Any, command: Any, error: InputError) -> None:
        moved = len(self.session.journal.entries) != self.journal_before
        self.rejected.append((prompt, command, error, moved))
        self.front_end.reject(prompt, command, error)

    def notify(self, message: str) -> None:
        self.front_end.notify(message)


def check_has_the_four_methods(subject: SeatFrontEndSubject) -> None:
    """The front end has ``choose``, ``acknowledge``, ``reject`` and ``notify``."""
    with tempfile.TemporaryDirectory() as folder:
        from wargame.session import Session

        with Session.create(
            subject.scenario,
            Path(folder) / "session",
            seats=list(subject.seats),
            white_cell=subject.white_cell,
            overrides=dict(subject.overrides),
            allow_dirs=[subject.scenario.parent],
        ) as session:
            front_end = subject.make(session)
    for method in ("choose", "acknowledge", "reject", "notify"):
        assert callable(getattr(front_end, method, None)), f"the front end has no {method}()"


def check_commands_belong_to_their_prompt(subject: SeatFrontEndSubject) -> None:
    """Every command the front end returns is from the seat it was asked."""
    with tempfile.TemporaryDirectory() as folder:
        spy = subject.play(Path(folder))
    assert spy.chosen, "the front end was never asked to choose"
    for prompt, command in spy.chosen:
        if command is not None:
            assert command.seat == prompt.seat, f"asked {prompt.seat}, got a command of {command.seat}"


def check_acknowledges_only_what_the_journal_holds(subject: SeatFrontEndSubject) -> None:
    """Each accepted command is acknowledged once, after it is in the journal."""
    with tempfile.TemporaryDirectory() as folder:
        spy = subject.play(Path(folder))
        accepted = [command for _, command in spy.chosen if command is not None]
        assert len(spy.acknowledged) == len(accepted) - len(spy.rejected)
        for _, command, added in spy.acknowledged:
            kinds = [entry.kind for entry in added]
            assert command.kind in kinds, f"acknowledged {command.kind} before the journal held it"


def check_a_rejected_command_leaves_the_session_unchanged(subject: SeatFrontEndSubject) -> None:
    """A refused command reaches ``reject`` with the error, leaves the journal unchanged, and play goes on."""
    with tempfile.TemporaryDirectory() as folder:
        spy = subject.play(Path(folder), corrupt_first=True)
        assert len(spy.rejected) == 1, "the unknown action was not rejected"
        _, _, error, moved = spy.rejected[0]
        assert isinstance(error, InputError)
        assert not moved, "a refused command changed the journal"
        assert spy.acknowledged, "play did not go on after the refusal"


def check_the_played_session_replays_equal(subject: SeatFrontEndSubject) -> None:
    """A session played through the front end re-simulates equal to its journal."""
    with tempfile.TemporaryDirectory() as folder:
        spy = subject.play(Path(folder))
    assert spy.result is not None
    assert spy.replay_checked > 0
