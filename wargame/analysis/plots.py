"""Plots of a batch of runs: rung fan chart, cumulative probability of war, incidents by type.

Figures are :class:`matplotlib.figure.Figure` objects saved straight to PNG: no pyplot state, no backend
switch, nothing changed in the caller's matplotlib settings.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from wargame.analysis.outcomes import outcome_bounds
from wargame.scenario import Scenario
from wargame.stats import mean_interval, proportion_intervals

__all__ = ["plot_run"]


def _rung_quantiles(runs_at_rung_by_day: np.ndarray, quantiles: list[float]) -> np.ndarray:
    """Quantiles of the rung across runs for each day, from the per-day tallies."""
    cumulative = np.cumsum(runs_at_rung_by_day, axis=0) / runs_at_rung_by_day.sum(axis=0, keepdims=True)
    return np.array([(cumulative < q).sum(axis=0) for q in quantiles])


def plot_run(
    scenario: Scenario, outcomes: pd.DataFrame, runs_at_rung_by_day: np.ndarray, out_dir: Path
) -> list[Path]:
    """Write the three PNG plots of a batch of runs to ``out_dir`` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {
        "rung_fan_chart.png": _rung_fan_chart(scenario, runs_at_rung_by_day, len(outcomes)),
        "cumulative_war_probability.png": _cumulative_war_probability(scenario, outcomes),
        "incidents_by_type.png": _incidents_by_type(scenario, outcomes),
    }
    written = []
    for name, figure in figures.items():
        figure.savefig(out_dir / name, dpi=110)
        written.append(out_dir / name)
    return written


def _rung_fan_chart(scenario: Scenario, runs_at_rung_by_day: np.ndarray, runs: int) -> Figure:
    days = np.arange(scenario.horizon_days)
    rung_names = [rung.name for rung in scenario.escalation.rungs]
    figure = Figure(figsize=(9, 4.8), layout="constrained")
    axes = figure.subplots()
    bands = _rung_quantiles(runs_at_rung_by_day, [0.05, 0.25, 0.5, 0.75, 0.95])
    axes.fill_between(
        days, bands[0], bands[4], step="post", alpha=0.2, color="tab:red", label="5-95% of runs"
    )
    axes.fill_between(
        days, bands[1], bands[3], step="post", alpha=0.35, color="tab:red", label="25-75% of runs"
    )
    axes.step(days, bands[2], where="post", color="tab:red", label="median")
    mean_rung = (runs_at_rung_by_day * np.arange(len(rung_names))[:, None]).sum(axis=0) / runs
    axes.plot(days, mean_rung, color="black", linestyle="--", linewidth=1, label="mean")
    axes.set_yticks(range(len(rung_names)), rung_names)
    axes.set_xlabel("day")
    axes.set_ylabel("escalation rung")
    axes.set_title(f"{scenario.name}: escalation rung over time ({runs} runs)")
    axes.legend(loc="upper left", fontsize="small")
    return figure


def _cumulative_war_probability(scenario: Scenario, outcomes: pd.DataFrame) -> Figure:
    days = np.arange(scenario.horizon_days)
    runs = len(outcomes)
    figure = Figure(figsize=(8, 4.5), layout="constrained")
    axes = figure.subplots()
    war_days = outcomes.loc[outcomes["war"].astype(bool), "war_day"].to_numpy(dtype=np.int64)
    started_by_day = np.cumsum(
        np.bincount(war_days, minlength=scenario.horizon_days)[: scenario.horizon_days]
    )
    low, high = proportion_intervals(started_by_day, runs)
    axes.fill_between(days, low, high, alpha=0.3, label="95% CI (Clopper-Pearson)")
    axes.plot(days, started_by_day / runs, label="P(war by day)")
    axes.set_xlabel("day")
    axes.set_ylabel("cumulative probability of war")
    axes.set_title(f"{scenario.name}: cumulative probability of war")
    axes.legend(loc="upper left")
    return figure


def _incidents_by_type(scenario: Scenario, outcomes: pd.DataFrame) -> Figure:
    figure = Figure(figsize=(8, 4.5), layout="constrained")
    axes = figure.subplots()
    activities = scenario.gray_zone.activities
    bounds = outcome_bounds(scenario)
    columns = [f"incidents_{activity.id}" for activity in activities]
    estimates = [mean_interval(outcomes[column], bounds=bounds.get(column)) for column in columns]
    values = np.array([e.value for e in estimates])
    errors = np.nan_to_num(
        np.array([[e.value - e.low for e in estimates], [e.high - e.value for e in estimates]])
    )
    axes.barh([a.name for a in activities], values, xerr=errors, color="tab:blue")
    axes.set_xscale("log")
    axes.set_xlabel("incidents per run over the horizon (log scale; bars: 95% CI)")
    axes.set_title(f"{scenario.name}: gray-zone incidents by type")
    return figure
