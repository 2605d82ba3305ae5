"""Continuation mode: an ensemble of runs that share a session's history up to a branch turn.

The runs share the session's run key, its recorded inputs and the adversary's recorded moves, each with
its own draw of what that history does not reveal (the adversary's misjudgments, observation noise and
hidden inputs); after the branch turn they diverge under the default policies with their own keys.
Nothing is journaled or shown.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from wargame.model import DeterrenceModel
from wargame.model.simulation import AdversaryHistory
from wargame.policies import Policy
from wargame.scenario import Scenario
from wargame.session._commands import WHITE_CELL, Command, Continue, Pause, Resume, Rewind, SeatAction
from wargame.session._turns import Prompt, SessionSetup, TurnEngine

__all__ = ["Continuation", "ContinuationEngine"]


@dataclass(frozen=True)
class Continuation:
    """How a counterfactual continuation departs from the session.

    Attributes:
        after_turn: Runs follow the session's recorded inputs up to and including this turn's decisions.
        branch_keys: One key per run for the random draws after the branch.
        inputs: Recorded inputs per ``(turn, seat)``, in order (for turns up to ``after_turn``).
        hidden_keys: One key per run for what the session's history does not reveal, drawn afresh in each
            run (``None``: the session's own draws, as in the session).
        history: The adversary's recorded moves up to the branch, imposed on every run; the model keeps
            each run's log-likelihood of them (:attr:`DeterrenceModel.history_log_likelihood`).
        measure_day: Also record each run's outcome so far as it stands at the start of this day, before
            its decisions (:attr:`ContinuationEngine.measured`): what an unfinished session is compared with.
    """

    after_turn: int
    branch_keys: np.ndarray
    inputs: Mapping[tuple[int, str], Sequence[Command]] = field(default_factory=dict)
    hidden_keys: np.ndarray | None = None
    history: AdversaryHistory | None = None
    measure_day: int | None = None


class ContinuationEngine(TurnEngine):
    """Runs an ensemble of continuations of a session to the horizon; nobody is asked anything.

    Args:
        scenario: The session's scenario.
        setup: Run key, human seats and white cell.
        continuation: Where and how the runs depart from the session.
        scenario_dir: Folder for relative paths in the scenario.
    """

    def __init__(
        self,
        scenario: Scenario,
        setup: SessionSetup,
        continuation: Continuation,
        *,
        scenario_dir: Path | None = None,
    ) -> None:
        self.continuation = continuation
        self._inputs = {key: deque(value) for key, value in continuation.inputs.items()}
        self.measured: dict[str, np.ndarray] | None = None
        """With ``measure_day``: each run's outcome so far at that day (see :meth:`outcome_so_far`)."""
        super().__init__(scenario, setup, scenario_dir=scenario_dir, human_fallback=True)

    def _new_model(self, policies: dict[str, Policy], scenario_dir: Path | None) -> DeterrenceModel:
        continuation = self.continuation
        keys = np.asarray(continuation.branch_keys, dtype=np.uint64)
        # The branch's draws start the day after its decision point: the decision point itself (its
        # incidents and the recorded decisions) is the session's.
        after = continuation.after_turn
        return DeterrenceModel(
            self.scenario,
            np.full(keys.shape, self.setup.run_key, dtype=np.uint64),
            policies=policies,
            scenario_dir=scenario_dir,
            branch_day=after * self.turn_length_days + 1 if after else 0,
            branch_keys=keys,
            hidden_keys=continuation.hidden_keys,
            history=continuation.history,
        )

    def outcome_so_far(self) -> dict[str, np.ndarray]:
        """Return each run's outcome as it stands now, comparable with a turn's adjudicated digest.

        ``war``: war started before today; ``max_rung``: the highest rung held at the end of a past day;
        ``escalation_score``: the score of the decisions made so far. A turn's decisions and wars only change
        them later in its day, so between two days they equal what the turn's digest records.
        """
        model = self.model
        return {
            "war": model.war_day >= 0,
            "max_rung": model.max_rung.copy(),
            "escalation_score": model.escalation_score.copy(),
        }

    def _before_day(self) -> None:
        if self.continuation.measure_day == self.model.day and self.measured is None:
            self.measured = self.outcome_so_far()

    def _playing(self) -> bool:
        return True  # every run plays to the horizon, at war or not

    def _scripted(self) -> bool:
        return self.turn <= self.continuation.after_turn

    # Nothing is shown, compared or recorded.
    def _show(self, seat: str) -> None:
        return None

    def _turn_ends(self) -> None:
        pass

    def _finish(self) -> None:
        pass

    def _output(self, kind: str, payload: dict[str, Any]) -> None:
        pass

    def _engine_seat_decided(self, seat: str) -> None:
        pass

    def _remember_action(self, seat: str, action: str | None, by: str) -> None:
        pass

    def _tell(self, source: str, text: str, day: int | None = None) -> None:
        pass

    def _seat_input(
        self, seat: str, view: dict[str, Any] | None
    ) -> Generator[Prompt, Command, Command | None]:
        """The seat's recorded command; a pass once they are used up; ``None`` (its default policy decides)
        if it recorded nothing at this turn."""
        if (self.turn, seat) not in self.continuation.inputs:
            return None
        yield from ()
        queue = self._inputs[(self.turn, seat)]
        return queue.popleft() if queue else SeatAction(seat=seat, action=None)

    def _white_cell_input(
        self, prompt_kind: str, view: dict[str, Any] | None
    ) -> Generator[Prompt, Command, Command]:
        """The white cell's recorded commands that act on the runs (not its pauses and rewinds of the
        session), then ``continue``."""
        yield from ()
        queue = self._inputs.get((self.turn, WHITE_CELL))
        while queue:
            command = queue.popleft()
            if not isinstance(command, Pause | Resume | Rewind):
                return command
        return Continue(seat=WHITE_CELL)
