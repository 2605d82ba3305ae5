"""What a calibration writes and prints: the overlay scenario, ``fit.json``, the plots and the report.

Everything is written into a fresh sibling folder of the output folder, checked (the overlay must load and
carry the fitted values), then moved into place, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import yaml

from wargame.calibration._calibrate import Calibration
from wargame.calibration._fit import ParameterEstimate
from wargame.calibration._plots import PLOT_FILES, write_plots
from wargame.errors import InputError

__all__ = ["OVERLAY_FILE", "RESULT_FILE", "render_report", "write_calibration"]

OVERLAY_FILE = "calibrated.yaml"
RESULT_FILE = "fit.json"
INTERVAL_METHOD = "Wald 95% on log / logit(n/0.95) scales from the observed information, mapped back"


def _window(calibration: Calibration) -> str:
    return f"{calibration.series.start}..{calibration.series.end}"


def _source(calibration: Calibration, command: str) -> str:
    series = calibration.series
    intervals = "; ".join(
        f"{e.name} {e.low:.3g}-{e.high:.3g}" for e in calibration.fit.estimates if e.low is not None
    )
    text = (
        f"fitted by maximum likelihood to {series.source} (sha256 {series.sha256[:12]}), "
        f"{_window(calibration)}, {series.observed_days} observed days (missing days not counted as zero); "
        f"95% intervals: {intervals}; command: {command}"
    )
    return text if len(text) <= 1000 else text[:997] + "..."


def overlay_text(calibration: Calibration, extends: str, command: str) -> str:
    """The overlay scenario: ``extends:`` the calibrated scenario and sets the activity's fitted fields."""
    activity: dict[str, object] = {"id": calibration.activity_id, **calibration.fitted_fields}
    activity["source"] = _source(calibration, command)
    document = {"extends": extends, "gray_zone": {"activities": [activity]}}
    header = (
        f"# {calibration.activity_id} calibrated on {calibration.series.source}, {_window(calibration)}.\n"
        f"# Written by: {command}\n"
        "# Intervals, fit table and log-likelihoods: fit.json beside this file; method: docs/calibration.md\n"
    )
    return header + yaml.safe_dump(document, sort_keys=False, width=100, allow_unicode=False)


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


def result_document(calibration: Calibration, command: str) -> dict[str, object]:
    """The contents of ``fit.json``."""
    series, fit, without = calibration.series, calibration.fit, calibration.fit_without_clustering

    def estimates(of: object) -> dict[str, object]:
        return {
            e.name: {
                "value": e.value,
                "low": _finite(e.low),
                "high": _finite(e.high),
                "fixed": e.fixed,
                "at_bound": e.at_bound,
            }
            for e in of.estimates  # type: ignore[attr-defined]
        }

    residuals = calibration.residuals
    centred = residuals - residuals.mean()
    return {
        "activity": calibration.activity_id,
        "scenario": str(calibration.scenario_path),
        "command": command,
        "data": {
            "file": series.source,
            "sha256": series.sha256,
            "column": series.column,
            "from": str(series.start),
            "to": str(series.end),
            "days": series.days,
            "observed_days": series.observed_days,
            "missing_days": series.days - series.observed_days,
            "missing_days_are": "missing (no term in the likelihood; the excitation is fed lambda_t)",
        },
        "fitted_fields": calibration.fitted_fields,
        "parameters": estimates(fit),
        "held_fixed": dict(calibration.fixed),
        "interval_method": INTERVAL_METHOD,
        "converged": fit.converged,
        "finite_variance": calibration.second_moment_finite,
        "log_likelihood": fit.log_likelihood,
        "aic": fit.aic,
        "without_clustering": {
            "parameters": estimates(without),
            "log_likelihood": without.log_likelihood,
            "aic": without.aic,
        },
        "aic_gain_of_clustering": without.aic - fit.aic,
        "fit_table": calibration.table.as_dict(),
        "seed": calibration.seed,
        "pit_residuals": {
            "mean": float(residuals.mean()),
            "sd": float(residuals.std(ddof=1)),
            "lag1_autocorrelation": float((centred[:-1] * centred[1:]).sum() / (centred**2).sum()),
        },
    }


def _interval(estimate: ParameterEstimate) -> str:
    if estimate.fixed:
        return "held"
    if estimate.at_bound:
        return "at the edge of its range: no interval"
    if estimate.low is None or estimate.high is None:
        return "no interval"
    return f"[{estimate.low:.4g}, {estimate.high:.4g}]"


