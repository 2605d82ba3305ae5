"""Calibration of gray-zone activities on observed daily counts.

For analysts: :func:`calibrate` fits a scenario's root activity to a daily count CSV and
:func:`write_calibration` writes the overlay scenario, ``fit.json`` and the plots (``wargame calibrate``
does both). The pieces underneath::

    from wargame.calibration import read_daily_counts, fit_process, simulate_counts, fit_table

    series = read_daily_counts("data/pla_aircraft_daily_2021_2024.csv", "pla_aircraft")
    window = series.window(datetime.date(2023, 1, 1), datetime.date(2024, 12, 31))
    fit = fit_process(window.counts)              # maximum likelihood, 95% intervals
    simulated = simulate_counts(fit.params, window.days, replications=200, seed=0)
    print(fit_table(window.counts, simulated).render())

``docs/calibration.md`` is the tutorial and gives the equations. Names are imported on first use, so
``wargame --help`` does not load SciPy.
"""

from typing import TYPE_CHECKING

from wargame._lazy import lazy_exports

if TYPE_CHECKING:
    from wargame.calibration._calibrate import MIN_OBSERVED_DAYS, Calibration, calibrate
    from wargame.calibration._data import MAX_FILE_BYTES, MAX_SPAN_DAYS, DailySeries, read_daily_counts
    from wargame.calibration._fit import PARAMETER_NAMES, ParameterEstimate, ProcessFit, fit_process
    from wargame.calibration._likelihood import (
        daily_log_likelihood,
        log_likelihood,
        poisson_lognormal_cdf,
        poisson_lognormal_logpmf,
        randomized_pit_residuals,
    )
    from wargame.calibration._outputs import render_report, write_calibration
    from wargame.calibration._process import ProcessParameters, conditional_means
    from wargame.calibration._simulate import simulate_counts, simulate_counts_for_keys
    from wargame.calibration._table import STATISTICS, FitTable, TableRow, fit_table, series_statistics

_HOMES = {
    "MAX_FILE_BYTES": "._data",
    "MAX_SPAN_DAYS": "._data",
    "MIN_OBSERVED_DAYS": "._calibrate",
    "PARAMETER_NAMES": "._fit",
    "STATISTICS": "._table",
    "Calibration": "._calibrate",
    "DailySeries": "._data",
    "FitTable": "._table",
    "ParameterEstimate": "._fit",
    "ProcessFit": "._fit",
    "ProcessParameters": "._process",
    "TableRow": "._table",
    "calibrate": "._calibrate",
    "conditional_means": "._process",
    "daily_log_likelihood": "._likelihood",
    "fit_process": "._fit",
    "fit_table": "._table",
    "log_likelihood": "._likelihood",
    "poisson_lognormal_cdf": "._likelihood",
    "poisson_lognormal_logpmf": "._likelihood",
    "randomized_pit_residuals": "._likelihood",
    "read_daily_counts": "._data",
    "render_report": "._outputs",
    "series_statistics": "._table",
    "simulate_counts": "._simulate",
    "simulate_counts_for_keys": "._simulate",
    "write_calibration": "._outputs",
}

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_SPAN_DAYS",
    "MIN_OBSERVED_DAYS",
    "PARAMETER_NAMES",
    "STATISTICS",
    "Calibration",
    "DailySeries",
    "FitTable",
    "ParameterEstimate",
    "ProcessFit",
    "ProcessParameters",
    "TableRow",
    "calibrate",
    "conditional_means",
    "daily_log_likelihood",
    "fit_process",
    "fit_table",
    "log_likelihood",
    "poisson_lognormal_cdf",
    "poisson_lognormal_logpmf",
    "randomized_pit_residuals",
    "read_daily_counts",
    "render_report",
    "series_statistics",
    "simulate_counts",
    "simulate_counts_for_keys",
    "write_calibration",
]

__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
