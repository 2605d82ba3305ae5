"""Lanchester attrition: square law, linear law and Engel's (1954) Iwo Jima fit."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from wargame.errors import InputError
from wargame.teaching._base import (
    DeterministicModel,
    Parameters,
    format_value,
    format_values,
    integrate_rk4,
    list_parameter,
    scalar_parameters,
)
from wargame.teaching._battle import Battle, battle_until_annihilation, truncate_at_zero
from wargame.teaching._figures import label_axis, new_figure
from wargame.teaching._iwo_jima import IwoJimaFit, fit_to_daily_reports, integrate_iwo_jima, landing_schedule

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "Battle",
    "LanchesterModel",
    "LanchesterResult",
    "linear_law_red_strength",
    "linear_law_time_to_fraction",
    "square_law_annihilation_time",
    "square_law_final_strength",
]


@dataclass(frozen=True)
class LanchesterResult:
    """The square-law battle, the linear-law battle and the Iwo Jima battle for one parameter set.

    Attributes:
        iwo_landings: US troops landed on each day of the Iwo Jima battle.
        iwo_fit: The Iwo Jima battle against the daily reports Engel fitted.
        params: The single-number parameters used.
    """

    square: Battle
    linear: Battle
    iwo_jima: Battle
    iwo_landings: dict[int, float]
    iwo_fit: IwoJimaFit
    linear_break_day: float | None
    params: dict[str, float]


def square_law_final_strength(x0: float, y0: float, alpha: float, beta: float) -> tuple[float, float]:
    """Survivors when the square-law battle ends: the invariant alpha*x^2 - beta*y^2 is conserved."""
    invariant = alpha * x0**2 - beta * y0**2
    if invariant >= 0:
        return math.sqrt(invariant / alpha), 0.0
    return 0.0, math.sqrt(-invariant / beta)


def square_law_annihilation_time(x0: float, y0: float, alpha: float, beta: float) -> float:
    """Time until the loser of a square-law battle reaches zero (infinite for an exact draw).

    With k = sqrt(alpha*beta), y(t) = y0*cosh(kt) - sqrt(alpha/beta)*x0*sinh(kt), so Red is gone when
    tanh(kt) = sqrt(beta/alpha)*y0/x0 (and symmetrically for Blue).
    """
    rate = math.sqrt(alpha * beta)
    ratio = math.sqrt(beta / alpha) * y0 / x0
    if ratio > 1:
        ratio = 1 / ratio
    return math.inf if ratio == 1 else math.atanh(ratio) / rate


def linear_law_red_strength(
    x0: float, y0: float, alpha: float, beta: float, time_days: np.ndarray
) -> np.ndarray:
    """Exact Red strength under the linear law dx/dt = -beta*x*y, dy/dt = -alpha*x*y.

    With the invariant C = alpha*x - beta*y, dy/dt = -y*(C + beta*y), a logistic equation.
    """
    invariant = alpha * x0 - beta * y0
    time_days = np.asarray(time_days, dtype=float)
    if invariant == 0:
        return y0 / (1 + beta * y0 * time_days)
    decay = np.exp(-invariant * time_days)
    return invariant * y0 * decay / (invariant + beta * y0 * (1 - decay))


def linear_law_time_to_fraction(x0: float, y0: float, alpha: float, beta: float, fraction: float) -> float:
    """Time for Red (when Red loses, C > 0) to fall to ``fraction`` of y0 under the linear law."""
    invariant = alpha * x0 - beta * y0
    if invariant <= 0:
        return math.inf
    return math.log((invariant + fraction * beta * y0) / (fraction * (invariant + beta * y0))) / invariant


class LanchesterModel(DeterministicModel):
    """Square law dx/dt = -beta*y, dy/dt = -alpha*x; linear law with x*y; Iwo Jima with reinforcements."""

    name = "lanchester"
    report_note = "RK4"

    def compute(self, params: Parameters) -> LanchesterResult:
        """Integrate the three battles."""
        p = scalar_parameters(params)
        step = p["step_days"]
        if abs(1.0 / step - round(1.0 / step)) > 1e-9:
            raise InputError(
                "must divide one day exactly (e.g. 0.01, 0.02, 0.05)", source="--param", field="step_days"
            )
        start = (p["blue_initial_troops"], p["red_initial_troops"])
        alpha_sq, beta_sq = p["blue_kill_rate_square_per_day"], p["red_kill_rate_square_per_day"]
        alpha_lin, beta_lin = (
            p["blue_kill_rate_linear_per_troop_day"],
            p["red_kill_rate_linear_per_troop_day"],
        )

        def square_rhs(_t: float, s: np.ndarray) -> np.ndarray:
            return np.array([-beta_sq * s[1], -alpha_sq * s[0]])

        def linear_rhs(_t: float, s: np.ndarray) -> np.ndarray:
            return np.array([-beta_lin * s[0] * s[1], -alpha_lin * s[0] * s[1]])

        square = battle_until_annihilation(
            square_rhs, *integrate_rk4(square_rhs, start, 0.0, p["horizon_days"], step)
        )
        linear = battle_until_annihilation(
            linear_rhs, *integrate_rk4(linear_rhs, start, 0.0, p["horizon_days"], step)
        )
        loser_index = 1 if alpha_lin * start[0] >= beta_lin * start[1] else 0
        target = p["break_fraction"] * start[loser_index]
        crossed = np.nonzero(linear.strengths[:, loser_index] <= target)[0]
        linear_break_day = None
        if crossed.size:
            linear_break_day = self._refine_break(linear_rhs, linear, int(crossed[0]), loser_index, target)
        landings = landing_schedule(
            list_parameter(params, "iwo_us_landing_days"),
            list_parameter(params, "iwo_us_landing_troops"),
            p["iwo_horizon_days"],
        )
        iwo_jima = integrate_iwo_jima(
            p["iwo_us_kill_rate_per_day"],
            p["iwo_japanese_kill_rate_per_day"],
            p["iwo_japanese_initial_troops"],
            landings,
            p["iwo_horizon_days"],
            step,
        )
        return LanchesterResult(
            square=square,
            linear=linear,
            iwo_jima=iwo_jima,
            iwo_landings=landings,
            iwo_fit=fit_to_daily_reports(
                iwo_jima, self.scenario.observations["iwo_us_casualties"], self.historical_landings()
            ),
            linear_break_day=linear_break_day,
            params=p,
        )

    def historical_landings(self) -> dict[int, float]:
        """The landing schedule as Engel published it (the scenario's default)."""
        defaults = self.scenario.defaults()
        return landing_schedule(
            list_parameter(defaults, "iwo_us_landing_days"),
            list_parameter(defaults, "iwo_us_landing_troops"),
            float(self.scenario.parameters["iwo_horizon_days"].value),  # type: ignore[arg-type]
        )

    @staticmethod
    def _refine_break(
        rhs: Callable[[float, np.ndarray], np.ndarray], battle: Battle, index: int, side: int, target: float
    ) -> float:
        offset = np.zeros(2)
        offset[side] = target
        shifted = battle.strengths[: index + 1] - offset

        def shifted_rhs(t: float, s: np.ndarray) -> np.ndarray:
            return rhs(t, s + offset)

        _, _, crossing, _ = truncate_at_zero(battle.times_days[: index + 1], shifted, shifted_rhs)
        return float(crossing) if crossing is not None else float(battle.times_days[index])

    def case_heading(self, result: LanchesterResult, shown: Mapping[str, str]) -> str:
        """The two forces."""
        return f"Blue {shown['blue_initial_troops']} troops against Red {shown['red_initial_troops']} troops"

    def case_details(self, result: LanchesterResult, shown: Mapping[str, str]) -> list[str]:
        """Survivors, invariants, annihilation times and the Iwo Jima outcome."""
        p = result.params
        x0, y0 = p["blue_initial_troops"], p["red_initial_troops"]
        alpha, beta = p["blue_kill_rate_square_per_day"], p["red_kill_rate_square_per_day"]
        lines = [
            f"  square law (aimed fire): alpha*x0^2 = {alpha * x0**2:.6g} vs beta*y0^2 = {beta * y0**2:.6g}"
        ]
        sq = result.square
        final = sq.strengths[-1]
        if sq.loser is None:
            lines.append(f"    nobody annihilated within {shown['horizon_days']} days")
        else:
            winner = "Blue" if sq.loser == "red" else "Red"
            exact_day = square_law_annihilation_time(x0, y0, alpha, beta)
            lines.append(
                f"    {winner} wins with {max(final):.1f} troops left (closed form "
                f"{max(square_law_final_strength(x0, y0, alpha, beta)):.1f})"
            )
            lines.append(
                f"    {sq.loser.capitalize()} annihilated on day {sq.annihilation_day:.3f} "
                f"(closed form {exact_day:.3f})"
            )
        alpha_l, beta_l = (
            p["blue_kill_rate_linear_per_troop_day"],
            p["red_kill_rate_linear_per_troop_day"],
        )
        lines.append(
            f"  linear law (area fire): alpha*x0 = {alpha_l * x0:.6g} vs beta*y0 = {beta_l * y0:.6g}"
        )
        lin_final = result.linear.strengths[-1]
        lines.append(
            f"    after {result.linear.times_days[-1]:g} days:"
            f" Blue {lin_final[0]:.1f}, Red {lin_final[1]:.1f}"
            f" (limit as t grows: Blue {max(x0 - beta_l / alpha_l * y0, 0):.1f},"
            f" Red {max(y0 - alpha_l / beta_l * x0, 0):.1f})"
        )
        if result.linear_break_day is not None:
            lines.append(
                f"    loser down to {p['break_fraction']:.0%} on day {result.linear_break_day:.3f}"
                " (the linear-law loser never reaches exactly zero)"
            )
        lines.extend(self._iwo_jima_lines(result))
        return lines

    @staticmethod
    def _iwo_jima_lines(result: LanchesterResult) -> list[str]:
        iwo, fit, p = result.iwo_jima, result.iwo_fit, result.params
        shown = format_values(p)
        us, japan = iwo.strengths[-1]
        landed = sum(result.iwo_landings.values())
        waves = ", ".join(f"{troops:,.0f} on day {day}" for day, troops in result.iwo_landings.items())
        worst_day, worst = fit.worst_day()
        lines = [
            f"  Iwo Jima, Engel (1954) fit: a = {shown['iwo_japanese_kill_rate_per_day']},"
            f" b = {shown['iwo_us_kill_rate_per_day']} per day; US landings {waves}",
            f"    day {iwo.times_days[-1]:.2f}: US active {us:,.0f} of {landed:,.0f} landed "
            f"(US casualties {landed - us:,.0f}); Japanese {japan:,.0f} of "
            f"{p['iwo_japanese_initial_troops']:,.0f}",
        ]
        if iwo.annihilation_day is not None:
            lines.append(f"    Japanese garrison annihilated on day {iwo.annihilation_day:.2f}")
        lines.append(
            f"    against the daily US reports (days {fit.days[0]:.0f} to {fit.days[-1]:.0f}):"
            f" US active strength within {worst:.1%} every day (worst day {worst_day:.0f}),"
            f" RMS {fit.rms_relative_error():.1%}"
        )
        return lines

    def figures(self, results: Mapping[str, LanchesterResult]) -> dict[str, Figure]:
        """Strength over time under both laws, and the Iwo Jima fit."""
        result = next(iter(results.values()))
        figure, axes = new_figure(columns=2, size=(11.0, 4.3))
        for axis, battle, law in (
            (axes[0], result.square, "square law (aimed fire)"),
            (axes[1], result.linear, "linear law (area fire)"),
        ):
            axis.plot(battle.times_days, battle.strengths[:, 0], "C0-", label="Blue")
            axis.plot(battle.times_days, battle.strengths[:, 1], "C3-", label="Red")
            if battle.annihilation_day is not None:
                axis.axvline(battle.annihilation_day, color="0.4", linestyle=":", label="annihilation")
            label_axis(axis, law, xlabel="time (days)", ylabel="strength (troops)")
        if result.linear_break_day is not None:
            axes[1].axvline(
                result.linear_break_day,
                color="0.4",
                linestyle=":",
                label=f"loser at {result.params['break_fraction']:.0%}",
            )
            axes[1].legend(fontsize=8)
        figure.suptitle("Lanchester attrition: same forces, two laws")
        drawn = {"lanchester_laws": figure}

        figure, axis = new_figure(size=(7.0, 4.3))
        iwo = result.iwo_jima
        axis.plot(iwo.times_days, iwo.strengths[:, 0], "C0-", label="US active troops (model)")
        axis.plot(
            result.iwo_fit.days,
            result.iwo_fit.observed_us_active,
            "ko",
            markersize=3,
            label="US active troops (daily reports)",
        )
        axis.plot(iwo.times_days, iwo.strengths[:, 1], "C3-", label="Japanese troops (model)")
        for day, troops in result.iwo_landings.items():
            axis.axvspan(day - 1, day, color="C0", alpha=0.12, linewidth=0)
            axis.annotate(
                f"+{format_value(troops)}",
                (day - 0.5, 2000),
                ha="center",
                fontsize=7,
                rotation=90,
                color="C0",
            )
        shown = format_values(result.params)
        label_axis(
            axis,
            f"Iwo Jima 1945, Engel's square-law fit (a = {shown['iwo_japanese_kill_rate_per_day']},"
            f" b = {shown['iwo_us_kill_rate_per_day']} per day)",
            xlabel="time since landing (days)",
            ylabel="strength (troops)",
        )
        drawn["lanchester_iwo_jima"] = figure
        return drawn
