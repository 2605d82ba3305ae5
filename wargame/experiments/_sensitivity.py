"""Global sensitivity indices of a sweep, computed by SALib from per-design-point outcome means.

Sobol first-order (S1) and total-order (ST) indices need a ``sobol`` design; Morris ``mu*`` and
``sigma`` need a ``morris`` design. Each design point's response is the mean of the outcome over its
replications (the rate, for a yes/no outcome), so replications reduce the noise the indices see.
Confidence intervals are SALib's bootstrap intervals, with a bootstrap seed derived from the sweep's
root seed so that the same results always give the same intervals.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from wargame.errors import InputError
from wargame.experiments._design import salib_problem
from wargame.experiments._results import SweepResults

__all__ = ["morris_indices", "point_means", "sobol_indices"]

_BOOTSTRAP_STREAM = 2


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
    rows: list[dict[str, Any]] = []
    for outcome in _outcomes(results, outcomes):
        response = point_means(results, outcome)
        if np.ptp(response) == 0:
            indices = {
                key: np.full(problem["num_vars"], np.nan) for key in ("S1", "S1_conf", "ST", "ST_conf")
            }
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                indices = sobol.analyze(
                    problem,
                    response,
                    calc_second_order=second_order,
                    num_resamples=num_resamples,
                    conf_level=confidence,
                    seed=_bootstrap_seed(results),
                )
        for index, name in enumerate(problem["names"]):
            s1, s1_half = float(indices["S1"][index]), float(indices["S1_conf"][index])
            st, st_half = float(indices["ST"][index]), float(indices["ST_conf"][index])
            rows.append(
                {
                    "outcome": outcome,
                    "parameter": name,
                    "S1": s1,
                    "S1_ci_low": s1 - s1_half,
                    "S1_ci_high": s1 + s1_half,
                    "ST": st,
                    "ST_ci_low": st - st_half,
                    "ST_ci_high": st + st_half,
                }
            )
    return pd.DataFrame(rows)


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
    rows: list[dict[str, Any]] = []
    for outcome in _outcomes(results, outcomes):
        response = point_means(results, outcome)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            indices = morris.analyze(
                problem,
                inputs,
                response,
                num_resamples=num_resamples,
                conf_level=confidence,
                num_levels=num_levels,
                seed=_bootstrap_seed(results),
            )
        for index, name in enumerate(problem["names"]):
            mu_star, half = float(indices["mu_star"][index]), float(indices["mu_star_conf"][index])
            rows.append(
                {
                    "outcome": outcome,
                    "parameter": name,
                    "mu": float(indices["mu"][index]),
                    "mu_star": mu_star,
                    "mu_star_ci_low": mu_star - half,
                    "mu_star_ci_high": mu_star + half,
                    "sigma": float(indices["sigma"][index]),
                }
            )
    return pd.DataFrame(rows)
