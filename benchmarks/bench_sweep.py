"""Sweep benchmarks (issue 4 targets).

* Overhead: a 20,000-run sweep (100 Latin-hypercube points of the baseline x 200 replications) with
  ``--jobs 2`` against the same runs (same scenarios, same seeds, one ensemble per point) sent straight
  to the engine's ``simulate_runs`` on the same process pool: at most 5% slower, and at most 30 s.
* Peak memory of a 100,000-run ``wargame sweep --jobs 2`` (500 points x 200), all processes summed:
  at most 500 MB.
"""

from __future__ import annotations

import multiprocessing
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from benchmarks._memory import peak_tree_memory
from wargame.experiments import LatinHypercubeDesign, Parameter, ScenarioEvaluator, generate_design, run_sweep
from wargame.experiments._seeds import run_seeds
from wargame.runner import simulate_runs
from wargame.runner.executors import make_executor
from wargame.scenario import apply_overrides, load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "taiwan_strait_baseline.yaml"
PARAMETERS = (
    Parameter(path="links.usa-twn.latency_hours", bounds=(1.0, 168.0)),
    Parameter(path="programs.intelligence_sharing.intensity_per_year", bounds=(0.0, 100.0)),
)
ROOT_SEED = 4


def _direct(scenario, params: dict, seeds: np.ndarray) -> int:
    return len(simulate_runs(apply_overrides(scenario, params), seeds))


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


def main() -> dict:
    scenario = load_scenario(BASELINE)
    design = generate_design(
        PARAMETERS, LatinHypercubeDesign(kind="latin_hypercube", samples=100), root_seed=ROOT_SEED
    )
    replications = 200
    points = design.points.to_dict(orient="records")
    results: dict = {}

    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        list(pool.map(_direct, [scenario] * 2, points[:2], [run_seeds(ROOT_SEED, p, 0, 2) for p in range(2)]))
        start = time.perf_counter()
        seeds = [run_seeds(ROOT_SEED, point, 0, replications) for point in range(len(points))]
        rows = sum(pool.map(_direct, [scenario] * len(points), points, seeds))
        direct_seconds = time.perf_counter() - start
    assert rows == 20_000

    with tempfile.TemporaryDirectory() as folder, make_executor(2) as pool:
        list(pool.map(_direct, [scenario] * 2, points[:2], [run_seeds(ROOT_SEED, p, 0, 2) for p in range(2)]))
        start = time.perf_counter()
        summary = run_sweep(
            design,
            ScenarioEvaluator(scenario, BASELINE.parent),
            Path(folder) / "sweep",
            replications=replications,
            root_seed=ROOT_SEED,
            executor=pool,
            progress=False,
        )
        sweep_seconds = time.perf_counter() - start
    assert summary.runs_done == 20_000
    overhead = sweep_seconds / direct_seconds - 1
    results.update(
        sweep_20000_seconds=round(sweep_seconds, 2),
        direct_20000_seconds=round(direct_seconds, 2),
        sweep_overhead_percent=round(100 * overhead, 1),
    )
    print(
        f"20,000-run sweep (100 points x 200), --jobs 2: {sweep_seconds:.2f} s (target <= 30 s); "
        f"same runs straight to simulate_runs: {direct_seconds:.2f} s; overhead {100 * overhead:+.1f}% "
        "(target <= 5%)"
    )

    with tempfile.TemporaryDirectory() as folder:
        experiment = _experiment_file(Path(folder), points=500, replications=200)
        command = [sys.executable, "-m", "wargame.cli", "sweep", str(experiment), "--jobs", "2", "--quiet"]
        command += ["--out", str(Path(folder) / "sweep")]
        peak, wall, code = peak_tree_memory(command)
    results.update(sweep_100000_peak_rss_mb=round(peak / 2**20, 1), sweep_100000_seconds=round(wall, 1))
    print(
        f"100,000-run `wargame sweep --jobs 2`: peak memory {peak / 2**20:,.0f} MB (all processes), "
        f"{wall:.1f} s, exit {code} (target <= 500 MB)"
    )
    return results


if __name__ == "__main__":
    main()
