"""The fit table: statistics of the observed series beside their spread over simulated replications.

Every statistic is computed on the observed days only; the simulated replications are masked with the
same missing days, so both columns describe the same calendar.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["STATISTICS", "FitTable", "TableRow", "autocorrelation", "fit_table", "series_statistics"]

STATISTICS = (
    ("yearly_total", "yearly total (per 365 days)"),
    ("daily_mean", "daily mean"),
    ("variance_to_mean", "variance / mean"),
    ("p50", "p50 (median day)"),
    ("p90", "p90"),
    ("p99", "p99"),
    ("zero_share", "share of zero days"),
    ("lag1_autocorrelation", "lag-1 autocorrelation"),
    ("lag7_autocorrelation", "lag-7 autocorrelation"),
    ("days_at_3x_median", "days at >= 3x the median"),
    ("largest_day", "largest day"),
)
"""(key, label) of each statistic, in table order."""


def autocorrelation(series: np.ndarray, lag: int) -> np.ndarray:
    """Pearson correlation of ``(y_t, y_{t+lag})`` over the pairs where both days are observed."""
    left, right = series[:, :-lag], series[:, lag:]
    both = ~np.isnan(left) & ~np.isnan(right)
    pairs = both.sum(axis=1)
    left = np.where(both, left, 0.0)
    right = np.where(both, right, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        left_centred = np.where(both, left - (left.sum(axis=1) / pairs)[:, None], 0.0)
        right_centred = np.where(both, right - (right.sum(axis=1) / pairs)[:, None], 0.0)
        covariance = (left_centred * right_centred).sum(axis=1)
        scale = np.sqrt((left_centred**2).sum(axis=1) * (right_centred**2).sum(axis=1))
        return np.where(scale > 0, covariance / scale, np.nan)


def series_statistics(series: np.ndarray) -> dict[str, np.ndarray]:
    """Return each statistic of :data:`STATISTICS` for every row of ``series`` (``NaN`` = missing day).

    Args:
        series: ``(replications, days)`` or ``(days,)`` counts.

    Returns:
        Statistic key -> array with one value per row.
    """
    series = np.atleast_2d(np.asarray(series, dtype=np.float64))
    observed = ~np.isnan(series)
    days = observed.sum(axis=1)
    mean = np.nanmean(series, axis=1)
    median, p90, p99 = np.nanpercentile(series, [50, 90, 99], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance_to_mean = np.nanvar(series, axis=1, ddof=1) / mean
    return {
        "yearly_total": 365.0 * mean,
        "daily_mean": mean,
        "variance_to_mean": variance_to_mean,
        "p50": median,
        "p90": p90,
        "p99": p99,
        "zero_share": (series == 0).sum(axis=1) / days,
        "lag1_autocorrelation": autocorrelation(series, 1),
        "lag7_autocorrelation": autocorrelation(series, 7),
        "days_at_3x_median": (series >= 3.0 * median[:, None]).sum(axis=1).astype(np.float64),
        "largest_day": np.nanmax(series, axis=1),
    }


@dataclass(frozen=True)
class TableRow:
    """One statistic: its observed value and the median and 90% band over simulated replications."""

    key: str
    label: str
    observed: float
    simulated_median: float
    simulated_low: float
    simulated_high: float

    @property
    def inside_band(self) -> bool:
        return self.simulated_low <= self.observed <= self.simulated_high


@dataclass(frozen=True)
class FitTable:
    """The fit table of one series against ``replications`` simulated replications of its window."""

    rows: tuple[TableRow, ...]
    observed_days: int
    replications: int

    def row(self, key: str) -> TableRow:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def render(self) -> str:
        """The table as aligned text."""
        lines = [f"  {'statistic':<30}{'observed':>10}   simulated: median [90% band]"]
        for row in self.rows:
            shown = _percent if row.key == "zero_share" else _number
            lines.append(
                f"  {row.label:<30}{shown(row.observed):>10}   {shown(row.simulated_median)} "
                f"[{shown(row.simulated_low)}, {shown(row.simulated_high)}]"
            )
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "observed_days": self.observed_days,
            "replications": self.replications,
            "rows": [
                {
                    "statistic": row.key,
                    "label": row.label,
                    "observed": row.observed,
                    "simulated_median": row.simulated_median,
                    "simulated_5th_percentile": row.simulated_low,
                    "simulated_95th_percentile": row.simulated_high,
                }
                for row in self.rows
            ],
        }


def _number(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.3g}"


def _percent(value: float) -> str:
    return f"{100.0 * value:.1f}%" if np.isfinite(value) else "n/a"


def fit_table(observed: np.ndarray, simulated: np.ndarray) -> FitTable:
    """Compare an observed series with simulated replications of its window.

    Args:
        observed: ``(days,)`` counts, ``NaN`` on missing days.
        simulated: ``(replications, days)`` simulated counts; the observed series' missing days are masked.
    """
    observed = np.asarray(observed, dtype=np.float64)
    simulated = np.asarray(simulated, dtype=np.float64)
    if simulated.ndim != 2 or simulated.shape[1] != observed.shape[0]:
        raise ValueError(f"simulated series of shape {simulated.shape} do not match {observed.shape[0]} days")
    masked = np.where(np.isnan(observed)[None, :], np.nan, simulated)
    seen = series_statistics(observed)
    spread = series_statistics(masked)
    rows = []
    for key, label in STATISTICS:
        low, median, high = np.nanpercentile(spread[key], [5, 50, 95])
        rows.append(TableRow(key, label, float(seen[key][0]), float(median), float(low), float(high)))
    return FitTable(tuple(rows), int(np.count_nonzero(~np.isnan(observed))), int(simulated.shape[0]))
