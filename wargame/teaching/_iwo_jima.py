"""Engel's (1954) Iwo Jima model: the square law with US landings, and its fit to the daily reports.

US active troops x and Japanese troops y follow dx/dt = -a*y + P(t), dy/dt = -b*x, where P(t) lands a
wave at a constant rate over its landing day: a wave of n troops on day d adds n per day for
d - 1 <= t < d. Engel's schedule is 54,000 troops on day 1, 6,000 on day 3 and 13,000 on day 6.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from wargame.errors import InputError
from wargame.teaching._base import integrate_rk4
from wargame.teaching._battle import Battle, truncate_at_zero
from wargame.teaching._scenario import ObservationSpec

__all__ = ["IwoJimaFit", "fit_to_daily_reports", "integrate_iwo_jima", "landing_schedule"]


def landing_schedule(days: Sequence[float], troops: Sequence[float], horizon_days: float) -> dict[int, float]:
    """Troops landed on each day of the battle (waves on the same day add up).

    Raises:
        InputError: ``troops`` does not give one number per landing day, or a day is after the horizon.
    """
    if len(days) != len(troops):
        raise InputError(
            f"expects {len(days)} numbers, one per landing day in iwo_us_landing_days",
            source="--param",
            field="iwo_us_landing_troops",
        )
    schedule: dict[int, float] = {}
    for day, count in zip(days, troops, strict=True):
        if day > horizon_days:
            raise InputError(
                f"day {day:g} is after the horizon (iwo_horizon_days = {horizon_days:g})",
                source="--param",
                field="iwo_us_landing_days",
            )
        schedule[int(day)] = schedule.get(int(day), 0.0) + count
    return dict(sorted(schedule.items()))


def integrate_iwo_jima(
    us_kill_rate_per_day: float,
    japanese_kill_rate_per_day: float,
    japanese_initial_troops: float,
    landings: Mapping[int, float],
    horizon_days: float,
    step_days: float,
) -> Battle:
    """Integrate Engel's model with RK4, piecewise between the edges of the landing days.

    ``step_days`` must divide one day, so every landing day starts and ends on the grid. Nothing happens
    before the first troops land; from then on the first side to reach zero ends the battle.
    """
    a, b = japanese_kill_rate_per_day, us_kill_rate_per_day
    state = np.array([0.0, japanese_initial_troops])
    first = min((day - 1.0 for day, troops in landings.items() if troops > 0), default=horizon_days)
    edges = sorted(
        {first, horizon_days}
        | {float(t) for day in landings for t in (day - 1, day) if first < t < horizon_days}
    )
    all_times = [np.array([0.0, first]) if first > 0 else np.array([0.0])]
    all_states = [np.vstack([state, state]) if first > 0 else state[None, :]]
    for start, stop in itertools.pairwise(edges):
        landing_rate = landings.get(round(start) + 1, 0.0) if start.is_integer() else 0.0

        def rhs(_t: float, s: np.ndarray, rate: float = landing_rate) -> np.ndarray:
            return np.array([-a * max(s[1], 0.0) + rate, -b * s[0]])

        times, states = integrate_rk4(rhs, state, start, stop, step_days)
        times, states, day, side = truncate_at_zero(times, states, rhs)
        all_times.append(times[1:])
        all_states.append(states[1:])
        state = states[-1]
        if day is not None and side is not None:
            return Battle(np.concatenate(all_times), np.vstack(all_states), day, ("US", "Japan")[side])
    return Battle(np.concatenate(all_times), np.vstack(all_states), None, None)


@dataclass(frozen=True)
class IwoJimaFit:
    """The model's US active troops against the daily reports, at the end of each reported day.

    Attributes:
        days: The reported days (end of day).
        observed_us_active: Troops landed by then (on the historical schedule) minus casualties by then.
        model_us_active: The model's US active troops at the same times.
    """

    days: np.ndarray
    observed_us_active: np.ndarray
    model_us_active: np.ndarray

    @property
    def relative_error(self) -> np.ndarray:
        """|model - observed| / observed, day by day."""
        return np.abs(self.model_us_active - self.observed_us_active) / self.observed_us_active

    def worst_day(self) -> tuple[float, float]:
        """The day the model misses most, and by how much (relative)."""
        index = int(np.argmax(self.relative_error))
        return float(self.days[index]), float(self.relative_error[index])

    def rms_relative_error(self) -> float:
        """Root mean square of the daily relative errors."""
        return math.sqrt(float(np.mean(self.relative_error**2)))


def fit_to_daily_reports(
    battle: Battle, casualties: ObservationSpec, historical_landings: Mapping[int, float]
) -> IwoJimaFit:
    """Compare the model with the reports: US active troops = landed so far - casualties so far."""
    days = np.asarray(casualties.times, dtype=float)
    landed = np.array([sum(n for day, n in historical_landings.items() if day <= end) for end in days])
    observed = landed - np.asarray(casualties.values, dtype=float)
    model = np.interp(days, battle.times_days, battle.strengths[:, 0])
    return IwoJimaFit(days=days, observed_us_active=observed, model_us_active=model)
