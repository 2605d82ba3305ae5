"""Timed events on a SimPy clock measured in days: the model's one clock for what happens between days.

Injects, reinforcement transit, mobilization completions and delayed inject checks are few per run, so each
is a SimPy process that carries the set of runs it applies to; the daily mass draws stay vectorised in
numpy. A process ticks once a day, so after :meth:`TimedEvents.advance_to` the SimPy clock reads the day
(``env.now == day``) and ``env.peek()`` is the next event: no queue is kept beside SimPy's own.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import simpy

__all__ = ["TimedEvents"]


class TimedEvents:
    """A SimPy environment whose unit of time is one day."""

    def __init__(self) -> None:
        self.env = simpy.Environment()
        self.env.process(self._days())

    def _days(self) -> Generator[simpy.Event, None, None]:
        while True:
            yield self.env.timeout(1.0)

    @property
    def now_days(self) -> float:
        return float(self.env.now)

    def schedule(self, at_day: float, action: Callable[[], None]) -> None:
        """Call ``action`` when the clock reaches ``at_day`` (events at the same time keep their order).

        An event at ``d`` fires at the start of day ``d``; one at ``d + 0.5`` at the end of day ``d`` (after
        its decisions), which is before anything else of day ``d + 1``.
        """
        delay = max(0.0, at_day - self.env.now)

        def process(env: simpy.Environment) -> Generator[simpy.Event, None, None]:
            yield env.timeout(delay)
            action()

        self.env.process(process(self.env))

    def advance_to(self, day: int) -> None:
        """Fire every event due before the middle of ``day``; the clock then reads ``day``."""
        env = self.env
        while env.peek() < day + 0.5:
            env.step()
