"""Run a teaching model the way ``wargame teach`` does: choose cases, apply live overrides, report, plot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wargame.core.random_streams import run_keys_from_seed
from wargame.errors import InputError
from wargame.runner.executors import make_executor
from wargame.teaching._base import format_values, parse_parameter_overrides
from wargame.teaching._registry import get_model

__all__ = ["TeachingRun", "run_teaching_model"]


@dataclass(frozen=True)
class TeachingRun:
    """What one ``wargame teach NAME`` produced."""

    name: str
    results: dict[str, Any]
    text: str
    figures: list[Path]


def run_teaching_model(
    name: str,
    *,
    assignments: Sequence[str] = (),
    case: str | None = None,
    all_cases: bool = False,
    seed: int | None = None,
    runs: int | None = None,
    jobs: int | None = None,
    plot_dir: str | Path | None = None,
) -> TeachingRun:
    """Run every case of a model (or the one named by ``case``), with ``key=value`` overrides.

    Overrides change only the case named by ``case``, or every case with ``all_cases``; a model with
    one case needs neither. Each case of the scenario has its own root seed, spawned from ``seed``
    (default: the scenario's) in the order the scenario lists its cases, so ``--case`` reproduces that
    case of a full run. A stochastic model spawns one run key per replication from its case's seed and
    computes chunks of replications on ``jobs`` worker processes; the numbers do not depend on ``jobs``.

    Raises:
        InputError: ``runs`` or ``jobs`` for a deterministic model, ``jobs`` below 1, an unknown case,
            both ``case`` and ``all_cases``, overrides of a model with several cases without either, or a
            bad override.
    """
    model = get_model(name)
    all_cases_names = list(model.scenario.cases)
    if case is not None and all_cases:
        raise InputError("give --case NAME or --all, not both", source="--all")
    if case is not None and case not in model.scenario.cases:
        raise InputError(
            f"unknown case {case!r} of {name}; valid: {', '.join(all_cases_names)}", source="--case"
        )
    overrides = parse_parameter_overrides(assignments)
    model.parameters(case, overrides)  # names and ranges first: the most specific error wins
    if overrides and case is None and not all_cases and len(all_cases_names) > 1:
        raise InputError(
            f"{name} has {len(all_cases_names)} cases ({', '.join(all_cases_names)}): name the one to change"
            " with --case NAME, or change them all with --all",
            source="--param",
        )
    for option, value in (("runs", runs), ("jobs", jobs)):
        if value is not None and not model.stochastic:
            raise InputError(f"{name} is deterministic and takes no --{option}", source=f"--{option}")
    if runs is not None:
        overrides["runs"] = float(runs)
    if jobs is not None and jobs < 1:
        raise InputError(f"must be at least 1, got {jobs}", source="--jobs")
    cases = [case] if case is not None else all_cases_names
    base_seed = model.root_seed(seed)
    case_seeds = dict(
        zip(all_cases_names, run_keys_from_seed(base_seed, len(all_cases_names)).tolist(), strict=True)
    )
    results = {}
    with make_executor(jobs or 1, preload=("wargame.teaching._registry",)) as executor:
        for case_name in cases:
            params = model.parameters(case_name, overrides)
            label = f"{case_name}*" if overrides else case_name
            results[label] = model.run(params, case_seeds[case_name], executor)
    text = model.report(results)
    if overrides:
        changes = ", ".join(f"{key}={value}" for key, value in format_values(overrides).items())
        text += f"\n\n* = scenario case with your changes: {changes}"
    if model.stochastic:
        text += f"\n\n(seed {base_seed}; rerun with --seed to draw again)"
    figures = model.plot(results, Path(plot_dir)) if plot_dir is not None else []
    return TeachingRun(name=name, results=results, text=text, figures=figures)
