"""Per-design-point estimates: the rate of every yes/no outcome and the mean of every numeric one, with CIs.

The intervals are :mod:`wargame.stats`', computed per group: rates (boolean outcomes such as ``war``) get
Clopper-Pearson intervals, which stay inside [0, 1] and keep their coverage at rates near 0 and 1 and for
few runs; means get Student-t intervals, clipped to the outcome's possible range when it is known (a rung
index, a share). Missing values (``NaN``, e.g. the day of war in a run without war) are left out of a
mean and counted in ``n_missing``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from wargame.stats import Estimate, mean_interval, proportion_interval

__all__ = ["estimate_of", "outcome_kind", "summarize_groups"]

_COLUMNS = ["outcome", "statistic", "estimate", "ci_low", "ci_high", "n", "n_missing"]


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


def estimate_of(
    values: np.ndarray, kind: str, confidence: float = 0.95, bounds: tuple[float, float] | None = None
) -> Estimate:
    """Return the rate (Clopper-Pearson interval) or the mean (Student-t interval) of one group's values.

    Args:
        values: The group's values as floats; ``NaN`` marks a missing value.
        kind: ``"rate"`` or ``"mean"``, as :func:`outcome_kind` says.
        confidence: Confidence level of the interval.
        bounds: The outcome's possible range, which a mean's interval is clipped to.
    """
    present = values[~np.isnan(values)]
    if kind == "rate":
        return proportion_interval(int(present.sum()), present.size, confidence)
    return mean_interval(present, confidence, bounds)


def summarize_groups(
    runs: pd.DataFrame,
    by: Sequence[str],
    outcomes: Sequence[str],
    *,
    confidence: float = 0.95,
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """Estimate every outcome per group of runs, with a confidence interval.

    Args:
        runs: One row per run.
        by: Columns that define the groups, e.g. ``["point"]`` or a parameter path.
        outcomes: Boolean or numeric outcome columns.
        confidence: Confidence level of the intervals.
        bounds: Per outcome, its possible range (intervals of means are clipped to it).

    Returns:
        A long table, one row per group and outcome: the ``by`` columns, ``outcome``, ``statistic``
        (``rate`` or ``mean``), ``estimate``, ``ci_low``, ``ci_high``, ``n`` (runs with a value) and
        ``n_missing``.
    """
    records: list[tuple] = []
    keys = [runs[name] for name in by]
    for outcome in outcomes:
        kind = outcome_kind(runs[outcome])
        for key, group in runs[outcome].astype(float).groupby(keys, sort=True):
            values = group.to_numpy()
            estimate = estimate_of(values, kind, confidence, (bounds or {}).get(outcome))
            present = int(np.count_nonzero(~np.isnan(values)))
            records.append(
                (
                    *key,
                    outcome,
                    kind,
                    estimate.value,
                    estimate.low,
                    estimate.high,
                    present,
                    values.size - present,
                )
            )
    table = pd.DataFrame.from_records(records, columns=[*by, *_COLUMNS])
    for name in by:
        table[name] = table[name].astype(runs[name].dtype)
    return table.astype(
        {"estimate": float, "ci_low": float, "ci_high": float, "n": np.int64, "n_missing": np.int64}
    )
