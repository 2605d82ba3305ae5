"""The sweep engine: runs every (design point, replication) of a design through an evaluator.

Generic: it knows nothing of scenarios. The parent derives every seed, cuts the runs into tasks
(:mod:`wargame.experiments._tasks`), keeps a bounded number of tasks in flight on any
:class:`concurrent.futures.Executor`, and streams each finished task to a Parquet part file
(:mod:`wargame.experiments._store`), so memory stays flat however many runs there are. A resumed sweep
skips the parts already in the manifest. A process pool whose worker dies is replaced by a new one and
the tasks it lost are sent again.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from wargame.errors import WargameError
from wargame.experiments._design import Design
from wargame.experiments._provenance import ProvenanceRecorder
from wargame.experiments._seeds import run_seeds
from wargame.experiments._store import SweepStore, stored_runs_per_part
from wargame.experiments._tasks import (
    Evaluator,
    TaskInput,
    TaskOutput,
    chunks_of_task,
    default_runs_per_part,
    evaluate_task,
    task_count,
)
from wargame.runner.executors import ProcessPool, SerialExecutor, concurrency_of, describe_executor

__all__ = ["LOST_TASK_ATTEMPTS", "SweepAbortedError", "SweepSummary", "run_sweep"]


class SweepAbortedError(WargameError):
    """A task failed outside the evaluator more often than retries allow.

    For example a task that could not be sent to a worker, a Dask task whose workers kept dying, or a task
    lost with :data:`LOST_TASK_ATTEMPTS` crashed process pools. The parts finished before are kept;
    continue the sweep with ``resume=True``.
    """


@dataclass(frozen=True)
class SweepSummary:
    """What a sweep did.

    Attributes:
        out_dir: The results folder.
        total_runs: Runs in the whole sweep.
        runs_done: Runs with a result row, over every session.
        runs_failed: Runs recorded as failed, over every session.
        runs_skipped: Runs found finished by an earlier session and not run again.
        parts: Part files in the folder.
        elapsed_seconds: Wall-clock time of this session.
        pool_restarts: Process pools replaced in this session after a worker died.
    """

    out_dir: Path
    total_runs: int
    runs_done: int
    runs_failed: int
    runs_skipped: int
    parts: int
    elapsed_seconds: float
    pool_restarts: int = 0

    @property
    def complete(self) -> bool:
        """Whether every run has a row or a failure record."""
        return self.runs_done + self.runs_failed == self.total_runs


def run_sweep(
    design: Design,
    evaluator: Evaluator,
    out_dir: str | Path,
    *,
    replications: int = 1,
    root_seed: int = 0,
    common_seeds: bool = False,
    executor: Executor | None = None,
    resume: bool = False,
    outcomes: list[str] | tuple[str, ...] | None = None,
    retries: int = 0,
    run_timeout_seconds: float | None = None,
    runs_per_part: int | None = None,
    experiment_name: str = "experiment",
    experiment_sha256: str | None = None,
    identity: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    progress: bool | None = None,
) -> SweepSummary:
    """Run ``replications`` runs of every design point and write the results to ``out_dir``.

    Args:
        design: The design points.
        evaluator: ``evaluator(params, seeds) -> DataFrame`` of outcome rows, one per seed; must be
            picklable for process pools and Dask (a module-level function or an instance of a
            module-level class).
        out_dir: The results folder; must be new or empty unless ``resume``.
        replications: Runs per design point.
        root_seed: Every run's seed derives from it and from the run's point and replication.
        common_seeds: Common random numbers: replication ``r`` of every point gets the same seed, so that
            differences between points are not blurred by independent noise (sharper sensitivity
            indices for noisy outcomes); the replications of one point stay independent.
        executor: Where tasks run; serial in this process when ``None``. Not shut down here.
        resume: Continue the sweep in ``out_dir``, skipping finished parts.
        outcomes: Outcome columns to keep; all the evaluator returns when ``None``.
        retries: Extra attempts for a run that raises and for a task that fails outside the evaluator.
            A process pool whose worker dies is replaced and its lost tasks are sent again whatever
            ``retries`` is, up to :data:`LOST_TASK_ATTEMPTS` times per task.
        run_timeout_seconds: Wall-clock limit of one run; a run over it is recorded as failed.
        runs_per_part: Runs per task and part file; when ``None``, the layout a resumed folder was started
            with, else :func:`~wargame.experiments._tasks.default_runs_per_part` (about 1/128 of the
            sweep, at least 512 runs).
        experiment_name: Stored with the results; a resume must name the same experiment.
        experiment_sha256: Hash of the experiment file; a resume must match it.
        identity: More facts a resume must match, e.g. ``{"scenario_sha256": ...}``.
        metadata: JSON-ready notes stored with the results (e.g. analysis settings); not compared.
        progress: Show a progress bar; when ``None``, only if stderr is a terminal.

    Returns:
        A summary of the sweep.

    Raises:
        InputError: If ``out_dir`` holds other results, or a resume does not match the stored sweep.
        SweepAbortedError: If a task kept failing outside the evaluator or kept killing its worker;
            finished parts are kept.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    if retries < 0:
        raise ValueError(f"retries must be at least 0, got {retries}")
    if len(design) == 0:
        raise ValueError("the design has no points")
    total_runs = len(design) * replications
    if runs_per_part is None:
        # A resumed sweep keeps the part layout it was started with, whatever today's default is.
        stored = stored_runs_per_part(out_dir) if resume else None
        runs_per_part = stored or default_runs_per_part(total_runs, replications)
    parts = task_count(total_runs, runs_per_part)
    fingerprint = design.fingerprint()
    header: dict[str, Any] = json.loads(
        json.dumps(
            {
                "experiment_name": experiment_name,
                "experiment_sha256": experiment_sha256,
                "design_sha256": fingerprint,
                "design": {"kind": design.kind, "settings": design.settings, "points": len(design)},
                "parameters": [parameter.model_dump(mode="json") for parameter in design.parameters],
                "replications": replications,
                "root_seed": root_seed,
                "common_seeds": common_seeds,
                "outcomes": list(outcomes) if outcomes is not None else None,
                "runs_per_part": runs_per_part,
                "total_runs": total_runs,
                "parts": parts,
                "identity": identity or {},
                "metadata": metadata or {},
            }
        )
    )
    opener = SweepStore.resume if resume else SweepStore.create
    executor = executor or SerialExecutor()
    started = time.perf_counter()
    with opener(out_dir, header, design.points) as store:
        provenance = ProvenanceRecorder(
            store.root,
            {
                "sweep_id": store.header["sweep_id"],
                "experiment_name": experiment_name,
                "experiment_sha256": experiment_sha256,
                "design_kind": design.kind,
                "design_sha256": fingerprint,
                "root_seed": root_seed,
                "common_seeds": common_seeds,
                "replications": replications,
                "total_runs": total_runs,
            },
        )
        finished = store.finished_parts()
        runs_skipped = sum(store.entries[part].rows + store.entries[part].failed for part in finished)
        todo = deque(part for part in range(parts) if part not in finished)
        provenance.start(
            executor=describe_executor(executor), resumed=bool(finished), runs_to_do=total_runs - runs_skipped
        )
        status = "error"
        counters = {"pool_restarts": 0}
        try:
            _drive(
                executor,
                store,
                todo,
                design=design,
                evaluator=evaluator,
                replications=replications,
                root_seed=root_seed,
                common_seeds=common_seeds,
                total_runs=total_runs,
                runs_per_part=runs_per_part,
                outcomes=tuple(outcomes) if outcomes is not None else None,
                retries=retries,
                run_timeout_seconds=run_timeout_seconds,
                initial_runs=runs_skipped,
                initial_failed=sum(store.entries[part].failed for part in finished),
                progress=sys.stderr.isatty() if progress is None else progress,
                counters=counters,
            )
            status = "complete"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            runs_done = sum(entry.rows for entry in store.entries.values())
            runs_failed = sum(entry.failed for entry in store.entries.values())
            provenance.finish(status=status, runs_done=runs_done, runs_failed=runs_failed, **counters)
        return SweepSummary(
            out_dir=store.root,
            total_runs=total_runs,
            runs_done=runs_done,
            runs_failed=runs_failed,
            runs_skipped=runs_skipped,
            parts=len(store.entries),
            elapsed_seconds=time.perf_counter() - started,
            pool_restarts=counters["pool_restarts"],
        )


