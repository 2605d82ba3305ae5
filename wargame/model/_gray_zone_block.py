"""What the gray zone draws: a block of days' incidents laid out for running tallies, a day, a picture."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wargame.model._gray_zone_tree import ActivityTree

__all__ = ["GrayZoneBlock", "GrayZoneDay", "SeatPictureDay"]


@dataclass(frozen=True)
class GrayZoneDay:
    """One day's incidents, shape ``(runs, activities)`` each."""

    incidents: np.ndarray
    detected: np.ndarray
    attributed_timely: np.ndarray
    attribution_delay_hours_sum: np.ndarray


@dataclass(frozen=True)
class SeatPictureDay:
    """What one seat's own picture caught of a day's incidents, shape ``(runs, activities)`` each, and
    ``distinct``: the detected and timely-attributed incidents counted once each, ``(2, runs)``."""

    detected: np.ndarray
    attributed_timely: np.ndarray
    attribution_delay_hours_sum: np.ndarray
    distinct: np.ndarray


@dataclass(frozen=True)
class GrayZoneBlock:
    """Incidents of a block of consecutive days, laid out day-major so that one day is one contiguous slice.

    Attributes:
        first_day: Day of index 0.
        counts: ``(days, 3, runs, activities)``: true incidents, incidents the target's picture detected,
            and detected incidents attributed within the deadline, by activity (a subset's incidents count
            for its parent too).
        parts: ``(days, 3, runs, activities)``: the same by part (each incident counted once).
        delay_hours: ``(days, runs, activities)``: summed hours to attribution of the day's detections.
        delay_total: ``(days, runs)``: the same over distinct incidents.
        since_decision: ``(days, 2, runs)``: distinct detected and timely-attributed incidents.
        totals: ``(days, 3, runs)``: distinct true, detected and timely-attributed incidents.
        tallies: ``(days, 6 * runs * activities + 5 * runs)``: each day's ``counts``, ``totals``,
            ``since_decision`` and ``parts`` side by side (all views into it), so a day adds to running
            totals in one operation.
    """

    first_day: int
    counts: np.ndarray
    parts: np.ndarray
    delay_hours: np.ndarray
    delay_total: np.ndarray
    since_decision: np.ndarray
    totals: np.ndarray
    tallies: np.ndarray

    @staticmethod
    def of(
        first_day: int, parts: tuple[np.ndarray, ...], delay: np.ndarray, tree: ActivityTree
    ) -> GrayZoneBlock:
        """Lay out a block's true, detected and timely-attributed incidents by part, ``(days, runs,
        activities)`` each (taken over: they become the counts by activity), with ``delay``, the mean hours
        to attribution of a detection by (run, activity)."""
        days, runs, activities = parts[0].shape
        counted = 3 * runs * activities
        tallies = np.empty((days, 2 * counted + 5 * runs), dtype=np.int64)
        counts = tallies[:, :counted].reshape(days, 3, runs, activities)
        totals = tallies[:, counted : counted + 3 * runs].reshape(days, 3, runs)
        since_decision = tallies[:, counted + 3 * runs : counted + 5 * runs].reshape(days, 2, runs)
        by_part = tallies[:, counted + 5 * runs :].reshape(days, 3, runs, activities)
        # Sums over the last axis by einsum: numpy's add.reduce is slow over a short inner axis.
        delay_hours = parts[1] * delay
        delay_total = np.einsum("drk->dr", delay_hours)
        for outcome, counted_parts in enumerate(parts):
            by_part[:, outcome] = counted_parts
            np.einsum("drk->dr", counted_parts, out=totals[:, outcome])
            counts[:, outcome] = tree.by_activity(counted_parts)
        since_decision[...] = totals[:, 1:]
        delay_hours = tree.by_activity(delay_hours)
        return GrayZoneBlock(
            first_day, counts, by_part, delay_hours, delay_total, since_decision, totals, tallies
        )

    @property
    def days(self) -> int:
        return int(self.counts.shape[0])

    @property
    def incidents(self) -> np.ndarray:
        """True incidents, shape ``(runs, days, activities)``."""
        return self.counts[:, 0].transpose(1, 0, 2)

    @property
    def detected(self) -> np.ndarray:
        """Detected incidents, shape ``(runs, days, activities)``."""
        return self.counts[:, 1].transpose(1, 0, 2)

    @property
    def attributed_timely(self) -> np.ndarray:
        """Timely-attributed incidents, shape ``(runs, days, activities)``."""
        return self.counts[:, 2].transpose(1, 0, 2)

    def day(self, index: int) -> GrayZoneDay:
        """Return a copy of day ``index`` of the block."""
        incidents, detected, attributed = self.counts[index]
        return GrayZoneDay(
            incidents.copy(), detected.copy(), attributed.copy(), self.delay_hours[index].copy()
        )

    def stop(self, runs: np.ndarray, from_index: int) -> None:
        """Remove every incident of ``runs`` (a boolean mask) from day ``from_index`` of the block on."""
        self.counts[from_index:, :, runs] = 0
        self.parts[from_index:, :, runs] = 0
        self.delay_hours[from_index:, runs] = 0.0
        self.delay_total[from_index:, runs] = 0.0
        self.since_decision[from_index:, :, runs] = 0
        self.totals[from_index:, :, runs] = 0
