"""Plots of robust decision analysis (PNG): regret and satisficing per policy, the CART tree, feature scores.

Figures are :class:`matplotlib.figure.Figure` objects saved straight to file: no pyplot state.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from wargame._text import ordinal
from wargame.experiments._cart import CartBoxes
from wargame.experiments._labels import short_label
from wargame.experiments._robustness import PERCENTILE, RobustnessReport

__all__ = ["plot_cart", "plot_feature_scores", "plot_robustness", "policy_label"]

_DPI = 120


def _save(figure: Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=_DPI, bbox_inches="tight")
    return path


def policy_label(row: pd.Series, levers: list[str], labels: dict[str, str]) -> str:
    """``P3: readiness 2.5, latency 12``: the policy's number and its lever values."""
    values = ", ".join(f"{short_label(labels.get(name, name))} {row[name]:.3g}" for name in levers)
    return f"P{int(row['policy'])}: {values}"


def plot_robustness(
    report: RobustnessReport, levers: list[str], labels: dict[str, str], path: str | Path
) -> Path:
    """Per policy, most robust at the top: its regret across futures (box: quartiles, whiskers: 5-95%,
    diamond: maximum) and its satisficing share with a 95% interval."""
    table = report.table.iloc[::-1].reset_index(drop=True)  # barh draws bottom-up
    names = [policy_label(row, levers, labels) for _, row in table.iterrows()]
    regrets = [
        report.regret.loc[report.regret["policy"] == policy, "regret"].to_numpy()
        for policy in table["policy"]
    ]
    figure = Figure(figsize=(13, 1.6 + 0.32 * len(table)), layout="constrained")
    left, right = figure.subplots(1, 2, sharey=True, width_ratios=[3, 2])
    positions = np.arange(len(table))
    left.boxplot(
        regrets, positions=positions, orientation="horizontal", whis=(5, 95), widths=0.6, showfliers=False
    )
    left.scatter(
        table["max_regret"], positions, marker="D", s=18, color="tab:red", label="maximum regret", zorder=3
    )
    left.scatter(
        table["regret_90"],
        positions,
        marker="|",
        s=120,
        color="black",
        label=f"{ordinal(PERCENTILE)} percentile",
        zorder=3,
    )
    left.set_yticks(positions, names, fontsize=8)
    better = "lower" if report.direction == "minimize" else "higher"
    left.set_xlabel(
        f"regret in {report.outcome}: distance to the best policy of each future ({better} is better)"
    )
    left.legend(loc="lower right", fontsize="small")
    left.grid(axis="x", alpha=0.3)
    share = table["satisficing"].to_numpy()
    errors = np.vstack([share - table["satisficing_ci_low"], table["satisficing_ci_high"] - share])
    right.barh(positions, share, xerr=errors, color="tab:green", capsize=2)
    comparison = "<=" if report.direction == "minimize" else ">="
    right.set_xlabel(f"futures with {report.outcome} {comparison} {report.threshold:g} (share, 95% CI)")
    right.set_xlim(0, 1)
    right.grid(axis="x", alpha=0.3)
    figure.suptitle(f"Robustness of {len(table)} policies across {int(table['futures'].iloc[0])} futures")
    return _save(figure, path)


def plot_cart(cart: CartBoxes, labels: dict[str, str], path: str | Path) -> Path:
    """The CART tree: each node's split, share of points and share that are cases of interest."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from sklearn.tree import plot_tree

    leaves = int(cart.tree.get_n_leaves())
    figure = Figure(figsize=(max(8.0, 2.6 * leaves), 2.2 * (cart.tree.get_depth() + 1)), layout="constrained")
    FigureCanvasAgg(figure)  # plot_tree measures text with the canvas's renderer
    axis = figure.subplots()
    plot_tree(
        cart.tree,
        feature_names=[short_label(labels.get(name, name)) for name in cart.inputs],
        class_names=["other", f"{cart.outcome} > {cart.threshold:g}"],
        filled=True,
        impurity=False,
        proportion=True,
        rounded=True,
        fontsize=8,
        ax=axis,
    )
    axis.set_title(
        f"CART: where {cart.outcome} > {cart.threshold:g} (value: shares of the node's points that are "
        f"[other, {cart.outcome} > {cart.threshold:g}])"
    )
    return _save(figure, path)


def plot_feature_scores(scores: pd.DataFrame, labels: dict[str, str], path: str | Path) -> Path:
    """Feature scores as an annotated heat map: outcomes down, parameters across."""
    figure = Figure(figsize=(3.5 + 1.2 * scores.shape[1], 2.5 + 0.5 * scores.shape[0]), layout="constrained")
    axis = figure.subplots()
    top = max(0.5, float(scores.to_numpy().max()))
    image = axis.imshow(scores.to_numpy(), cmap="viridis", vmin=0.0, vmax=top, aspect="auto")
    axis.set_xticks(
        range(scores.shape[1]),
        [short_label(labels.get(name, name)) for name in scores.columns],
        rotation=40,
        ha="right",
    )
    axis.set_yticks(range(scores.shape[0]), list(scores.index))
    for (row, column), value in np.ndenumerate(scores.to_numpy()):
        axis.text(
            column,
            row,
            f"{value:.2f}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if value < 0.3 else "black",
        )
    figure.colorbar(image, ax=axis, label="extra-trees feature score (sums to 1 per outcome)")
    axis.set_title("Feature scores: what moves each outcome")
    return _save(figure, path)
