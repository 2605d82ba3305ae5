"""Running a lever's levels on common random numbers.

Every level of every lever runs the same run keys, so the difference between two levels of a run is the
lever's effect on that run, with the rest of its randomness held fixed. A scaling lever's level is given per
run (``DeterrenceModel(..., inputs={path: values})``); an ensemble lever's level is its own scenario. Runs
are simulated in ensembles of at most :data:`~wargame.runner.CHUNK_RUNS` runs, on any executor; results do
not depend on the executor or on how runs are cut into chunks.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from wargame.model import DeterrenceModel
from wargame.scenario import Scenario
from wargame.validity._levers import Lever

__all__ = [
    "COLUMNS",
    "Ensemble",
    "LeverResponse",
    "progress_bar",
    "run_ensembles",
    "run_levers",
    "simulate_columns",
]

CHUNK_RUNS = 500
"""Runs simulated together as one ensemble (as the runner does)."""

COLUMNS = ("war", "war_day", "escalation_score", "escalation", "resolve")
"""Per-run values kept: war (0/1), day of onset (NaN without war), the Rivera sum, the score per 30 days
(``escalation_per_30_days``) and the final resolve of the defended actors (the actors the adversary's
ladder coerces, weighted as the calculus weighs them; the defender alone in a one-ally theatre)."""


def simulate_columns(
    scenario: Scenario,
    keys: np.ndarray,
    inputs: Mapping[str, np.ndarray] | None,
    scenario_dir: Path | None,
) -> dict[str, np.ndarray]:
    """Simulate one ensemble and return the :data:`COLUMNS` of its runs (runs in a worker process)."""
    model = DeterrenceModel(scenario, keys, scenario_dir=scenario_dir, inputs=inputs)
    model.run_to_end()
    outcomes = model.outcomes()
    resolve = np.zeros(keys.size)
    for actor, weight in scenario.target_weights().items():
        resolve += weight * outcomes[f"final_resolve_{actor}"]
    return {
        "war": outcomes["war"].astype(np.float64),
        "war_day": outcomes["war_day"].astype(np.float64),
        "escalation_score": outcomes["escalation_score"].astype(np.float64),
        "escalation": outcomes["escalation_per_30_days"].astype(np.float64),
        "resolve": resolve,
    }


@dataclass(frozen=True)
class Ensemble:
    """One ensemble to simulate: a scenario, its run keys and optional per-run field values."""

    scenario: Scenario
    keys: np.ndarray
    inputs: Mapping[str, np.ndarray] | None = None


def progress_bar(total: int, show: bool | None, description: str) -> tqdm:
    """Return a tqdm bar of runs on standard error (shown by default when it is a terminal)."""
    if show is None:
        show = sys.stderr.isatty()
    return tqdm(total=total, unit="run", desc=description, disable=not show, leave=False, file=sys.stderr)


def run_ensembles(
    ensembles: Iterable[Ensemble],
    executor: Executor,
    scenario_dir: Path | None,
    bar: tqdm | None = None,
    max_in_flight: int = 4,
) -> Iterator[dict[str, np.ndarray]]:
    """Yield the columns of each ensemble, in order, while at most ``max_in_flight`` are pending."""
    pending: deque[Future] = deque()

    def collect() -> dict[str, np.ndarray]:
        columns = pending.popleft().result()
        if bar is not None:
            bar.update(len(columns["war"]))
        return columns

    for ensemble in ensembles:
        pending.append(
            executor.submit(simulate_columns, ensemble.scenario, ensemble.keys, ensemble.inputs, scenario_dir)
        )
        if len(pending) >= max_in_flight:
            yield collect()
    while pending:
        yield collect()


@dataclass(frozen=True)
class LeverResponse:
    """What a lever's levels did, run by run.

    Attributes:
        lever: The lever.
        horizon_days: The horizon of each level.
        columns: Column name (:data:`COLUMNS`) -> per-run values, shape ``(levels, runs)``; run ``i`` has
            the same key at every level.
    """

    lever: Lever
    horizon_days: tuple[int, ...]
    columns: Mapping[str, np.ndarray]


@dataclass(frozen=True)
class _Segment:
    """The runs of one level of one lever: its scenario and its fields' values (none: the scenario's)."""

    lever: int
    scenario: Scenario
    values: Mapping[str, float]


def _segments(scenario: Scenario, levers: Sequence[Lever]) -> list[_Segment]:
    """Every level of every lever, the scaling levers first (they share the scenario, so ensembles too)."""
    scaling = [
        _Segment(i, scenario, lever.values_at(level))
        for i, lever in enumerate(levers)
        if not lever.ensemble
        for level in lever.levels
    ]
    own = [
        _Segment(i, lever.scenario_at(scenario, level), {})
        for i, lever in enumerate(levers)
        if lever.ensemble
        for level in lever.levels
    ]
    return scaling + own


def _ensembles(
    segments: Sequence[_Segment], nominal: Mapping[str, float], keys: np.ndarray
) -> Iterator[Ensemble]:
    """Cut the segments' runs, in order, into ensembles of at most CHUNK_RUNS runs of one scenario.

    Consecutive segments of the same scenario share ensembles; a field one of them sets is given at its
    nominal value in the runs of the others (the same as not giving it).
    """
    runs = keys.size
    start = 0
    while start < len(segments):
        stop = start + 1
        while stop < len(segments) and segments[stop].scenario is segments[start].scenario:
            stop += 1
        total = runs * (stop - start)
        for first in range(0, total, CHUNK_RUNS):
            index = np.arange(first, min(first + CHUNK_RUNS, total))
            member = start + index // runs
            inputs: dict[str, np.ndarray] = {}
            for m in np.unique(member):
                for path, value in segments[m].values.items():
                    if path not in inputs:
                        inputs[path] = np.full(index.size, nominal[path])
                    inputs[path][member == m] = value
            yield Ensemble(segments[start].scenario, keys[index % runs], inputs or None)
        start = stop


def run_levers(
    scenario: Scenario,
    levers: Iterable[Lever],
    keys: np.ndarray,
    executor: Executor,
    scenario_dir: Path | None = None,
    bar: tqdm | None = None,
    max_in_flight: int = 4,
) -> list[LeverResponse]:
    """Run every level of every lever on the run keys ``keys``; return each lever's responses.

    Raises:
        InputError: If a level of an ensemble lever makes the scenario invalid (before any run).
    """
    levers = list(levers)
    segments = _segments(scenario, levers)
    nominal = {
        path: value for lever in levers for path, value in zip(lever.paths, lever.nominal, strict=True)
    }
    parts = list(
        run_ensembles(_ensembles(segments, nominal, keys), executor, scenario_dir, bar, max_in_flight)
    )
    by_segment = {
        name: np.concatenate([part[name] for part in parts]).reshape(len(segments), keys.size)
        for name in COLUMNS
    }
    responses = []
    for i, lever in enumerate(levers):
        rows = [k for k, segment in enumerate(segments) if segment.lever == i]
        columns = {name: values[rows] for name, values in by_segment.items()}
        horizons = tuple(segments[k].scenario.horizon_days for k in rows)
        responses.append(LeverResponse(lever, horizons, columns))
    return responses
