"""Telling a cliff from a steep slope: levels added inside a step that looks like a jump.

A step between adjacent levels larger than a quarter of the output's range may be a discontinuity (a
threshold in the model: the output changes by the same amount however close the two levels are) or a steep
stretch of a smooth response (the change shrinks with the interval). The report tells them apart the way a
discontinuity is defined: where the jump check fires between two levels it adds their midpoint, runs it on
the same run keys, and checks again on the finer grid, :data:`REFINEMENTS` times. A step function keeps its
whole change inside the finest interval and is flagged; a smooth response is not. An ensemble lever moves
whole days, so a step of one day cannot be split and stands as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from wargame.validity._checks import large_steps
from wargame.validity._ensemble import LeverResponse
from wargame.validity._levers import Lever
from wargame.validity._summary import per_run_outputs

__all__ = ["REFINEMENTS", "refine_jumps"]

REFINEMENTS = 2
"""How many times a large step is halved before it is called a jump."""


def _midpoint(lever: Lever, low: float, high: float) -> float | None:
    if not lever.ensemble:
        return round((low + high) / 2.0, 4)
    middle = float(np.floor((low + high) / 2.0))
    return middle if low < middle < high else None


def _merge(response: LeverResponse, extra: LeverResponse) -> LeverResponse:
    levels = response.lever.levels + extra.lever.levels
    order = np.argsort(levels, kind="stable")
    horizons = response.horizon_days + extra.horizon_days
    return LeverResponse(
        replace(response.lever, levels=tuple(levels[k] for k in order)),
        tuple(horizons[k] for k in order),
        {
            name: np.concatenate([values, extra.columns[name]])[order]
            for name, values in response.columns.items()
        },
    )


def refine_jumps(
    response: LeverResponse,
    run: Callable[[Lever], LeverResponse],
    confidence: float = 0.95,
    refinements: int = REFINEMENTS,
) -> LeverResponse:
    """Return ``response`` with midpoints added inside every step the jump check flags, ``refinements`` times.

    Args:
        response: A lever's responses at its levels.
        run: Runs a lever (the same lever with other levels) on the same run keys.
        confidence: Confidence level of the checks.
        refinements: How many times a flagged step is halved.
    """
    for _ in range(refinements):
        lever = response.lever
        per_run = per_run_outputs(response)
        flagged = sorted(
            {k for output in lever.predictions for k, _ in large_steps(per_run[output], confidence)}
        )
        middles = [_midpoint(lever, lever.levels[k], lever.levels[k + 1]) for k in flagged]
        added = tuple(m for m in middles if m is not None and m not in lever.levels)
        if not added:
            return response
        response = _merge(response, run(replace(lever, levels=added)))
    return response
