"""Per-design-point estimates: the rate of every yes/no outcome and the mean of every numeric one, with CIs.

Rates (boolean outcomes such as ``war``) get Wilson score intervals, which stay inside [0, 1] and behave
at rates near 0 and 1 and for few runs. Means get Student-t intervals. Missing values (``NaN``, e.g. the
day of war in a run without war) are left out of a mean and counted in ``n_missing``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["outcome_kind", "summarize_groups", "t_interval", "wilson_interval"]


def wilson_interval(
    successes: np.ndarray, trials: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Return the Wilson score interval ``(low, high)`` of a binomial proportion, elementwise.

    ``NaN`` where ``trials`` is 0.
    """
    successes = np.asarray(successes, dtype=float)
    trials = np.asarray(trials, dtype=float)
    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = successes / trials
        denominator = 1 + z**2 / trials
        centre = (rate + z**2 / (2 * trials)) / denominator
        half_width = z * np.sqrt(rate * (1 - rate) / trials + z**2 / (4 * trials**2)) / denominator
    low = np.where(successes == 0, 0.0, np.clip(centre - half_width, 0.0, 1.0))
    high = np.where(successes == trials, 1.0, np.clip(centre + half_width, 0.0, 1.0))
    nan = trials == 0
    return np.where(nan, np.nan, low), np.where(nan, np.nan, high)


def t_interval(
    mean: np.ndarray, std: np.ndarray, count: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Return the Student-t interval ``(low, high)`` of a mean from sample std and count, elementwise.

    ``NaN`` where ``count`` is below 2.
    """
    count = np.asarray(count, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.5 + confidence / 2, np.where(count > 1, count - 1, np.nan))
        half_width = t * np.asarray(std, dtype=float) / np.sqrt(count)
    return np.asarray(mean) - half_width, np.asarray(mean) + half_width


def outcome_kind(column: pd.Series) -> str:
    """Return ``"rate"`` for a boolean outcome and ``"mean"`` for a numeric one.

    Raises:
        TypeError: For a column that is neither.
    """
    if pd.api.types.is_bool_dtype(column):
        return "rate"
    if pd.api.types.is_numeric_dtype(column):
        return "mean"
    raise TypeError(f"outcome {column.name!r} is neither boolean nor numeric ({column.dtype})")


def summarize_groups(
    runs: pd.DataFrame,
    by: Sequence[str],
    outcomes: Sequence[str],
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Estimate every outcome per group of runs, with a confidence interval.

    Args:
        runs: One row per run.
        by: Columns that define the groups, e.g. ``["point"]`` or a parameter path.
        outcomes: Boolean or numeric outcome columns.
        confidence: Confidence level of the intervals.

    Returns:
        A long table, one row per group and outcome: the ``by`` columns, ``outcome``, ``statistic``
        (``rate`` or ``mean``), ``estimate``, ``ci_low``, ``ci_high``, ``n`` (runs with a value) and
        ``n_missing``.
    """
    tables: list[pd.DataFrame] = []
    keys = [runs[name] for name in by]
    for outcome in outcomes:
        kind = outcome_kind(runs[outcome])
        column = runs[outcome].astype(float).groupby(keys, sort=True)
        count = column.count()
        size = column.size()
        estimate = column.mean()
        if kind == "rate":
            low, high = wilson_interval(column.sum().to_numpy(), count.to_numpy(), confidence)
        else:
            low, high = t_interval(
                estimate.to_numpy(), column.std(ddof=1).to_numpy(), count.to_numpy(), confidence
            )
        table = pd.DataFrame(
            {
                "outcome": outcome,
                "statistic": kind,
                "estimate": estimate.to_numpy(dtype=float),
                "ci_low": low,
                "ci_high": high,
                "n": count.to_numpy(dtype=np.int64),
                "n_missing": (size - count).to_numpy(dtype=np.int64),
            },
            index=estimate.index,
        )
        tables.append(table.reset_index())
    if not tables:
        return pd.DataFrame(
            columns=[*by, "outcome", "statistic", "estimate", "ci_low", "ci_high", "n", "n_missing"]
        )
    return pd.concat(tables, ignore_index=True)
