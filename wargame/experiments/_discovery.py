"""Scenario discovery with PRIM: the box of parameter space where an outcome is above a threshold.

PRIM (Friedman and Fisher, 1999) starts from the box holding every design point and repeatedly peels off
the thin slice, at the low or high end of one parameter, whose removal most raises the share of "cases of
interest" left in the box. Each step trades *coverage* (the share of all cases of interest inside the box)
for *density* (the share of points inside the box that are cases of interest). The chosen box is the
densest one on that trajectory that still covers at least ``min_coverage`` of the cases.

Here a design point is a case of interest when its mean outcome over replications (the probability of
war, for ``war``) exceeds the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wargame.errors import InputError
from wargame.experiments._results import SweepResults

__all__ = ["NoCaseOfInterestError", "PrimBox", "discover", "prim_peel"]


class NoCaseOfInterestError(InputError):
    """No design point's mean outcome exceeds the threshold: a finding of the sweep, so ``analyze`` reports it
    and goes on, while a direct call of :func:`discover` still fails."""


@dataclass(frozen=True)
class PrimBox:
    """The result of scenario discovery.

    Attributes:
        outcome: The outcome analysed.
        threshold: A point is a case of interest when its mean outcome exceeds this.
        limits: Per parameter, ``(low, high)`` of the chosen box.
        restricted: Parameters whose limits are narrower than the design's range, most restricted first.
        coverage: Share of all cases of interest inside the box.
        density: Share of the box's points that are cases of interest.
        support: Share of all design points inside the box.
        trajectory: One row per peeling step: ``step``, ``coverage``, ``density``, ``support``.
        chosen_step: The trajectory step of the chosen box.
        cases: Number of cases of interest among the design points.
    """

    outcome: str
    threshold: float
    limits: dict[str, tuple[float, float]]
    restricted: list[str]
    coverage: float
    density: float
    support: float
    trajectory: pd.DataFrame = field(repr=False)
    chosen_step: int = 0
    cases: int = 0

    def limits_table(self) -> pd.DataFrame:
        """Return the box as a table: ``parameter``, ``low``, ``high``, ``restricted``."""
        return pd.DataFrame(
            [
                {"parameter": name, "low": low, "high": high, "restricted": name in self.restricted}
                for name, (low, high) in self.limits.items()
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the box as JSON-ready data."""
        return {
            "outcome": self.outcome,
            "threshold": self.threshold,
            "cases": self.cases,
            "coverage": self.coverage,
            "density": self.density,
            "support": self.support,
            "restricted": self.restricted,
            "limits": {name: list(bounds) for name, bounds in self.limits.items()},
        }


def prim_peel(
    inputs: pd.DataFrame,
    interesting: np.ndarray,
    *,
    peel_fraction: float = 0.05,
    min_support: float = 0.05,
) -> tuple[list[dict[str, tuple[float, float]]], pd.DataFrame]:
    """Run PRIM's peeling phase.

    Args:
        inputs: One row per point, one numeric column per parameter.
        interesting: Boolean per point: whether it is a case of interest.
        peel_fraction: Share of the box's points each peel removes (at least one point).
        min_support: Stop when fewer than this share of all points remain in the box.

    Returns:
        The boxes of every step (step 0 is the whole space) and the trajectory table.
    """
    values = inputs.to_numpy(dtype=float)
    interesting = np.asarray(interesting, dtype=bool)
    total_points, total_cases = len(values), int(interesting.sum())
    names = list(inputs.columns)
    inside = np.ones(total_points, dtype=bool)
    limits = {name: (float(values[:, j].min()), float(values[:, j].max())) for j, name in enumerate(names)}
    boxes = [dict(limits)]
    records = [_record(0, inside, interesting, total_points, total_cases)]
    while inside.sum() > max(1, min_support * total_points):
        best: tuple[float, int, str, np.ndarray] | None = None
        box_values = values[inside]
        for j in range(len(names)):
            column = box_values[:, j]
            for side in ("low", "high"):
                cut = np.quantile(
                    column, peel_fraction if side == "low" else 1 - peel_fraction, method="linear"
                )
                keep_in_box = column > cut if side == "low" else column < cut
                if keep_in_box.all() or not keep_in_box.any():
                    # the quantile sits on a level every remaining point shares at that end: peel that level
                    edge = column.min() if side == "low" else column.max()
                    keep_in_box = column != edge
                    if keep_in_box.all() or not keep_in_box.any():
                        continue
                if keep_in_box.sum() < min_support * total_points:
                    continue
                density = float(interesting[inside][keep_in_box].mean())
                if best is None or density > best[0]:
                    best = (density, j, side, keep_in_box)
        if best is None:
            break
        _, j, side, keep_in_box = best
        indices = np.flatnonzero(inside)
        inside = inside.copy()
        inside[indices[~keep_in_box]] = False
        remaining = values[inside, j]
        low, high = limits[names[j]]
        limits[names[j]] = (float(remaining.min()), high) if side == "low" else (low, float(remaining.max()))
        boxes.append(dict(limits))
        records.append(_record(len(records), inside, interesting, total_points, total_cases))
    return boxes, pd.DataFrame(records)


