"""How large a sweep is before anything runs: design points, runs, an estimate of the run time, limits.

Two kinds of limit:

* memory, never lifted: a design of more than :data:`MAX_DESIGN_POINTS` points is not built (its table
  lives in memory, then in ``design.parquet``), and a point of more than :data:`MAX_REPLICATIONS`
  replications is refused (a point's run seeds are one array). Both are checked from the experiment file
  alone, before the design is generated, so a 10^8-point design is refused in milliseconds.
* time, lifted by ``allow_large`` (``--allow-large``): a sweep estimated to take more than
  :data:`MAX_ESTIMATED_HOURS` on the workers it was given is refused with the numbers.

The estimate is the engine's measured cost (:data:`SECONDS_PER_RUN_DAY` per run and simulated day, plus
:data:`SECONDS_PER_CALL_DAY` per ensemble and simulated day, on one core of the machine the benchmarks
run on), spread over the workers; scenarios with many more actors or activities than the reference run
slower, so it is a guide, not a promise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from wargame.errors import InputError
from wargame.experiments._spec import ExperimentSpec, FullFactorialDesign, Parameter, SpecError

__all__ = [
    "MAX_DESIGN_POINTS",
    "MAX_ESTIMATED_HOURS",
    "MAX_REPLICATIONS",
    "SweepSize",
    "check_design_size",
    "design_points",
    "designs_of",
]

MAX_DESIGN_POINTS = 2_000_000
"""The most design points a sweep builds (a 2-million-point, 10-parameter design is 160 MB of values)."""

MAX_REPLICATIONS = 10_000_000
"""The most replications of one design point (its run seeds are one array of 80 MB)."""

MAX_ESTIMATED_HOURS = 24.0
"""A sweep estimated to take longer than this on its workers is refused unless allowed."""

SECONDS_PER_RUN_DAY = 7e-6
"""Measured cost of one run for one simulated day in an ensemble of 500 runs (reference scenario)."""

SECONDS_PER_CALL_DAY = 1e-4
"""Measured cost of one ensemble (one evaluator call) per simulated day, whatever its size."""


def design_points(design: Any, parameters: tuple[Parameter, ...], table_rows: int | None = None) -> int:
    """Return the number of points ``design`` makes over ``parameters``, from the file alone (exact).

    Args:
        design: A design specification (``FullFactorialDesign``, ``SobolDesign``, ...).
        parameters: The parameters it varies.
        table_rows: Rows of a table design's file (required for that kind).
    """
    dimensions = len(parameters)
    if design.kind == "full_factorial":
        return math.prod(len(parameter.levels or ()) for parameter in parameters)
    if design.kind in ("latin_hypercube", "monte_carlo"):
        return int(design.samples)
    if design.kind == "sobol":
        return int(design.base_samples) * ((2 * dimensions + 2) if design.second_order else (dimensions + 2))
    if design.kind == "morris":
        return int(design.trajectories) * (dimensions + 1)
    if table_rows is None:
        raise ValueError("a table design's size needs its row count")
    return table_rows


def _size_field(design: Any, design_field: str, parameters_field: str) -> tuple[str | int, ...]:
    """The field of the experiment file that sets a design's size."""
    return {
        "full_factorial": (parameters_field,),
        "latin_hypercube": (design_field, "samples"),
        "monte_carlo": (design_field, "samples"),
        "sobol": (design_field, "base_samples"),
        "morris": (design_field, "trajectories"),
        "table": (design_field, "file"),
    }[design.kind]


def designs_of(spec: ExperimentSpec) -> list[tuple[Any, tuple[Parameter, ...], str, str]]:
    """The designs an experiment crosses: ``(design, parameters, design field, parameters field)``; one
    for a plain experiment, the policies' and the futures' for levers and uncertainties."""
    if not spec.crossed:
        return [(spec.design, spec.parameters, "design", "parameters")]
    policies = spec.policies or FullFactorialDesign(kind="full_factorial")
    return [
        (policies, spec.levers, "policies", "levers"),
        (spec.futures, spec.uncertainties, "futures", "uncertainties"),
    ]


def check_design_size(spec: ExperimentSpec) -> None:
    """Refuse a design too large to build in memory and a point with too many replications.

    Raises:
        SpecError: Naming the field that sets the size, with the numbers.
    """
    if spec.replications > MAX_REPLICATIONS:
        raise SpecError(
            f"{spec.replications:,} replications per point; at most {MAX_REPLICATIONS:,} "
            "(a point's seeds are generated in one array)",
            location=("replications",),
        )
    parts = [part for part in designs_of(spec) if part[0].kind != "table"]  # tables: counted when read
    sizes = [design_points(design, parameters) for design, parameters, _, _ in parts]
    points = math.prod(sizes)
    if parts and points > MAX_DESIGN_POINTS:
        design, _, design_field, parameters_field = parts[sizes.index(max(sizes))]
        what = (
            f"the {design.kind} design"
            if not spec.crossed
            else f"policies x futures ({' x '.join(f'{n:,}' for n in sizes)})"
        )
        raise SpecError(
            f"{what} has {points:,} points; at most {MAX_DESIGN_POINTS:,} fit in memory: use fewer levels "
            "or samples",
            location=_size_field(design, design_field, parameters_field),
        )


@dataclass(frozen=True)
class SweepSize:
    """The size of a sweep and an estimate of its run time.

    Attributes:
        points: Design points.
        replications: Runs per point.
        horizon_days: Days simulated per run.
        workers: Tasks run at once.
        runs_per_call: Runs simulated together in one ensemble (a part's share of a point).
    """

    points: int
    replications: int
    horizon_days: int
    workers: int
    runs_per_call: int

    @property
    def total_runs(self) -> int:
        return self.points * self.replications

    @property
    def estimated_seconds(self) -> float:
        """Estimated wall-clock time of the whole sweep on :attr:`workers` workers."""
        calls = self.points * math.ceil(self.replications / max(1, self.runs_per_call))
        per_day = calls * SECONDS_PER_CALL_DAY + self.total_runs * SECONDS_PER_RUN_DAY
        return per_day * self.horizon_days / max(1, self.workers)

    def describe(self) -> str:
        """The sizes and the estimate in words."""
        return (
            f"{self.total_runs:,} runs ({self.points:,} points x {self.replications:,} replications) of "
            f"{self.horizon_days:,} days, estimated {_duration(self.estimated_seconds)} on "
            f"{self.workers} worker{'s' if self.workers != 1 else ''}"
        )

    def check(self, *, allow_large: bool) -> None:
        """Refuse a sweep estimated to run longer than :data:`MAX_ESTIMATED_HOURS` unless allowed.

        Raises:
            InputError: With the numbers, naming ``--allow-large``.
        """
        if allow_large or self.estimated_seconds <= MAX_ESTIMATED_HOURS * 3600:
            return
        raise InputError(
            f"the sweep is too large: {self.describe()}, over the limit of {MAX_ESTIMATED_HOURS:g} hours; "
            "reduce the design or the replications, add workers, or pass --allow-large to run it anyway",
            source="--allow-large",
        )


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:,.1f} days"
