"""Levers-and-uncertainties benchmark (issue 16 target).

A policies x futures experiment of 20 policies (two levers, 4 x 5 levels) x 50 futures (a Latin hypercube
over two uncertainties) x 20 replications, 20,000 runs, with ``--jobs 2``, against the same runs (same
scenarios, same seeds: every policy meets a future's seeds, one ensemble per point) sent straight to
``simulate_runs`` on the same warm process pool, 25 points a task like the sweep's parts: at most 5%
slower. Trials alternate (direct, sweep, sweep, direct) so that a drift in the machine's load hits both
alike, and are compared by their medians, in wall time and in CPU time (the parent's plus the workers').
"""

from __future__ import annotations

from pathlib import Path

from benchmarks._against_direct import sweep_against_direct
from wargame.experiments import FullFactorialDesign, LatinHypercubeDesign, Parameter, cross, generate_design

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "taiwan_strait_baseline.yaml"
LEVERS = (
    Parameter(path="programs.policy_dialogue.intensity_per_year", levels=(0, 34, 68, 102)),
    Parameter(path="links.usa-twn.latency_hours", levels=(2, 6, 12, 24, 48)),
)
UNCERTAINTIES = (
    Parameter(path="actors.prc.risk_tolerance", bounds=(0.2, 0.5)),
    Parameter(path="actors.prc.resolve", bounds=(0.65, 0.95)),
)
ROOT_SEED = 16
REPLICATIONS = 20
POINTS_PER_TASK = 25
ORDER = ("direct", "sweep", "sweep", "direct")


def main() -> dict:
    policies = generate_design(LEVERS, FullFactorialDesign(kind="full_factorial"), root_seed=ROOT_SEED)
    futures = generate_design(
        UNCERTAINTIES, LatinHypercubeDesign(kind="latin_hypercube", samples=50), root_seed=ROOT_SEED, stream=1
    )
    design = cross(policies, futures)
    assert len(design) == 1000
    medians = sweep_against_direct(
        BASELINE,
        design,
        replications=REPLICATIONS,
        root_seed=ROOT_SEED,
        order=ORDER,
        points_per_task=POINTS_PER_TASK,
    )
    (direct_wall, direct_cpu), (sweep_wall, sweep_cpu) = medians["direct"], medians["sweep"]
    results = {
        "robust_20000_seconds": round(sweep_wall, 2),
        "robust_20000_cpu_seconds": round(sweep_cpu, 2),
        "robust_direct_20000_seconds": round(direct_wall, 2),
        "robust_direct_20000_cpu_seconds": round(direct_cpu, 2),
        "robust_ratio_wall": round(sweep_wall / direct_wall, 3),
        "robust_ratio_cpu": round(sweep_cpu / direct_cpu, 3),
    }
    print(
        f"20 policies x 50 futures x 20 replications, --jobs 2, median of {len(ORDER) // 2}: sweep "
        f"{sweep_wall:.2f} s wall, {sweep_cpu:.2f} s CPU; direct {direct_wall:.2f} s wall, "
        f"{direct_cpu:.2f} s CPU; ratio {sweep_wall / direct_wall:.3f} wall, "
        f"{sweep_cpu / direct_cpu:.3f} CPU (target <= 1.05)"
    )
    return results


if __name__ == "__main__":
    main()
