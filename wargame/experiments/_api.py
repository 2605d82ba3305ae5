"""The notebook API: ``sweep(experiment_file, out)``, then ``load_results`` and ``analyze`` on ``out``."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from wargame.analysis.outcomes import bounds_to_json, outcome_bounds
from wargame.errors import InputError
from wargame.experiments._experiment import load_experiment
from wargame.experiments._size import SweepSize
from wargame.experiments._sweep import SweepSummary, run_sweep
from wargame.experiments._tasks import default_runs_per_part
from wargame.runner.executors import concurrency_of, make_executor

__all__ = ["WORKER_MODULES", "default_out_dir", "sweep"]

WORKER_MODULES = ("wargame.runner._runs", "wargame.experiments._experiment", "wargame.experiments._tasks")
"""What a sweep's worker process imports: the fork server preloads it."""


def default_out_dir(experiment_name: str) -> Path:
    """Where a sweep's results go when no folder is given: ``results/sweeps/<experiment name>``."""
    return Path("results") / "sweeps" / experiment_name


def sweep(
    experiment: str | Path,
    out: str | Path | None = None,
    *,
    jobs: int | None = None,
    resume: bool = False,
    dask_address: str | None = None,
    dask_local_workers: int | None = None,
    progress: bool | None = None,
    scenario_overrides: Mapping[str, Any] | None = None,
    allow_dirs: Sequence[str | Path] = (),
    allow_large: bool = False,
) -> SweepSummary:
    """Run an experiment file's sweep and write its results folder.

    Args:
        experiment: The experiment YAML file.
        out: Results folder; ``results/sweeps/<experiment name>`` when ``None``.
        jobs: Local worker processes (1 runs in this process); all cores when ``None``.
        resume: Continue an interrupted sweep in ``out``; finished runs are not run again.
        dask_address: Run on the Dask scheduler at this address instead of local processes.
        dask_local_workers: Run on a new local Dask cluster of this many worker processes.
        progress: Show a progress bar; when ``None``, only if stderr is a terminal.
        scenario_overrides: ``--set`` overrides of the base scenario's fields, before the design's.
        allow_dirs: Folders besides the scenario's own that its files may come from.
        allow_large: Run a sweep estimated to take longer than
            :data:`~wargame.experiments._size.MAX_ESTIMATED_HOURS` on its workers.

    Returns:
        A summary: runs done, failed and skipped, and the results folder.

    Raises:
        InputError: For a bad experiment file, a design too large to build, a sweep estimated to run too
            long (unless ``allow_large``), a results folder that holds something else, or a resume that
            does not match the stored sweep.

    Example:
        >>> import wargame
        >>> wargame.sweep("experiments/info_sharing_latency.yaml", "results/latency")  # doctest: +SKIP
        >>> runs = wargame.load_results("results/latency").runs  # doctest: +SKIP
    """
    loaded = load_experiment(experiment, scenario_overrides=scenario_overrides, allow_dirs=allow_dirs)
    spec = loaded.spec
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        raise InputError(f"jobs must be at least 1, got {jobs}", source="--jobs")
    if dask_local_workers is not None and dask_local_workers < 1:
        raise InputError(f"must be at least 1, got {dask_local_workers}", source="--dask-local")
    out_dir = Path(out) if out is not None else default_out_dir(spec.name)

    def size(workers: int) -> SweepSize:
        runs_per_part = spec.runs_per_part or default_runs_per_part(loaded.total_runs, spec.replications)
        return SweepSize(
            points=len(loaded.design),
            replications=spec.replications,
            horizon_days=loaded.scenario.horizon_days,
            workers=workers,
            runs_per_call=min(spec.replications, runs_per_part),
        )

    if dask_address is None:
        size(dask_local_workers or jobs).check(allow_large=allow_large)
    try:
        executor = make_executor(
            jobs, dask_address=dask_address, dask_local_workers=dask_local_workers, preload=WORKER_MODULES
        )
    except OSError as error:
        raise InputError(f"cannot reach the Dask scheduler: {error}", source="--dask") from None
    with executor:
        if dask_address is not None:
            size(concurrency_of(executor)).check(allow_large=allow_large)
        return run_sweep(
            loaded.design,
            loaded.evaluator(),
            out_dir,
            replications=spec.replications,
            root_seed=spec.root_seed,
            common_seeds=spec.common_seeds,
            executor=executor,
            resume=resume,
            outcomes=spec.outcomes,
            retries=spec.retries,
            run_timeout_seconds=spec.run_timeout_seconds,
            runs_per_part=spec.runs_per_part,
            experiment_name=spec.name,
            experiment_sha256=loaded.file_sha256,
            identity={"scenario_sha256": loaded.scenario_sha256},
            metadata={
                "description": spec.description,
                "experiment_file": str(loaded.path),
                "scenario_file": str(loaded.scenario_path),
                "scenario_overrides": dict(scenario_overrides or {}),
                "discovery": spec.discovery.model_dump() if spec.discovery is not None else None,
                "outcome_bounds": bounds_to_json(outcome_bounds(loaded.scenario)),
                "robustness": spec.robustness.model_dump() if spec.robustness is not None else None,
            },
            progress=progress,
        )
