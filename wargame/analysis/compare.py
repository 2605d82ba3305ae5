"""Side-by-side comparison of scenarios run with the same seeds, and paired differences against the first.

Run ``i`` of every scenario draws from the same run key, so the difference of an outcome between two
scenarios can be taken run by run: common random numbers cancel the noise the scenarios share, and the
interval of the mean difference (:func:`wargame.stats.paired_difference`) is much narrower than the two
scenarios' own intervals would suggest.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from wargame.analysis.outcomes import outcome_bounds
from wargame.scenario import Scenario
from wargame.stats import Estimate, mean_interval, paired_difference, proportion_interval

__all__ = ["Comparison", "Measure", "compare_outcomes", "measures_of"]

COLUMNS = [
    "measure",
    "column",
    "scenario",
    "estimate",
    "ci_low",
    "ci_high",
    "n",
    "difference",
    "difference_ci_low",
    "difference_ci_high",
]


@dataclass(frozen=True)
class Measure:
    """A row of the comparison: its label, the outcome column it summarises and how it is printed."""

    label: str
    column: str
    percent: bool = False
    digits: int = 3


def measures_of(scenario: Scenario) -> list[Measure]:
    """The rows a scenario contributes to a comparison, in printed order."""
    measures = [
        Measure("probability of war", "war", percent=True),
        Measure("mean attribution delay, h", "mean_attribution_delay_hours"),
        Measure("timely attribution rate", "attribution_rate", percent=True),
        Measure("detection rate", "detection_rate", percent=True),
        Measure("incidents per run", "incidents_total", digits=4),
        Measure("escalation score", "escalation_score"),
    ]
    measures += [Measure(f"final resolve, {a.id}", f"final_resolve_{a.id}") for a in scenario.allied_actors]
    measures += [
        Measure(f"final credibility, {c.key}", f"final_credibility_{c.from_actor}_{c.to_actor}")
        for c in scenario.commitments
    ]
    return measures


@dataclass(frozen=True)
class Comparison:
    """Every measure of every scenario with its 95% interval, and paired differences against the first.

    Attributes:
        scenarios: Column names, one per scenario, in order (the first is the baseline of differences).
        runs: Runs per scenario.
        root_seed: The root seed every scenario ran with.
        measures: Every row any scenario has, in order of first appearance.
        table: Long table, one row per measure and scenario that has it: ``measure``, ``column``,
            ``scenario``, ``estimate``, ``ci_low``, ``ci_high``, ``n`` (runs with a value) and, against the
            first scenario over the runs both have a value for, ``difference``, ``difference_ci_low``,
            ``difference_ci_high`` (``NaN`` for the first scenario and where it lacks the measure).
    """

    scenarios: list[str]
    runs: int
    root_seed: int
    measures: list[Measure]
    table: pd.DataFrame

    def cell(self, measure: Measure, scenario: str, difference: bool = False) -> str:
        """The printed estimate (or paired difference) of one measure in one scenario; ``n/a`` if absent."""
        rows = self.table[(self.table["measure"] == measure.label) & (self.table["scenario"] == scenario)]
        if rows.empty:
            return "n/a"
        row = rows.iloc[0]
        prefix = "difference_" if difference else ""
        value = row["difference" if difference else "estimate"]
        estimate = Estimate(value, row[f"{prefix}ci_low"], row[f"{prefix}ci_high"])
        text = estimate.format(measure.digits, percent=measure.percent)
        if difference and not math.isnan(value):
            text = ("+" if value >= 0 else "") + (text.replace("%", " pp", 1) if measure.percent else text)
        return text

    def render(self) -> str:
        """The comparison as aligned text: estimates, then paired differences against the first."""
        lines = [f"{self.runs} runs each, root seed {self.root_seed}; 95% intervals in brackets", ""]
        lines += _grid(
            self.scenarios, [(m.label, [self.cell(m, s) for s in self.scenarios]) for m in self.measures]
        )
        if len(self.scenarios) > 1:
            first, others = self.scenarios[0], self.scenarios[1:]
            lines += [
                "",
                f"paired differences against {first} (same seeds, run by run; pp: percentage points)",
                "",
            ]
            rows = [(m.label, [self.cell(m, s, difference=True) for s in others]) for m in self.measures]
            lines += _grid(others, rows)
        return "\n".join(lines)

    def to_json(self) -> str:
        """The comparison as JSON: runs, root seed, scenarios and the rows of :attr:`table`."""
        records = [
            {
                key: (None if isinstance(value, float) and math.isnan(value) else value)
                for key, value in row.items()
            }
            for row in self.table.to_dict(orient="records")
        ]
        return json.dumps(
            {"runs": self.runs, "root_seed": self.root_seed, "scenarios": self.scenarios, "rows": records},
            indent=2,
        )


def _grid(headers: Sequence[str], rows: Sequence[tuple[str, list[str]]]) -> list[str]:
    widths = [max(len(header), *(len(cells[i]) for _, cells in rows)) for i, header in enumerate(headers)]
    label_width = max(len(label) for label, _ in rows)
    lines = [" " * label_width + "  " + "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    for label, cells in rows:
        lines.append(
            f"{label.ljust(label_width)}  "
            + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))
        )
    return [line.rstrip() for line in lines]


def compare_outcomes(
    names: Sequence[str],
    scenarios: Sequence[Scenario],
    outcomes: Sequence[pd.DataFrame],
    *,
    root_seed: int,
    confidence: float = 0.95,
) -> Comparison:
    """Compare the outcome rows of scenarios that ran with the same seeds.

    Args:
        names: A column name per scenario (e.g. the file stems).
        scenarios: The scenarios.
        outcomes: Their outcome rows (:func:`wargame.run`), run ``i`` of each with the same seed.
        root_seed: The root seed they ran with.
        confidence: Confidence level of every interval.

    Raises:
        ValueError: If the lists differ in length, the names repeat or the runs differ in number.
    """
    if not len(names) == len(scenarios) == len(outcomes) or not names:
        raise ValueError("give one name and one outcome table per scenario")
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names repeat: {list(names)}")
    if len({len(frame) for frame in outcomes}) != 1:
        raise ValueError("paired comparison needs the same runs in every scenario")
    measures: dict[str, Measure] = {}
    for scenario in scenarios:
        for measure in measures_of(scenario):
            measures.setdefault(measure.label, measure)
    bounds = [outcome_bounds(scenario) for scenario in scenarios]
    has = [{m.label for m in measures_of(scenario)} for scenario in scenarios]
    records = []
    for measure in measures.values():
        for index, (name, frame) in enumerate(zip(names, outcomes, strict=True)):
            if measure.label not in has[index]:
                continue
            values = frame[measure.column]
            if measure.column == "war":
                estimate = proportion_interval(int(values.sum()), len(values), confidence)
            else:
                estimate = mean_interval(values, confidence, bounds[index].get(measure.column))
            difference = Estimate(math.nan, math.nan, math.nan)
            if index > 0 and measure.label in has[0]:
                range_ = bounds[index].get(measure.column)
                difference = paired_difference(
                    values.astype(float), outcomes[0][measure.column].astype(float), confidence, range_
                )
            records.append(
                (
                    measure.label,
                    measure.column,
                    name,
                    estimate.value,
                    estimate.low,
                    estimate.high,
                    int(values.notna().sum()),
                    difference.value,
                    difference.low,
                    difference.high,
                )
            )
    table = pd.DataFrame.from_records(records, columns=COLUMNS)
    return Comparison(list(names), len(outcomes[0]), root_seed, list(measures.values()), table)