def _record(
    step: int, inside: np.ndarray, interesting: np.ndarray, total_points: int, total_cases: int
) -> dict:
    cases_inside = int(interesting[inside].sum())
    return {
        "step": step,
        "coverage": cases_inside / total_cases if total_cases else float("nan"),
        "density": cases_inside / int(inside.sum()),
        "support": int(inside.sum()) / total_points,
    }


def discover(
    results: SweepResults,
    outcome: str,
    threshold: float,
    *,
    min_coverage: float = 0.5,
    peel_fraction: float = 0.05,
    min_support: float = 0.05,
) -> PrimBox:
    """Find the parameter box where the mean of ``outcome`` exceeds ``threshold``.

    Args:
        results: A sweep's results; every design point with runs counts.
        outcome: The outcome, e.g. ``war`` (its rate) or a numeric outcome (its mean).
        threshold: A point is a case of interest when its mean outcome exceeds this.
        min_coverage: The chosen box keeps at least this share of the cases of interest.
        peel_fraction: Share of points peeled per step.
        min_support: Smallest share of points a box may hold.

    Raises:
        InputError: For an unknown outcome or non-numeric parameters.
        NoCaseOfInterestError: When no design point's mean exceeds the threshold.
    """
    if outcome not in results.runs.columns or outcome in results.parameter_names:
        raise InputError(f"no outcome {outcome!r} in the results; there are {results.outcome_names}")
    means = results.point_means(outcome)
    inputs = results.design.loc[means.index, results.parameter_names]
    non_numeric = [name for name in inputs.columns if not pd.api.types.is_numeric_dtype(inputs[name])]
    if non_numeric:
        raise InputError(f"scenario discovery needs numeric parameters; {non_numeric} are not")
    interesting = (means > threshold).to_numpy()
    if not interesting.any():
        raise NoCaseOfInterestError(
            f"no design point has mean {outcome} above {threshold:g}; nothing to discover "
            f"(highest is {means.max():.3g})"
        )
    inputs = inputs.astype(float)
    boxes, trajectory = prim_peel(inputs, interesting, peel_fraction=peel_fraction, min_support=min_support)
    eligible = trajectory[trajectory["coverage"] >= min_coverage]
    chosen = int(eligible.sort_values(["density", "step"], ascending=[False, True]).iloc[0]["step"])
    limits = boxes[chosen]
    full = boxes[0]
    span = {name: (full[name][1] - full[name][0]) or 1.0 for name in full}
    narrowing = {name: 1 - (limits[name][1] - limits[name][0]) / span[name] for name in limits}
    restricted = sorted((name for name in limits if narrowing[name] > 1e-12), key=lambda n: -narrowing[n])
    row = trajectory.iloc[chosen]
    return PrimBox(
        outcome=outcome,
        threshold=threshold,
        limits=limits,
        restricted=restricted,
        coverage=float(row["coverage"]),
        density=float(row["density"]),
        support=float(row["support"]),
        trajectory=trajectory,
        chosen_step=chosen,
        cases=int(interesting.sum()),
    )
