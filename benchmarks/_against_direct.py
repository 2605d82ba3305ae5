"""A sweep timed against the same runs sent straight to the engine core, in alternating trials.

The direct runs are the sweep's: the same scenarios (the base with each point's values), the same seeds
(a point's replications draw the seeds of its seed key), one ``simulate_runs`` ensemble per point, on the
same warm process pool. Trials alternate in the order given (direct, sweep, sweep, direct, ...) so that a
drift in the machine's load hits both alike, and each kind is summarised by its medians, in wall time and
in CPU time (the parent's plus the pool workers', read from /proc): on a machine shared with other work,
CPU time is the fairer measure of what the sweep machinery costs.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np

from wargame.experiments import ScenarioEvaluator, run_sweep
from wargame.experiments._design import Design
from wargame.experiments._seeds import run_seeds
from wargame.runner import simulate_runs
from wargame.runner.executors import make_executor
from wargame.scenario import Scenario, apply_overrides, load_scenario


def _direct(scenario: Scenario, params: dict, seeds: np.ndarray) -> int:
    return len(simulate_runs(apply_overrides(scenario, params), seeds))


def _worker_cpu_seconds(pool: ProcessPoolExecutor) -> float:
    """User plus system CPU time of the pool's live worker processes."""
    ticks = 0
    for pid in list(pool._processes):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of the line)
    return ticks / os.sysconf("SC_CLK_TCK")


def _timed(pool: ProcessPoolExecutor, work: Callable[[], object]) -> tuple[float, float]:
    """Run ``work()``; return its wall seconds and the CPU seconds of this process and the pool."""
    wall, parent, workers = time.perf_counter(), time.process_time(), _worker_cpu_seconds(pool)
    work()
    return (
        time.perf_counter() - wall,
        time.process_time() - parent + _worker_cpu_seconds(pool) - workers,
    )


def sweep_against_direct(
    base: Path,
    design: Design,
    *,
    replications: int,
    root_seed: int,
    order: Sequence[str],
    points_per_task: int | None = None,
) -> dict[str, tuple[float, float]]:
    """Time a sweep of ``design`` on scenario ``base`` against the same runs made directly, on 2 workers.

    Args:
        base: The base scenario file.
        design: The design points.
        replications: Runs per point.
        root_seed: The sweep's root seed.
        order: The trials, each ``"direct"`` or ``"sweep"``.
        points_per_task: Points a task of both kinds (the sweep's parts); ``None``: the defaults.

    Returns:
        ``{"direct": (wall, cpu), "sweep": (wall, cpu)}``: each kind's median seconds.
    """
    scenario = load_scenario(base)
    points = design.points.to_dict(orient="records")
    seeds = [run_seeds(root_seed, design.seed_key(point), 0, replications) for point in range(len(points))]
    total_runs = len(points) * replications
    evaluator = ScenarioEvaluator(scenario, base.parent)
    trials: dict[str, list[tuple[float, float]]] = {"direct": [], "sweep": []}
    with tempfile.TemporaryDirectory() as folder, make_executor(2) as pool:
        assert isinstance(pool, ProcessPoolExecutor)
        list(pool.map(_direct, [scenario] * 2, points[:2], [seed[:2] for seed in seeds[:2]]))  # warm up

        def direct() -> None:
            runs = pool.map(_direct, [scenario] * len(points), points, seeds, chunksize=points_per_task or 1)
            assert sum(runs) == total_runs

        def sweep(out: Path) -> None:
            summary = run_sweep(
                design,
                evaluator,
                out,
                replications=replications,
                root_seed=root_seed,
                executor=pool,
                runs_per_part=None if points_per_task is None else points_per_task * replications,
                progress=False,
            )
            assert summary.runs_done == total_runs

        for trial, kind in enumerate(order):
            work = direct if kind == "direct" else partial(sweep, Path(folder) / f"sweep-{trial}")
            trials[kind].append(_timed(pool, work))
            wall, cpu = trials[kind][-1]
            print(f"  trial {trial + 1}: {kind:<6} {wall:6.2f} s wall, {cpu:6.2f} s CPU")
    return {
        kind: (statistics.median(wall for wall, _ in timings), statistics.median(cpu for _, cpu in timings))
        for kind, timings in trials.items()
    }