LOST_TASK_ATTEMPTS = 3
"""The sweep stops when a task was lost this many times with a crashed process-pool worker (like Dask's
``allowed-failures``): a task that keeps killing its worker is the likely culprit, not bad luck."""


def _drive(
    executor: Executor,
    store: SweepStore,
    todo: deque[int],
    *,
    design: Design,
    evaluator: Evaluator,
    replications: int,
    root_seed: int,
    common_seeds: bool,
    total_runs: int,
    runs_per_part: int,
    outcomes: tuple[str, ...] | None,
    retries: int,
    run_timeout_seconds: float | None,
    initial_runs: int,
    initial_failed: int,
    progress: bool,
    counters: dict[str, int],
) -> None:
    """Keep a bounded window of tasks in flight and write each finished one.

    A process pool that breaks (a worker killed, out of memory or crashed in native code) is replaced by
    a new one and the tasks it lost are sent again, each up to :data:`LOST_TASK_ATTEMPTS` times;
    ``counters["pool_restarts"]`` counts the replacements.
    """
    point_values = design.points[design.parameter_names].to_dict(orient="records")

    def task_input(part: int) -> TaskInput:
        chunks = tuple(
            (
                chunk,
                point_values[chunk.point],
                run_seeds(root_seed, chunk.point, chunk.start, chunk.stop, common=common_seeds),
            )
            for chunk in chunks_of_task(
                part, replications=replications, total_runs=total_runs, runs_per_part=runs_per_part
            )
        )
        return TaskInput(part, chunks)

    window = 2 * concurrency_of(executor) + 1
    in_flight: dict[Future, int] = {}
    attempts: dict[int, int] = {}
    lost: dict[int, int] = {}
    replacement: ProcessPoolExecutor | None = None
    failed = initial_failed
    bar = tqdm(
        total=total_runs,
        initial=initial_runs,
        unit="run",
        desc="sweep",
        disable=not progress,
        dynamic_ncols=True,
        smoothing=0.05,
        file=sys.stderr,
    )
    bar.set_postfix(failed=failed, refresh=False)

    def write(output: TaskOutput) -> None:
        nonlocal failed
        entry = store.write_part(output)
        failed += entry.failed
        bar.set_postfix(failed=failed, refresh=False)
        bar.update(entry.rows + entry.failed)

    def recover(broken: Exception, parts: list[int]) -> None:
        """Replace the broken pool and queue its lost tasks again, or stop if one was lost too often."""
        nonlocal executor, replacement
        for part in parts:
            lost[part] = lost.get(part, 0) + 1
        worst = max(parts, key=lambda part: lost[part])
        if lost[worst] >= LOST_TASK_ATTEMPTS or not isinstance(executor, ProcessPoolExecutor):
            raise SweepAbortedError(
                f"task {worst} was lost with a crashed worker process {lost[worst]} times "
                f"({type(broken).__name__}); finished parts are kept, continue with --resume"
            ) from broken
        todo.extendleft(sorted(parts, reverse=True))
        if replacement is not None:
            replacement.shutdown(wait=False, cancel_futures=True)
        replacement = _new_pool_like(executor)
        executor = replacement
        counters["pool_restarts"] += 1
        bar.write(
            f"sweep: a worker process died ({type(broken).__name__}); started a new process pool and "
            f"sent its {len(parts)} unfinished task(s) again",
            file=sys.stderr,
        )

    try:
        while todo or in_flight:
            while todo and len(in_flight) < window:
                part = todo.popleft()
                try:
                    future = executor.submit(
                        evaluate_task,
                        evaluator,
                        task_input(part),
                        outcomes=outcomes,
                        retries=retries,
                        run_timeout_seconds=run_timeout_seconds,
                    )
                except BrokenProcessPool as error:  # it broke since the last wait
                    recover(error, [part, *_drain_broken(in_flight, write)])
                    continue
                in_flight[future] = part
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=in_flight.__getitem__):
                if future not in in_flight:
                    continue  # written or re-queued while recovering from a broken pool
                part = in_flight.pop(future)
                try:
                    output = future.result()
                except BrokenProcessPool as error:
                    recover(error, [part, *_drain_broken(in_flight, write)])
                    break
                except Exception as error:
                    attempts[part] = attempts.get(part, 0) + 1
                    if attempts[part] <= retries:
                        todo.appendleft(part)
                        continue
                    detail = "".join(traceback.format_exception_only(error)).strip()
                    raise SweepAbortedError(
                        f"task {part} failed outside the evaluator after {attempts[part]} attempt(s): "
                        f"{detail}; finished parts are kept, continue with --resume"
                    ) from error
                write(output)
    except BaseException:
        for future in in_flight:
            future.cancel()
        raise
    finally:
        bar.close()
        if replacement is not None:
            replacement.shutdown(wait=True, cancel_futures=True)


def _drain_broken(in_flight: dict[Future, int], write: Callable[[TaskOutput], None]) -> list[int]:
    """Empty ``in_flight`` after its pool broke: write the tasks that finished, return the lost ones."""
    wait(in_flight)  # a broken pool fails every pending future at once
    lost: list[int] = []
    for future, part in sorted(in_flight.items(), key=lambda item: item[1]):
        if future.exception() is None:
            write(future.result())
        else:
            lost.append(part)
    in_flight.clear()
    return lost


def _new_pool_like(executor: ProcessPoolExecutor) -> ProcessPoolExecutor:
    """Return a new process pool with the settings of ``executor``, a broken process pool."""
    if isinstance(executor, ProcessPool):
        return executor.replacement()
    return type(executor)(
        max_workers=executor._max_workers,
        mp_context=executor._mp_context,
        initializer=executor._initializer,
        initargs=executor._initargs,
        max_tasks_per_child=executor._max_tasks_per_child,
    )
