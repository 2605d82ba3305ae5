"""Engine-core benchmarks (issue 3 targets).

* 10,000 runs of the 365-day baseline with ``--jobs 2``: at most 10 s wall.
* A single run, as a session adjudicates it (an ensemble of one): at most 15 ms.
* Peak memory of a 100,000-run ``wargame run`` (all processes summed): at most 1 GB.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks._memory import peak_tree_memory
from wargame.model import DeterrenceModel, run_keys_from_seed
from wargame.runner import run_to_parquet
from wargame.scenario import load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "taiwan_strait_baseline.yaml"


def main() -> dict:
    scenario = load_scenario(BASELINE)
    results: dict = {}

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        run_to_parquet(
            scenario, runs=10_000, seed=1, jobs=2, path=Path(folder) / "runs.parquet", progress=False
        )
        wall = time.perf_counter() - start
    results["runs_10000_jobs_2_seconds"] = round(wall, 2)
    results["runs_per_second_jobs_2"] = round(10_000 / wall, 1)
    print(f"10,000 runs, --jobs 2: {wall:.2f} s wall, {10_000 / wall:,.0f} runs/s (target <= 10 s)")

    keys = run_keys_from_seed(2, 21)
    timings = []
    for key in keys:
        start = time.perf_counter()
        model = DeterrenceModel(scenario, np.array([key]))
        model.run_to_end()
        timings.append(time.perf_counter() - start)
    single_ms = statistics.median(timings[1:]) * 1000
    results["single_run_ms"] = round(single_ms, 1)
    print(
        f"single 365-day run (ensemble of one): median {single_ms:.1f} ms, "
        f"{1000 / single_ms:.1f} runs/s (target <= 15 ms)"
    )

    with tempfile.TemporaryDirectory() as folder:
        command = [
            sys.executable,
            "-m",
            "wargame.cli",
            "run",
            str(BASELINE),
            "--runs",
            "100000",
            "--jobs",
            "2",
        ]
        command += ["--quiet", "--out", folder]
        peak, wall, code = peak_tree_memory(command)
    results["runs_100000_peak_rss_mb"] = round(peak / 2**20, 1)
    results["runs_100000_seconds"] = round(wall, 1)
    print(
        f"100,000-run `wargame run --jobs 2`: peak memory {peak / 2**20:,.0f} MB (all processes), "
        f"{wall:.1f} s, exit {code} (target <= 1024 MB)"
    )
    return results


if __name__ == "__main__":
    main()