def render_report(calibration: Calibration) -> str:
    """The text ``wargame calibrate`` prints: the window, the fitted values, the AIC and the fit table."""
    series, fit, without = calibration.series, calibration.fit, calibration.fit_without_clustering
    missing = series.days - series.observed_days
    lines = [
        f"{calibration.activity_id} of {calibration.scenario_path} fitted to {series.source}",
        f"window {_window(calibration)}: {series.days} days, {series.observed_days} observed, "
        f"{missing} missing (missing days add no term; they are not zeros)",
        "",
        f"  {'parameter':<30}{'fitted':>10}   95% interval",
    ]
    for estimate in fit.estimates:
        lines.append(f"  {estimate.name:<30}{estimate.value:>10.4g}   {_interval(estimate)}")
    lines.append(f"  intervals: {INTERVAL_METHOD}")
    if fit.covariance is None and fit.free:
        lines.append("  (no intervals: the observed information is not positive definite)")
    if any(estimate.at_bound for estimate in fit.estimates):
        lines += [
            "  a parameter at the edge of its range: the window is not a stationary series of this process",
            "  (a trend reads as extreme clustering); try another window, or hold the parameter with --fix",
        ]
    if not calibration.second_moment_finite:
        lines.append(
            "  warning: the fitted process has an infinite variance (sigma and clustering both large)"
        )
    gain = without.aic - fit.aic
    change = "lowers" if gain > 0 else "raises"
    if fit is without:
        comparison = [f"  log-likelihood {fit.log_likelihood:.1f}; AIC {fit.aic:.1f} (clustering held at 0)"]
    else:
        comparison = [
            f"  log-likelihood {fit.log_likelihood:.1f}; AIC {fit.aic:.1f} with clustering, "
            f"{without.aic:.1f} without (branching ratio 0):",
            f"  clustering {change} the AIC by {abs(gain):.1f}",
        ]
    lines += [
        "",
        *comparison,
        "",
        f"  fit table: observed against {calibration.table.replications} simulated replications of the "
        "window (missing days masked alike)",
        calibration.table.render(),
    ]
    return "\n".join(lines)


def write_calibration(
    calibration: Calibration, out_dir: str | Path, command: str, allow_dirs: tuple[Path, ...] = ()
) -> list[Path]:
    """Write ``calibrated.yaml``, ``fit.json`` and the plots into ``out_dir``; return the written paths.

    Raises:
        InputError: ``out_dir`` exists and is not a folder.
    """
    from wargame.scenario import load_scenario

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("exists and is not a folder", source="--out")
    parent = out_dir.absolute().parent
    # The first folder of the path that does not exist yet: removed again if writing fails.
    created = next((folder for folder in [*reversed(parent.parents), parent] if not folder.exists()), None)
    parent.mkdir(parents=True, exist_ok=True)
    extends = os.path.relpath(calibration.scenario_path.absolute(), out_dir.absolute())
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=parent))
    try:
        staging.chmod(0o755)  # mkdtemp's 0700 would stay on the folder once it is renamed into place
        (staging / OVERLAY_FILE).write_text(overlay_text(calibration, extends, command), encoding="utf-8")
        document = json.dumps(result_document(calibration, command), indent=2, allow_nan=False)
        (staging / RESULT_FILE).write_text(document + "\n", encoding="utf-8")
        write_plots(
            staging,
            calibration.series.counts,
            calibration.simulated,
            calibration.residuals,
            calibration.fit.params,
            calibration.series.dates(),
            calibration.activity_id,
        )
        # The overlay must load (from the final folder's place) and carry the fitted values.
        scenario_dir = calibration.scenario_path.absolute().parent
        loaded = load_scenario(staging / OVERLAY_FILE, allow_dirs=(scenario_dir, *allow_dirs))
        activity = loaded.gray_zone.activity(calibration.activity_id)
        if activity.base_rate_per_day != calibration.fitted_fields["base_rate_per_day"]:
            raise RuntimeError(f"{OVERLAY_FILE} did not set {calibration.activity_id}'s fitted values")
        names = [OVERLAY_FILE, RESULT_FILE, *PLOT_FILES]
        if not out_dir.exists():
            os.replace(staging, out_dir)
        else:
            for name in names:
                os.replace(staging / name, out_dir / name)
        return [out_dir / name for name in names]
    except BaseException:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
