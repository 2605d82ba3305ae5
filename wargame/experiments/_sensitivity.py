"""Global sensitivity indices of a sweep, computed by SALib from per-design-point outcome means.

Sobol first-order (S1) and total-order (ST) indices need a ``sobol`` design; Morris ``mu*`` and
``sigma`` need a ``morris`` design. Each design point's response is the mean of the outcome over its
replications (the rate, for a yes/no outcome), so replications reduce the noise the indices see.
Confidence intervals are SALib's bootstrap intervals, with a bootstrap seed derived from the sweep's
root seed so that the same results always give the same intervals.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from wargame.errors import InputError
from wargame.experiments._design import salib_problem
from wargame.experiments._results import SweepResults

__all__ = [
    "NOISE_WARNING_SHARE",
    "NoisyOutcomeWarning",
    "morris_indices",
    "noise_warnings",
    "point_means",
    "sampling_noise",
    "sobol_indices",
]

_BOOTSTRAP_STREAM = 2

NOISE_WARNING_SHARE = 0.1
"""Warn when sampling noise makes up this share of the variance of an outcome's per-point means or more.

Noise of share ``r`` inflates every Sobol total-order index by about ``r`` and shrinks first-order
indices by the factor ``1 - r``; it blurs Morris effects, heat maps and discovery boxes alike."""


class NoisyOutcomeWarning(UserWarning):
    """The per-point means of an outcome differ mostly by sampling noise: its indices are not trustworthy."""


def point_means(results: SweepResults, outcome: str) -> np.ndarray:
    """Return the mean of ``outcome`` at every design point, in design order.

    Raises:
        InputError: If some design point has no run with a value of the outcome.
    """
    means = results.runs[outcome].astype(float).groupby(results.runs["point"]).mean()
    means = means.reindex(results.design.index)
    missing = means.index[means.isna()]
    if len(missing):
        raise InputError(
            f"cannot compute sensitivity indices of {outcome!r}: {len(missing)} design point(s) have no "
            f"value (first: point {int(missing[0])}); the sweep is unfinished or those runs failed",
            source=str(results.root),
        )
    return means.to_numpy()


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
        ``variance_between_points`` (``V``), ``noise_variance``, ``noise_share`` (``noise / V``; ``NaN``
        when ``V`` is 0) and ``replications_for_10_percent``: at least how many replications per point
        would bring the share down to 10%, from an upper 95% bound of the signal ``V - noise`` (``V``
        estimated from few points is itself uncertain, so this is a lower bound; ``NaN`` when ``V`` is 0).
    """
    rows: list[dict[str, Any]] = []
    for outcome in _outcomes(results, outcomes):
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
        share = noise / between if between > 0 else np.nan
        points = int(means.notna().sum())
        # the sample variance of P normal means has a standard error of V * sqrt(2 / (P - 1))
        signal_high = between * (1 + 2 * np.sqrt(2 / max(points - 1, 1))) - noise
        replications = float(counts[counts > 0].mean()) if (counts > 0).any() else np.nan
        target = NOISE_WARNING_SHARE
        needed = replications * noise * (1 - target) / (target * signal_high) if signal_high > 0 else np.nan
        rows.append(
            {
                "outcome": outcome,
                "points": points,
                "replications": replications,
                "variance_between_points": between,
                "noise_variance": noise,
                "noise_share": share,
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
        messages.append(
            f"{row.outcome}: sampling noise is {row.noise_share:.0%} of the variance between design points "
            f"({row.replications:.0f} replications per point); its sensitivity indices, heat maps and "
            f"discovery boxes are not trustworthy ({advice})"
        )
    return messages


def _bootstrap_seed(results: SweepResults) -> int:
    sequence = np.random.SeedSequence(int(results.info["root_seed"]), spawn_key=(_BOOTSTRAP_STREAM,))
    return int(sequence.generate_state(1, np.uint32)[0])


def _outcomes(results: SweepResults, outcomes: Sequence[str] | None) -> list[str]:
    names = list(outcomes) if outcomes is not None else results.outcome_names
    unknown = [name for name in names if name not in results.runs.columns]
    if unknown:
        raise InputError(f"no outcome {unknown[0]!r} in the results; there are {results.outcome_names}")
    return names


def _require_design(results: SweepResults, kind: str, what: str) -> None:
    if results.design_kind != kind:
        raise InputError(
            f"{what} need a {kind!r} design; this sweep's design is {results.design_kind!r}",
            source=str(results.root),
        )


def sobol_indices(
    results: SweepResults,
    outcomes: Sequence[str] | None = None,
    *,
    confidence: float = 0.95,
    num_resamples: int = 200,
) -> pd.DataFrame:
    """Return Sobol first- and total-order indices of each outcome for each parameter.

    Args:
        results: Results of a finished sweep with a ``sobol`` design.
        outcomes: Outcomes to analyse; all when ``None``.
        confidence: Confidence level of the bootstrap intervals.
        num_resamples: Bootstrap resamples.

    Returns:
        One row per outcome and parameter: ``outcome``, ``parameter``, ``S1``, ``S1_ci_low``,
        ``S1_ci_high``, ``ST``, ``ST_ci_low``, ``ST_ci_high``. Indices of an outcome that does not vary
        are ``NaN``.

    Raises:
        InputError: For another design kind, an unknown outcome or a design point without results.
    """
    from SALib.analyze import sobol

    _require_design(results, "sobol", "Sobol indices")
    problem = salib_problem(tuple(results.parameters))
    second_order = bool(results.design_settings.get("second_order", False))

    def analyse(response: np.ndarray) -> dict[str, np.ndarray]:
        if np.ptp(response) == 0:
            nan = np.full(problem["num_vars"], np.nan)
            return {**_with_ci("S1", nan, nan), **_with_ci("ST", nan, nan)}
        indices = sobol.analyze(
            problem,
            response,
            calc_second_order=second_order,
            num_resamples=num_resamples,
            conf_level=confidence,
            seed=_bootstrap_seed(results),
        )
        return {
            **_with_ci("S1", indices["S1"], indices["S1_conf"]),
            **_with_ci("ST", indices["ST"], indices["ST_conf"]),
        }

    return _per_outcome(results, outcomes, problem["names"], analyse)


def morris_indices(
    results: SweepResults,
    outcomes: Sequence[str] | None = None,
    *,
    confidence: float = 0.95,
    num_resamples: int = 200,
) -> pd.DataFrame:
    """Return Morris elementary-effect statistics of each outcome for each parameter.

    Args:
        results: Results of a finished sweep with a ``morris`` design.
        outcomes: Outcomes to analyse; all when ``None``.
        confidence: Confidence level of the bootstrap interval of ``mu*``.
        num_resamples: Bootstrap resamples.

    Returns:
        One row per outcome and parameter: ``outcome``, ``parameter``, ``mu``, ``mu_star``,
        ``mu_star_ci_low``, ``mu_star_ci_high``, ``sigma``. Effects are in outcome units per parameter
        unit.

    Raises:
        InputError: For another design kind, an unknown outcome or a design point without results.
    """
    from SALib.analyze import morris

    _require_design(results, "morris", "Morris indices")
    problem = salib_problem(tuple(results.parameters))
    inputs = results.design[problem["names"]].to_numpy(dtype=float)
    num_levels = int(results.design_settings.get("levels", 4))

    def analyse(response: np.ndarray) -> dict[str, np.ndarray]:
        indices = morris.analyze(
            problem,
            inputs,
            response,
            num_resamples=num_resamples,
            conf_level=confidence,
            num_levels=num_levels,
            seed=_bootstrap_seed(results),
        )
        return {
            "mu": indices["mu"],
            **_with_ci("mu_star", indices["mu_star"], indices["mu_star_conf"]),
            "sigma": indices["sigma"],
        }

    return _per_outcome(results, outcomes, problem["names"], analyse)


def _with_ci(key: str, estimate: np.ndarray, half_width: np.ndarray) -> dict[str, np.ndarray]:
    estimate, half_width = np.asarray(estimate, dtype=float), np.asarray(half_width, dtype=float)
    return {key: estimate, f"{key}_ci_low": estimate - half_width, f"{key}_ci_high": estimate + half_width}


def _per_outcome(
    results: SweepResults,
    outcomes: Sequence[str] | None,
    parameters: Sequence[str],
    analyse: Callable[[np.ndarray], dict[str, np.ndarray]],
) -> pd.DataFrame:
    """One row per outcome and parameter of ``analyse(point means) -> {column: value per parameter}``."""
    rows: list[dict[str, Any]] = []
    for outcome in _outcomes(results, outcomes):
        response = point_means(results, outcome)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            columns = analyse(response)
        for index, name in enumerate(parameters):
            values = {key: float(column[index]) for key, column in columns.items()}
            rows.append({"outcome": outcome, "parameter": name, **values})
    return pd.DataFrame(rows)
