"""Plots of a sweep (PNG): response curves, heat maps, sensitivity bars, scenario discovery.

Every function writes one PNG and returns its path. Axes carry labels with units; bands and error bars
are 95% confidence intervals. Figures are :class:`matplotlib.figure.Figure` objects saved straight to
file: no pyplot state, no backend switch, nothing changed in the caller's matplotlib settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from wargame.experiments._discovery import PrimBox
from wargame.experiments._labels import outcome_label, outcome_title, parameter_label, short_label
from wargame.experiments._results import SweepResults
from wargame.experiments._summary import outcome_kind, summarize_groups

__all__ = [
    "binned",
    "plot_discovery",
    "plot_heatmap",
    "plot_indices",
    "plot_response_curves",
]

_MAX_DISTINCT_LEVELS = 12
_BINS = 8
_DPI = 120


def binned(values: pd.Series, bins: int = _BINS) -> pd.Series:
    """Return ``values`` unchanged if it has few distinct values, else the mean value of its quantile bin."""
    if values.nunique() <= _MAX_DISTINCT_LEVELS or not pd.api.types.is_numeric_dtype(values):
        return values
    codes = pd.qcut(values, q=bins, labels=False, duplicates="drop")
    return values.groupby(codes).transform("mean")


def _labels(results: SweepResults) -> dict[str, str]:
    return {p.path: parameter_label(p.path, p.label) for p in results.parameters}


def _save(figure: Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=_DPI, bbox_inches="tight")
    return path


def plot_response_curves(
    results: SweepResults, outcome: str, path: str | Path, parameters: Sequence[str] | None = None
) -> Path:
    """Plot the outcome against each parameter, pooled over the others, with a 95% CI band.

    Continuous parameters are grouped into quantile bins. One panel per parameter.
    """
    names = list(parameters) if parameters is not None else results.parameter_names
    labels = _labels(results)
    statistic = outcome_kind(results.runs[outcome])
    columns = min(3, len(names))
    rows = -(-len(names) // columns)
    figure = Figure(figsize=(4.2 * columns, 3.4 * rows))
    axes = figure.subplots(rows, columns, squeeze=False, sharey=True)
    for axis, name in zip(axes.flat, names, strict=False):
        runs = pd.DataFrame({name: binned(results.runs[name]), outcome: results.runs[outcome]})
        table = summarize_groups(runs, [name], [outcome], bounds=results.outcome_bounds).sort_values(name)
        x = table[name].to_numpy(dtype=float)
        axis.fill_between(x, table["ci_low"], table["ci_high"], alpha=0.25, label="95% CI")
        axis.plot(x, table["estimate"], marker="o", markersize=3.5, label="estimate")
        axis.set_xlabel(labels.get(name, name))
        axis.grid(alpha=0.3)
    for axis in axes[:, 0]:
        axis.set_ylabel(outcome_label(outcome, statistic))
    for axis in list(axes.flat)[len(names) :]:
        axis.set_visible(False)
    axes.flat[0].legend(loc="best", fontsize="small")
    figure.suptitle(f"{outcome}: response to each parameter (others pooled)")
    figure.tight_layout()
    return _save(figure, path)


def plot_heatmap(
    results: SweepResults, outcome: str, x_parameter: str, y_parameter: str, path: str | Path
) -> Path:
    """Plot the outcome over two parameters, pooled over any others, as an annotated heat map."""
    labels = _labels(results)
    statistic = outcome_kind(results.runs[outcome])
    runs = pd.DataFrame(
        {
            x_parameter: binned(results.runs[x_parameter]),
            y_parameter: binned(results.runs[y_parameter]),
            outcome: results.runs[outcome],
        }
    )
    table = summarize_groups(runs, [y_parameter, x_parameter], [outcome], bounds=results.outcome_bounds)
    grid = table.pivot(index=y_parameter, columns=x_parameter, values="estimate").sort_index()
    grid = grid.reindex(sorted(grid.columns), axis=1)
    figure = Figure(figsize=(1.0 + 0.75 * max(5, grid.shape[1]), 1.5 + 0.55 * max(5, grid.shape[0])))
    axis = figure.subplots()
    image = axis.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
    axis.set_xticks(range(grid.shape[1]), [f"{value:.3g}" for value in grid.columns], rotation=45)
    axis.set_yticks(range(grid.shape[0]), [f"{value:.3g}" for value in grid.index])
    axis.set_xlabel(labels.get(x_parameter, x_parameter))
    axis.set_ylabel(labels.get(y_parameter, y_parameter))
    if grid.size <= 150:
        values = grid.to_numpy(dtype=float)
        middle = np.nanmean(values)
        for (row, column), value in np.ndenumerate(values):
            if np.isfinite(value):
                colour = "black" if value > middle else "white"
                text = f"{value:.2f}" if statistic == "rate" else f"{value:.3g}"
                axis.text(column, row, text, ha="center", va="center", fontsize=7, color=colour)
    figure.colorbar(image, ax=axis, label=outcome_label(outcome, statistic))
    pooled = ", other parameters pooled" if len(results.parameter_names) > 2 else " per design point"
    axis.set_title(f"{outcome_title(outcome, statistic)}{pooled}")
    figure.tight_layout()
    return _save(figure, path)


@dataclass(frozen=True)
class _IndexChart:
    """How a sensitivity method's indices are drawn: two bars a parameter, ``(column, legend, has CI)``."""

    order_by: str
    bars: tuple[tuple[str, str, bool], tuple[str, str, bool]]
    xlabel: str
    title: str


