"""Global sensitivity indices of a sweep, computed by SALib from per-design-point outcome means.

Sobol first-order (S1) and total-order (ST) indices need a ``sobol`` design; Morris ``mu*`` and
``sigma`` need a ``morris`` design. Each design point's response is the mean of the outcome over its
replications (the rate, for a yes/no outcome), so replications reduce the noise the indices see.
Confidence intervals are SALib's bootstrap intervals, with a bootstrap seed derived from the sweep's
root seed so that the same results always give the same intervals.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from wargame.errors import InputError
from wargame.experiments._design import salib_problem
from wargame.experiments._noise import selected_outcomes
from wargame.experiments._results import SweepResults

__all__ = ["INDEX_HALF_WIDTH", "index_warnings", "morris_indices", "sobol_indices"]

_BOOTSTRAP_STREAM = 2

INDEX_HALF_WIDTH = 0.1
"""Warn when a Sobol index is known only to within +- this (or a Morris mu* to within this share of the
largest mu*): the sample is too small to tell the parameters apart."""


def _responses(results: SweepResults, outcome: str) -> np.ndarray:
    """Return the mean of ``outcome`` at every design point, in design order: what the indices analyse.

    Raises:
        InputError: If some design point has no run with a value of the outcome.
    """
    means = results.point_means(outcome).reindex(results.design.index)
    missing = means.index[means.isna()]
    if len(missing):
        raise InputError(
            f"cannot compute sensitivity indices of {outcome!r}: {len(missing)} design point(s) have no "
            f"value (first: point {int(missing[0])}); the sweep is unfinished or those runs failed",
            source=str(results.root),
        )
    return means.to_numpy()


def _bootstrap_seed(results: SweepResults) -> int:
    sequence = np.random.SeedSequence(int(results.info["root_seed"]), spawn_key=(_BOOTSTRAP_STREAM,))
    return int(sequence.generate_state(1, np.uint32)[0])


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
        ``S1_ci_high``, ``ST``, ``ST_ci_low``, ``ST_ci_high``, each clipped to [0, 1] (a share of
        variance lies there; an estimate outside it is sampling error), and ``S1_unclipped``,
        ``ST_unclipped``, ``S1_half_width``, ``ST_half_width`` as SALib computed them (the half width of
        its bootstrap interval). Indices of an outcome that does not vary are ``NaN``;
        :func:`index_warnings` explains clipped estimates and too small samples.

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
            return {
                **_with_ci("S1", nan, nan, bounds=(0.0, 1.0)),
                **_with_ci("ST", nan, nan, bounds=(0.0, 1.0)),
            }
        indices = sobol.analyze(
            problem,
            response,
            calc_second_order=second_order,
            num_resamples=num_resamples,
            conf_level=confidence,
            seed=_bootstrap_seed(results),
        )
        return {
            **_with_ci("S1", indices["S1"], indices["S1_conf"], bounds=(0.0, 1.0)),
            **_with_ci("ST", indices["ST"], indices["ST_conf"], bounds=(0.0, 1.0)),
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
        ``mu_star_ci_low`` (at least 0), ``mu_star_ci_high``, ``sigma``, ``mu_star_unclipped``,
        ``mu_star_half_width``. Effects are in outcome units per parameter unit.

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
            **_with_ci("mu_star", indices["mu_star"], indices["mu_star_conf"], bounds=(0.0, np.inf)),
            "sigma": indices["sigma"],
        }

    return _per_outcome(results, outcomes, problem["names"], analyse)


def _with_ci(
    key: str, estimate: np.ndarray, half_width: np.ndarray, *, bounds: tuple[float, float]
) -> dict[str, np.ndarray]:
    """SALib's estimate and interval (estimate +- half width) clipped to the statistic's range, with the
    unclipped estimate beside them and the half width. An interval that lies wholly outside the range
    says nothing about the index: it becomes the whole range."""
    estimate, half_width = np.asarray(estimate, dtype=float), np.asarray(half_width, dtype=float)
    low, high = bounds
    ci_low, ci_high = estimate - half_width, estimate + half_width
    outside = (ci_high < low) | (ci_low > high)
    return {
        key: np.clip(estimate, low, high),
        f"{key}_ci_low": np.where(outside, low, np.clip(ci_low, low, high)),
        f"{key}_ci_high": np.where(outside, high, np.clip(ci_high, low, high)),
        f"{key}_unclipped": estimate,
        f"{key}_half_width": half_width,
    }


def _per_outcome(
    results: SweepResults,
    outcomes: Sequence[str] | None,
    parameters: Sequence[str],
    analyse: Callable[[np.ndarray], dict[str, np.ndarray]],
) -> pd.DataFrame:
    """One row per outcome and parameter of ``analyse(point means) -> {column: value per parameter}``."""
    rows: list[dict[str, Any]] = []
    for outcome in selected_outcomes(results, outcomes):
        response = _responses(results, outcome)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            columns = analyse(response)
        for index, name in enumerate(parameters):
            values = {key: float(column[index]) for key, column in columns.items()}
            rows.append({"outcome": outcome, "parameter": name, **values})
    return pd.DataFrame(rows)


def index_warnings(indices: pd.DataFrame, kind: str, size: int) -> list[str]:
    """Explain a sensitivity table: estimates clipped into range, and a sample too small for its indices.

    Args:
        indices: A table of :func:`sobol_indices` (``kind="sobol"``) or :func:`morris_indices`
            (``kind="morris"``).
        kind: ``"sobol"`` or ``"morris"``.
        size: The design's base samples (Sobol) or trajectories (Morris).

    Returns:
        One message per outcome and problem.
    """
    keys = ("S1", "ST") if kind == "sobol" else ("mu_star",)
    unit = "base samples" if kind == "sobol" else "trajectories"
    messages: list[str] = []
    for outcome, table in indices.groupby("outcome", sort=False):
        problems: list[str] = []
        half_width = float(table[[f"{key}_half_width" for key in keys]].max().max())
        scale = 1.0 if kind == "sobol" else float(table["mu_star"].max())
        if np.isfinite(half_width) and scale > 0 and half_width > INDEX_HALF_WIDTH * scale:
            factor = (half_width / (INDEX_HALF_WIDTH * scale)) ** 2  # half widths shrink as 1/sqrt(n)
            needed = 2 ** math.ceil(math.log2(size * factor)) if kind == "sobol" else math.ceil(size * factor)
            advice = (
                f"about {needed:,} {unit} would bring them within +-{INDEX_HALF_WIDTH:g}"
                if factor <= 100
                else f"more than 100 times as many {unit} (now {size:,}) would be needed"
            )
            spread = f"+-{half_width:.2g}" + (
                "" if kind == "sobol" else f" ({half_width / scale:.0%} of the largest)"
            )
            problems.append(f"the sample is too small: 95% bootstrap intervals reach {spread}; {advice}")
        clipped = []
        for key in keys:
            raw = table[f"{key}_unclipped"]
            outside = table[(raw != table[key]) & raw.notna()]
            clipped += [(key, row) for _, row in outside.iterrows()]
        if clipped:
            key, row = max(clipped, key=lambda item: abs(item[1][f"{item[0]}_unclipped"] - item[1][item[0]]))
            problems.append(
                f"{len(clipped)} estimate(s) outside the index's range were clipped into it (e.g. {key} of "
                f"{row['parameter']}: {row[f'{key}_unclipped']:.3g}, shown as {row[key]:.3g}), a sign of "
                "sampling error larger than the index"
            )
        if problems:
            messages.append(f"{outcome}: {kind.capitalize()} indices: " + "; ".join(problems))
    return messages
