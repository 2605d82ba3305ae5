"""The Monte Carlo runner: seeds, chunks of runs on an executor, outcome rows, streamed Parquet.

Per-run seeds are spawned from one root seed in the parent; runs are cut into chunks of fixed size, so the
result of every run is the same whatever ``jobs`` is (each run draws from its own keyed stream anyway).
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Iterator, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from wargame._version import __version__
from wargame.core.policy import Policy
from wargame.errors import InputError
from wargame.model import DeterrenceModel, run_keys_from_seed
from wargame.runner.chunks import Chunks, map_chunks
from wargame.runner.executors import make_executor
from wargame.scenario import Scenario, scenario_hash

__all__ = [
    "CHUNK_RUNS",
    "ChunkResult",
    "RunRecord",
    "check_outcome_names",
    "iter_chunks",
    "run",
    "run_days",
    "run_to_parquet",
    "simulate_runs",
]

WORKER_MODULES = ("wargame.runner._runs",)
"""What a worker process of a batch of runs imports: the fork server preloads it."""

CHUNK_RUNS = 1250
"""Runs simulated together as one ensemble; large enough to amortise per-day overhead."""


@dataclass
class ChunkResult:
    """Outcomes of a block of runs, plus the per-day tallies the plots need.

    ``timeseries`` holds one row per run and day for the runs whose days were kept (else None), as an Arrow
    table built on the record's arrays (no pandas copy of a large block).
    """

    outcomes: pd.DataFrame
    runs_at_rung_by_day: np.ndarray  # (rungs, days): how many runs sat on each rung each day
    timeseries: pa.Table | None = None


@dataclass
class RunRecord:
    """What a streamed run leaves behind for the summary and the plots."""

    path: Path | None
    runs: int
    root_seed: int
    runs_at_rung_by_day: np.ndarray
    outcomes: pd.DataFrame = field(repr=False)


def simulate_runs(
    scenario: Scenario,
    seeds: np.ndarray,
    scenario_dir: Path | None = None,
    first_run_index: int = 0,
    policies: Mapping[str, Policy] | None = None,
) -> pd.DataFrame:
    """Simulate one ensemble and return one outcome row per seed (run index, seed, every outcome).

    Args:
        scenario: The scenario to run.
        seeds: One unsigned 64-bit run key per run; a run's result depends only on its key.
        scenario_dir: Folder for relative paths inside the scenario (policy scripts).
        first_run_index: Run index of the first seed.
        policies: Policy per actor id, replacing the scenario's for those actors.
    """
    _check_policies(scenario, policies, jobs=1)
    return simulate_chunk(
        scenario, np.asarray(seeds, dtype=np.uint64), scenario_dir, first_run_index, policies=policies
    ).outcomes


def simulate_chunk(
    scenario: Scenario,
    seeds: np.ndarray,
    scenario_dir: Path | None,
    first_run_index: int,
    timeseries_runs: int = 0,
    policies: Mapping[str, Policy] | None = None,
) -> ChunkResult:
    """Simulate one ensemble and return its outcome rows and rung-by-day tallies.

    Args:
        scenario: The scenario.
        seeds: One run key per run.
        scenario_dir: Folder for relative paths inside the scenario.
        first_run_index: Run index of the first seed.
        timeseries_runs: Keep the days of the runs whose index is below this (0: none).
        policies: Policies replacing the scenario's, by actor id.
    """
    kept = max(0, min(seeds.size, timeseries_runs - first_run_index))
    record_days = np.arange(kept) if kept else None
    model = DeterrenceModel(
        scenario, seeds, policies=policies, scenario_dir=scenario_dir, record_days=record_days
    )
    model.run_to_end()
    frame = pd.DataFrame(
        {
            "run": np.arange(first_run_index, first_run_index + seeds.size, dtype=np.int64),
            "seed": seeds.astype(np.uint64),
            **model.outcomes(),
        }
    )
    rungs = len(scenario.escalation.rungs)
    tallies = np.stack([(model.rung_by_day == rung).sum(axis=0) for rung in range(rungs)]).astype(np.int64)
    timeseries = None
    if model.daily is not None:
        columns = model.daily.columns()
        columns["run"] = (columns.pop("run_index") + first_run_index).astype(np.int64)
        timeseries = pa.table({"run": columns.pop("run"), **columns})
    return ChunkResult(frame, tallies, timeseries)


def check_outcome_names(
    scenario: Scenario, names: tuple[str, ...] | list[str], scenario_path: Path | None = None
) -> pd.DataFrame:
    """Raise :class:`InputError` for an outcome name the model does not produce; return the outcome rows of
    no run (their columns and dtypes say what the model produces).

    Building the (empty) model also loads every policy, so a missing policy script is reported too.

    Args:
        scenario: The scenario.
        names: Outcome names, as in the scenario's ``outcomes`` list.
        scenario_path: The scenario file: relative script paths are read from its folder, and an error
            names its file and line.
    """
    import difflib

    from wargame.scenario import load_document

    scenario_dir = scenario_path.parent if scenario_path is not None else None
    empty = simulate_runs(scenario, np.zeros(0, dtype=np.uint64), scenario_dir)
    known = list(empty.columns)
    for position, name in enumerate(names):
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            source = None
            if scenario_path is not None:
                file, line = load_document(scenario_path).where(("outcomes", position)) or (scenario_path, 0)
                source = f"{file}:{line}"
            raise InputError(f"unknown outcome {name!r}{hint}", source=source, field=f"outcomes[{position}]")
    return empty


def _progress(total: int, show: bool | None, description: str) -> tqdm:
    if show is None:
        show = sys.stderr.isatty()
    return tqdm(total=total, unit="run", desc=description, disable=not show, leave=False, file=sys.stderr)


def iter_chunks(
    scenario: Scenario,
    runs: int,
    seed: int,
    executor: Executor,
    scenario_dir: Path | None = None,
    chunk_runs: int = CHUNK_RUNS,
    max_in_flight: int = 4,
    timeseries_runs: int = 0,
    policies: Mapping[str, Policy] | None = None,
) -> Iterator[ChunkResult]:
    """Yield chunk results in run order while at most ``max_in_flight`` chunks are pending.

    A chunk's run keys are spawned when it is sent: the first chunk leaves without waiting for the keys of
    all runs (about 75 ms for 10,000), and a process pool starts its workers that much sooner.
    """
    extra = (policies,) if policies else ()
    yield from map_chunks(
        executor,
        simulate_chunk,
        Chunks(runs, chunk_runs),
        lambda chunk: (
            scenario,
            run_keys_from_seed(seed, len(chunk), first_run=chunk.start),
            scenario_dir,
            chunk.start,
            timeseries_runs,
            *extra,
        ),
        max_in_flight=max_in_flight,
    )


def _check_policies(scenario: Scenario, policies: Mapping[str, Policy] | None, jobs: int) -> None:
    """Policies replace actors of the scenario; with several jobs they travel to workers pickled."""
    if not policies:
        return
    actors = {actor.id for actor in scenario.actors}
    for actor_id in policies:
        if actor_id not in actors:
            raise InputError(
                f"no actor {actor_id!r} in the scenario ({', '.join(sorted(actors))})", source="policies"
            )
    if jobs > 1:
        try:
            pickle.dumps(dict(policies))
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            raise InputError(
                f"cannot be sent to worker processes (policies must pickle when jobs > 1): {error}",
                source="policies",
            ) from None


def _validate_counts(runs: int, jobs: int) -> None:
    if runs < 1:
        raise InputError(f"runs must be at least 1, got {runs}", source="--runs")
    if jobs < 1:
        raise InputError(f"jobs must be at least 1, got {jobs}", source="--jobs")


def run_to_parquet(
    scenario: Scenario,
    *,
    runs: int,
    seed: int = 0,
    jobs: int = 1,
    path: Path | None = None,
    scenario_dir: Path | None = None,
    progress: bool | None = None,
    chunk_runs: int = CHUNK_RUNS,
    timeseries_path: Path | None = None,
    timeseries_runs: int | None = None,
) -> RunRecord:
    """Run ``runs`` seeded runs, streaming rows to ``path`` (Parquet) as chunks finish.

    Each file appears only when every run is done (written under a temporary name, then renamed), so an
    interrupted or failed run leaves no partial output.

    Args:
        scenario: The scenario.
        runs: Number of runs.
        seed: Root seed.
        jobs: Worker processes (results do not depend on it).
        path: Parquet file of one row per run (none: keep the rows in memory only).
        scenario_dir: Folder for relative paths inside the scenario.
        progress: Show a progress bar (default: when standard error is a terminal).
        chunk_runs: Runs per ensemble.
        timeseries_path: Parquet file of one row per run and day (see ``docs/model.md``), streamed chunk by
            chunk so memory stays bounded.
        timeseries_runs: Keep the days of the first this many runs only (default: all).

    Returns:
        A :class:`RunRecord` with the outcome rows and the rung-by-day tallies.
    """
    _validate_counts(runs, jobs)
    if timeseries_runs is not None and timeseries_runs < 1:
        raise InputError(f"must be at least 1, got {timeseries_runs}", source="--timeseries-runs")
    kept_days = (
        0 if timeseries_path is None else runs if timeseries_runs is None else min(runs, timeseries_runs)
    )
    tallies = np.zeros((len(scenario.escalation.rungs), scenario.horizon_days), dtype=np.int64)
    frames: list[pd.DataFrame] = []
    metadata = {
        b"wargame_version": __version__.encode(),
        b"root_seed": str(seed).encode(),
        b"scenario_sha256": scenario_hash(scenario).encode(),
    }
    outcomes_file = _StreamedParquet(path, metadata)
    days_file = _StreamedParquet(timeseries_path, metadata)
    executor = make_executor(jobs, preload=WORKER_MODULES)
    try:
        with executor, _progress(runs, progress, scenario.name) as bar:
            chunks = iter_chunks(
                scenario, runs, seed, executor, scenario_dir, chunk_runs, 2 * jobs, kept_days
            )
            for chunk in chunks:
                tallies += chunk.runs_at_rung_by_day
                outcomes_file.write(chunk.outcomes)
                if chunk.timeseries is not None:
                    days_file.write(chunk.timeseries)
                frames.append(_summary_columns(chunk.outcomes))
                bar.update(len(chunk.outcomes))
        outcomes_file.finish()
        days_file.finish()
    finally:
        outcomes_file.discard()
        days_file.discard()
    return RunRecord(path, runs, seed, tallies, pd.concat(frames, ignore_index=True))


# Rows a Parquet row group holds: the writer buffers one group's encoded pages before it goes to disk.
_ROWS_PER_GROUP = 32_768


class _StreamedParquet:
    """A Parquet file written table by table under a temporary name, renamed into place when finished."""

    def __init__(self, path: Path | None, metadata: dict[bytes, bytes]) -> None:
        self.path = path
        self.metadata = metadata
        self.temporary = path.with_name(path.name + ".partial") if path is not None else None
        self.writer: pq.ParquetWriter | None = None

    def write(self, frame: pd.DataFrame | pa.Table) -> None:
        if self.temporary is None:
            return
        table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
        if self.writer is None:
            schema = table.schema.with_metadata({**(table.schema.metadata or {}), **self.metadata})
            self.writer = pq.ParquetWriter(self.temporary, schema)
        if not table.schema.equals(self.writer.schema, check_metadata=False):
            table = table.cast(self.writer.schema)
        self.writer.write_table(table, row_group_size=_ROWS_PER_GROUP)

    def finish(self) -> None:
        if self.writer is not None and self.path is not None and self.temporary is not None:
            self.writer.close()
            self.writer = None
            os.replace(self.temporary, self.path)

    def discard(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if self.temporary is not None and self.temporary.exists():
            self.temporary.unlink()


def _summary_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep the numeric outcome columns the summary uses (drops text columns to keep memory small)."""
    return frame.drop(columns=[c for c in frame.columns if frame[c].dtype == object])


