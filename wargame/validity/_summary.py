"""From a lever's per-run responses to its table rows, its checks and its verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wargame.stats import Estimate, mean_interval, proportion_interval
from wargame.validity._checks import Flag, check_lever
from wargame.validity._ensemble import LeverResponse
from wargame.validity._levers import Lever
from wargame.validity._sobol import MAX_TOTAL_INDEX, SobolResult
from wargame.validity._statistics import paired, per_year, per_year_pseudo_values
from wargame.validity._theory import OUTPUTS

__all__ = ["LevelRow", "LeverResult", "ScenarioResult", "per_run_outputs", "summarise_lever"]


@dataclass(frozen=True)
class LevelRow:
    """One level of a lever: each output with its interval, and paired differences from the lowest level.

    Attributes:
        level: The level (multiplier or days).
        horizon_days: The horizon at this level.
        war: P(war) over the horizon (Clopper-Pearson interval).
        war_per_year: P(war) per year at a constant hazard (the interval's ends transformed).
        escalation_score: Mean Rivera sum over the run.
        escalation: Mean escalation score per 30 days.
        resolve: Mean final resolve of the defended actors.
        differences: Output -> paired difference from the lowest level (t interval).
    """

    level: float
    horizon_days: int
    war: Estimate
    war_per_year: Estimate
    escalation_score: Estimate
    escalation: Estimate
    resolve: Estimate
    differences: dict[str, Estimate]


@dataclass(frozen=True)
class LeverResult:
    """A lever's table and the checks that fired."""

    lever: Lever
    rows: tuple[LevelRow, ...]
    flags: tuple[Flag, ...]

    @property
    def passed(self) -> bool:
        return not self.flags


@dataclass(frozen=True)
class ScenarioResult:
    """Everything the report says about one scenario.

    Attributes:
        name: The scenario's name.
        path: Its file, as given.
        defended: The defended actors whose final resolve is watched (ids, comma-separated).
        runs: Runs per level.
        levers: One result per lever.
        sobol: Sobol indices of P(war) (None when there is no input to vary).
        sobol_inputs_from: Where the Sobol inputs come from, in words.
    """

    name: str
    path: str
    defended: str
    runs: int
    levers: tuple[LeverResult, ...]
    sobol: SobolResult | None
    sobol_inputs_from: str

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "_" for c in self.path.rsplit("/", 1)[-1].removesuffix(".yaml"))

    @property
    def simulated_runs(self) -> int:
        """Runs simulated for this scenario: every level of every lever, every Sobol design point's and
        every confirmation pair's."""
        levels = sum(len(lever.rows) for lever in self.levers) * self.runs
        if self.sobol is None:
            return levels
        confirmed = self.sobol.confirmed
        # The points A, then one block AB per confirmed input, each of pairs x replications runs.
        pair_runs = (1 + len(confirmed)) * confirmed[0].pairs * confirmed[0].replications if confirmed else 0
        return levels + self.sobol.points * self.sobol.replications + pair_runs

    @property
    def passed(self) -> bool:
        return all(lever.passed for lever in self.levers) and (
            self.sobol is None or self.sobol.passed is not False
        )

    def failures(self) -> list[str]:
        """One line per failing lever (its flags joined) and for a failing Sobol check."""
        lines = [
            f"{lever.lever.name}: " + "; ".join(f.message for f in lever.flags)
            for lever in self.levers
            if lever.flags
        ]
        if self.sobol is not None and self.sobol.passed is False:
            k = self.sobol.largest
            confirmation = self.sobol.confirmation(k)
            if confirmation is None:
                index, noise = f"{self.sobol.total[k]:.3f}", self.sobol.noise_total[k]
            else:
                index = (
                    f"{confirmation.total:.3f} [{confirmation.low:.3f}, {confirmation.high:.3f}] "
                    f"(from {confirmation.pairs:,} pick-freeze pairs)"
                )
                noise = confirmation.noise
            lines.append(
                f"Sobol: {self.sobol.names[k]} has a total index of {index} for P(war), "
                f"above {MAX_TOTAL_INDEX} (noise part {noise:.3f})"
            )
        return lines


def per_run_outputs(response: LeverResponse) -> dict[str, np.ndarray]:
    """Per-run values of every checked output, ``(levels, runs)`` each."""
    return {output: _per_run(response, output) for output in OUTPUTS}


def _per_run(response: LeverResponse, output: str) -> np.ndarray:
    """Per-run values of a checked output, ``(levels, runs)``."""
    columns = response.columns
    if output == "war_per_year":
        return np.stack(
            [
                per_year_pseudo_values(war, h)
                for war, h in zip(columns["war"], response.horizon_days, strict=True)
            ]
        )
    return np.asarray(columns[output])


def summarise_lever(response: LeverResponse, confidence: float = 0.95) -> LeverResult:
    """Return a lever's rows (intervals at each level, paired differences) and the checks that fired."""
    lever, columns = response.lever, response.columns
    per_run = per_run_outputs(response)
    rows = []
    for k, level in enumerate(lever.levels):
        horizon = response.horizon_days[k]
        war = columns["war"][k]
        proportion = proportion_interval(int(war.sum()), war.size, confidence)
        yearly = per_year(np.array([proportion.value, proportion.low, proportion.high]), horizon)
        rows.append(
            LevelRow(
                level=level,
                horizon_days=horizon,
                war=proportion,
                war_per_year=Estimate(*(float(v) for v in yearly)),
                escalation_score=mean_interval(columns["escalation_score"][k], confidence),
                escalation=mean_interval(columns["escalation"][k], confidence),
                resolve=mean_interval(columns["resolve"][k], confidence),
                differences={
                    output: paired(values[k], values[0], confidence) for output, values in per_run.items()
                },
            )
        )
    flags = check_lever(per_run, lever.predictions, lever.levels, lever.unit, confidence)
    return LeverResult(lever, tuple(rows), tuple(flags))


def summarise_levers(responses: Sequence[LeverResponse], confidence: float = 0.95) -> tuple[LeverResult, ...]:
    """Summarise every lever."""
    return tuple(summarise_lever(response, confidence) for response in responses)
