"""Fearon's (1995) bargaining model: the bargaining range, private information and commitment problems."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import minimize_scalar

from wargame.core.random_streams import EnsembleRandom, Stream, run_keys_from_seed
from wargame.errors import InputError
from wargame.stats import proportion_interval
from wargame.teaching._base import (
    CONFIDENCE,
    Parameters,
    StochasticModel,
    format_values,
    scalar_parameters,
)
from wargame.teaching._figures import label_axis, new_figure
from wargame.teaching._replicate import replicate

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "BargainingModel",
    "BargainingResult",
    "UncertaintySweep",
    "bargaining_range",
    "commitment_threshold_p_future",
    "optimal_demand_closed_form",
    "optimal_demand_numerical",
    "simulate_war_frequency",
    "sweep_cost_uncertainty",
    "war_probability_closed_form",
]


def bargaining_range(p_a_wins: float, cost_a: float, cost_b: float) -> tuple[float, float]:
    """A's shares x that both prefer to war: A needs x >= p - c_A, B needs 1 - x >= 1 - p - c_B."""
    return max(p_a_wins - cost_a, 0.0), min(p_a_wins + cost_b, 1.0)


def _demand_bounds(p: float, low: float, high: float) -> tuple[float, float]:
    return max(p + low, 0.0), min(p + high, 1.0)


def optimal_demand_closed_form(p: float, cost_a: float, low: float, high: float) -> float:
    """A's best take-it-or-leave-it demand when B's cost is uniform on [low, high]: x* = p + (high - c_A)/2.

    B accepts x when 1 - x >= 1 - p - c_B, i.e. c_B >= x - p. A maximises
    P(accept)*x + P(reject)*(p - c_A); the first-order condition gives x - p = (high - c_A)/2, clamped to
    the feasible demands.
    """
    lower, upper = _demand_bounds(p, low, high)
    if high == low:
        return upper
    return min(max(p + (high - cost_a) / 2, lower), upper)


def _expected_utility_a(demand: float, p: float, cost_a: float, low: float, high: float) -> float:
    accept = min(max((high - (demand - p)) / (high - low), 0.0), 1.0)
    return accept * demand + (1 - accept) * (p - cost_a)


