"""The possible range of each outcome column of a scenario's runs, so that intervals stay inside it.

A mean of values that all lie in ``[low, high]`` lies there too, so a confidence interval of such a mean
can be clipped to ``[low, high]`` without losing coverage. Outcomes not listed here (the escalation
score, whose move weights may be negative, or any column a custom evaluator adds) have no range.
"""

from __future__ import annotations

import math
from typing import Any

from wargame.scenario import Scenario

__all__ = ["bounds_from_json", "bounds_to_json", "outcome_bounds"]

_SHARE = (0.0, 1.0)
_COUNT = (0.0, math.inf)


def outcome_bounds(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Return ``{outcome column: (lowest, highest)}`` for the outcomes of ``scenario`` that have a range."""
    bounds: dict[str, tuple[float, float]] = {
        "war": _SHARE,
        "war_day": (0.0, float(scenario.horizon_days - 1)),
        "max_rung": (0.0, float(len(scenario.escalation.rungs) - 1)),
        "detection_rate": _SHARE,
        "attribution_rate": _SHARE,
        "incidents_total": _COUNT,
        "detected_total": _COUNT,
        "attributed_timely_total": _COUNT,
        "mean_attribution_delay_hours": _COUNT,
        "injects_fired": _COUNT,
    }
    for activity in scenario.gray_zone.activities:
        bounds[f"incidents_{activity.id}"] = _COUNT
    for actor in scenario.allied_actors:
        bounds[f"final_resolve_{actor.id}"] = _SHARE
        bounds[f"final_readiness_{actor.id}"] = _SHARE
    for commitment in scenario.commitments:
        bounds[f"final_credibility_{commitment.from_actor}_{commitment.to_actor}"] = _SHARE
    return bounds


def bounds_to_json(bounds: dict[str, tuple[float, float]]) -> dict[str, list[float | None]]:
    """Return bounds as JSON-ready data (an infinite end becomes ``None``)."""
    return {
        name: [None if math.isinf(end) else end for end in (low, high)]
        for name, (low, high) in bounds.items()
    }


def bounds_from_json(data: Any) -> dict[str, tuple[float, float]]:
    """Read bounds written by :func:`bounds_to_json`; anything malformed is left out."""
    if not isinstance(data, dict):
        return {}
    bounds: dict[str, tuple[float, float]] = {}
    for name, pair in data.items():
        if not (isinstance(name, str) and isinstance(pair, list) and len(pair) == 2):
            continue
        low, high = pair
        if not all(
            end is None or (isinstance(end, int | float) and not isinstance(end, bool)) for end in pair
        ):
            continue
        bounds[name] = (-math.inf if low is None else float(low), math.inf if high is None else float(high))
    return bounds