_INDEX_CHARTS = {
    "sobol": _IndexChart(
        order_by="ST",
        bars=(("S1", "first order S1", True), ("ST", "total order ST", True)),
        xlabel="Sobol index (share of output variance)",
        title="Sobol sensitivity of {outcome} (95% bootstrap CI)",
    ),
    "morris": _IndexChart(
        order_by="mu_star",
        bars=(
            ("mu_star", "mu* (mean |effect|)", True),
            ("sigma", "sigma (interaction / non-linearity)", False),
        ),
        xlabel="elementary effect on {outcome} (outcome units per parameter unit)",
        title="Morris screening of {outcome} (95% bootstrap CI on mu*)",
    ),
}


def plot_indices(
    method: Literal["sobol", "morris"],
    indices: pd.DataFrame,
    outcome: str,
    path: str | Path,
    labels: dict[str, str] | None = None,
    note: str | None = None,
) -> Path:
    """Bar chart of one outcome's sensitivity indices, the most influential parameter first.

    Sobol: first- and total-order indices with 95% CIs, largest ``ST`` first. Morris: ``mu*`` (with 95%
    CI) and ``sigma``, largest ``mu*`` first. ``note``, if given, is printed in red under the title (e.g.
    a sampling-noise warning).
    """
    chart = _INDEX_CHARTS[method]
    table = indices[indices["outcome"] == outcome].sort_values(chart.order_by, ascending=True)
    positions = np.arange(len(table))
    height = 0.38
    figure = Figure(figsize=(7.5, 1.2 + 0.45 * len(table)))
    axis = figure.subplots()
    for offset, (key, legend, with_ci), colour in zip(
        (-height / 2, height / 2), chart.bars, ("tab:blue", "tab:orange"), strict=True
    ):
        estimate = table[key].to_numpy()
        errors = None
        if with_ci:
            errors = np.vstack([estimate - table[f"{key}_ci_low"], table[f"{key}_ci_high"] - estimate])
        axis.barh(positions + offset, estimate, height, xerr=errors, color=colour, capsize=2.5, label=legend)
    axis.set_yticks(positions, [short_label((labels or {}).get(name, name)) for name in table["parameter"]])
    axis.set_xlabel(chart.xlabel.format(outcome=outcome))
    axis.axvline(0.0, color="black", linewidth=0.6)
    axis.legend(loc="lower right")
    title = chart.title.format(outcome=outcome)
    axis.set_title(title if note is None else f"{title}\n", loc="center")
    if note is not None:
        axis.text(
            0.5, 1.01, note, transform=axis.transAxes, ha="center", va="bottom", color="red", fontsize=9
        )
    axis.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    return _save(figure, path)


