"""Outcome statistics with confidence intervals, and their printed form."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from wargame.scenario import Scenario

__all__ = ["Estimate", "RunSummary", "mean_ci", "summarize", "wilson_interval"]

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a 95% confidence interval."""

    value: float
    low: float
    high: float

    def format(self, digits: int = 3, percent: bool = False) -> str:
        scale, unit = (100.0, "%") if percent else (1.0, "")
        if math.isnan(self.value):
            return "n/a"
        return (
            f"{self.value * scale:.{digits}g}{unit} "
            f"[{self.low * scale:.{digits}g}, {self.high * scale:.{digits}g}]"
        )


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> Estimate:
    """Return the proportion with its Wilson score interval (95% by default)."""
    if trials == 0:
        return Estimate(math.nan, math.nan, math.nan)
    p = successes / trials
    denominator = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    # At 0 and at every success the bound is exactly 0 or 1; rounding in centre -/+ half can miss it.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Estimate(p, low, high)


def mean_ci(values: np.ndarray | pd.Series, z: float = Z_95) -> Estimate:
    """Return the mean with a normal-approximation 95% interval (NaNs ignored)."""
    array = np.asarray(values, dtype=np.float64)
    array = array[~np.isnan(array)]
    if array.size == 0:
        return Estimate(math.nan, math.nan, math.nan)
    mean = float(array.mean())
    half = z * float(array.std(ddof=1)) / math.sqrt(array.size) if array.size > 1 else math.nan
    return Estimate(mean, mean - half, mean + half)


@dataclass(frozen=True)
class RunSummary:
    """The summary `wargame run` prints."""

    scenario: str
    runs: int
    root_seed: int
    probability_of_war: Estimate
    war_day_quartiles: tuple[float, float, float]
    highest_rung_share: dict[str, float]
    incidents_per_run: dict[str, Estimate]
    detection_rate: Estimate
    attribution_rate: Estimate
    mean_attribution_delay_hours: Estimate
    escalation_score: Estimate
    final_values: dict[str, Estimate]
    extra_outcomes: dict[str, Estimate]

    def to_dict(self) -> dict:
        return asdict(self)

    def render(self) -> str:
        """Return the summary as an aligned text table."""
        lines = [f"{self.scenario}: {self.runs} runs, root seed {self.root_seed}", ""]
        rows: list[tuple[str, str]] = [("probability of war", self.probability_of_war.format(percent=True))]
        q1, median, q3 = self.war_day_quartiles
        onset = (
            "no war in any run"
            if math.isnan(median)
            else f"median {median:.0f} (quartiles {q1:.0f}-{q3:.0f})"
        )
        rows.append(("day of war onset", onset))
        rows.append(("escalation score (Rivera)", self.escalation_score.format()))
        rows.append(("detection rate", self.detection_rate.format(percent=True)))
        rows.append(("timely attribution rate", self.attribution_rate.format(percent=True)))
        rows.append(("mean attribution delay, hours", self.mean_attribution_delay_hours.format()))
        rows += [(name, estimate.format()) for name, estimate in self.final_values.items()]
        rows += [(name, estimate.format()) for name, estimate in self.extra_outcomes.items()]
        width = max(len(name) for name, _ in rows)
        lines += [f"  {name:<{width}}  {value}" for name, value in rows]
        lines += ["", "  highest rung reached (share of runs)"]
        lines += [f"    {rung:<28} {share * 100:5.1f}%" for rung, share in self.highest_rung_share.items()]
        lines += ["", "  incidents per run, mean [95% CI]"]
        lines += [f"    {name:<28} {estimate.format(4)}" for name, estimate in self.incidents_per_run.items()]
        lines.append("")
        lines.append("  intervals: Wilson 95% for probabilities of war, normal 95% for means")
        return "\n".join(lines)


def summarize(scenario: Scenario, outcomes: pd.DataFrame, root_seed: int) -> RunSummary:
    """Summarise outcome rows (as returned by :func:`wargame.run`) of ``scenario``."""
    runs = len(outcomes)
    war = outcomes["war"].to_numpy(dtype=bool)
    war_days = outcomes.loc[war, "war_day"].to_numpy(dtype=np.float64)
    quartiles = (
        tuple(float(v) for v in np.percentile(war_days, [25, 50, 75])) if war_days.size else (math.nan,) * 3
    )
    rungs = scenario.escalation.rungs
    counts = np.bincount(outcomes["max_rung"].to_numpy(dtype=np.int64), minlength=len(rungs))
    incidents = {a.id: mean_ci(outcomes[f"incidents_{a.id}"]) for a in scenario.gray_zone.activities}
    incidents["total"] = mean_ci(outcomes["incidents_total"])
    final_values = {
        f"final resolve, {actor.id}": mean_ci(outcomes[f"final_resolve_{actor.id}"])
        for actor in scenario.allied_actors
    }
    for commitment in scenario.commitments:
        column = f"final_credibility_{commitment.from_actor}_{commitment.to_actor}"
        final_values[f"final credibility, {commitment.key}"] = mean_ci(outcomes[column])
    shown = {"war", "war_day", "max_rung", "escalation_score", "incidents_total", "detection_rate"}
    shown |= {"attribution_rate", "mean_attribution_delay_hours"}
    shown |= {f"final_resolve_{a.id}" for a in scenario.allied_actors}
    shown |= {f"final_credibility_{c.from_actor}_{c.to_actor}" for c in scenario.commitments}
    extra = {
        name: mean_ci(outcomes[name])
        for name in scenario.outcomes
        if name not in shown and name in outcomes and np.issubdtype(outcomes[name].dtype, np.number)
    }
    return RunSummary(
        scenario=scenario.name,
        runs=runs,
        root_seed=root_seed,
        probability_of_war=wilson_interval(int(war.sum()), runs),
        war_day_quartiles=quartiles,  # type: ignore[arg-type]
        highest_rung_share={rung.id: float(count) / runs for rung, count in zip(rungs, counts, strict=True)},
        incidents_per_run=incidents,
        detection_rate=mean_ci(outcomes["detection_rate"]),
        attribution_rate=mean_ci(outcomes["attribution_rate"]),
        mean_attribution_delay_hours=mean_ci(outcomes["mean_attribution_delay_hours"]),
        escalation_score=mean_ci(outcomes["escalation_score"]),
        final_values=final_values,
        extra_outcomes=extra,
    )
