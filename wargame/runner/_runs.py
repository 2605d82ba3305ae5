"""The Monte Carlo runner: seeds, chunks of runs on an executor, outcome rows, streamed Parquet.

Per-run seeds are spawned from one root seed in the parent; runs are cut into chunks of fixed size, so the
result of every run is the same whatever ``jobs`` is (each run draws from its own keyed stream anyway).
"""

from __future__ import annotations

import itertools
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
from wargame.runner._head_start import map_chunks_with_head_start
from wargame.runner.chunks import Chunks, map_chunks
from wargame.runner.executors import ProcessPool, make_executor
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

CHUNKS_PER_TASK = 2
"""Chunks a worker process simulates as one ensemble (cut back into chunks for the files) when no days are
kept: an ensemble's fixed cost per day is then spread over twice the runs."""

HEAD_START_ROUNDS = 1
"""Rounds of pieces (one from each of the last tasks) the calling process simulates while a new process pool
starts: one round of two pieces takes about as long as the fork server's imports on two cores."""

HEAD_START_RUNS = 250
"""Runs the calling process simulates at a time while a new process pool starts (see ``iter_chunks``): an
ensemble costs about as much as 150 runs whatever its size, so a piece is not much smaller than that."""


@dataclass
class ChunkResult:
    """Outcomes of a block of runs, plus the per-day tallies the plots need.

    ``timeseries`` holds one row per run and day for the runs whose days were kept (else None), as an Arrow
    table built on the record's arrays (no pandas copy of a large block).
    """

    outcomes: pd.DataFrame
    runs_at_rung_by_day: np.ndarray  # (rungs, days): how many runs sat on each rung each day
    timeseries: pa.Table | None = None

    @staticmethod
    def joined(parts: list[ChunkResult]) -> ChunkResult:
        """Return the result of consecutive blocks of runs as one block (``parts`` in run order)."""
        tables = [part.timeseries for part in parts if part.timeseries is not None]
        return ChunkResult(
            pd.concat([part.outcomes for part in parts], ignore_index=True),
            np.sum([part.runs_at_rung_by_day for part in parts], axis=0),
            pa.concat_tables(tables).combine_chunks() if tables else None,
        )


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
    model = _simulated(scenario, seeds, scenario_dir, first_run_index, timeseries_runs, policies)
    return _results(model, seeds, first_run_index, [range(seeds.size)])[0]


