"""Diagnostic plots of a fit (matplotlib's object API only: no pyplot, no global state).

- ``daily_distribution.png``: the share of days with at least k incidents, observed against the simulated
  median and 90% band (log scale, so the surges in the tail show).
- ``autocorrelation.png``: autocorrelation by lag, observed against the simulated band.
- ``pit_qq.png``: quantiles of the randomized PIT residuals against the standard normal's.
- ``daily_series.png``: the observed days over the window with the one-step predictive mean and 90% band.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from scipy import special

from wargame.calibration._likelihood import poisson_lognormal_cdf
from wargame.calibration._process import ProcessParameters, conditional_means
from wargame.calibration._table import autocorrelation

__all__ = ["PLOT_FILES", "write_plots"]

PLOT_FILES = ("daily_distribution.png", "autocorrelation.png", "pit_qq.png", "daily_series.png")
_OBSERVED, _SIMULATED = "#1f3b73", "#e07b39"
_MAX_LAG = 30


def _survival(series: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Share of each row's observed days with a count of at least each level, ``(rows, levels)``."""
    observed = ~np.isnan(series)
    filled = np.where(observed, series, -1.0)
    at_least = (filled[:, :, None] >= levels[None, None, :]).sum(axis=1)
    return at_least / observed.sum(axis=1)[:, None]


def _distribution(observed: np.ndarray, simulated: np.ndarray, title: str) -> Figure:
    top = int(max(np.nanmax(observed), np.nanpercentile(np.nanmax(simulated, axis=1), 95)))
    levels = np.arange(0, top + 2, dtype=np.float64)
    seen = _survival(observed[None, :], levels)[0]
    spread = _survival(simulated, levels)
    low, median, high = np.percentile(spread, [5, 50, 95], axis=0)
    figure = Figure(figsize=(7.0, 4.5), layout="constrained")
    axes = figure.add_subplot()
    axes.fill_between(
        levels, low, high, step="post", color=_SIMULATED, alpha=0.25, label="simulated 90% band"
    )
    axes.step(levels, median, where="post", color=_SIMULATED, label="simulated median")
    axes.step(levels, seen, where="post", color=_OBSERVED, linewidth=1.8, label="observed")
    axes.set_yscale("log")
    observed_days = int(np.count_nonzero(~np.isnan(observed)))
    axes.set_ylim(bottom=0.5 / max(observed_days, 1))
    axes.set_xlabel("incidents in a day, k")
    axes.set_ylabel("share of days with at least k")
    axes.set_title(title)
    axes.legend()
    return figure


def _autocorrelations(observed: np.ndarray, simulated: np.ndarray, title: str) -> Figure:
    lags = np.arange(1, _MAX_LAG + 1)
    seen = np.array([autocorrelation(observed[None, :], int(lag))[0] for lag in lags])
    spread = np.array([autocorrelation(simulated, int(lag)) for lag in lags])  # (lags, replications)
    low, median, high = np.nanpercentile(spread, [5, 50, 95], axis=1)
    figure = Figure(figsize=(7.0, 4.0), layout="constrained")
    axes = figure.add_subplot()
    axes.fill_between(lags, low, high, color=_SIMULATED, alpha=0.25, label="simulated 90% band")
    axes.plot(lags, median, color=_SIMULATED, label="simulated median")
    axes.plot(lags, seen, "o-", color=_OBSERVED, markersize=4, label="observed")
    axes.axhline(0.0, color="grey", linewidth=0.8)
    axes.set_xlabel("lag, days")
    axes.set_ylabel("autocorrelation")
    axes.set_title(title)
    axes.legend()
    return figure


def _pit_qq(residuals: np.ndarray, title: str) -> Figure:
    ordered = np.sort(residuals)
    size = ordered.size
    expected = special.ndtri((np.arange(1, size + 1) - 0.5) / size)
    figure = Figure(figsize=(5.0, 5.0), layout="constrained")
    axes = figure.add_subplot()
    axes.plot(expected, ordered, ".", color=_OBSERVED, markersize=3, label="observed days")
    limit = float(max(np.abs(expected).max(), np.abs(ordered).max())) + 0.2
    axes.plot([-limit, limit], [-limit, limit], color="grey", linewidth=0.8, label="a perfect fit")
    lag1 = np.corrcoef(residuals[:-1], residuals[1:])[0, 1] if size > 2 else np.nan
    axes.set_xlabel("standard normal quantile")
    axes.set_ylabel("randomized PIT residual")
    axes.set_title(
        f"{title}\nresidual mean {residuals.mean():.2f}, sd {residuals.std():.2f}, lag-1 r {lag1:.2f}"
    )
    axes.legend(loc="upper left")
    return figure


def _predictive_quantile(means: np.ndarray, sigma: float, level: float, top: int) -> np.ndarray:
    """The smallest k in 0..top with ``P(N <= k) >= level``, per day (bisection on the predictive CDF)."""
    low = np.zeros(means.shape)
    high = np.full(means.shape, float(top))
    while np.any(low < high):
        middle = np.floor((low + high) / 2.0)
        reached = poisson_lognormal_cdf(middle, means, sigma) >= level
        high = np.where(reached, middle, high)
        low = np.where(reached, low, np.minimum(middle + 1.0, high))
    return low


def _series(observed: np.ndarray, params: ProcessParameters, dates: np.ndarray, title: str) -> Figure:
    means = conditional_means(params, observed)
    top = int(max(np.nanmax(observed), 1) * 3)
    low = _predictive_quantile(means, params.overdispersion_sigma, 0.05, top)
    high = _predictive_quantile(means, params.overdispersion_sigma, 0.95, top)
    figure = Figure(figsize=(10.0, 4.0), layout="constrained")
    axes = figure.add_subplot()
    axes.fill_between(dates, low, high, step="mid", color=_SIMULATED, alpha=0.25, label="one-step 90% band")
    axes.plot(dates, means, color=_SIMULATED, linewidth=0.8, label="one-step mean (lambda_t)")
    axes.plot(dates, observed, ".", color=_OBSERVED, markersize=3, label="observed")
    missing = np.isnan(observed)
    if missing.any():
        axes.plot(
            dates[missing], np.zeros(missing.sum()), "|", color="red", markersize=8, label="missing day"
        )
    axes.set_ylabel("incidents a day")
    axes.set_title(title)
    axes.legend(loc="upper left")
    return figure


def write_plots(
    folder: Path,
    observed: np.ndarray,
    simulated: np.ndarray,
    residuals: np.ndarray,
    params: ProcessParameters,
    dates: np.ndarray,
    label: str,
) -> list[Path]:
    """Write the four diagnostic plots into ``folder`` and return their paths.

    Args:
        folder: Where to write.
        observed: The window's counts, ``NaN`` on missing days.
        simulated: ``(replications, days)`` simulated counts of the window, missing days masked as observed.
        residuals: Randomized PIT residuals of the observed days.
        params: The fitted process.
        dates: The window's dates (``datetime64[D]``).
        label: What was fitted, for the titles.
    """
    masked = np.where(np.isnan(observed)[None, :], np.nan, simulated)
    figures = {
        "daily_distribution.png": _distribution(observed, masked, f"{label}: daily distribution"),
        "autocorrelation.png": _autocorrelations(observed, masked, f"{label}: autocorrelation"),
        "pit_qq.png": _pit_qq(residuals, f"{label}: randomized PIT residuals"),
        "daily_series.png": _series(observed, params, dates, f"{label}: observed days and one-step forecast"),
    }
    paths = []
    for name, figure in figures.items():
        path = folder / name
        figure.savefig(path, dpi=110)
        paths.append(path)
    return paths
