"""Calibrating one activity of a scenario on a daily series: check the inputs, fit, simulate, compare.

:func:`calibrate` does the work and returns a :class:`Calibration`; ``_outputs.write_calibration`` writes
the overlay, ``fit.json`` and the plots.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from wargame.calibration._data import DailySeries, read_daily_counts
from wargame.calibration._fit import PARAMETER_NAMES, ProcessFit, fit_process
from wargame.calibration._likelihood import randomized_pit_residuals
from wargame.calibration._simulate import simulate_counts_for_keys
from wargame.calibration._table import FitTable, fit_table
from wargame.core.random_streams import run_keys_from_seed
from wargame.errors import InputError
from wargame.scenario import Scenario, load_scenario

__all__ = ["MIN_OBSERVED_DAYS", "Calibration", "calibrate"]

MIN_OBSERVED_DAYS = 60
"""Fewest observed days in a window that a fit is attempted on."""
MAX_REPLICATIONS = 10_000
_CHUNK = 25  # replications simulated per progress step (results do not depend on it)


@dataclass(frozen=True)
class Calibration:
    """The result of :func:`calibrate`.

    Attributes:
        scenario_path: The scenario file the activity belongs to.
        activity_id: The calibrated (root) activity.
        series: The observed window (``NaN`` on missing days).
        fit: The fit of the full process.
        fit_without_clustering: The fit with the branching ratio held at 0, for the AIC comparison.
        table: Observed statistics against the simulated replications.
        simulated: ``(replications, days)`` simulated counts of the window.
        residuals: Randomized PIT residuals of the observed days.
        seed: Root seed of the replications and the residuals.
        fixed: Parameters held at given values.
    """

    scenario_path: Path
    activity_id: str
    series: DailySeries
    fit: ProcessFit
    fit_without_clustering: ProcessFit
    table: FitTable
    simulated: np.ndarray
    residuals: np.ndarray
    seed: int
    fixed: Mapping[str, float] = field(default_factory=dict)

    @property
    def fitted_fields(self) -> dict[str, object]:
        """The activity's fields as the overlay writes them (4 significant digits)."""
        params = self.fit.params
        return {
            "base_rate_per_day": _round(params.base_rate_per_day),
            "overdispersion_sigma": _round(params.overdispersion_sigma),
            "clustering": {
                "branching_ratio": _round(params.branching_ratio),
                "decay_days": _round(params.decay_days),
            },
        }

    @property
    def second_moment_finite(self) -> bool:
        """Whether the fitted process has a finite variance: ``(e^{sigma^2} - 1) a^2 / (1 - rho^2) < 1``."""
        params = self.fit.params
        rho = params.phi + params.excitation_weight
        gain = params.excitation_weight**2 / (1.0 - rho * rho)
        return bool((np.expm1(params.overdispersion_sigma**2)) * gain < 1.0)


def _round(value: float) -> float:
    return float(f"{value:.4g}")


def _root_activity(scenario: Scenario, activity_id: str) -> None:
    known = [activity.id for activity in scenario.gray_zone.activities]
    if activity_id not in known:
        raise InputError(f"unknown activity {activity_id!r} (known: {', '.join(known)})", source="--activity")
    activity = scenario.gray_zone.activity(activity_id)
    if activity.subset_of is not None:
        root = scenario.gray_zone.root_of(activity)
        raise InputError(
            f"{activity_id!r} is a subset of {activity.subset_of!r}: it has no rate, shock or clustering "
            f"of its own; calibrate its root activity {root.id!r} (and set the share from the data)",
            source="--activity",
        )


def _progress(total: int, show: bool | None) -> tqdm:
    if show is None:
        show = sys.stderr.isatty()
    return tqdm(
        total=total, unit="replication", desc="simulating", disable=not show, leave=False, file=sys.stderr
    )


def calibrate(
    scenario_path: str | Path,
    data_path: str | Path,
    activity_id: str,
    *,
    column: str | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    fixed: Mapping[str, float] | None = None,
    seed: int = 0,
    replications: int = 200,
    allow_dirs: Sequence[str | Path] = (),
    progress: bool | None = False,
) -> Calibration:
    """Fit a root activity's daily process to an observed series and compare simulations with it.

    Args:
        scenario_path: The scenario file.
        data_path: A daily count CSV (``date`` and a count column).
        activity_id: The root activity to calibrate.
        column: The count column (default: ``activity_id``).
        first, last: The fitting window (default: the whole series).
        fixed: Parameters held at given values (names from ``PARAMETER_NAMES``).
        seed: Root seed of the simulated replications and of the residuals' randomization.
        replications: Simulated replications of the window for the fit table.
        allow_dirs: Folders besides the scenario's own that its ``extends:`` may come from.
        progress: Show a progress bar of the simulation on stderr (None: when stderr is a terminal).

    Raises:
        InputError: A bad scenario, activity, data file, window or held parameter, naming where.
    """
    if not 20 <= replications <= MAX_REPLICATIONS:
        raise InputError(
            f"must be between 20 and {MAX_REPLICATIONS:,}, got {replications}", source="--replications"
        )
    scenario_path = Path(scenario_path)
    scenario = load_scenario(scenario_path, allow_dirs=allow_dirs)
    _root_activity(scenario, activity_id)
    series = read_daily_counts(data_path, column or activity_id).window(first, last)
    if series.observed_days < MIN_OBSERVED_DAYS:
        raise InputError(
            f"the window {series.start}..{series.end} has {series.observed_days} observed days; a fit needs "
            f"at least {MIN_OBSERVED_DAYS}",
            source="--from" if first is not None or last is not None else str(data_path),
        )
    fixed = dict(fixed or {})
    fit = fit_process(series.counts, fixed)
    if fit.params.branching_ratio == 0.0 and "clustering.branching_ratio" in fixed:
        without = fit
    else:
        without = fit_process(
            series.counts,
            {k: v for k, v in fixed.items() if k != "clustering.decay_days"}
            | {"clustering.branching_ratio": 0.0},
        )
    keys = run_keys_from_seed(seed, replications)
    chunks = []
    with _progress(replications, progress) as bar:
        for start in range(0, replications, _CHUNK):
            chunks.append(simulate_counts_for_keys(fit.params, series.days, keys[start : start + _CHUNK]))
            bar.update(len(chunks[-1]))
    simulated = np.concatenate(chunks).astype(np.float64)
    residuals = randomized_pit_residuals(fit.params, series.counts, seed=seed)
    return Calibration(
        scenario_path=scenario_path,
        activity_id=activity_id,
        series=series,
        fit=fit,
        fit_without_clustering=without,
        table=fit_table(series.counts, simulated),
        simulated=simulated,
        residuals=residuals,
        seed=seed,
        fixed={name: fixed[name] for name in PARAMETER_NAMES if name in fixed},
    )
