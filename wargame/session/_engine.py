"""Session mode: the engine of a session's branch, replaying its journal and then asking people.

The engine walks a branch's recorded timeline entry by entry. Every output it produces (a view shown, an
engine seat's action, a roll, a turn's adjudicated state) must equal the next recorded entry, and every
recorded input (a seat's action, a white-cell command) is taken in order and validated again. When the
record runs out, outputs go to the journal (``sink``) and inputs come from people: the engine yields a
:class:`Prompt` and waits for the command sent back. Resume is therefore replay up to the last
acknowledged entry, then live play.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from wargame.model import DeterrenceModel
from wargame.policies import NO_ACTION, Policy
from wargame.scenario import Scenario
from wargame.session._commands import WHITE_CELL, Command, command_from_payload
from wargame.session._errors import JournalMismatchError
from wargame.session._journal import JournalEntry, canonical_json
from wargame.session._turns import RUN, Prompt, SessionSetup, TurnEngine, deciding_seats
from wargame.session._validation import DecisionContext, validate_command
from wargame.session._views import Picture, adversary_view, picture_of, seat_view, white_cell_view

__all__ = ["EngineSink", "SessionEngine"]

_OWN_ACTIONS_SHOWN = 6


class EngineSink(Protocol):
    """Where a live session's new entries go (the journal)."""

    def append(self, kind: str, payload: dict[str, Any], *, branch: int, turn: int) -> JournalEntry: ...

    def commit(self) -> None: ...


def _plain(value: Any) -> Any:
    """Return ``value`` as it reads back from the journal (canonical JSON round trip)."""
    return json.loads(canonical_json(value))


def _json_number(value: Any) -> Any:
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.str_ | str):
        return str(value)
    return value


