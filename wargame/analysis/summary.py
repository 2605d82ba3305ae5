"""The summary of a batch of runs: every outcome with a 95% confidence interval, and its printed form.

Intervals come from :mod:`wargame.stats`: Clopper-Pearson for the probability of war, Student-t for means,
clipped to each outcome's possible range (:func:`wargame.analysis.outcomes.outcome_bounds`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from wargame.analysis.inputs import MIN_RUNS_FOR_SPREAD, InputSpread, input_columns, input_spread
from wargame.analysis.outcomes import outcome_bounds
from wargame.scenario import Scenario
from wargame.stats import Estimate, mean_interval, proportion_interval, sample_quantiles

__all__ = ["Estimate", "RunSummary", "summarize"]

_DAYS_PER_YEAR = 365
# Outcomes whose spread across the uncertain inputs the summary shows: label -> column.
_SPREAD_OF = {"probability of war": "war", "escalation per 30 days": "escalation_per_30_days"}
INTERVALS_NOTE = "intervals: Clopper-Pearson 95% for probabilities of war, Student-t 95% for means"


@dataclass(frozen=True)
class RunSummary:
    """The summary `wargame run` prints."""

    scenario: str
    runs: int
    root_seed: int
    horizon_days: int
    probability_of_war: Estimate
    probability_of_war_by_year: dict[str, Estimate]
    war_day_quartiles: tuple[float, float, float]
    highest_rung_share: dict[str, float]
    incidents_per_run: dict[str, Estimate]
    detection_rate: Estimate
    attribution_rate: Estimate
    mean_attribution_delay_hours: Estimate
    escalation_score: Estimate
    escalation_per_30_days: Estimate
    final_values: dict[str, Estimate]
    extra_outcomes: dict[str, Estimate]
    uncertain_inputs: int = 0
    input_spread: dict[str, InputSpread] | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def render(self) -> str:
        """Return the summary as an aligned text table."""
        lines = [f"{self.scenario}: {self.runs} runs, root seed {self.root_seed}", ""]
        rows: list[tuple[str, str]] = [
            (f"probability of war, {self.horizon_days} days", self.probability_of_war.format(percent=True))
        ]
        rows += [
            (f"  starting in {year}", estimate.format(percent=True))
            for year, estimate in self.probability_of_war_by_year.items()
        ]
        q1, median, q3 = self.war_day_quartiles
        onset = (
            "no war in any run"
            if math.isnan(median)
            else f"median {median:.0f} (quartiles {q1:.0f}-{q3:.0f})"
        )
        rows.append(("day of war onset", onset))
        rows.append(("escalation score (Rivera)", self.escalation_score.format()))
        rows.append(("escalation per 30 days", self.escalation_per_30_days.format()))
        rows.append(("detection rate", self.detection_rate.format(percent=True)))
        rows.append(("timely attribution rate", self.attribution_rate.format(percent=True)))
        rows.append(("mean attribution delay, hours", self.mean_attribution_delay_hours.format()))
        rows += [(name, estimate.format()) for name, estimate in self.final_values.items()]
        rows += [(name, estimate.format()) for name, estimate in self.extra_outcomes.items()]
        width = max(len(name) for name, _ in rows)
        lines += [f"  {name:<{width}}  {value}" for name, value in rows]
        lines += ["", "  highest rung reached (share of runs)"]
        lines += [f"    {rung:<28} {share * 100:5.1f}%" for rung, share in self.highest_rung_share.items()]
        if self.uncertain_inputs and not self.input_spread:
            lines += [
                "",
                f"  spread from the {self.uncertain_inputs} uncertain inputs: needs at least "
                f"{MIN_RUNS_FOR_SPREAD} runs",
            ]
        if self.input_spread:
            lines += [
                "",
                f"  spread from the {self.uncertain_inputs} uncertain inputs: each world's expected value "
                "(a meta-model of the runs on their drawn inputs)",
            ]
            lines += [
                f"    {name:<28} {spread.format(percent=spread.binary)}"
                for name, spread in self.input_spread.items()
            ]
        lines += ["", "  incidents per run, mean [95% CI]"]
        lines += [f"    {name:<28} {estimate.format(4)}" for name, estimate in self.incidents_per_run.items()]
        lines.append("")
        lines.append(f"  {INTERVALS_NOTE}")
        return "\n".join(lines)


def summarize(scenario: Scenario, outcomes: pd.DataFrame, root_seed: int) -> RunSummary:
    """Summarise outcome rows (as returned by :func:`wargame.run`) of ``scenario``."""
    runs = len(outcomes)
    war = outcomes["war"].to_numpy(dtype=bool)
    quartiles = sample_quantiles(outcomes.loc[war, "war_day"], [0.25, 0.5, 0.75])
    bounds = outcome_bounds(scenario)

    def mean_ci(column: str) -> Estimate:
        return mean_interval(outcomes[column], bounds=bounds.get(column))

    horizon = scenario.horizon_days
    onset = outcomes["war_day"].to_numpy(dtype=np.float64)
    by_year: dict[str, Estimate] = {}
    if horizon > _DAYS_PER_YEAR:  # one row per year (the last one possibly part of a year)
        for first in range(0, horizon, _DAYS_PER_YEAR):
            last = min(first + _DAYS_PER_YEAR, horizon) - 1
            label = f"year {first // _DAYS_PER_YEAR + 1} (days {first}-{last})"
            started = int(np.count_nonzero(war & (onset >= first) & (onset <= last)))
            by_year[label] = proportion_interval(started, runs)
    rungs = scenario.escalation.rungs
    counts = np.bincount(outcomes["max_rung"].to_numpy(dtype=np.int64), minlength=len(rungs))
    incidents = {a.id: mean_ci(f"incidents_{a.id}") for a in scenario.gray_zone.activities}
    incidents["total"] = mean_ci("incidents_total")
    final_values = {
        f"final resolve, {actor.id}": mean_ci(f"final_resolve_{actor.id}") for actor in scenario.allied_actors
    }
    for commitment in scenario.commitments:
        column = f"final_credibility_{commitment.from_actor}_{commitment.to_actor}"
        final_values[f"final credibility, {commitment.key}"] = mean_ci(column)
    shown = {"war", "war_day", "max_rung", "escalation_score", "escalation_per_30_days", "incidents_total"}
    shown.add("detection_rate")
    shown |= {"attribution_rate", "mean_attribution_delay_hours"}
    shown |= {f"final_resolve_{a.id}" for a in scenario.allied_actors}
    shown |= {f"final_credibility_{c.from_actor}_{c.to_actor}" for c in scenario.commitments}
    extra = {
        name: mean_ci(name)
        for name in scenario.outcomes
        if name not in shown and name in outcomes and np.issubdtype(outcomes[name].dtype, np.number)
    }
    drawn = input_columns(outcomes)
    spread = None
    if drawn:
        spread = {
            label: found
            for label, column in _SPREAD_OF.items()
            if (found := input_spread(outcomes, column)) is not None
        }
    return RunSummary(
        scenario=scenario.name,
        runs=runs,
        root_seed=root_seed,
        horizon_days=horizon,
        probability_of_war=proportion_interval(int(war.sum()), runs),
        probability_of_war_by_year=by_year,
        war_day_quartiles=(quartiles[0], quartiles[1], quartiles[2]),
        highest_rung_share={rung.id: float(count) / runs for rung, count in zip(rungs, counts, strict=True)},
        incidents_per_run=incidents,
        detection_rate=mean_ci("detection_rate"),
        attribution_rate=mean_ci("attribution_rate"),
        mean_attribution_delay_hours=mean_ci("mean_attribution_delay_hours"),
        escalation_score=mean_ci("escalation_score"),
        escalation_per_30_days=mean_ci("escalation_per_30_days"),
        final_values=final_values,
        extra_outcomes=extra,
        uncertain_inputs=len(drawn),
        input_spread=spread,
    )