def run(
    scenario: Scenario,
    *,
    runs: int = 1000,
    seed: int = 0,
    jobs: int = 1,
    progress: bool = False,
    policies: Mapping[str, Policy] | None = None,
) -> pd.DataFrame:
    """Run a scenario over many seeded runs and return one row per run, in run order.

    Args:
        scenario: A scenario from :func:`wargame.load_scenario`.
        runs: Number of runs.
        seed: Root seed; run ``i`` uses the ``i``-th child of ``numpy.random.SeedSequence(seed)``.
        jobs: Worker processes; results do not depend on it.
        progress: Show a progress bar.
        policies: Policy per actor id (``{"usa": MyPolicy(...)}``), replacing the scenario's for those
            actors. With ``jobs > 1`` they reach the worker processes pickled, so they must pickle (a
            policy that only stores its constructor arguments does; ``wargame.testing`` checks it).

    Example:
        >>> import wargame
        >>> scenario = wargame.load_scenario("scenarios/taiwan_strait_baseline.yaml")
        >>> frame = wargame.run(scenario, runs=10, seed=1)
        >>> len(frame)
        10
    """
    _validate_counts(runs, jobs)
    _check_policies(scenario, policies, jobs)
    executor = make_executor(jobs, preload=WORKER_MODULES)
    with executor, _progress(runs, progress, scenario.name) as bar:
        frames = []
        for chunk in iter_chunks(scenario, runs, seed, executor, max_in_flight=2 * jobs, policies=policies):
            frames.append(chunk.outcomes)
            bar.update(len(chunk.outcomes))
    return pd.concat(frames, ignore_index=True)


def run_days(
    scenario: Scenario, *, runs: int = 100, seed: int = 0, jobs: int = 1, progress: bool = False
) -> pd.DataFrame:
    """Run a scenario and return one row per run and day (the columns of ``timeseries.parquet``).

    Run ``i`` is the same run as in :func:`run` with the same seed.

    Example:
        >>> import wargame
        >>> scenario = wargame.load_scenario("scenarios/taiwan_strait_baseline.yaml")
        >>> days = wargame.run_days(scenario, runs=2, seed=1)
        >>> len(days) == 2 * scenario.horizon_days
        True
    """
    _validate_counts(runs, jobs)
    executor = make_executor(jobs, preload=WORKER_MODULES)
    with executor, _progress(runs, progress, scenario.name) as bar:
        frames = []
        for chunk in iter_chunks(
            scenario, runs, seed, executor, max_in_flight=2 * jobs, timeseries_runs=runs
        ):
            assert chunk.timeseries is not None
            frames.append(chunk.timeseries.to_pandas())
            bar.update(len(chunk.outcomes))
    return pd.concat(frames, ignore_index=True)