def plot_discovery(results: SweepResults, box: PrimBox, path: str | Path) -> Path:
    """Scenario discovery: design points on the two most restricted parameters, coloured by the outcome,
    with the PRIM box; beside it the peeling trajectory (coverage against density)."""
    labels = _labels(results)
    names = (box.restricted + [n for n in results.parameter_names if n not in box.restricted])[:2]
    means = results.point_means(box.outcome)
    design = results.design.loc[means.index]
    statistic = outcome_kind(results.runs[box.outcome])
    figure = Figure(figsize=(12, 4.8))
    left, right = figure.subplots(1, 2)
    # blue below the threshold, red above it, whatever the range of the means
    spread = max(float(means.max() - means.min()), 1e-9)
    norm = TwoSlopeNorm(
        vcenter=box.threshold,
        vmin=min(float(means.min()), box.threshold - 0.01 * spread),
        vmax=max(float(means.max()), box.threshold + 0.01 * spread),
    )
    size = 60 if len(means) <= 200 else 18
    if len(names) == 2:
        x_name, y_name = names
        scatter = left.scatter(
            design[x_name], design[y_name], c=means, cmap="coolwarm", norm=norm, s=size, edgecolors="none"
        )
        (x_low, x_high), (y_low, y_high) = box.limits[x_name], box.limits[y_name]
        # a little outside the limits, so that points on the edge of the box stay visible
        x_pad = 0.02 * float(design[x_name].max() - design[x_name].min())
        y_pad = 0.02 * float(design[y_name].max() - design[y_name].min())
        left.add_patch(
            Rectangle(
                (x_low - x_pad, y_low - y_pad),
                x_high - x_low + 2 * x_pad,
                y_high - y_low + 2 * y_pad,
                fill=False,
                linewidth=1.8,
                linestyle="--",
                label="PRIM box",
            )
        )
        left.legend(loc="best", fontsize="small")
        left.set_xlabel(labels.get(x_name, x_name))
        left.set_ylabel(labels.get(y_name, y_name))
    else:
        (x_name,) = names
        scatter = left.scatter(design[x_name], means, c=means, cmap="coolwarm", norm=norm, s=size)
        left.axvspan(*box.limits[x_name], alpha=0.15, label="PRIM box")
        left.axhline(box.threshold, color="black", linewidth=0.8, linestyle=":")
        left.legend(loc="best", fontsize="small")
        left.set_xlabel(labels.get(x_name, x_name))
        left.set_ylabel(outcome_label(box.outcome, statistic))
    colorbar = figure.colorbar(scatter, ax=left, label=outcome_label(box.outcome, statistic))
    colorbar.ax.axhline(box.threshold, color="black", linewidth=1.5)
    left.set_title(
        f"PRIM box: {box.outcome} > {box.threshold:g} "
        f"(coverage {box.coverage:.0%}, density {box.density:.0%})"
    )
    right.plot(box.trajectory["coverage"], box.trajectory["density"], marker=".", linewidth=1)
    chosen = box.trajectory.iloc[box.chosen_step]
    right.scatter(
        [chosen["coverage"]],
        [chosen["density"]],
        s=80,
        facecolors="none",
        edgecolors="red",
        label="chosen box",
    )
    right.set_xlabel("coverage (share of cases of interest inside the box)")
    right.set_ylabel("density (share of the box that are cases)")
    right.set_title("peeling trajectory")
    right.legend(loc="lower left")
    right.grid(alpha=0.3)
    figure.tight_layout()
    return _save(figure, path)
