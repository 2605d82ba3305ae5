"""Richardson's arms race: two linear ODEs, their equilibrium and the stability condition m*n > a*b."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.linalg import expm

from wargame.teaching._base import (
    Parameters,
    TeachingModel,
    format_values,
    integrate_rk4,
    new_figure,
    save_figure,
    scalar_parameters,
)

__all__ = ["RichardsonModel", "RichardsonResult", "richardson_exact_state"]


@dataclass(frozen=True)
class RichardsonResult:
    """One integrated arms race.

    Attributes:
        times_years: The RK4 grid.
        arms: Arms stocks ``(x, y)`` on the grid, shape ``(k, 2)``.
        equilibrium: ``(x*, y*)``, or ``None`` when m*n == a*b (no unique equilibrium).
        stable: Whether m*n > a*b (both eigenvalues negative, given m, n >= 0).
        eigenvalues_per_year: Eigenvalues of the system matrix, sorted ascending.
        exact_final: The exact state at the end of the horizon, from the matrix exponential.
        params: The parameters used.
    """

    times_years: np.ndarray
    arms: np.ndarray
    equilibrium: tuple[float, float] | None
    stable: bool
    eigenvalues_per_year: tuple[float, float]
    exact_final: tuple[float, float]
    params: dict[str, float]


def _system(params: Parameters) -> tuple[np.ndarray, np.ndarray]:
    matrix = np.array(
        [
            [-params["fatigue_x_per_year"], params["reaction_x_per_year"]],
            [params["reaction_y_per_year"], -params["fatigue_y_per_year"]],
        ]
    )
    forcing = np.array([params["grievance_x_per_year"], params["grievance_y_per_year"]])
    return matrix, forcing


def richardson_exact_state(params: Parameters, time_years: float) -> tuple[float, float]:
    """Exact state at ``time_years``: x(t) = expm(A t) x0 + integral of expm(A s) f ds.

    Uses the augmented-matrix exponential, which is exact whether or not A is invertible.
    """
    matrix, forcing = _system(params)
    augmented = np.zeros((3, 3))
    augmented[:2, :2] = matrix
    augmented[:2, 2] = forcing
    initial = np.array([params["initial_x"], params["initial_y"], 1.0])
    state = expm(augmented * time_years) @ initial
    return float(state[0]), float(state[1])


class RichardsonModel(TeachingModel):
    """dx/dt = a*y - m*x + g, dy/dt = b*x - n*y + h, integrated with RK4."""

    name = "richardson"
    parameter_names = frozenset(
        {
            "reaction_x_per_year",
            "reaction_y_per_year",
            "fatigue_x_per_year",
            "fatigue_y_per_year",
            "grievance_x_per_year",
            "grievance_y_per_year",
            "initial_x",
            "initial_y",
            "horizon_years",
            "step_years",
        }
    )

    def run(
        self, params: Parameters, seed: int | None = None, executor: Executor | None = None
    ) -> RichardsonResult:
        """Integrate one arms race (deterministic: ``seed`` and ``executor`` are ignored)."""
        values = scalar_parameters(params)
        matrix, forcing = _system(values)

        def rhs(_time: float, state: np.ndarray) -> np.ndarray:
            return matrix @ state + forcing

        times, arms = integrate_rk4(
            rhs,
            (values["initial_x"], values["initial_y"]),
            0.0,
            values["horizon_years"],
            values["step_years"],
        )
        determinant = float(np.linalg.det(matrix))  # = m*n - a*b
        equilibrium = None
        if abs(determinant) > 1e-12:
            x_star, y_star = np.linalg.solve(matrix, -forcing)
            equilibrium = (float(x_star), float(y_star))
        eigenvalues = np.sort(np.linalg.eigvals(matrix).real)
        stable = (
            values["fatigue_x_per_year"] * values["fatigue_y_per_year"]
            > values["reaction_x_per_year"] * values["reaction_y_per_year"]
        )
        return RichardsonResult(
            times_years=times,
            arms=arms,
            equilibrium=equilibrium,
            stable=stable,
            eigenvalues_per_year=(float(eigenvalues[0]), float(eigenvalues[1])),
            exact_final=richardson_exact_state(values, values["horizon_years"]),
            params=values,
        )

    def report(self, results: Mapping[str, RichardsonResult]) -> str:
        """Print stability, equilibrium, eigenvalues, final state and the check against the exact solution."""
        lines = [f"{self.title} (RK4)"]
        for case, result in results.items():
            p = result.params
            shown = format_values(p)
            mn = p["fatigue_x_per_year"] * p["fatigue_y_per_year"]
            ab = p["reaction_x_per_year"] * p["reaction_y_per_year"]
            verdict = "stable: arms settle" if result.stable else "UNSTABLE: arms run away"
            relation = ">" if mn > ab else ("<" if mn < ab else "=")
            lines.append(f"\ncase {case}: m*n = {mn:.4g} {relation} a*b = {ab:.4g} -> {verdict}")
            if result.equilibrium is None:
                lines.append("  no unique equilibrium (m*n = a*b)")
            else:
                x_star, y_star = result.equilibrium
                note = "" if x_star >= 0 and y_star >= 0 else "  (negative: never reached)"
                lines.append(f"  equilibrium x* = {x_star:.4f}, y* = {y_star:.4f} arms index{note}")
            low, high = result.eigenvalues_per_year
            lines.append(f"  eigenvalues {low:.4f} and {high:.4f} per year")
            if high > 0:
                lines.append(
                    f"  arms grow like exp({high:.3f} t): doubling every {np.log(2) / high:.2f} years"
                )
            final_x, final_y = result.arms[-1]
            lines.append(
                f"  after {shown['horizon_years']} years (step {shown['step_years']} years): "
                f"x = {final_x:.4f}, y = {final_y:.4f}"
            )
            exact = np.array(result.exact_final)
            error = np.max(np.abs(result.arms[-1] - exact) / np.maximum(np.abs(exact), 1e-12))
            lines.append(f"  check against the exact solution: relative error {error:.1e}")
        return "\n".join(lines)

    def plot(self, results: Mapping[str, RichardsonResult], out_dir: Path) -> list[Path]:
        """Phase portraits (vector field, nullclines, trajectory) and the arms trajectories over time."""
        figure, axes = new_figure(columns=len(results), size=(5.0 * len(results), 4.6))
        axes = np.atleast_1d(axes)
        for axis, (case, result) in zip(axes, results.items(), strict=True):
            matrix, forcing = _system(result.params)
            start_top = 2.5 * float(max(result.arms[0].max(), 1.0))
            top = float(max(result.arms.max(), 1.0)) * 1.1 if result.stable else max(start_top, 10.0)
            if result.equilibrium is not None and result.stable:
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
            axis.plot(result.arms[:, 0], result.arms[:, 1], "k-", linewidth=2, label="trajectory")
            axis.plot(*result.arms[0], "ko", markersize=5)
            if result.equilibrium is not None and min(result.equilibrium) >= 0:
                axis.plot(*result.equilibrium, "r*", markersize=14, label="equilibrium")
            axis.set_xlim(0, top)
            axis.set_ylim(0, top)
            verdict = "settles" if result.stable else "runs away (view clipped)"
            axis.set_title(f"case {case}: m·n {'>' if result.stable else '<'} a·b, {verdict}")
            axis.set_xlabel("X arms stock x (arms index)")
            axis.set_ylabel("Y arms stock y (arms index)")
            axis.legend(loc="lower right", fontsize=8, framealpha=0.9)
        figure.suptitle("Richardson arms race: phase portraits")
        paths = [save_figure(figure, out_dir / "richardson_phase.png")]

        figure, axis = new_figure(size=(7.0, 4.2))
        for index, (case, result) in enumerate(results.items()):
            axis.plot(result.times_years, result.arms[:, 0], f"C{index}-", label=f"{case}: x")
            axis.plot(result.times_years, result.arms[:, 1], f"C{index}:", label=f"{case}: y")
        axis.set_yscale("log")
        axis.set_xlabel("time (years)")
        axis.set_ylabel("arms stock (arms index, log scale)")
        axis.set_title("Richardson arms race: arms over time")
        axis.legend(fontsize=8)
        paths.append(save_figure(figure, out_dir / "richardson_trajectories.png"))
        return paths
