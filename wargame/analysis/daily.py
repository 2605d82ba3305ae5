"""The simulated daily distribution of one per-day column, with an observed series drawn over it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

__all__ = ["daily_band", "plot_daily_band"]


def daily_band(timeseries: pd.DataFrame, column: str) -> pd.DataFrame:
    """Return the median and the 5th and 95th percentiles of ``column`` over runs, one row per day."""
    grouped = timeseries.groupby("day")[column]
    return pd.DataFrame(
        {"p05": grouped.quantile(0.05), "median": grouped.median(), "p95": grouped.quantile(0.95)}
    )


def plot_daily_band(
    timeseries: pd.DataFrame,
    column: str,
    path: Path,
    *,
    observed: pd.Series | None = None,
    title: str | None = None,
) -> Path:
    """Plot the simulated median and 90% band of ``column`` per day, and ``observed`` over it.

    Args:
        timeseries: One row per run and day (``timeseries.parquet``).
        column: The per-day column, e.g. ``incidents_pla_aircraft``.
        path: PNG file to write.
        observed: An observed daily series indexed by day number (0 = the first day), missing days NaN.
        title: Figure title (default: the column).
    """
    band = daily_band(timeseries, column)
    runs = timeseries["run"].nunique()
    figure = Figure(figsize=(9, 4.2), dpi=110)
    axes = figure.add_subplot()
    days = band.index.to_numpy()
    label = f"simulated 90% band ({runs} runs)"
    axes.fill_between(days, band["p05"], band["p95"], color="#9ecae1", alpha=0.6, label=label)
    axes.plot(days, band["median"], color="#08519c", linewidth=1.2, label="simulated median")
    if observed is not None:
        shown = observed[observed.index < days.size + 1]
        axes.plot(shown.index, shown.to_numpy(dtype=float), color="#d62728", linewidth=0.8, label="observed")
    axes.set_xlabel("day")
    axes.set_ylabel(column.replace("_", " "))
    axes.set_title(title or column)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", fontsize=8)
    axes.set_xlim(0, max(days.size - 1, 1))
    axes.set_ylim(bottom=0)
    figure.tight_layout()
    figure.savefig(path)
    return path
