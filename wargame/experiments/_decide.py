"""The decision-analysis part of ``wargame analyze``: robustness of policies, CART boxes, feature scores.

Computed, written and printed beside the per-point tables, sensitivity indices and PRIM box of
:mod:`wargame.experiments._analyze`; see :mod:`wargame.experiments._robustness`,
:mod:`wargame.experiments._cart` and :mod:`wargame.experiments._features` for the methods.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wargame.errors import InputError
from wargame.experiments._cart import CartBoxes, cart_boxes
from wargame.experiments._design import CROSSED_KIND
from wargame.experiments._features import MIN_POINTS, feature_scores
from wargame.experiments._results import SweepResults
from wargame.experiments._robustness import PERCENTILE, RobustnessReport, robustness

__all__ = ["Decisions", "decide"]

TableWriter = Callable[[pd.DataFrame, str], None]


@dataclass
class Decisions:
    """What the decision analysis found (each part ``None`` when it does not apply)."""

    robustness: RobustnessReport | None = None
    cart: CartBoxes | None = None
    features: pd.DataFrame | None = None

    def format(self, results: SweepResults, max_rows: int = 12) -> list[str]:
        """The findings as lines of text."""
        lines: list[str] = []
        if self.robustness is not None:
            lines += ["", *_robustness_text(self.robustness, results, max_rows)]
        if self.cart is not None:
            lines += ["", *_cart_text(self.cart)]
        if self.features is not None:
            with pd.option_context("display.width", 200, "display.max_columns", 30):
                lines += ["", "Feature scores (extra-trees importances; each row sums to 1):"]
                lines.append(self.features.round(3).to_string())
        return lines


def _cart_text(cart: CartBoxes) -> list[str]:
    case = f"{cart.outcome} > {cart.threshold:g}"
    case_boxes = cart.case_boxes()
    if case_boxes.empty:
        densest = cart.boxes.iloc[0]  # the boxes come densest first
        return [
            f"no CART leaf is classified as {case}: none of the tree's {len(cart.boxes)} leaves has a "
            f"majority of such points (the largest share is {densest['density']:.0%}, "
            f"{densest['cases']} of {densest['points']} points)"
        ]
    lines = [f"CART boxes where {case} (leaves classified as such):"]
    for row in case_boxes.itertuples(index=False):
        lines.append(
            f"  box {row.box}: coverage {row.coverage:.0%}, density {row.density:.0%}, "
            f"mass {row.mass:.0%}: {row.rule}"
        )
    return lines


def _robustness_text(report: RobustnessReport, results: SweepResults, max_rows: int) -> list[str]:
    levers = results.design_settings["levers"]
    comparison = "<=" if report.direction == "minimize" else ">="
    futures = int(report.table["futures"].iloc[0])
    shown = report.table.head(max_rows)
    table = pd.DataFrame(
        {
            "policy": shown["policy"],
            **{name: shown[name] for name in levers},
            f"mean {report.outcome}": shown["mean"].map(lambda v: f"{v:.3g}"),
            f"p{PERCENTILE if report.direction == 'minimize' else 100 - PERCENTILE}": shown[
                "percentile_90"
            ].map(lambda v: f"{v:.3g}"),
            "max regret": shown["max_regret"].map(lambda v: f"{v:.3g}"),
            f"p{PERCENTILE} regret [95% CI]": [
                f"{v:.3g} [{lo:.3g}, {hi:.3g}]"
                for v, lo, hi in zip(
                    shown["regret_90"], shown["regret_90_ci_low"], shown["regret_90_ci_high"], strict=True
                )
            ],
            f"futures {comparison} {report.threshold:g} [95% CI]": [
                f"{v:.0%} [{lo:.0%}, {hi:.0%}]"
                for v, lo, hi in zip(
                    shown["satisficing"],
                    shown["satisficing_ci_low"],
                    shown["satisficing_ci_high"],
                    strict=True,
                )
            ],
        }
    )
    with pd.option_context("display.width", 250, "display.max_columns", 30, "display.max_colwidth", 40):
        text = table.to_string(index=False)
    lines = [
        f"Robustness of {len(report.table)} policies across {futures} futures, judged by {report.outcome} "
        f"({'lower' if report.direction == 'minimize' else 'higher'} is better), most robust first "
        "(smallest maximum regret):",
        text,
    ]
    if len(report.table) > max_rows:
        lines.append(f"... {len(report.table) - max_rows} more policies in robustness.csv")
    return lines


def decide(
    results: SweepResults,
    names: Sequence[str],
    *,
    discovery: tuple[str, float] | None,
    robustness_settings: tuple[str, float, str] | None,
    write: TableWriter,
    messages: list[str],
) -> Decisions:
    """Run the decision analysis that applies to ``results`` and write its tables.

    Args:
        results: The sweep's results.
        names: The outcomes analysed (feature scores are computed for these).
        discovery: ``(outcome, threshold)`` of scenario discovery, for CART.
        robustness_settings: ``(outcome, threshold, direction)`` for a levers-and-uncertainties sweep.
        write: Writes a table under a file stem (CSV and Parquet).
        messages: Receives a line for each part that could not be computed.
    """
    decisions = Decisions()
    crossed = results.design_kind == CROSSED_KIND
    if crossed and robustness_settings is None:
        messages.append(
            "no robustness across futures: give the experiment a 'robustness' setting (outcome, threshold)"
        )
    if crossed and robustness_settings is not None and not results.complete:
        messages.append("no robustness across futures yet: the sweep is incomplete (resume it for the rest)")
    if crossed and robustness_settings is not None and results.complete:
        outcome, threshold, direction = robustness_settings
        decisions.robustness = robustness(results, outcome, threshold, direction)
        write(decisions.robustness.table, "robustness")
        write(decisions.robustness.regret, "regret")
    if discovery is not None:
        try:
            decisions.cart = cart_boxes(results, *discovery)
        except InputError as error:
            messages.append(f"no CART boxes: {error.message}")
        else:
            write(decisions.cart.boxes, "cart_boxes")
    if results.runs["point"].nunique() >= MIN_POINTS:
        decisions.features = feature_scores(results, names)
        if decisions.features is not None:
            write(decisions.features.reset_index(), "feature_scores")
    return decisions


def plot_decisions(
    decisions: Decisions, results: SweepResults, labels: dict[str, str], figures: Path
) -> list[Path]:
    """Write the decision analysis's figures."""
    from wargame.experiments import _decision_plots as plots

    written = []
    if decisions.robustness is not None:
        levers = results.design_settings["levers"]
        written.append(
            plots.plot_robustness(decisions.robustness, levers, labels, figures / "robustness.png")
        )
    if decisions.cart is not None:
        written.append(plots.plot_cart(decisions.cart, labels, figures / "cart.png"))
    if decisions.features is not None:
        written.append(plots.plot_feature_scores(decisions.features, labels, figures / "feature_scores.png"))
    return written
