"""A battle integrated until one side is gone: the trajectory, and where it crosses zero."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

__all__ = ["Battle", "battle_until_annihilation", "truncate_at_zero"]


@dataclass(frozen=True)
class Battle:
    """One integrated battle between Blue (x) and Red (y).

    Attributes:
        times_days: Grid, ending at the horizon or at the loser's annihilation.
        strengths: ``(x, y)`` on the grid, shape ``(k, 2)``.
        annihilation_day: When a side reached zero, or ``None``.
        loser: ``"blue"``, ``"red"`` or ``None`` when nobody was annihilated.
    """

    times_days: np.ndarray
    strengths: np.ndarray
    annihilation_day: float | None
    loser: str | None


def truncate_at_zero(
    times: np.ndarray, states: np.ndarray, rhs: Callable[[float, np.ndarray], np.ndarray]
) -> tuple[np.ndarray, np.ndarray, float | None, int | None]:
    """Cut a trajectory where a side first reaches zero (crossing by cubic Hermite interpolation)."""
    below = np.nonzero((states <= 0).any(axis=1))[0]
    below = below[below > 0]
    if below.size == 0:
        return times, states, None, None
    index = int(below[0])
    side = int(np.argmin(states[index]))
    t0, t1 = times[index - 1], times[index]
    y0, y1 = states[index - 1, side], states[index, side]
    d0, d1 = rhs(t0, states[index - 1])[side], rhs(t1, states[index])[side]
    width = t1 - t0

    def hermite(t: float) -> float:
        s = (t - t0) / width
        return (
            (2 * s**3 - 3 * s**2 + 1) * y0
            + (s**3 - 2 * s**2 + s) * width * d0
            + (-2 * s**3 + 3 * s**2) * y1
            + (s**3 - s**2) * width * d1
        )

    crossing = t0 if y0 <= 0 else brentq(hermite, t0, t1, xtol=1e-13)
    fraction = (crossing - t0) / width
    survivor = states[index - 1] + fraction * (states[index] - states[index - 1])
    survivor[side] = 0.0
    cut_times = np.append(times[:index], crossing)
    cut_states = np.vstack([states[:index], survivor])
    return cut_times, cut_states, float(crossing), side


def battle_until_annihilation(
    rhs: Callable[[float, np.ndarray], np.ndarray], times: np.ndarray, states: np.ndarray
) -> Battle:
    """The battle on an integrated grid, cut where the first side reaches zero."""
    times, states, day, side = truncate_at_zero(times, states, rhs)
    loser = None if side is None else ("blue", "red")[side]
    return Battle(times_days=times, strengths=states, annihilation_day=day, loser=loser)