def simulate_by_chunk(
    scenario: Scenario,
    seeds: np.ndarray,
    scenario_dir: Path | None,
    first_run_index: int,
    timeseries_runs: int,
    chunk_runs: int,
    policies: Mapping[str, Policy] | None = None,
) -> list[tuple[int, ChunkResult]]:
    """Simulate one ensemble and return its results cut at the chunks' bounds: ``(chunk index, result of
    the ensemble's runs in that chunk)`` in run order (see :func:`simulate_chunk` for the arguments).

    A larger ensemble spreads its fixed cost per day over more runs; a run's numbers do not depend on it.
    """
    model = _simulated(scenario, seeds, scenario_dir, first_run_index, timeseries_runs, policies)
    end = first_run_index + seeds.size
    chunks = range(first_run_index // chunk_runs, (end - 1) // chunk_runs + 1)
    bounds = [max(first_run_index, c * chunk_runs) for c in chunks] + [end]
    blocks = [range(a - first_run_index, b - first_run_index) for a, b in itertools.pairwise(bounds)]
    return list(zip(chunks, _results(model, seeds, first_run_index, blocks), strict=True))


def _simulated(
    scenario: Scenario,
    seeds: np.ndarray,
    scenario_dir: Path | None,
    first_run_index: int,
    timeseries_runs: int,
    policies: Mapping[str, Policy] | None,
) -> DeterrenceModel:
    kept = max(0, min(seeds.size, timeseries_runs - first_run_index))
    record_days = np.arange(kept) if kept else None
    model = DeterrenceModel(
        scenario, seeds, policies=policies, scenario_dir=scenario_dir, record_days=record_days
    )
    model.run_to_end()
    return model


def _results(
    model: DeterrenceModel, seeds: np.ndarray, first_run_index: int, blocks: list[range]
) -> list[ChunkResult]:
    """The results of the ensemble's consecutive runs ``blocks`` (positions in the ensemble)."""
    outcomes = model.outcomes()
    rungs = len(model.spec.escalation.rungs)
    daily = model.daily.columns() if model.daily is not None else None
    kept_runs = model.daily.runs.size if model.daily is not None else 0
    days = model.rung_by_day.shape[1]
    results = []
    for block in blocks:
        rows = slice(block.start, block.stop)
        start = first_run_index + block.start
        frame = pd.DataFrame(
            {
                "run": np.arange(start, start + len(block), dtype=np.int64),
                "seed": seeds[rows].astype(np.uint64),
                **{name: values[rows] for name, values in outcomes.items()},
            }
        )
        rung_by_day = model.rung_by_day[rows]
        tallies = np.stack([(rung_by_day == rung).sum(axis=0) for rung in range(rungs)]).astype(np.int64)
        timeseries = None
        if daily is not None and block.start < kept_runs:
            kept = slice(block.start * days, min(block.stop, kept_runs) * days)
            columns = {name: values[kept] for name, values in daily.items()}
            columns["run"] = (columns.pop("run_index") + first_run_index).astype(np.int64)
            timeseries = pa.table({"run": columns.pop("run"), **columns})
        results.append(ChunkResult(frame, tallies, timeseries))
    return results


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
    """Yield chunk results in run order while at most ``max_in_flight`` tasks are pending.

    A task is a chunk, or for a :class:`~wargame.runner.executors.ProcessPool` keeping no days
    ``CHUNKS_PER_TASK`` chunks simulated as one ensemble and cut back into chunks. A task's run keys are
    spawned when it is sent: the first task leaves without waiting for the keys of all runs (about 75 ms for
    10,000), and a process pool starts its workers that much sooner. While a new process pool starts (its
    fork server imports the model, about a second with a core idle), this process simulates the last runs
    of the last tasks itself, ``HEAD_START_RUNS`` at a time.
    """
    extra = (policies,) if policies else ()

    def arguments(block: range) -> tuple:
        keys = run_keys_from_seed(seed, len(block), first_run=block.start)
        return (scenario, keys, scenario_dir, block.start, timeseries_runs, *extra)

    chunks = Chunks(runs, chunk_runs)
    if not isinstance(executor, ProcessPool):
        yield from map_chunks(executor, simulate_chunk, chunks, arguments, max_in_flight=max_in_flight)
        return

    def task_arguments(block: range) -> tuple:
        keys = run_keys_from_seed(seed, len(block), first_run=block.start)
        return (scenario, keys, scenario_dir, block.start, timeseries_runs, chunk_runs, *extra)

    tasks = Chunks(runs, chunk_runs * (1 if timeseries_runs else CHUNKS_PER_TASK))
    if executor.started:
        parts = map_chunks(executor, simulate_by_chunk, tasks, task_arguments, max_in_flight=max_in_flight)
    else:
        parts = map_chunks_with_head_start(
            executor,
            simulate_by_chunk,
            tasks,
            task_arguments,
            lambda pieces: [part for piece in pieces for part in piece],
            max_in_flight=max_in_flight,
            first_sent=min(executor.workers, max_in_flight),
            workers=executor.workers,
            piece_runs=min(HEAD_START_RUNS, chunk_runs),
            rounds=HEAD_START_ROUNDS,
        )
    yield from _by_chunk(parts)


def _by_chunk(parts: Iterator[list[tuple[int, ChunkResult]]]) -> Iterator[ChunkResult]:
    """Yield one result per chunk from results of runs cut at the chunks' bounds, in run order."""
    chunk, held = -1, list[ChunkResult]()
    for piece in parts:
        for index, result in piece:
            if index != chunk and held:
                yield held[0] if len(held) == 1 else ChunkResult.joined(held)
                held = []
            chunk = index
            held.append(result)
    if held:
        yield held[0] if len(held) == 1 else ChunkResult.joined(held)


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
