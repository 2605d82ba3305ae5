"""Plots of a session: the escalation trajectory, what seats knew against the truth, counterfactual fans.

Matplotlib through its object API: each function builds its own :class:`~matplotlib.figure.Figure`
(rendered by the Agg canvas, no display needed), writes one PNG and returns its path; no pyplot state and
no back-end switch, so a notebook that imports wargame keeps its own back end.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from wargame.scenario import Scenario

__all__ = [
    "knowledge_figure",
    "plot_fan",
    "plot_knowledge",
    "plot_trajectory",
    "seat_colour",
    "trajectory_figure",
]

_DPI = 110
_WAR_COLOUR = "#f4cccc"
_EVENT_COLOUR = "#b45f06"


def seat_colour(scenario: Scenario, seat: str) -> tuple[float, float, float, float]:
    """The colour of a seat in every plot of every report: fixed by its actor's place in the scenario."""
    order = [actor.id for actor in scenario.actors]
    return colormaps["tab10"](order.index(seat) % 10 if seat in order else 9)


def _actor_name(scenario: Scenario, seat: str) -> str:
    return next((actor.name for actor in scenario.actors if actor.id == seat), seat)


def _rung_axis(ax: Any, scenario: Scenario) -> None:
    rungs = scenario.escalation.rungs
    ax.set_yticks(range(len(rungs)))
    ax.set_yticklabels([rung.name for rung in rungs], fontsize=8)
    ax.set_ylim(-0.4, len(rungs) - 0.6)
    war = scenario.escalation.rungs[scenario.escalation.war_index].name
    ax.axhspan(
        scenario.escalation.war_index - 0.5,
        len(rungs) - 0.5,
        color=_WAR_COLOUR,
        alpha=0.5,
        lw=0,
        label=f"war ({war} and above)",
    )
    ax.grid(axis="x", alpha=0.3)


def plot_trajectory(
    scenario: Scenario,
    rung_by_day: list[int],
    decisions: list[dict[str, Any]],
    events: list[dict[str, Any]],
    path: Path,
) -> Path:
    """Write :func:`trajectory_figure` as a PNG at ``path`` and return the path."""
    trajectory_figure(scenario, rung_by_day, decisions, events).savefig(path, dpi=_DPI)
    return path


def trajectory_figure(
    scenario: Scenario,
    rung_by_day: list[int],
    decisions: list[dict[str, Any]],
    events: list[dict[str, Any]],
) -> Figure:
    """Plot the adversary's rung by day, with the seats' actions and white-cell events marked.

    Each seat's actions are markers in its own lane under the trajectory, in the seat's colour
    (:func:`seat_colour`), and the legend names every seat.

    Args:
        scenario: For rung names, the seats' names and the war threshold.
        rung_by_day: The session's rung index for each day played.
        decisions: ``{"day", "seat", "action"}`` for each action to mark.
        events: ``{"day", "label"}`` for injects, overrides and rolls.
    """
    seats = [actor.id for actor in scenario.actors if any(d["seat"] == actor.id for d in decisions)]
    fig = Figure(figsize=(10, 4.2 + 0.35 * len(seats)))
    top, lanes = fig.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [4.2, 0.4 + 0.35 * max(len(seats), 1)]}
    )
    days = np.arange(len(rung_by_day))
    top.step(days, rung_by_day, where="post", color="#1f3b73", lw=2, label="adversary rung")
    _rung_axis(top, scenario)
    # One lane per seat under the trajectory: markers never pile up on the rung axis.
    for lane, seat in enumerate(seats):
        chosen = [d for d in decisions if d["seat"] == seat]
        lanes.scatter(
            [d["day"] for d in chosen],
            [lane] * len(chosen),
            marker="^",
            s=40,
            color=seat_colour(scenario, seat),
            edgecolors="black",
            linewidths=0.4,
            zorder=3,
            label=f"{_actor_name(scenario, seat)}'s actions",
        )
        for decision in chosen:
            lanes.annotate(
                decision.get("name", decision["action"]),
                (decision["day"], lane),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=7,
            )
    lanes.set_yticks(range(len(seats)))
    lanes.set_yticklabels([_actor_name(scenario, seat) for seat in seats], fontsize=8)
    lanes.set_ylim(-0.6, max(len(seats), 1) - 0.4)
    lanes.set_title("actions taken by people", fontsize=8, loc="left")
    for event in events:
        for ax in (top, lanes):
            ax.axvline(event["day"], color=_EVENT_COLOUR, ls=":", lw=1)
    if events:
        top.plot([], [], color=_EVENT_COLOUR, ls=":", label="inject / override / roll")
    lanes.set_xlabel("day")
    top.set_xlim(0, max(len(rung_by_day), 1))
    top.set_title("Escalation trajectory")
    handles, labels = top.get_legend_handles_labels()
    seat_handles, seat_labels = lanes.get_legend_handles_labels()
    top.legend(handles + seat_handles, labels + seat_labels, loc="upper left", fontsize=8, ncol=3)
    fig.tight_layout()
    return fig


