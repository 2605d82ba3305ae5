"""The small multiple of a scenario: one panel per lever, P(war) and its 95% band against the level."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from wargame.validity._summary import ScenarioResult

__all__ = ["draw_small_multiple"]

_COLUMNS = 4
_PASS_COLOUR, _FAIL_COLOUR = "#1f77b4", "#d62728"


def draw_small_multiple(result: ScenarioResult, path: Path) -> None:
    """Draw ``result``'s levers as a grid of panels into the PNG file ``path``.

    Each panel shows P(war) over the horizon in percent with its 95% Clopper-Pearson band; a failing
    lever's panel is drawn and titled in red.
    """
    count = len(result.levers)
    rows = max(1, math.ceil(count / _COLUMNS))
    height = 2.5 * rows + 0.6
    figure = Figure(figsize=(3.2 * _COLUMNS, height))  # fixed margins: a layout engine costs seconds here
    figure.subplots_adjust(
        left=0.06, right=0.98, bottom=0.5 / height, top=1 - 0.7 / height, hspace=0.6, wspace=0.35
    )
    axes = figure.subplots(rows, _COLUMNS, squeeze=False)
    for panel, lever_result in zip(axes.flat, result.levers, strict=False):
        lever = lever_result.lever
        colour = _PASS_COLOUR if lever_result.passed else _FAIL_COLOUR
        x = np.array(lever.levels)
        war = np.array([[r.war.value, r.war.low, r.war.high] for r in lever_result.rows]) * 100.0
        panel.fill_between(x, war[:, 1], war[:, 2], color=colour, alpha=0.25, linewidth=0)
        panel.plot(x, war[:, 0], marker="o", markersize=3, color=colour)
        verdict = "PASS" if lever_result.passed else "FAIL"
        panel.set_title(textwrap.fill(f"{lever.name} ({verdict})", 38), fontsize=8, color=colour)
        panel.set_xlabel(lever.unit, fontsize=7)
        panel.set_ylabel("P(war), %", fontsize=7)
        panel.tick_params(labelsize=7)
        panel.set_ylim(bottom=0.0, top=max(1.0, float(war[:, 2].max()) * 1.1))
    for panel in list(axes.flat)[count:]:
        panel.set_visible(False)
    figure.suptitle(f"{result.name}: P(war) over the horizon against each lever (95% interval)", fontsize=10)
    figure.savefig(path, format="png", dpi=90, metadata={"Software": None})
