"""The teaching models' figures: one style, matplotlib's object API, PNGs the same from run to run."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["case_stems", "label_axis", "new_figure", "save_figure"]


def new_figure(columns: int = 1, rows: int = 1, size: tuple[float, float] = (7.0, 4.5)) -> tuple[Figure, Any]:
    """A figure of ``rows`` x ``columns`` axes, through matplotlib's object API.

    No pyplot, no backend switch and no rcParams change: the caller's matplotlib state is left as it
    was. The style is passed explicitly: 100 dpi, constrained layout, a light grid on every axis.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=100, layout="constrained")
    axes = figure.subplots(rows, columns)
    for axis in np.atleast_1d(axes).flat:
        axis.grid(True, alpha=0.3)
    return figure, axes


def label_axis(
    axis: Any, title: str, *, xlabel: str | None = None, ylabel: str | None = None, **legend: Any
) -> None:
    """Give an axis its title, axis labels and legend, the legend in the figures' 8-point type.

    ``legend`` passes more of matplotlib's ``Axes.legend`` options (``loc``, or another ``fontsize``).
    """
    if xlabel is not None:
        axis.set_xlabel(xlabel)
    if ylabel is not None:
        axis.set_ylabel(ylabel)
    axis.set_title(title)
    axis.legend(**{"fontsize": 8, **legend})


def save_figure(figure: Figure, path: Path) -> Path:
    """Save a figure as a PNG that is byte-identical from run to run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, metadata={"Software": None})
    return path


def case_stems(stem: str, cases: Iterable[str]) -> list[str]:
    """File stems of a figure drawn once per case, in the order of ``cases``: ``STEM`` for the first case,
    ``STEM_CASE`` for each further one, so that no case's figure overwrites another's.

    A case changed by ``--param`` is labelled ``CASE*``; its file is named without the star.
    """
    return [stem if index == 0 else f"{stem}_{case.rstrip('*')}" for index, case in enumerate(cases)]
