"""Sampling noise of a sweep's per-point outcome means, beside their variance between design points.

A design point's mean over its replications carries the noise of those runs; sensitivity indices, heat
maps and discovery boxes read the differences between points, so they are trustworthy only when that
noise is a small share of the variance between points. :func:`sampling_noise` measures the share and
:func:`noise_warnings` words a warning for each outcome where it is too large.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from wargame.errors import InputError
from wargame.experiments._results import SweepResults

__all__ = [
    "NOISE_WARNING_SHARE",
    "NoisyOutcomeWarning",
    "noise_warnings",
    "sampling_noise",
    "selected_outcomes",
]

NOISE_WARNING_SHARE = 0.1
"""Warn when sampling noise makes up this share of the variance of an outcome's per-point means or more.

Noise of share ``r`` inflates every Sobol total-order index by about ``r`` and shrinks first-order
indices by the factor ``1 - r``; it blurs Morris effects, heat maps and discovery boxes alike."""


class NoisyOutcomeWarning(UserWarning):
    """The per-point means of an outcome differ mostly by sampling noise: its indices are not trustworthy."""


def sampling_noise(results: SweepResults, outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Compare the sampling noise of each outcome's per-point means with their variance between points.

    A point's mean over ``n`` replications with sample variance ``s**2`` carries noise of variance
    ``s**2 / n``. Averaged over the points, that noise is part of the observed variance of the point means
    ``V``; what is left, ``V - noise``, is the variance the parameters explain. Sensitivity indices are
    trustworthy only when noise is a small share of ``V``.

    With common random numbers (``common_seeds``) the points share their noise, which does not vary
    between them; only the part that differs counts. It is estimated by splitting each point's
    replications into even and odd ones: across points, half the difference of the two halves' means has
    the variance of that part.

    Args:
        results: A sweep's results (any design with at least two points).
        outcomes: Outcomes to assess; all when ``None``.

    Returns:
        One row per outcome: ``outcome``, ``points``, ``replications`` (mean runs with a value per point),
        ``variance_between_points`` (``V``), ``noise_variance``, ``noise_share`` (``noise / V`` capped at
        1: both are estimates, and where the noise estimate exceeds ``V`` the points do not differ beyond
        noise; ``NaN`` when ``V`` is 0), ``noise_exceeds_variance`` (the cap applied) and
        ``replications_for_10_percent``: at least how many replications per point would bring the share
        down to 10%, from an upper 95% bound of the signal ``V - noise`` (``V`` estimated from few points
        is itself uncertain, so this is a lower bound, and more than there are now when the share is
        over 10%; ``NaN`` when ``V`` is 0).
    """
    rows: list[dict[str, Any]] = []
    for outcome in selected_outcomes(results, outcomes):
        column = results.runs[outcome].astype(float)
        values = column.groupby(results.runs["point"])
        means, counts = values.mean(), values.count()
        between = float(means.var(ddof=1)) if means.notna().sum() > 1 else np.nan
        if results.common_seeds:
            halves = column.groupby([results.runs["point"], results.runs["replication"] % 2]).mean().unstack()
            difference = ((halves[0] - halves[1]) / 2).dropna() if halves.shape[1] == 2 else pd.Series()
            noise = float(difference.var(ddof=1)) if len(difference) > 1 else np.nan
        else:
            per_point_noise = (values.var(ddof=1) / counts)[counts > 1]
            noise = float(per_point_noise.mean()) if len(per_point_noise) else np.nan
        raw_share = noise / between if between > 0 else np.nan
        points = int(means.notna().sum())
        # the sample variance of P normal means has a standard error of V * sqrt(2 / (P - 1))
        signal_high = between * (1 + 2 * np.sqrt(2 / max(points - 1, 1))) - noise
        replications = float(counts[counts > 0].mean()) if (counts > 0).any() else np.nan
        target = NOISE_WARNING_SHARE
        needed = replications * noise * (1 - target) / (target * signal_high) if signal_high > 0 else np.nan
        if np.isfinite(needed) and raw_share >= target:
            needed = max(needed, replications + 1)
        rows.append(
            {
                "outcome": outcome,
                "points": points,
                "replications": replications,
                "variance_between_points": between,
                "noise_variance": noise,
                "noise_share": min(raw_share, 1.0) if np.isfinite(raw_share) else np.nan,
                "noise_exceeds_variance": bool(raw_share > 1.0),
                "replications_for_10_percent": float(np.ceil(needed)) if np.isfinite(needed) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def noise_warnings(noise: pd.DataFrame, threshold: float = NOISE_WARNING_SHARE) -> list[str]:
    """Return a warning for each outcome of a :func:`sampling_noise` table whose noise share is high."""
    messages = []
    for row in noise.itertuples(index=False):
        if not (row.noise_share >= threshold):
            continue
        advice = (
            f"bringing it down to {NOISE_WARNING_SHARE:.0%} takes at least "
            f"{row.replications_for_10_percent:,.0f} replications per point, or an outcome with less noise"
            if np.isfinite(row.replications_for_10_percent)
            else "the points do not differ beyond noise"
        )
        share = (
            "as large as the variance between design points (the estimated noise exceeds it)"
            if row.noise_exceeds_variance
            else f"{row.noise_share:.0%} of the variance between design points"
        )
        messages.append(
            f"{row.outcome}: sampling noise is {share} "
            f"({row.replications:.0f} replications per point); its sensitivity indices, heat maps and "
            f"discovery boxes are not trustworthy ({advice})"
        )
    return messages


def selected_outcomes(results: SweepResults, outcomes: Sequence[str] | None) -> list[str]:
    """Return ``outcomes`` (all the sweep's outcomes when ``None``).

    Raises:
        InputError: Naming the first outcome the results do not have.
    """
    names = list(outcomes) if outcomes is not None else results.outcome_names
    unknown = [name for name in names if name not in results.runs.columns]
    if unknown:
        raise InputError(f"no outcome {unknown[0]!r} in the results; there are {results.outcome_names}")
    return names
