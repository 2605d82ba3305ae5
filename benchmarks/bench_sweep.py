"""Sweep benchmarks (issue 4 targets).

* Overhead: a 20,000-run sweep (100 Latin-hypercube points of the baseline x 200 replications) with
  ``--jobs 2`` against the same runs (same scenarios, same seeds, one ensemble per point) sent straight to
  the engine core's ``simulate_runs`` on the same warm process pool: at most 5% slower. The two are run in
  turn, five times each (direct, sweep, sweep, direct, ..., so that a drift in the machine's load hits
  both alike; single trials here vary by about 5%), and compared by their medians, in wall time and in
  CPU time (the parent's plus the pool workers', read from /proc): on a machine shared with other work,
  CPU time is the fairer measure of what the sweep machinery costs.
* The 20,000-run sweep in at most 30 s wall (the median of the five).
* Peak memory of a 100,000-run ``wargame sweep --jobs 2`` (500 points x 200), the PSS of every process
  of the tree summed (shared pages counted once): at most 500 MB.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np

from benchmarks._memory import peak_tree_memory
from wargame.experiments import LatinHypercubeDesign, Parameter, ScenarioEvaluator, generate_design, run_sweep
from wargame.experiments._seeds import run_seeds
from wargame.runner import simulate_runs
from wargame.runner.executors import make_executor
from wargame.scenario import Scenario, apply_overrides, load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "taiwan_strait_baseline.yaml"
PARAMETERS = (
    Parameter(path="links.usa-twn.latency_hours", bounds=(1.0, 168.0)),
    Parameter(path="programs.intelligence_sharing.intensity_per_year", bounds=(0.0, 100.0)),
)
ROOT_SEED = 4
REPLICATIONS = 200
ORDER = ("direct", "sweep", "sweep", "direct") * 2 + ("direct", "sweep")


def _direct(scenario: Scenario, params: dict, seeds: np.ndarray) -> int:
    return len(simulate_runs(apply_overrides(scenario, params), seeds))


def _worker_cpu_seconds(pool: ProcessPoolExecutor) -> float:
    """User plus system CPU time of the pool's live worker processes."""
    ticks = 0
    for pid in list(pool._processes):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of the line)
    return ticks / os.sysconf("SC_CLK_TCK")


def _timed(pool: ProcessPoolExecutor, work) -> tuple[float, float]:
    """Run ``work()``; return its wall seconds and the CPU seconds of this process and the pool."""
    wall, parent, workers = time.perf_counter(), time.process_time(), _worker_cpu_seconds(pool)
    work()
    return (
        time.perf_counter() - wall,
        time.process_time() - parent + _worker_cpu_seconds(pool) - workers,
    )


def _experiment_file(folder: Path, points: int, replications: int) -> Path:
    path = folder / "bench.yaml"
    path.write_text(
        f"name: bench_memory\nscenario: {BASELINE}\n"
        "parameters:\n"
        + "".join(f"  - {{path: {p.path}, bounds: [{p.bounds[0]}, {p.bounds[1]}]}}\n" for p in PARAMETERS)
        + f"design: {{kind: latin_hypercube, samples: {points}}}\nreplications: {replications}\n"
        f"root_seed: {ROOT_SEED}\n"
    )
    return path


def _overhead(results: dict) -> None:
    scenario = load_scenario(BASELINE)
    design = generate_design(
        PARAMETERS, LatinHypercubeDesign(kind="latin_hypercube", samples=100), root_seed=ROOT_SEED
    )
    points = design.points.to_dict(orient="records")
    seeds = [run_seeds(ROOT_SEED, point, 0, REPLICATIONS) for point in range(len(points))]
    evaluator = ScenarioEvaluator(scenario, BASELINE.parent)
    trials: dict[str, list[tuple[float, float]]] = {"direct": [], "sweep": []}
    with tempfile.TemporaryDirectory() as folder, make_executor(2) as pool:
        assert isinstance(pool, ProcessPoolExecutor)
        list(pool.map(_direct, [scenario] * 2, points[:2], [seed[:2] for seed in seeds[:2]]))  # warm up

        def direct() -> None:
            assert sum(pool.map(_direct, [scenario] * len(points), points, seeds)) == 20_000

        def sweep(out: Path) -> None:
            summary = run_sweep(
                design,
                evaluator,
                out,
                replications=REPLICATIONS,
                root_seed=ROOT_SEED,
                executor=pool,
                progress=False,
            )
            assert summary.runs_done == 20_000

        for trial, kind in enumerate(ORDER):
            work = direct if kind == "direct" else partial(sweep, Path(folder) / f"sweep-{trial}")
            trials[kind].append(_timed(pool, work))
            wall, cpu = trials[kind][-1]
            print(f"  trial {trial + 1}: {kind:<6} {wall:6.2f} s wall, {cpu:6.2f} s CPU")

    def median(kind: str, index: int) -> float:
        return statistics.median(trial[index] for trial in trials[kind])

    direct_wall, direct_cpu = median("direct", 0), median("direct", 1)
    sweep_wall, sweep_cpu = median("sweep", 0), median("sweep", 1)
    overhead_wall, overhead_cpu = sweep_wall / direct_wall - 1, sweep_cpu / direct_cpu - 1
    results.update(
        sweep_20000_seconds=round(sweep_wall, 2),
        sweep_20000_cpu_seconds=round(sweep_cpu, 2),
        direct_20000_seconds=round(direct_wall, 2),
        direct_20000_cpu_seconds=round(direct_cpu, 2),
        sweep_overhead_percent=round(100 * overhead_wall, 1),
        sweep_overhead_cpu_percent=round(100 * overhead_cpu, 1),
    )
    print(
        f"20,000-run sweep (100 points x 200), --jobs 2, median of 5: {sweep_wall:.2f} s wall "
        f"(target <= 30 s), {sweep_cpu:.2f} s CPU"
    )
    print(
        f"same runs straight to simulate_runs, median of 5: {direct_wall:.2f} s wall, "
        f"{direct_cpu:.2f} s CPU; sweep overhead {100 * overhead_wall:+.1f}% wall, "
        f"{100 * overhead_cpu:+.1f}% CPU (target <= 5%)"
    )


def _memory(results: dict) -> None:
    with tempfile.TemporaryDirectory() as folder:
        experiment = _experiment_file(Path(folder), points=500, replications=REPLICATIONS)
        command = [sys.executable, "-m", "wargame.cli", "sweep", str(experiment), "--jobs", "2", "--quiet"]
        command += ["--out", str(Path(folder) / "sweep")]
        peak, wall, code = peak_tree_memory(command)
    results.update(sweep_100000_peak_pss_mb=round(peak / 2**20, 1), sweep_100000_seconds=round(wall, 1))
    print(
        f"100,000-run `wargame sweep --jobs 2`: peak memory {peak / 2**20:,.0f} MB (PSS summed over the "
        f"process tree), {wall:.1f} s, exit {code} (target <= 500 MB)"
    )


def main() -> dict:
    results: dict = {}
    _overhead(results)
    _memory(results)
    return results


if __name__ == "__main__":
    main()
