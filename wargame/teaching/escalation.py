"""A one-screen escalation ladder: the engine's adversary calculus on one defender, one ally and five rungs.

The utilities come from the engine core (:mod:`wargame.core.deterrence`): :func:`strength` and
:func:`deterrent_term` build D, :func:`ladder_utilities` gives EU per rung. This module only supplies the
teaching inputs (one capability index per actor, resolve eroded unless information sharing protects it)
and reads the answers: the best rung and the credibilities at which it drops.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from wargame.core.deterrence import deterrent_term, ladder_utilities, strength
from wargame.errors import InputError
from wargame.teaching._base import (
    DeterministicModel,
    Parameters,
    list_parameter,
    scalar_parameters,
)
from wargame.teaching._figures import label_axis, new_figure
from wargame.teaching._scenario import ParameterValue

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "RUNG_NAMES",
    "EscalationModel",
    "EscalationResult",
    "best_rung",
    "credibility_thresholds",
    "perceived_deterrent",
    "rung_utilities",
]

RUNG_NAMES = ("status quo", "gray-zone pressure", "quarantine", "limited strikes", "invasion")


def _deterrent(params: Parameters, credibility: ArrayLike, sharing: ArrayLike) -> np.ndarray:
    """D per run for arrays of ally credibility and information sharing (broadcast together)."""
    p = scalar_parameters(params)
    protection = 1 - p["resolve_erosion"] * (1 - np.asarray(sharing, dtype=float))
    defender = deterrent_term(
        1.0,
        strength(p["defender_readiness"], p["defender_capability"]),
        p["defender_resolve"] * protection,
    )
    ally = deterrent_term(
        credibility,
        strength(p["ally_readiness"], p["ally_capability"]),
        p["ally_resolve"] * protection,
    )
    return np.atleast_1d(defender + ally)


def _utilities(params: Parameters, deterrent: ArrayLike) -> np.ndarray:
    """EU of every rung per run, shape ``(runs, rungs)``, from the engine's :func:`ladder_utilities`."""
    deterrent = np.atleast_1d(np.asarray(deterrent, dtype=float))
    p = scalar_parameters(params)
    return ladder_utilities(
        list_parameter(params, "rung_gain"),
        list_parameter(params, "rung_cost"),
        list_parameter(params, "rung_risk"),
        adversary_resolve=np.full(deterrent.shape, p["adversary_resolve"]),
        risk_tolerance=p["risk_tolerance"],
        perceived_deterrent=deterrent,
        adversary_strength=np.full(deterrent.shape, p["adversary_strength"]),
    )


def perceived_deterrent(params: Parameters, ally_credibility: float | None = None) -> float:
    """D: sum over defender (credibility 1) and ally of credibility * readiness * capability * resolve."""
    p = scalar_parameters(params)
    credibility = p["ally_credibility"] if ally_credibility is None else ally_credibility
    return float(_deterrent(params, credibility, p["information_sharing"])[0])


def rung_utilities(params: Parameters, deterrent: float | None = None) -> np.ndarray:
    """EU_r = resolve_adv * gain_r - cost_r - (1 - risk_tolerance) * risk_r * D / A for every rung."""
    deterrent = perceived_deterrent(params) if deterrent is None else deterrent
    return _utilities(params, deterrent)[0]


def best_rung(params: Parameters, deterrent: float | None = None) -> int:
    """The rung with the highest expected utility (the lowest such rung on ties)."""
    return int(np.argmax(rung_utilities(params, deterrent)))


def best_rung_map(params: Parameters, credibility: np.ndarray, sharing: np.ndarray) -> np.ndarray:
    """The best rung for every pair of ally credibility and information sharing, shape ``(sharing, cred)``."""
    grid_credibility, grid_sharing = np.meshgrid(credibility, sharing)
    deterrent = _deterrent(params, grid_credibility.ravel(), grid_sharing.ravel())
    return np.argmax(_utilities(params, deterrent), axis=1).reshape(grid_credibility.shape)


def credibility_thresholds(params: Parameters) -> list[tuple[float, int, int]]:
    """Ally credibilities in [0, 1] at which the best rung drops, from the upper envelope of EU_r(D).

    Each EU_r is a straight line in D; its intercept and slope are read off the engine's utilities at
    D = 0 and D = 1.

    Returns:
        ``(credibility, rung_above, rung_below)`` for each drop, in increasing credibility.
    """
    value, at_one = _utilities(params, [0.0, 1.0])
    drop = value - at_one  # how much EU_r falls per unit of D
    risk = np.asarray(list_parameter(params, "rung_risk"))
    low_d = perceived_deterrent(params, 0.0)
    slope_d = perceived_deterrent(params, 1.0) - low_d
    thresholds = []
    current = best_rung(params, low_d)
    while current > 0:
        # Next rung down the envelope: the one whose line crosses the current one first as D grows.
        crossings = [
            ((value[current] - value[lower]) / (drop[current] - drop[lower]), lower)
            for lower in range(current)
            if risk[lower] < risk[current] and drop[lower] < drop[current]
        ]
        if not crossings:
            break
        deterrent_cross, lower = min(crossings, key=lambda item: (item[0], item[1]))
        if slope_d <= 0:
            break
        credibility = (deterrent_cross - low_d) / slope_d
        if credibility > 1:
            break
        if credibility >= 0:
            thresholds.append((float(credibility), current, lower))
        current = lower
    return thresholds


