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

import sys
import tempfile
from pathlib import Path

from benchmarks._against_direct import sweep_against_direct
from benchmarks._memory import peak_tree_memory
from wargame.experiments import LatinHypercubeDesign, Parameter, generate_design

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "taiwan_strait_baseline.yaml"
PARAMETERS = (
    Parameter(path="links.usa-twn.latency_hours", bounds=(1.0, 168.0)),
    Parameter(path="programs.intelligence_sharing.intensity_per_year", bounds=(0.0, 100.0)),
)
ROOT_SEED = 4
REPLICATIONS = 200
ORDER = ("direct", "sweep", "sweep", "direct") * 2 + ("direct", "sweep")


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
    design = generate_design(
        PARAMETERS, LatinHypercubeDesign(kind="latin_hypercube", samples=100), root_seed=ROOT_SEED
    )
    medians = sweep_against_direct(
        BASELINE, design, replications=REPLICATIONS, root_seed=ROOT_SEED, order=ORDER
    )
    (direct_wall, direct_cpu), (sweep_wall, sweep_cpu) = medians["direct"], medians["sweep"]
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