def plot_knowledge(
    scenario: Scenario, turns: list[int], truth: list[int], known: dict[str, list[int | None]], path: Path
) -> Path:
    """Write :func:`knowledge_figure` as a PNG at ``path`` and return the path."""
    knowledge_figure(scenario, turns, truth, known).savefig(path, dpi=_DPI)
    return path


def knowledge_figure(
    scenario: Scenario, turns: list[int], truth: list[int], known: dict[str, list[int | None]]
) -> Figure:
    """Plot the incidents each seat's picture held at each decision against the true count.

    Args:
        scenario: For the seats' names and colours.
        turns: Turn numbers.
        truth: True incidents in the turn before each decision.
        known: Per seat, the incidents its view showed (``None`` where it was not shown a view).
    """
    fig = Figure(figsize=(10, 3.6))
    ax = fig.subplots()
    ax.bar(turns, truth, color="#d9d9d9", label="true incidents (ground truth)")
    for seat, values in known.items():
        xs = [t for t, v in zip(turns, values, strict=True) if v is not None]
        ys = [v for v in values if v is not None]
        ax.plot(
            xs,
            ys,
            marker="o",
            ms=3,
            lw=1.5,
            color=seat_colour(scenario, seat),
            label=f"{_actor_name(scenario, seat)}'s picture",
        )
    ax.set_xlabel("turn")
    ax.set_ylabel("incidents in the turn")
    ax.set_title("What each seat knew against what was true, at each decision")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def _fan_title(summary: dict[str, Any]) -> str:
    """Say what the fan conditions on, what it samples afresh and its effective sample size."""
    conditioning = summary["conditioning"]
    moves = conditioning["adversary_moves"]
    kept = f"history to turn {summary['turn']}"
    if moves:
        kept += f" and the adversary's {moves} recorded move{'' if moves == 1 else 's'}"
    ess = conditioning["effective_sample_size"]
    warning = " (low: rough estimates)" if conditioning["low_effective_sample_size"] else ""
    return (
        f"{summary['runs']} continuations from turn {summary['turn']}, given the {kept};\n"
        f"the adversary's misjudgments, noise and hidden inputs drawn afresh · ESS {ess:.0f}{warning}"
    )


def plot_fan(summary: dict[str, Any], scenario: Scenario, path: Path) -> Path:
    """Plot a counterfactual fan: rung quantiles by day with the session's path, and the score histogram."""
    fig = Figure(figsize=(12, 4.2))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2, 1]})
    actual = summary["actual"]
    quantiles = np.array(actual["rung_quantiles_by_day"])
    days = np.arange(quantiles.shape[1])
    left.fill_between(
        days, quantiles[0], quantiles[4], step="post", color="#9fc5e8", alpha=0.6, label="5–95%"
    )
    left.fill_between(
        days, quantiles[1], quantiles[3], step="post", color="#3d85c6", alpha=0.6, label="25–75%"
    )
    left.step(days, quantiles[2], where="post", color="#0b5394", lw=1.5, label="median")
    if "swapped" in summary:
        swapped = np.array(summary["swapped"]["rung_quantiles_by_day"])
        left.step(days, swapped[2], where="post", color="#cc0000", ls="--", lw=1.5, label="median after swap")
    session = summary["session_rung_by_day"]
    left.step(np.arange(len(session)), session, where="post", color="black", lw=2, label="this session")
    left.axvline(summary["branch_day"], color="grey", ls=":", lw=1)
    _rung_axis(left, scenario)
    left.set_xlabel("day")
    left.set_title(_fan_title(summary), fontsize=9)
    left.legend(fontsize=7, loc="upper left")

    rungs = scenario.escalation.rungs
    positions = np.arange(len(rungs))
    width = 0.4 if "swapped" in summary else 0.8

    def shares(side: dict[str, Any]) -> np.ndarray:
        weights = np.zeros(len(rungs))
        for rung, share in side["max_rung_shares"].items():
            weights[int(rung)] = share
        return weights

    right.barh(positions, shares(actual), height=width, color="#3d85c6", label="session's decisions")
    if "swapped" in summary:
        right.barh(
            positions - width,
            shares(summary["swapped"]),
            height=width,
            color="#cc0000",
            alpha=0.6,
            label="after swap",
        )
    day = summary.get("compared_at_day")
    if day is not None:
        # An unfinished session is compared with the continuations as they stood on the same day.
        right.barh(
            positions,
            shares(actual["so_far"]),
            height=width,
            fill=False,
            edgecolor="black",
            lw=1,
            label=f"session's decisions, by day {day}",
        )
    session_max = summary["session_outcome"].get("max_rung")
    if session_max is not None:
        state = "" if day is None else f" by day {day}"
        right.scatter(
            [0.02], [session_max], marker="*", s=220, color="black", zorder=3, label=f"this session{state}"
        )
    right.set_yticks(positions)
    right.set_yticklabels([rung.name for rung in rungs], fontsize=8)
    right.set_xlim(0, 1)
    right.set_xlabel("weighted share of continuations")
    right.set_title(f"Highest rung reached · P(war) {actual['war_probability']:.0%}")
    right.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=_DPI)
    return path
