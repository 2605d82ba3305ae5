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
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wargame.experiments._design import Design
from wargame.experiments._drive import LOST_TASK_ATTEMPTS, SweepAbortedError, drive
from wargame.experiments._provenance import ProvenanceRecorder
from wargame.experiments._size import MAX_REPLICATIONS
from wargame.experiments._store import SweepStore, output_error, stored_runs_per_part
from wargame.experiments._tasks import (
    Evaluator,
    default_runs_per_part,
    task_count,
)
from wargame.runner.executors import SerialExecutor, describe_executor

__all__ = ["LOST_TASK_ATTEMPTS", "SweepAbortedError", "SweepSummary", "run_sweep"]


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
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise ValueError(f"replications must be from 1 to {MAX_REPLICATIONS:,}, got {replications:,}")
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
    try:
        with opener(out_dir, header, design.points) as store:
            return _run_session(
                store,
                executor,
                design=design,
                evaluator=evaluator,
                experiment_name=experiment_name,
                experiment_sha256=experiment_sha256,
                fingerprint=fingerprint,
                replications=replications,
                root_seed=root_seed,
                common_seeds=common_seeds,
                total_runs=total_runs,
                runs_per_part=runs_per_part,
                parts=parts,
                outcomes=tuple(outcomes) if outcomes is not None else None,
                retries=retries,
                run_timeout_seconds=run_timeout_seconds,
                progress=sys.stderr.isatty() if progress is None else progress,
            )
    except OSError as error:
        raise output_error(error, out_dir) from None


def _run_session(
    store: SweepStore,
    executor: Executor,
    *,
    design: Design,
    evaluator: Evaluator,
    experiment_name: str,
    experiment_sha256: str | None,
    fingerprint: str,
    replications: int,
    root_seed: int,
    common_seeds: bool,
    total_runs: int,
    runs_per_part: int,
    parts: int,
    outcomes: tuple[str, ...] | None,
    retries: int,
    run_timeout_seconds: float | None,
    progress: bool,
) -> SweepSummary:
    """Run the parts ``store`` lacks, recording the session (and how it ended) in the provenance."""
    started = time.perf_counter()
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
    status, failure = "error", None
    counters = {"pool_restarts": 0}
    try:
        drive(
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
            outcomes=outcomes,
            retries=retries,
            run_timeout_seconds=run_timeout_seconds,
            initial_runs=runs_skipped,
            initial_failed=sum(store.entries[part].failed for part in finished),
            progress=progress,
            counters=counters,
        )
        status = "complete"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    except BaseException as error:
        failure = "".join(traceback.format_exception_only(error)).strip()
        raise
    finally:
        runs_done = sum(entry.rows for entry in store.entries.values())
        runs_failed = sum(entry.failed for entry in store.entries.values())
        provenance.finish(
            status=status, runs_done=runs_done, runs_failed=runs_failed, error=failure, **counters
        )
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