class SessionEngine(TurnEngine):
    """Drives one branch of a session through its turns.

    Args:
        scenario: The session's scenario.
        setup: Run key, human seats and white cell.
        timeline: The branch's recorded entries after the header, in order.
        sink: Where new entries go once the record runs out (``None`` discards them, for a read-only
            replay).
        branch: The branch new entries are written to.
        scenario_dir: Folder for relative paths in the scenario.
    """

    def __init__(
        self,
        scenario: Scenario,
        setup: SessionSetup,
        *,
        timeline: Sequence[JournalEntry] = (),
        sink: EngineSink | None = None,
        branch: int = 0,
        scenario_dir: Path | None = None,
    ) -> None:
        self.timeline = list(timeline)
        self.sink = sink
        self.branch = branch
        self.cursor = 0
        self.last_input_entry: JournalEntry | None = None
        self.pictures_for = tuple(
            seat
            for seat in deciding_seats(scenario)
            if seat in setup.human_seats
            and seat != scenario.defender
            and scenario.actor(seat).side == "allied"
        )
        super().__init__(scenario, setup, scenario_dir=scenario_dir, human_fallback=False)
        self._pictures: dict[str, Picture | None] = {seat: None for seat in self.pictures_for}
        if scenario.defender in self.human_seats:
            self._pictures[scenario.defender] = None
        self._white_cell_seen: dict[str, Picture] = {
            seat: _empty_picture(self.model) for seat in self._pictures
        }
        self._incidents_seen: dict[str, np.ndarray] = {}
        self._news: list[dict[str, Any]] = []
        self._news_seen: dict[str, int] = {}
        self._own_actions: dict[str, list[dict[str, Any]]] = {seat: [] for seat in self._menus}
        self._log_position = 0
        self._digest_from_day = 0

    def _new_model(self, policies: dict[str, Policy], scenario_dir: Path | None) -> DeterrenceModel:
        return DeterrenceModel(
            self.scenario,
            np.array([self.setup.run_key], dtype=np.uint64),
            policies=policies,
            scenario_dir=scenario_dir,
            record_decisions=True,
            pictures_for=self.pictures_for,
        )

    # ------------------------------------------------------------------ driving
    @property
    def live(self) -> bool:
        """Whether the recorded timeline is used up (new entries are being made)."""
        return self.cursor >= len(self.timeline)

    def context(self) -> DecisionContext:
        """Where the session stands, for validating the next command."""
        if self.pending is None:
            raise RuntimeError("no command is awaited")
        return DecisionContext(
            self.pending.seat,
            self.turn,
            self.paused,
            self.human_seats,
            self._program_changes,
            self.arguments.check,
        )

    def advance(self, command: Command | None = None) -> Prompt | None:
        prompt = super().advance(command)
        if prompt is None and self.sink is not None and self.live:
            self.sink.commit()
        return prompt

    def _playing(self) -> bool:
        return bool(self.model.active.any())  # the session ends with the day its war starts

    def _scripted(self) -> bool:
        return True

    def _before_day(self) -> None:
        pass

    def _turn_ends(self) -> None:
        self._output("turn_adjudicated", self._digest())

    def _finish(self) -> None:
        outcome = {name: _json_number(values[RUN]) for name, values in self.model.outcomes().items()}
        self._output("finished", outcome)

    def _engine_seat_decided(self, seat: str) -> None:
        last_choice = self.engine_policies[seat].last_choice
        assert last_choice is not None  # the policy just decided
        choice = int(last_choice[RUN])
        action = None if choice == NO_ACTION else self._menus[seat][choice]
        self._output("policy_action", {"seat": seat, "action": action})
        self._remember_action(seat, action, by="policy")

    # ------------------------------------------------------------------ inputs and outputs
    def _output(self, kind: str, payload: dict[str, Any]) -> None:
        payload = _plain(payload)
        if not self.live:
            entry = self.timeline[self.cursor]
            if entry.kind != kind or entry.payload != payload:
                raise JournalMismatchError(entry, kind, payload)
            self.cursor += 1
        elif self.sink is not None:
            self.sink.append(kind, payload, branch=self.branch, turn=self.turn)

    def _seat_input(self, seat: str, view: dict[str, Any] | None) -> Generator[Prompt, Command, Command]:
        return (yield from self._input(seat, "move", view))

    def _white_cell_input(
        self, prompt_kind: str, view: dict[str, Any] | None
    ) -> Generator[Prompt, Command, Command]:
        return (yield from self._input(WHITE_CELL, prompt_kind, view))

    def _input(
        self, seat: str, prompt_kind: str, view: dict[str, Any] | None
    ) -> Generator[Prompt, Command, Command]:
        """Return the next command for ``seat``: recorded, or from a person (yielding a prompt)."""
        injects = (
            tuple((item.id, item.name) for item in self.scenario.inject_library) if seat == WHITE_CELL else ()
        )
        self.pending = Prompt(seat, prompt_kind, self.turn, self.model.day, view, injects)
        if not self.live:
            entry = self.timeline[self.cursor]
            try:
                command = command_from_payload(entry.kind, entry.payload)
                validate_command(command, self.context(), self.model)
            except Exception as error:
                raise JournalMismatchError(entry, f"an input for {seat}", str(error)) from None
            self.cursor += 1
            self.last_input_entry = entry
            return command
        if self.sink is not None:
            self.sink.commit()
        command = yield self.pending
        if self.sink is not None:
            self.last_input_entry = self.sink.append(
                command.kind, command.payload(), branch=self.branch, turn=self.turn
            )
            self.sink.commit()
        return command

    def _remember_action(self, seat: str, action: str | None, by: str) -> None:
        self._own_actions[seat].append({"turn": self.turn, "day": self.model.day, "action": action, "by": by})

    def _tell(self, source: str, text: str, day: int | None = None) -> None:
        self._news.append({"day": self.model.day if day is None else day, "source": source, "text": text})

    # ------------------------------------------------------------------ views and records
    def _show(self, seat: str) -> dict[str, Any]:
        view = self._view(seat)
        self._output("view", {"seat": seat, "view": view})
        return view

    def _collect_scenario_injects(self) -> list[dict[str, Any]]:
        fired = []
        log = self.model.decision_log
        for entry in log[self._log_position :]:
            if entry["actor"] == "inject" and bool(entry["runs"][RUN]):
                inject = next(i for i in self.scenario.injects if i.id == entry["action"])
                fired.append({"id": inject.id, "day": entry["day"]})
                self._tell("scenario", inject.text, day=entry["day"])
        self._log_position = len(log)
        return fired

    def _news_for(self, seat: str) -> list[dict[str, Any]]:
        seen = self._news_seen.get(seat, 0)
        self._news_seen[seat] = len(self._news)
        return self._news[seen:]

    def _view(self, seat: str) -> dict[str, Any]:
        view = self._own_view(seat)
        if self.arguments:  # only once someone argued: views of sessions without arguments are as before
            view["arguments"] = self.arguments.for_view()
        return view

    def _own_view(self, seat: str) -> dict[str, Any]:
        model = self.model
        own = self._own_actions.get(seat, [])[-_OWN_ACTIONS_SHOWN:]
        if seat == WHITE_CELL:
            since = self._incidents_seen.get(seat, np.zeros_like(model.incidents[RUN]))
            view = white_cell_view(model, self.turn, since, self._white_cell_seen, self._news_for(seat))
            self._incidents_seen[seat] = model.incidents[RUN].copy()
            self._white_cell_seen = {s: picture_of(model, s) for s in self._pictures}
            return view
        if seat == self.scenario.adversary:
            since = self._incidents_seen.get(seat, np.zeros_like(model.incidents[RUN]))
            view = adversary_view(model, seat, self.turn, since, self._news_for(seat), own)
            self._incidents_seen[seat] = model.incidents[RUN].copy()
            return view
        view = seat_view(model, seat, self.turn, self._pictures[seat], self._news_for(seat), own)
        self._pictures[seat] = picture_of(model, seat)
        return view

    def _digest(self) -> dict[str, Any]:
        """The adjudicated state of run 0 at a turn's end, as journaled and compared on replay."""
        model = self.model
        scenario = self.scenario
        rungs = scenario.escalation.rungs
        pending = int(model.pending_rung[RUN])
        day = model.day
        digest: dict[str, Any] = {
            "turn": self.turn,
            "day": day,
            "rung": rungs[int(model.rung[RUN])].id,
            "pending_mobilization": rungs[pending].id if pending >= 0 else None,
            "war_day": int(model.war_day[RUN]) if model.war_day[RUN] >= 0 else None,
            "escalation_score": int(model.escalation_score[RUN]),
            "rung_by_day": [int(r) for r in model.rung_by_day[RUN, self._digest_from_day : day]],
            "first_day": self._digest_from_day,
            "incidents": [int(x) for x in model.incidents[RUN]],
            "detected": {scenario.defender: [int(x) for x in model.detected[RUN]]},
            "attributed_in_time": {scenario.defender: [int(x) for x in model.attributed_timely[RUN]]},
            "mobilization_warning": {scenario.defender: bool(model.mobilization_warned[RUN])},
            "quantities": {
                path: float(model.state.values[row, RUN]) for row, path in enumerate(model.state.paths)
            },
            "programs": {
                program.id: float(model.program_intensity_per_year[p, RUN])
                for p, program in enumerate(scenario.programs)
            },
            "injects_fired": self._collect_scenario_injects(),
        }
        for seat in model.pictures_for:
            digest["detected"][seat] = [int(x) for x in model.seat_detected[seat][RUN]]
            digest["attributed_in_time"][seat] = [int(x) for x in model.seat_attributed_timely[seat][RUN]]
            digest["mobilization_warning"][seat] = bool(model.seat_mobilization_warned[seat][RUN])
        self._digest_from_day = day
        return digest


def _empty_picture(model: DeterrenceModel) -> Picture:
    zeros = np.zeros(len(model.spec.gray_zone.activities))
    return {
        "detected": zeros.astype(np.int64),
        "attributed_timely": zeros.astype(np.int64),
        "delay_hours_sum": zeros,
    }