@dataclass(frozen=True)
class EscalationResult:
    """One evaluation of the ladder.

    Attributes:
        deterrent: D, the perceived allied deterrent.
        utilities: EU of each rung.
        best: Index of the best rung.
        thresholds: Credibility thresholds at which the best rung drops (other parameters fixed).
        best_without_sharing: Best rung with information_sharing = 0.
        best_with_full_sharing: Best rung with information_sharing = 1.
        params: The parameters used.
    """

    deterrent: float
    utilities: np.ndarray
    best: int
    thresholds: list[tuple[float, int, int]]
    best_without_sharing: int
    best_with_full_sharing: int
    params: dict[str, ParameterValue]


class EscalationModel(DeterministicModel):
    """The adversary maximises EU over five rungs; credibility and sharing raise the risk term."""

    name = "escalation"

    def compute(self, params: Parameters) -> EscalationResult:
        """Evaluate the ladder."""
        p = dict(params)
        for key in ("rung_gain", "rung_cost", "rung_risk"):
            if len(p[key]) != len(RUNG_NAMES):  # type: ignore[arg-type]
                raise InputError(f"needs {len(RUNG_NAMES)} values, one per rung", source="--param", field=key)
        if np.any(np.diff(np.asarray(p["rung_risk"])) < 0):
            raise InputError(
                "must not decrease from one rung to the next", source="--param", field="rung_risk"
            )
        deterrent = perceived_deterrent(p)
        utilities = rung_utilities(p, deterrent)
        return EscalationResult(
            deterrent=deterrent,
            utilities=utilities,
            best=int(np.argmax(utilities)),
            thresholds=credibility_thresholds(p),
            best_without_sharing=best_rung({**p, "information_sharing": 0.0}),
            best_with_full_sharing=best_rung({**p, "information_sharing": 1.0}),
            params=p,
        )

    def case_heading(self, result: EscalationResult, shown: Mapping[str, str]) -> str:
        """The ally's credibility, information sharing and resolve erosion."""
        return (
            f"ally credibility {shown['ally_credibility']},"
            f" information sharing {shown['information_sharing']},"
            f" resolve erosion {shown['resolve_erosion']}"
        )

    def case_details(self, result: EscalationResult, shown: Mapping[str, str]) -> list[str]:
        """D, each rung's EU, the best rung and the credibility thresholds."""
        lines = [
            f"  perceived allied deterrent D = {result.deterrent:.4f} (adversary strength A ="
            f" {shown['adversary_strength']}, resolve {shown['adversary_resolve']})"
        ]
        for index, (name, utility) in enumerate(zip(RUNG_NAMES, result.utilities, strict=True)):
            marker = "  <- best" if index == result.best else ""
            lines.append(f"    rung {index} {name:<19} EU = {utility:7.3f}{marker}")
        if result.thresholds:
            drops = ", ".join(
                f"{RUNG_NAMES[above]} -> {RUNG_NAMES[below]} at {credibility:.4f}"
                for credibility, above, below in result.thresholds
            )
            lines.append(f"  as ally credibility rises from 0 to 1 the best rung drops: {drops}")
        else:
            lines.append("  the best rung does not change as ally credibility goes from 0 to 1")
        lines.append(
            f"  best rung with no sharing: {RUNG_NAMES[result.best_without_sharing]};"
            f" with full sharing: {RUNG_NAMES[result.best_with_full_sharing]}"
        )
        return lines

    def figures(self, results: Mapping[str, EscalationResult]) -> dict[str, Figure]:
        """EU per rung for each case, and the best rung over credibility and information sharing."""
        figure, axis = new_figure(size=(8.0, 4.3))
        width = 0.8 / len(results)
        for index, (case, result) in enumerate(results.items()):
            positions = np.arange(len(RUNG_NAMES)) + (index - (len(results) - 1) / 2) * width
            bars = axis.bar(positions, result.utilities, width, label=case, color=f"C{index}")
            bars[result.best].set_edgecolor("black")
            bars[result.best].set_linewidth(2)
        axis.axhline(0, color="0.3", linewidth=0.8)
        axis.set_xticks(range(len(RUNG_NAMES)), RUNG_NAMES)
        label_axis(
            axis,
            "Expected utility per rung (black edge: adversary's best rung)",
            xlabel="rung of the escalation ladder",
            ylabel="adversary's expected utility (utility units)",
        )
        drawn = {"escalation_rungs": figure}

        base = next(iter(results.values())).params
        credibility = np.linspace(0, 1, 101)
        sharing = np.linspace(0, 1, 101)
        grid = best_rung_map(base, credibility, sharing)
        figure, axis = new_figure(size=(7.0, 4.8))
        image = axis.imshow(
            grid,
            origin="lower",
            extent=(0, 1, 0, 1),
            aspect="auto",
            cmap="OrRd",
            vmin=-0.5,
            vmax=len(RUNG_NAMES) - 0.5,
        )
        colourbar = figure.colorbar(image, ax=axis, ticks=range(len(RUNG_NAMES)))
        colourbar.ax.set_yticklabels(RUNG_NAMES)
        colourbar.set_label("adversary's best rung")
        for index, (case, result) in enumerate(results.items()):
            axis.plot(
                result.params["ally_credibility"],
                result.params["information_sharing"],
                marker="*",
                markersize=13,
                color=f"C{index}",
                markeredgecolor="black",
                linestyle="none",
                label=case,
            )
        axis.grid(False)
        label_axis(
            axis,
            "Best rung: credibility and information sharing",
            xlabel="ally's intervention credibility (probability)",
            ylabel="information sharing (fraction of erosion prevented)",
            loc="upper left",
        )
        drawn["escalation_map"] = figure
        return drawn
