"""Validating one scenario: every lever over its levels, then the Sobol indices of P(war)."""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

from wargame.errors import InputError
from wargame.model import run_keys_from_seed
from wargame.scenario import Scenario
from wargame.validity._confirm import CONFIRM_REPLICATION
from wargame.validity._ensemble import LeverResponse, progress_bar, run_levers
from wargame.validity._inputs import inputs_from_levers, inputs_from_scenario
from wargame.validity._levers import Lever, levers_of
from wargame.validity._refine import refine_jumps
from wargame.validity._sobol import run_sobol
from wargame.validity._summary import ScenarioResult, summarise_levers

__all__ = ["MAX_RUNS", "MAX_SOBOL_BASE", "MAX_SOBOL_RUNS", "check_counts", "validate_scenario"]

MAX_RUNS = 20_000
"""Most runs per level (memory: every lever keeps its runs' values until the report is made)."""
MAX_SOBOL_BASE = 4096
MAX_SOBOL_RUNS = 1000


def check_counts(runs: int, sobol_base: int, sobol_runs: int) -> None:
    if not 2 <= runs <= MAX_RUNS:
        raise InputError(f"runs per level must be between 2 and {MAX_RUNS:,}, got {runs}", source="--runs")
    if not 2 <= sobol_base <= MAX_SOBOL_BASE or sobol_base & (sobol_base - 1):
        raise InputError(
            f"must be a power of two between 2 and {MAX_SOBOL_BASE}, got {sobol_base}", source="--sobol-base"
        )
    if not 2 <= sobol_runs <= MAX_SOBOL_RUNS or sobol_runs % 2:
        raise InputError(
            f"must be an even number between 2 and {MAX_SOBOL_RUNS}, got {sobol_runs}", source="--sobol-runs"
        )


def validate_scenario(
    scenario: Scenario,
    label: str,
    *,
    runs: int,
    levels: int,
    seed: int,
    executor: Executor,
    sobol_base: int,
    sobol_runs: int,
    scenario_dir: Path | None = None,
    progress: bool | None = None,
    max_in_flight: int = 4,
) -> ScenarioResult:
    """Run every lever of ``scenario`` and the Sobol design; return what the report says about it.

    Args:
        scenario: The scenario.
        label: How the report names its file.
        runs: Runs per level (the same keys at every level).
        levels: Levels per lever (cadence has at most 12: whole days from 3 to 14).
        seed: Root seed of the run keys, of the design's scrambling and of the bootstrap.
        executor: Where ensembles run.
        sobol_base: ``N`` of Saltelli's design, a power of two.
        sobol_runs: Runs per design point, an even number.
        scenario_dir: Folder for relative paths inside the scenario.
        progress: Show progress on standard error (default: when it is a terminal).
        max_in_flight: Ensembles pending at once.

    Raises:
        InputError: For counts out of range, or a level that makes the scenario invalid.
    """
    check_counts(runs, sobol_base, sobol_runs)
    levers = levers_of(scenario, levels)
    declared = inputs_from_scenario(scenario)
    inputs = declared or inputs_from_levers(levers)
    inputs_from = (
        "the scenario's uncertain inputs"
        if declared
        else "the scaling levers (the scenario declares no uncertain input), each a uniform multiplier over "
        "its range of levels"
    )
    lever_runs = runs * sum(len(lever.levels) for lever in levers)
    points = sobol_base * (len(inputs) + 3) if inputs else 0
    keys = run_keys_from_seed(seed, runs)
    with progress_bar(lever_runs + points * sobol_runs, progress, scenario.name) as bar:
        responses = run_levers(scenario, levers, keys, executor, scenario_dir, bar, max_in_flight)

        def run_lever(lever: Lever) -> LeverResponse:
            bar.total += runs * len(lever.levels)
            return run_levers(scenario, [lever], keys, executor, scenario_dir, bar, max_in_flight)[0]

        responses = [refine_jumps(response, run_lever) for response in responses]
        sobol = (
            run_sobol(
                scenario,
                inputs,
                sobol_base,
                run_keys_from_seed(seed, sobol_runs),
                seed,
                executor,
                scenario_dir,
                bar,
                max_in_flight,
                confirm_keys=run_keys_from_seed(seed, CONFIRM_REPLICATION * sobol_runs),
            )
            if inputs
            else None
        )
    return ScenarioResult(
        name=scenario.name,
        path=label,
        defended=", ".join(scenario.target_weights()),
        runs=runs,
        levers=summarise_levers(responses),
        sobol=sobol,
        sobol_inputs_from=inputs_from,
    )
