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

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