def optimal_demand_numerical(p: float, cost_a: float, low: float, high: float) -> float:
    """A's best demand found by bounded scalar optimisation of A's expected utility (no closed form used)."""
    lower, upper = _demand_bounds(p, low, high)
    if high == low or upper <= lower:
        return upper
    found = minimize_scalar(
        lambda demand: -_expected_utility_a(demand, p, cost_a, low, high),
        bounds=(lower, upper),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return float(found.x)


def war_probability_closed_form(p: float, cost_a: float, low: float, high: float) -> float:
    """P(war) = P(c_B < x* - p) under the uniform prior."""
    if high == low:
        return 0.0
    return min(max((optimal_demand_closed_form(p, cost_a, low, high) - p - low) / (high - low), 0.0), 1.0)


def commitment_threshold_p_future[Delta: (float, np.ndarray)](
    p_now: float, cost_a: float, discount_factor: Delta
) -> Delta:
    """The future win probability below which declining A prefers war now.

    At best B gives A everything today and, once stronger, only A's future war value p_future - c_A:
    peace is worth (1 - delta)*1 + delta*(p_future - c_A); war now is worth p_now - c_A. War when
    p_future < (p_now - c_A - (1 - delta))/delta + c_A.
    """
    return (p_now - cost_a - (1 - discount_factor)) / discount_factor + cost_a


@dataclass(frozen=True)
class BargainingResult:
    """One parameter set of the bargaining model.

    Attributes:
        range_low, range_high: The complete-information bargaining range of A's share.
        demand_numerical: A's best demand under private information, found numerically.
        demand_closed_form: The same from the closed form.
        war_frequency: Fraction of simulated B types that rejected A's demand (war).
        war_frequency_ci99: Its 99% confidence interval (Clopper-Pearson).
        war_probability: The closed-form war probability.
        commitment_threshold: p_future below which A fights now.
        commitment_war: Whether the power shift in ``params`` produces a preventive war.
        seed: The root seed the replications were spawned from.
        params: The parameters used.
    """

    range_low: float
    range_high: float
    demand_numerical: float
    demand_closed_form: float
    war_frequency: float
    war_frequency_ci99: tuple[float, float]
    war_probability: float
    commitment_threshold: float
    commitment_war: bool
    seed: int
    params: dict[str, float]


@dataclass(frozen=True)
class UncertaintySweep:
    """Simulated and closed-form war probability as the uncertainty about B's cost widens.

    Every width draws its own replications from its own seed, so the simulated points are independent:
    they scatter around the closed form. With common random numbers (the same draws at every width)
    the points would move together, and a shared error would look like a bias of the whole curve.

    Attributes:
        widths: ``high - low`` of B's cost, one per point.
        seeds: The root seed of each width's replications, spawned from the case's seed.
        frequencies: Simulated war frequency at each width.
        intervals: Its 99% confidence interval, shape ``(points, 2)``.
        closed_form: The closed-form war probability at each width.
        runs: Replications per width.
    """

    widths: np.ndarray
    seeds: tuple[int, ...]
    frequencies: np.ndarray
    intervals: np.ndarray
    closed_form: np.ndarray
    runs: int


def sweep_cost_uncertainty(
    p: Mapping[str, float], seed: int, widths: np.ndarray, runs: int, executor: Executor | None = None
) -> UncertaintySweep:
    """Simulate the war frequency at each width of B's cost range, each width with its own seed."""
    seeds = tuple(run_keys_from_seed(seed, len(widths)).tolist())
    simulated = [
        simulate_war_frequency(
            p["p_a_wins"], p["cost_a"], p["b_cost_low"], p["b_cost_low"] + width, runs, width_seed, executor
        )
        for width, width_seed in zip(widths, seeds, strict=True)
    ]
    closed = [
        war_probability_closed_form(p["p_a_wins"], p["cost_a"], p["b_cost_low"], p["b_cost_low"] + width)
        for width in widths
    ]
    return UncertaintySweep(
        widths=np.asarray(widths, dtype=float),
        seeds=seeds,
        frequencies=np.array([frequency for frequency, _ in simulated]),
        intervals=np.array([interval for _, interval in simulated]),
        closed_form=np.array(closed),
        runs=runs,
    )


def _draw_wars(random: EnsembleRandom, low: float, high: float, war_below: float) -> dict[str, np.ndarray]:
    """Nature draws B's private cost, uniform on [low, high], once per replication; B fights below."""
    b_costs = low + (high - low) * random.uniform(Stream.ADJUDICATION, 0, 1)[:, 0]
    return {"war": b_costs < war_below}


def simulate_war_frequency(
    p: float,
    cost_a: float,
    low: float,
    high: float,
    runs: int,
    seed: int,
    executor: Executor | None = None,
) -> tuple[float, tuple[float, float]]:
    """Draw B's private cost in ``runs`` replications and return the war frequency and its 99% interval.

    A demands its numerically optimal share; B rejects (war) when its cost is below demand - p.
    """
    demand = optimal_demand_numerical(p, cost_a, low, high)
    wars = replicate(partial(_draw_wars, low=low, high=high, war_below=demand - p), runs, seed, executor)[
        "war"
    ]
    estimate = proportion_interval(int(np.count_nonzero(wars)), runs, CONFIDENCE)
    return estimate.value, (estimate.low, estimate.high)


class BargainingModel(StochasticModel):
    """Bargaining range, take-it-or-leave-it offers under private information, and a power shift."""

    name = "bargaining"

    def simulate(self, params: Parameters, root_seed: int, executor: Executor | None) -> BargainingResult:
        """Compute the closed forms and simulate B's private cost over ``runs`` replications."""
        p = scalar_parameters(params)
        if p["b_cost_low"] > p["b_cost_high"]:
            raise InputError("b_cost_low must not exceed b_cost_high", source="--param", field="b_cost_low")
        low, high = p["b_cost_low"], p["b_cost_high"]
        frequency, interval = simulate_war_frequency(
            p["p_a_wins"], p["cost_a"], low, high, int(p["runs"]), root_seed, executor
        )
        range_low, range_high = bargaining_range(p["p_a_wins"], p["cost_a"], p["cost_b"])
        threshold = commitment_threshold_p_future(p["p_a_wins"], p["cost_a"], p["discount_factor"])
        return BargainingResult(
            range_low=range_low,
            range_high=range_high,
            demand_numerical=optimal_demand_numerical(p["p_a_wins"], p["cost_a"], low, high),
            demand_closed_form=optimal_demand_closed_form(p["p_a_wins"], p["cost_a"], low, high),
            war_frequency=frequency,
            war_frequency_ci99=interval,
            war_probability=war_probability_closed_form(p["p_a_wins"], p["cost_a"], low, high),
            commitment_threshold=threshold,
            commitment_war=p["p_a_wins_future"] < threshold,
            seed=root_seed,
            params=p,
        )

    def case_heading(self, result: BargainingResult, shown: Mapping[str, str]) -> str:
        """A's chance and both sides' costs of war."""
        return (
            f"p = {shown['p_a_wins']}, c_A = {shown['cost_a']}, c_B = {shown['cost_b']} (shares of the stake)"
        )

    def case_details(self, result: BargainingResult, shown: Mapping[str, str]) -> list[str]:
        """The range, A's best demand, the war frequency and the commitment verdict."""
        p = result.params
        lines = [
            f"  complete information: any deal giving A between {result.range_low:.3f}"
            f" and {result.range_high:.3f}"
            f" beats war for both (width c_A + c_B = {result.range_high - result.range_low:.3f})"
        ]
        lines.append(
            f"  private information: B's cost uniform on [{shown['b_cost_low']}, {shown['b_cost_high']}]"
        )
        lines.append(
            f"    A's best demand {result.demand_numerical:.4f} (numerical) vs"
            f" {result.demand_closed_form:.4f} (closed form)"
        )
        low, high = result.war_frequency_ci99
        lines.append(
            f"    war in {result.war_frequency:.4f} of {int(p['runs'])} draws"
            f" (99% CI {low:.4f} to {high:.4f});"
            f" closed form {result.war_probability:.4f}"
        )
        verdict = "WAR NOW (preventive)" if result.commitment_war else "peace can hold"
        lines.append(
            f"  commitment problem: A's chance falls from {shown['p_a_wins']}"
            f" to {shown['p_a_wins_future']} (delta = {shown['discount_factor']});"
            f" A fights now if it falls below {result.commitment_threshold:.4f}"
            f" -> {verdict}"
        )
        return lines

    def figures(self, results: Mapping[str, BargainingResult]) -> dict[str, Figure]:
        """The bargaining range on the stake, and the war probability against B's cost uncertainty."""
        result = next(iter(results.values()))
        p = result.params
        shown = format_values(p)
        figure, axis = new_figure(size=(8.0, 3.2))
        axis.hlines(0, 0, 1, color="0.3", linewidth=2)
        axis.axvspan(result.range_low, result.range_high, color="C2", alpha=0.3, label="bargaining range")
        marks = [
            (p["p_a_wins"], "p: A's expected share from war", "C0"),
            (p["p_a_wins"] - p["cost_a"], "p - c_A: A's war value", "C0"),
            (p["p_a_wins"] + p["cost_b"], "p + c_B: most B will concede", "C3"),
            (result.demand_closed_form, "A's demand when B's cost is private", "C1"),
        ]
        for height, (position, text, colour) in enumerate(marks):
            axis.plot([position, position], [0, 0.25 + 0.2 * height], color=colour, linewidth=1.5)
            axis.annotate(
                text,
                (position, 0.25 + 0.2 * height),
                xytext=(4, 0),
                textcoords="offset points",
                fontsize=8,
                va="center",
                color=colour,
            )
        axis.set_xlim(0, 1)
        axis.set_ylim(-0.1, 1.2)
        axis.set_yticks([])
        label_axis(
            axis,
            "Bargaining range: deals both sides prefer to war",
            xlabel="A's share of the stake x (B gets 1 - x)",
            loc="upper left",
        )
        drawn = {"bargaining_range": figure}

        figure, axes = new_figure(columns=2, size=(11.0, 4.2))
        sweep = sweep_cost_uncertainty(p, result.seed, np.linspace(0.0, 0.8, 17), min(int(p["runs"]), 5000))
        fine = np.linspace(0.0, 0.8, 161)
        axes[0].plot(
            fine,
            [
                war_probability_closed_form(p["p_a_wins"], p["cost_a"], p["b_cost_low"], p["b_cost_low"] + w)
                for w in fine
            ],
            "k-",
            label="closed form",
        )
        axes[0].errorbar(
            sweep.widths,
            sweep.frequencies,
            yerr=np.abs(sweep.intervals - sweep.frequencies[:, None]).T,
            fmt="o",
            color="C1",
            markersize=4,
            capsize=2,
            label=f"simulated, {sweep.runs} draws per point, 99% CI",
        )
        axes[0].text(
            0.98,
            0.04,
            "each point draws from its own seed, so the points scatter\n"
            "independently around the curve; with common random numbers\n"
            "(the same draws at every width) they would move together",
            transform=axes[0].transAxes,
            ha="right",
            va="bottom",
            fontsize=7,
            color="0.3",
        )
        label_axis(
            axes[0],
            "Private information makes war likely",
            xlabel="uncertainty about B's cost, high - low (share of the stake)",
            ylabel="probability of war",
        )

        futures = np.linspace(0, 1, 201)
        deltas = np.linspace(0.05, 0.99, 191)
        grid_future, grid_delta = np.meshgrid(futures, deltas)
        threshold = commitment_threshold_p_future(p["p_a_wins"], p["cost_a"], grid_delta)
        axes[1].contourf(
            grid_future,
            grid_delta,
            (grid_future < threshold).astype(float),
            levels=[-0.5, 0.5, 1.5],
            colors=["#d9f0d3", "#f4a582"],
        )
        axes[1].plot(p["p_a_wins_future"], p["discount_factor"], "k*", markersize=12, label="this case")
        axes[1].set_xlabel("A's win probability after the power shift")
        axes[1].set_ylabel("discount factor delta (per period)")
        axes[1].set_title(
            f"Commitment problem, p now = {shown['p_a_wins']} (red: preventive war)", fontsize=9
        )
        axes[1].legend(fontsize=8, loc="lower right")
        drawn["bargaining_war"] = figure
        return drawn
