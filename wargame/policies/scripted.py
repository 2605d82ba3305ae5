"""A policy read from a file: on given days, take given actions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from wargame.core.policy import NO_ACTION, Observation, PolicyDraws
from wargame.scenario import load_document, validate_document

__all__ = ["ScriptedPolicy", "load_script"]


class ScriptedAction(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    day: int = Field(ge=0)
    action: str


class Script(BaseModel):
    """A script file: ``actions: [{day: 14, action: signal}, ...]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    actions: tuple[ScriptedAction, ...]


def load_script(path: str | Path) -> dict[int, str]:
    """Read a script file into ``{day: action id}`` (located errors on bad input)."""
    script = validate_document(load_document(path, kind="policy script"), Script, source=str(path))
    return {entry.day: entry.action for entry in script.actions}


class ScriptedPolicy:
    """Takes the action scripted for the decision window ``(day - interval, day]`` (the first window
    includes day 0), in every run.

    An action not on the menu, or not allowed in a run, becomes ``NO_ACTION`` in that run.

    Args:
        actions_by_day: ``{day: action id}``.
        decision_interval_days: Days between decisions, which sets the window an action falls in.
    """

    def __init__(self, actions_by_day: dict[int, str], decision_interval_days: int) -> None:
        self.actions_by_day = actions_by_day
        self.decision_interval_days = decision_interval_days

    def decide(self, observation: Observation, draws: PolicyDraws) -> np.ndarray:
        choice = np.full(observation.runs, NO_ACTION, dtype=np.int64)
        first_day = observation.day - self.decision_interval_days + 1
        # The first decision also takes what was scripted for day 0, before any decision.
        window = range(0 if first_day <= 1 else first_day, observation.day + 1)
        due = [self.actions_by_day[day] for day in window if day in self.actions_by_day]
        if due and due[-1] in observation.menu:
            index = observation.menu.index(due[-1])
            choice[observation.allowed[:, index]] = index
        return choice
