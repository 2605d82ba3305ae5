"""Run a teaching model the way ``wargame teach`` does: choose cases, apply live overrides, report, plot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from wargame.errors import InputError
from wargame.teaching._base import parse_parameter_overrides
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
    seed: int | None = None,
    runs: int | None = None,
    plot_dir: Path | None = None,
) -> TeachingRun:
    """Run every case of a model (or one case), with ``key=value`` overrides applied to each.

    Stochastic cases draw from streams spawned from one ``SeedSequence(seed)``, one per case, so the
    output is reproducible for a given seed.
    """
    model = get_model(name)
    overrides = parse_parameter_overrides(assignments)
    if runs is not None:
        if "runs" not in model.scenario.parameters:
            raise InputError(f"{name} is deterministic and takes no --runs", source="--runs")
        overrides["runs"] = float(runs)
    cases = [case] if case is not None else list(model.scenario.cases)
    base_seed = seed if seed is not None else (model.scenario.method.default_seed or 0)
    streams = np.random.SeedSequence(base_seed).spawn(len(cases))
    results = {}
    for case_name, stream in zip(cases, streams, strict=True):
        params = model.parameters(case_name, overrides)
        label = f"{case_name}*" if overrides else case_name
        results[label] = model.run(params, np.random.default_rng(stream))
    text = model.report(results)
    if overrides:
        changes = ", ".join(f"{key}={value}" for key, value in overrides.items())
        text += f"\n\n* = scenario case with your changes: {changes}"
    if model.stochastic:
        text += f"\n\n(seed {base_seed}; rerun with --seed to draw again)"
    figures = model.plot(results, plot_dir) if plot_dir is not None else []
    return TeachingRun(name=name, results=results, text=text, figures=figures)
