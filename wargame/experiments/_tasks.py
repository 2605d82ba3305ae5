"""Tasks: how a sweep's runs are cut into batches, and the function a worker runs on one batch.

Runs are numbered point-major (run ``k`` is replication ``k % R`` of point ``k // R`` for ``R``
replications); task ``t`` holds runs ``t * size`` to ``(t + 1) * size - 1``. The layout depends only on
the design size, the replications and the part size, never on the executor, so a resumed sweep finds the
same tasks whatever runs it. A worker calls the evaluator once per design point in its task (one call
for many seeds amortises the per-call cost); if that call raises or runs over its time limit, it
evaluates those seeds one by one so that only the failing runs are lost.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wargame.experiments._time_limit import time_limit
from wargame.runner.chunks import Chunks

__all__ = [
    "RESERVED_COLUMNS",
    "Chunk",
    "Evaluator",
    "TaskInput",
    "TaskOutput",
    "chunks_of_task",
    "default_runs_per_part",
    "evaluate_task",
    "task_count",
]

Evaluator = Callable[[dict[str, Any], np.ndarray], pd.DataFrame]
"""``evaluator(params, seeds) -> DataFrame``: one row of outcomes per seed, in seed order.

Each row must depend only on ``params`` and its own seed, so that evaluating seeds together or one at a
time gives the same rows.
"""

RESERVED_COLUMNS = ("point", "replication", "seed")


@dataclass(frozen=True)
class Chunk:
    """Replications ``start`` to ``stop - 1`` of design point ``point``."""

    point: int
    start: int
    stop: int


def default_runs_per_part(total_runs: int, replications: int = 1) -> int:
    """Return a part size of about 1/128 of the sweep, but at least 512 runs, made of whole design points.

    About 128 parts are many enough to balance load across workers and lose little work when a sweep is
    killed; at least 512 runs a part (a third of a second of the baseline scenario) keeps the cost of
    each part (sending rows back, writing and syncing a file) at about 1% of the sweep. A small sweep
    still gets about 8 parts. A part always holds whole design points (one evaluator call per point:
    ensemble models run many seeds in one call far faster than in several), unless a point has more than
    4,096 replications; then each part holds an equal share.
    """
    largest = 4096
    smallest = min(512, math.ceil(total_runs / 8))
    target = min(largest, max(16, smallest, math.ceil(total_runs / 128)))
    if replications <= largest:
        return replications * max(1, target // replications)
    return math.ceil(replications / math.ceil(replications / largest))


def task_count(total_runs: int, runs_per_part: int) -> int:
    """Return the number of tasks (and result parts) of a sweep."""
    return len(Chunks(total_runs, runs_per_part))


def chunks_of_task(task: int, *, replications: int, total_runs: int, runs_per_part: int) -> Iterator[Chunk]:
    """Yield the per-point chunks of runs that task ``task`` holds, in run order."""
    runs = Chunks(total_runs, runs_per_part)[task]
    run, last = runs.start, runs.stop
    while run < last:
        point, start = divmod(run, replications)
        stop = min(replications, start + (last - run))
        yield Chunk(point, start, stop)
        run += stop - start


@dataclass(frozen=True)
class TaskInput:
    """What a worker needs for one task: per chunk, the point's parameters and the runs' seeds."""

    part: int
    chunks: tuple[tuple[Chunk, dict[str, Any], np.ndarray], ...]

    @property
    def run_count(self) -> int:
        return sum(chunk.stop - chunk.start for chunk, _, _ in self.chunks)


@dataclass(frozen=True)
class TaskOutput:
    """A finished task: the outcome rows of the runs that succeeded and a record per run that failed."""

    part: int
    rows: pd.DataFrame
    failures: list[dict[str, Any]]
    compute_seconds: float


def evaluate_task(
    evaluator: Evaluator,
    task: TaskInput,
    *,
    outcomes: Sequence[str] | None = None,
    retries: int = 0,
    run_timeout_seconds: float | None = None,
) -> TaskOutput:
    """Evaluate every run of a task; this is the function sent to workers.

    Args:
        evaluator: ``evaluator(params, seeds) -> DataFrame`` with one row per seed.
        task: The task's chunks.
        outcomes: Outcome columns to keep, in this order; all when ``None``.
        retries: Extra attempts for a run that raises.
        run_timeout_seconds: Wall-clock limit per run; ``None`` for none.

    Returns:
        The rows (columns ``point``, ``replication``, ``seed``, then the outcomes) and the failures.
    """
    started = time.perf_counter()
    frames: list[pd.DataFrame] = []
    points: list[np.ndarray] = []
    replications: list[np.ndarray] = []
    seeds_kept: list[np.ndarray] = []
    failures: list[dict[str, Any]] = []
    for chunk, params, seeds in task.chunks:
        limit = None if run_timeout_seconds is None else run_timeout_seconds * len(seeds)
        try:
            with time_limit(limit):
                frame = _checked(evaluator(params, seeds), len(seeds), outcomes)
            kept = np.arange(chunk.start, chunk.stop)
        except Exception:
            frame, kept = _one_by_one(
                evaluator, chunk, params, seeds, outcomes, retries, run_timeout_seconds, failures
            )
        if len(kept):
            frames.append(frame)
            points.append(np.full(len(kept), chunk.point, dtype=np.int64))
            replications.append(kept.astype(np.int64))
            seeds_kept.append(seeds[kept - chunk.start])
    if frames:
        rows = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
        index = pd.DataFrame(
            {
                "point": np.concatenate(points),
                "replication": np.concatenate(replications),
                "seed": np.concatenate(seeds_kept).astype(np.uint64),
            }
        )
        rows = pd.concat([index, rows], axis=1)
    else:
        rows = pd.DataFrame(
            {
                "point": np.empty(0, np.int64),
                "replication": np.empty(0, np.int64),
                "seed": np.empty(0, np.uint64),
            }
        )
    return TaskOutput(task.part, rows, failures, time.perf_counter() - started)


def _checked(frame: Any, expected_rows: int, outcomes: Sequence[str] | None) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"the evaluator must return a pandas DataFrame, got {type(frame).__name__}")
    if len(frame) != expected_rows:
        raise ValueError(f"the evaluator returned {len(frame)} rows for {expected_rows} seeds")
    columns = frame.columns.tolist()
    clashing = [column for column in RESERVED_COLUMNS if column in columns]
    if clashing:
        raise ValueError(f"the evaluator returned reserved columns {clashing}")
    if outcomes is not None and columns != list(outcomes):
        missing = [name for name in outcomes if name not in columns]
        if missing:
            raise KeyError(f"the evaluator returned no outcome column {missing}; it has {columns}")
        frame = frame[list(outcomes)]
    index = frame.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        frame = frame.reset_index(drop=True)
    return frame


def _one_by_one(
    evaluator: Evaluator,
    chunk: Chunk,
    params: dict[str, Any],
    seeds: np.ndarray,
    outcomes: Sequence[str] | None,
    retries: int,
    run_timeout_seconds: float | None,
    failures: list[dict[str, Any]],
) -> tuple[pd.DataFrame | None, np.ndarray]:
    """Evaluate each seed alone, with retries; record the runs that still fail."""
    frames: list[pd.DataFrame] = []
    kept: list[int] = []
    for offset, seed in enumerate(seeds):
        error_text, trace, attempts = "", "", 0
        for _ in range(retries + 1):
            attempts += 1
            try:
                with time_limit(run_timeout_seconds):
                    frame = _checked(evaluator(params, seeds[offset : offset + 1]), 1, outcomes)
            except Exception as error:
                error_text = f"{type(error).__name__}: {error}"
                trace = traceback.format_exc()
                continue
            frames.append(frame)
            kept.append(chunk.start + offset)
            break
        else:
            failures.append(
                {
                    "point": chunk.point,
                    "replication": chunk.start + offset,
                    "seed": int(seed),
                    "error": error_text,
                    "traceback": trace,
                    "attempts": attempts,
                }
            )
    if not frames:
        return None, np.empty(0, np.int64)
    return pd.concat(frames, ignore_index=True), np.asarray(kept, dtype=np.int64)
