"""Injects: scripted events on a day, and conditional ones that fire in each run the first day they hold.

A scripted inject fires at the start of its ``day``. A conditional inject is checked at the end of each day,
after the decisions, and fires in each run on the first day its ``when`` condition holds; with
``check_after_days`` or ``unless_response`` its effects land at the end of the day ``check_after_days``
later, only in runs where the named actor has not taken the named response since the trigger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal

import numpy as np

from wargame.core.parameters import RunParameters, per_run_rows
from wargame.model.events import TimedEvents
from wargame.model.responses import effect_amount
from wargame.model.state import EnsembleState
from wargame.scenario import Condition, Inject, Scenario

__all__ = ["Injects"]


def _any(mask: np.ndarray) -> np.bool_:
    """Whether any element is true (the ufunc reduction, without ndarray.any's Python wrapper)."""
    return np.logical_or.reduce(mask, axis=None)


def _compared_quantity(inject: Inject) -> tuple[str, Literal["below", "above"], float]:
    """Return the quantity a conditional inject compares, the side of the threshold where it holds, and the
    nominal threshold."""
    when = inject.when
    # Condition's validator gives a quantity condition its path and exactly one of below and above.
    assert when is not None and when.quantity is not None
    if when.below is not None:
        return when.quantity, "below", when.below
    assert when.above is not None
    return when.quantity, "above", when.above


@dataclass(eq=False, repr=False)
class Injects:
    """The scenario's injects over an ensemble.

    Args:
        scenario: The injects.
        state: The ensemble's quantities.
        parameters: Per-run values of uncertain inputs.
        events: The timed-event queue.
        rung: Returns the adversary's rung per run.
        active: Returns the runs not at war.
        last_response_day: ``(actor, response) -> day`` per run of the last time it was taken.
        on_fire: Called with ``(inject id, runs)`` when an inject fires.
    """

    scenario: Scenario
    state: EnsembleState
    parameters: RunParameters
    events: TimedEvents
    rung: Callable[[], np.ndarray]
    active: Callable[[], np.ndarray]
    last_response_day: dict[tuple[str, str], np.ndarray]
    on_fire: Callable[[str, np.ndarray], None]

    def __post_init__(self) -> None:
        scenario, state, parameters = self.scenario, self.state, self.parameters
        runs = state.runs
        self.fired = np.zeros(runs, dtype=np.int64)
        value = parameters.value
        conditional = [inject for inject in scenario.injects if inject.when is not None]
        below = [i for i in conditional if i.when is not None and i.when.below is not None]
        above = [i for i in conditional if i.when is not None and i.when.above is not None]
        on_rung = [i for i in conditional if i.when is not None and i.when.rung_at_least is not None]
        self._conditional = [*below, *above, *on_rung]
        self._scenario_order = sorted(
            range(len(conditional)), key=lambda k: scenario.injects.index(self._conditional[k])
        )
        self._waiting = np.ones((len(conditional), runs), dtype=bool)
        row_of = state.index
        self._below_slice = slice(0, len(below))
        self._above_slice = slice(len(below), len(below) + len(above))
        self._rung_slice = slice(len(below) + len(above), len(conditional))
        compared = {i.id: _compared_quantity(i) for i in [*below, *above]}
        self._below_rows = np.array([row_of[compared[i.id][0]] for i in below], dtype=np.intp)
        self._above_rows = np.array([row_of[compared[i.id][0]] for i in above], dtype=np.intp)
        self._below_thresholds = per_run_rows(
            [value(f"injects.{i.id}.when.below", compared[i.id][2]) for i in below]
        )
        self._above_thresholds = per_run_rows(
            [value(f"injects.{i.id}.when.above", compared[i.id][2]) for i in above]
        )
        self._thresholds = {
            inject_id: value(f"injects.{inject_id}.when.{side}", threshold)
            for inject_id, (_, side, threshold) in compared.items()
        }
        self._rung_condition_index = np.array(
            [
                scenario.escalation.index_of(i.when.rung_at_least)
                for i in on_rung
                if i.when and i.when.rung_at_least
            ],
            dtype=np.int64,
        )[:, None]
        self._update_flags()
        for inject in scenario.injects:
            if inject.day is not None:
                days = np.broadcast_to(np.asarray(value(f"injects.{inject.id}.day", inject.day)), (runs,))
                for day in np.unique(days):
                    group = days == day
                    self.events.schedule(float(day), partial(self.fire, inject, group))

    def _update_flags(self) -> None:
        """Refresh what the quick daily test compares against: a threshold where a run still waits for the
        inject, and a bound no value can pass (-inf or +inf) where it does not."""
        waiting = self._waiting
        self._below_bound = np.where(waiting[self._below_slice], self._below_thresholds, -np.inf)
        self._above_bound = np.where(waiting[self._above_slice], self._above_thresholds, np.inf)
        self._quantity_injects_wait = bool(waiting[: self._rung_slice.start].any())
        self._rung_injects_wait = bool(waiting[self._rung_slice].any())

    def stop(self, runs: np.ndarray) -> None:
        """No inject waits any longer in ``runs`` (they went to war)."""
        self._waiting &= ~runs
        self._update_flags()

    def _holds(self, inject: Inject, condition: Condition) -> np.ndarray:
        if condition.rung_at_least is not None:
            return self.rung() >= self.scenario.escalation.index_of(condition.rung_at_least)
        assert condition.quantity is not None
        values = self.state.row(condition.quantity)
        threshold = self._thresholds[inject.id]
        return values < threshold if condition.below is not None else values > threshold

    def _some_triggers(self, rung_moved: bool) -> bool:
        """Whether some waiting conditional inject's condition holds in some run (a quick test)."""
        if self._quantity_injects_wait:
            values = self.state.values
            if self._below_rows.size and _any(values.take(self._below_rows, axis=0) < self._below_bound):
                return True
            if self._above_rows.size and _any(values.take(self._above_rows, axis=0) > self._above_bound):
                return True
        if rung_moved and self._rung_injects_wait:
            holds = self.rung() >= self._rung_condition_index
            holds &= self._waiting[self._rung_slice]
            return bool(_any(holds))
        return False

    def check(self, day: int, rung_moved: bool) -> None:
        """Trigger the conditional injects whose condition now holds, in scenario order.

        An inject's effects apply before the next inject's condition is tested.
        """
        if not (self._quantity_injects_wait or (rung_moved and self._rung_injects_wait)):
            return
        if not self._some_triggers(rung_moved):
            return
        value = self.parameters.value
        for position in self._scenario_order:
            inject = self._conditional[position]
            assert inject.when is not None
            newly = self._holds(inject, inject.when) & self._waiting[position]
            if not newly.any():
                continue
            self._waiting[position] &= ~newly
            if inject.check_after_days == 0 and inject.unless_response is None:
                self.fire(inject, newly)
                continue
            # Checked at the end of day `day + check_after_days`, after that day's decisions.
            after = np.broadcast_to(
                np.asarray(value(f"injects.{inject.id}.check_after_days", inject.check_after_days)),
                newly.shape,
            )
            for delay in np.unique(after[newly]):
                group = newly & (after == delay)
                self.events.schedule(
                    day + float(delay) + 0.5, partial(self._fire_delayed, inject, group, day)
                )
        self._update_flags()

    def _fire_delayed(self, inject: Inject, runs: np.ndarray, since_day: int) -> None:
        if inject.unless_response is not None:
            key = (inject.unless_response.actor, inject.unless_response.response)
            runs = runs & ~(self.last_response_day[key] >= since_day)
        self.fire(inject, runs)

    def fire(self, inject: Inject, runs: np.ndarray) -> None:
        """Apply ``inject``'s effects in ``runs`` that are not at war."""
        runs = runs & self.active()
        if not runs.any():
            return
        for k, effect in enumerate(inject.effects):
            self.state.apply(
                effect, runs, effect_amount(self.parameters, f"injects.{inject.id}.effects.{k}", effect)
            )
        self.fired += runs
        self.on_fire(inject.id, runs)
