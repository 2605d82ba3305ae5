"""Sparse timed events on a SimPy clock measured in days.

Injects, reinforcement transit and mobilization are few per run, so each is a SimPy process that carries
the set of runs it applies to; the daily mass draws stay vectorised in numpy.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator

import simpy

__all__ = ["TimedEvents"]


class TimedEvents:
    """A SimPy environment whose unit of time is one day."""

    def __init__(self) -> None:
        self.env = simpy.Environment()
        self._due_days: list[float] = []  # a heap of the times of events not yet fired
        self.next_due_day = float("inf")  # time of the next event not yet fired

    @property
    def now_days(self) -> float:
        return float(self.env.now)

    def schedule(self, at_day: float, action: Callable[[], None]) -> None:
        """Call ``action`` when the clock reaches ``at_day`` (events at the same time keep their order)."""
        delay = max(0.0, at_day - self.env.now)
        heapq.heappush(self._due_days, self.env.now + delay)
        self.next_due_day = self._due_days[0]

        def process(env: simpy.Environment) -> Generator[simpy.Event, None, None]:
            yield env.timeout(delay)
            action()

        self.env.process(process(self.env))

    def advance_to(self, day: int) -> None:
        """Fire every event due on or before ``day``."""
        # SimPy keeps the stop event of the last run() queued, so peek() cannot tell an idle day.
        if self._due_days and self._due_days[0] < day + 0.5:
            self.env.run(until=day + 0.5)
            while self._due_days and self._due_days[0] < day + 0.5:
                heapq.heappop(self._due_days)
            self.next_due_day = self._due_days[0] if self._due_days else float("inf")
