"""Richardson's arms race: two linear ODEs with stocks bounded at zero, the equilibrium and its kind.

dx/dt = a*y - m*x + g and dy/dt = b*x - n*y + h while both stocks are positive. A stock is a quantity of
arms, so it cannot go below zero: a side whose stock is at zero while its drive (a*y + g for X) is
negative stays at zero, and it re-arms as soon as its drive turns positive. With a, b >= 0 the
eigenvalues of [[-m, a], [b, -n]] are real; the equilibrium is a stable node when m*n > a*b and a saddle
when m*n < a*b. In a saddle, which way the race goes depends on the start: the line through the
equilibrium along the stable eigenvector divides starts from which both sides arm without bound from
starts from which both disarm.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy.linalg import expm
from scipy.optimize import brentq

from wargame._blas import one_blas_thread
from wargame.teaching._base import (
    DeterministicModel,
    Parameters,
    integrate_rk4,
    scalar_parameters,
)
from wargame.teaching._figures import label_axis, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "EquilibriumKind",
    "RichardsonModel",
    "RichardsonResult",
    "SideOutcome",
    "classify_equilibrium",
    "integrate_bounded",
    "richardson_exact_state",
    "unstable_side_of_start",
]

EquilibriumKind = Literal["stable node", "saddle", "degenerate"]

#: Most times a stock may reach zero or leave it within one integration.
_MAXIMUM_EVENTS = 1000


def _system(params: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    matrix = np.array(
        [
            [-params["fatigue_x_per_year"], params["reaction_x_per_year"]],
            [params["reaction_y_per_year"], -params["fatigue_y_per_year"]],
        ]
    )
    forcing = np.array([params["grievance_x_per_year"], params["grievance_y_per_year"]])
    return matrix, forcing


def richardson_exact_state(params: Mapping[str, float], time_years: float) -> tuple[float, float]:
    """Exact state of the linear system (no bound at zero): x(t) = expm(A t) x0 + integral of expm(A s) f ds.

    Uses the augmented-matrix exponential, which is exact whether or not A is invertible.
    """
    matrix, forcing = _system(params)
    augmented = np.zeros((3, 3))
    augmented[:2, :2] = matrix
    augmented[:2, 2] = forcing
    initial = np.array([params["initial_x"], params["initial_y"], 1.0])
    state = expm(augmented * time_years) @ initial
    return float(state[0]), float(state[1])


def classify_equilibrium(params: Mapping[str, float]) -> EquilibriumKind:
    """Stable node when m*n > a*b, saddle when m*n < a*b, degenerate when they are equal (a, b, m, n >= 0)."""
    mn = params["fatigue_x_per_year"] * params["fatigue_y_per_year"]
    ab = params["reaction_x_per_year"] * params["reaction_y_per_year"]
    if mn > ab:
        return "stable node"
    return "saddle" if mn < ab else "degenerate"


def unstable_side_of_start(params: Mapping[str, float]) -> int:
    """In a saddle: +1 if the start lies above the dividing line (both arm), -1 below (both disarm), 0 on it.

    The sign of w . (z0 - z*), where w = (b, lambda + m) is the left eigenvector of the positive
    eigenvalue lambda: the coefficient of the growing mode in the linear solution.
    """
    matrix, forcing = _system(params)
    growth = float(np.max(np.linalg.eigvals(matrix).real))
    equilibrium = np.linalg.solve(matrix, -forcing)
    left = np.array([params["reaction_y_per_year"], growth + params["fatigue_x_per_year"]])
    start = np.array([params["initial_x"], params["initial_y"]])
    coefficient = float(left @ (start - equilibrium))
    scale = float(np.abs(left).sum() * (np.abs(start).sum() + np.abs(equilibrium).sum()))
    return 0 if abs(coefficient) <= 1e-12 * scale else int(math.copysign(1, coefficient))


def integrate_bounded(
    matrix: np.ndarray, forcing: np.ndarray, start: np.ndarray, horizon: float, step: float
) -> tuple[np.ndarray, np.ndarray, float | None]:
    """RK4 for dz/dt = A z + f with each stock held at zero while its drive is negative.

    Between events the system is linear (with the stocks held at zero left out); an event is a stock
    reaching zero or a held stock's drive turning positive, and its time is found to the precision of
    one RK4 step by root finding, so integration restarts exactly there.

    Returns:
        ``(times, stocks, first_hold_year)``: the grid with the event times, the stocks on it, and when a
        stock was first held at zero (``None`` if never; until then the trajectory is the linear one).
    """
    state = np.maximum(np.asarray(start, dtype=float), 0.0)
    held = (state <= 0) & (matrix @ state + forcing < 0)
    first_hold = 0.0 if held.any() else None
    time = 0.0
    all_times, all_states = [np.array([0.0])], [state[None, :]]
    for _ in range(_MAXIMUM_EVENTS):
        if time >= horizon:
            break
        free = ~held

        def rhs(_t: float, z: np.ndarray, free: np.ndarray = free) -> np.ndarray:
            return np.where(free, matrix @ z + forcing, 0.0)

        def guard(z: np.ndarray, held: np.ndarray = held) -> np.ndarray:
            return np.where(held, -(matrix @ z + forcing), z)

        times, states = integrate_rk4(rhs, state, time, horizon, step)
        crossed = np.nonzero((np.apply_along_axis(guard, 1, states[1:]) <= 0).any(axis=1))[0]
        if crossed.size == 0:
            all_times.append(times[1:])
            all_states.append(states[1:])
            break
        index = int(crossed[0])  # the event lies in (times[index], times[index + 1]]
        event_time, event_state = _locate_event(rhs, guard, times[index], states[index], times[index + 1])
        all_times.append(np.append(times[1 : index + 1], event_time))
        all_states.append(np.vstack([states[1 : index + 1], event_state]))
        reached = (~held) & (event_state <= 1e-9 * max(1.0, float(np.abs(event_state).max())))
        event_state = np.where(reached, 0.0, event_state)
        all_states[-1][-1] = event_state
        drive = matrix @ event_state + forcing
        tolerance = 1e-9 * max(1.0, float(np.abs(forcing).max()), float(np.abs(matrix @ event_state).max()))
        held = np.where(held, drive < -tolerance, reached & (drive < 0))
        if first_hold is None and held.any():
            first_hold = event_time
        state, time = event_state, event_time
    else:  # more events than any two-stock race needs: finish with the stocks held as they are
        if time < horizon:
            times, states = integrate_rk4(rhs, state, time, horizon, step)
            all_times.append(times[1:])
            all_states.append(np.maximum(states[1:], 0.0))
    return np.concatenate(all_times), np.vstack(all_states), first_hold


def _locate_event(
    rhs: Callable[[float, np.ndarray], np.ndarray],
    guard: Callable[[np.ndarray], np.ndarray],
    start_time: float,
    start_state: np.ndarray,
    stop_time: float,
) -> tuple[float, np.ndarray]:
    """The first time in (start, stop] a guard component reaches zero, following one RK4 step."""

    def advanced(length: float) -> np.ndarray:
        return integrate_rk4(rhs, start_state, start_time, start_time + length, max(length, 1e-300))[1][-1]

    def first_guard(length: float) -> float:
        return float(np.min(guard(advanced(length)))) if length > 0 else float(np.min(guard(start_state)))

    width = stop_time - start_time
    length = brentq(first_guard, 0.0, width, xtol=1e-12) if first_guard(0.0) > 0 else 0.0
    return start_time + length, advanced(length) if length > 0 else start_state.copy()


@dataclass(frozen=True)
class SideOutcome:
    """Where one side's stock goes.

    Attributes:
        side: ``"X"`` or ``"Y"``.
        verdict: ``"arms without bound"``, ``"disarms"``, ``"settles"`` or ``"ends"``.
        final: The stock at the end of the horizon.
        zero_since_year: When the stock reached zero for good (``None`` if it ends above zero).
    """

    side: str
    verdict: str
    final: float
    zero_since_year: float | None


@dataclass(frozen=True)
class RichardsonResult:
    """One integrated arms race.

    Attributes:
        times_years: The RK4 grid (with the times stocks reach or leave zero).
        arms: Arms stocks ``(x, y)`` on the grid, shape ``(k, 2)``, never negative.
        equilibrium: ``(x*, y*)`` of the linear system, or ``None`` when m*n == a*b.
        kind: The kind of equilibrium: stable node, saddle or degenerate.
        stable: Whether m*n > a*b (both eigenvalues negative, given m, n >= 0).
        eigenvalues_per_year: Eigenvalues of the system matrix, sorted ascending.
        start_side: In a saddle, +1 above the dividing line (both arm), -1 below (both disarm), 0 on it.
        sides: Where each side's stock goes.
        exact_until_year: When a stock is first held at zero (or the horizon); until then the bound
            plays no part and the trajectory is the linear system's.
        exact_check_error: Largest error of the trajectory against the exact linear solution up to
            ``exact_until_year``, relative to the largest stock there (``None`` when a stock is held from
            the start).
        params: The parameters used.
    """

    times_years: np.ndarray
    arms: np.ndarray
    equilibrium: tuple[float, float] | None
    kind: EquilibriumKind
    stable: bool
    eigenvalues_per_year: tuple[float, float]
    start_side: int
    sides: tuple[SideOutcome, SideOutcome]
    exact_until_year: float
    exact_check_error: float | None
    params: dict[str, float]


def _side_outcomes(
    times: np.ndarray, arms: np.ndarray, matrix: np.ndarray, forcing: np.ndarray, kind: EquilibriumKind
) -> tuple[SideOutcome, SideOutcome]:
    final = arms[-1]
    drive = np.where(final > 0, matrix @ final + forcing, np.maximum(matrix @ final + forcing, 0.0))
    outcomes = []
    for index, side in enumerate("XY"):
        stock = arms[:, index]
        if final[index] <= 0:
            above = np.nonzero(stock > 0)[0]
            since = float(times[above[-1] + 1]) if above.size else 0.0
            outcomes.append(SideOutcome(side, "disarms", 0.0, since))
            continue
        if abs(drive[index]) <= 1e-3 * max(1.0, float(final[index])):
            verdict = "settles"
        elif drive[index] > 0:
            verdict = "arms without bound" if kind == "saddle" else "rises"
        else:
            verdict = "falls"
        outcomes.append(SideOutcome(side, verdict, float(final[index]), None))
    return outcomes[0], outcomes[1]


class RichardsonModel(DeterministicModel):
    """dx/dt = a*y - m*x + g, dy/dt = b*x - n*y + h, stocks bounded at zero, integrated with RK4."""

    name = "richardson"
    report_note = "RK4, stocks bounded at zero"

    def compute(self, params: Parameters) -> RichardsonResult:
        """Integrate one arms race."""
        values = scalar_parameters(params)
        matrix, forcing = _system(values)
        start = np.array([values["initial_x"], values["initial_y"]])
        times, arms, first_hold = integrate_bounded(
            matrix, forcing, start, values["horizon_years"], values["step_years"]
        )
        kind = classify_equilibrium(values)
        equilibrium = None
        if kind != "degenerate":
            x_star, y_star = np.linalg.solve(matrix, -forcing)
            equilibrium = (float(x_star), float(y_star))
        eigenvalues = np.sort(np.linalg.eigvals(matrix).real)
        until = float(times[-1]) if first_hold is None else first_hold
        linear = np.nonzero(times <= until)[0]
        error = None
        if until > 0:
            sample = linear[:: max(1, linear.size // 200)]
            with one_blas_thread():
                exact = np.array([richardson_exact_state(values, float(t)) for t in times[sample]])
            error = float(np.max(np.abs(arms[sample] - exact)) / max(float(np.abs(exact).max()), 1e-300))
        return RichardsonResult(
            times_years=times,
            arms=arms,
            equilibrium=equilibrium,
            kind=kind,
            stable=kind == "stable node",
            eigenvalues_per_year=(float(eigenvalues[0]), float(eigenvalues[1])),
            start_side=unstable_side_of_start(values) if kind == "saddle" else 0,
            sides=_side_outcomes(times, arms, matrix, forcing, kind),
            exact_until_year=until,
            exact_check_error=error,
            params=values,
        )

    def case_heading(self, result: RichardsonResult, shown: Mapping[str, str]) -> str:
        """m*n against a*b and the kind of equilibrium."""
        p = result.params
        mn = p["fatigue_x_per_year"] * p["fatigue_y_per_year"]
        ab = p["reaction_x_per_year"] * p["reaction_y_per_year"]
        relation = ">" if mn > ab else ("<" if mn < ab else "=")
        verdict = {
            "stable node": "stable node: arms settle",
            "saddle": "saddle: the equilibrium is unstable",
            "degenerate": "degenerate: no single equilibrium",
        }[result.kind]
        return f"m*n = {mn:.4g} {relation} a*b = {ab:.4g} -> {verdict}"

    def case_details(self, result: RichardsonResult, shown: Mapping[str, str]) -> list[str]:
        """The equilibrium, where each side goes, the final state and the exact check."""
        lines: list[str] = []
        if result.equilibrium is not None:
            x_star, y_star = result.equilibrium
            note = "" if x_star >= 0 and y_star >= 0 else "  (negative: stocks cannot go there)"
            lines.append(f"  equilibrium x* = {x_star:.4f}, y* = {y_star:.4f} arms index{note}")
        low, high = result.eigenvalues_per_year
        lines.append(f"  eigenvalues {low:.4f} and {high:.4f} per year")
        start = f"({shown['initial_x']}, {shown['initial_y']})"
        if result.kind == "saddle":
            where = {1: "above", -1: "below", 0: "on"}[result.start_side]
            course = {
                1: "both sides arm",
                -1: "both sides disarm",
                0: "the race creeps to the equilibrium",
            }
            lines.append(
                f"  the start {start} is {where} the line through the equilibrium that divides arming"
                f" from disarming: {course[result.start_side]}"
            )
        for side in result.sides:
            lines.append("  " + self._side_line(side, result, shown))
        final_x, final_y = result.arms[-1]
        lines.append(
            f"  after {shown['horizon_years']} years (step {shown['step_years']} years): "
            f"x = {final_x:.4f}, y = {final_y:.4f}"
        )
        if result.exact_check_error is None:
            lines.append(
                "  no check against the exact linear solution: a stock is held at zero from the start"
            )
            return lines
        if result.exact_until_year < result.times_years[-1]:
            span = f"until year {result.exact_until_year:.2f}, when a stock is first held at zero"
        else:
            span = "over the whole horizon"
        lines.append(
            f"  check against the exact linear solution ({span}): relative error"
            f" {result.exact_check_error:.1e}"
        )
        return lines

    @staticmethod
    def _side_line(side: SideOutcome, result: RichardsonResult, shown: Mapping[str, str]) -> str:
        name, years = side.side.lower(), shown["horizon_years"]
        if side.verdict == "disarms":
            return (
                f"{side.side} disarms: its stock reaches zero in year {side.zero_since_year:.2f}"
                " and stays there"
            )
        if side.verdict == "settles":
            return f"{side.side} settles at {name} = {side.final:.4f}"
        growth = result.eigenvalues_per_year[1]
        if side.verdict == "arms without bound":
            return (
                f"{side.side} arms without bound: {name} = {side.final:.4g} after {years} years,"
                f" growing like exp({growth:.3f} t), doubling every {math.log(2) / growth:.2f} years"
            )
        return f"{side.side} still {side.verdict}: {name} = {side.final:.4g} after {years} years"

    def figures(self, results: Mapping[str, RichardsonResult]) -> dict[str, Figure]:
        """Phase portraits (vector field, nullclines, dividing line, trajectory) and arms over time."""
        figure, axes = new_figure(columns=len(results), size=(5.0 * len(results), 4.6))
        for axis, (case, result) in zip(np.atleast_1d(axes), results.items(), strict=True):
            matrix, forcing = _system(result.params)
            top = 2.5 * float(max(result.arms[0].max(), 1.0))
            if result.stable:
                top = max(float(result.arms.max()) * 1.1, top)
            elif result.start_side > 0:
                top = max(top, 10.0)
            if result.equilibrium is not None and min(result.equilibrium) >= 0:
                top = max(top, 1.6 * max(result.equilibrium))
            grid = np.linspace(0.0, top, 25)
            grid_x, grid_y = np.meshgrid(grid, grid)
            flow_x = matrix[0, 0] * grid_x + matrix[0, 1] * grid_y + forcing[0]
            flow_y = matrix[1, 0] * grid_x + matrix[1, 1] * grid_y + forcing[1]
            axis.streamplot(grid_x, grid_y, flow_x, flow_y, color="0.75", density=1.0, linewidth=0.7)
            line = np.linspace(0.0, top, 2)
            if matrix[0, 1] != 0:
                axis.plot(line, -(matrix[0, 0] * line + forcing[0]) / matrix[0, 1], "C0--", label="dx/dt = 0")
            if matrix[1, 1] != 0:
                axis.plot(line, -(matrix[1, 0] * line + forcing[1]) / matrix[1, 1], "C1--", label="dy/dt = 0")
            if result.kind == "saddle" and result.equilibrium is not None:
                values, vectors = np.linalg.eig(matrix)
                stable = vectors[:, int(np.argmin(values.real))].real
                x_star, y_star = result.equilibrium
                slope = stable[1] / stable[0] if stable[0] else math.inf
                if math.isfinite(slope):
                    axis.plot(
                        line, y_star + slope * (line - x_star), "C2-", linewidth=1.2, label="dividing line"
                    )
            axis.plot(result.arms[:, 0], result.arms[:, 1], "k-", linewidth=2, label="trajectory")
            axis.plot(*result.arms[0], "ko", markersize=5)
            if result.equilibrium is not None and min(result.equilibrium) >= 0:
                axis.plot(*result.equilibrium, "r*", markersize=14, label="equilibrium")
            axis.set_xlim(0, top)
            axis.set_ylim(0, top)
            course = {
                "stable node": "settles",
                "saddle": {1: "both arm (view clipped)", -1: "both disarm", 0: "on the dividing line"}[
                    result.start_side
                ],
                "degenerate": "degenerate",
            }[result.kind]
            axis.set_title(f"case {case}: {result.kind}, {course}", fontsize=10)
            axis.set_xlabel("X arms stock x (arms index)")
            axis.set_ylabel("Y arms stock y (arms index)")
            axis.legend(loc="upper right", fontsize=7, framealpha=0.9)
        figure.suptitle("Richardson arms race: phase portraits (stocks bounded at zero)")
        drawn = {"richardson_phase": figure}

        figure, axis = new_figure(size=(7.0, 4.2))
        for index, (case, result) in enumerate(results.items()):
            axis.plot(result.times_years, result.arms[:, 0], f"C{index}-", label=f"{case}: x")
            axis.plot(result.times_years, result.arms[:, 1], f"C{index}:", label=f"{case}: y")
        axis.set_yscale("symlog", linthresh=1.0)
        label_axis(
            axis,
            "Richardson arms race: arms over time",
            xlabel="time (years)",
            ylabel="arms stock (arms index, log scale above 1)",
        )
        drawn["richardson_trajectories"] = figure
        return drawn
