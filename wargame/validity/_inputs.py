"""The inputs of a Sobol design: each maps a column of the unit cube to per-run field values.

An input comes from a scenario's uncertain field (its distribution's quantile function), from a
distribution given by name, or from a scaling lever whose multiplier is uniform over its range of levels.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from wargame.scenario import Scenario
from wargame.validity._levers import Lever

__all__ = ["SobolInput", "inputs_from_distributions", "inputs_from_levers", "inputs_from_scenario"]


@dataclass(frozen=True)
class SobolInput:
    """One uncertain input: how a uniform ``u`` maps to its value, and the value to field values.

    Attributes:
        name: Display name.
        description: Its distribution, in words.
        ppf: ``u`` in (0, 1) -> the input's values (its quantile function).
        fields: The input's values -> field path -> per-run values.
    """

    name: str
    description: str
    ppf: Callable[[np.ndarray], np.ndarray]
    fields: Callable[[np.ndarray], dict[str, np.ndarray]]


def _uniform_ppf(u: np.ndarray, low: float, high: float) -> np.ndarray:
    return low + np.asarray(u) * (high - low)


def _distribution_ppf(u: np.ndarray, distribution: Any, whole: bool) -> np.ndarray:
    values = np.asarray(distribution.ppf(u), dtype=np.float64)
    return np.rint(values) if whole else values


def _one_field(values: np.ndarray, path: str) -> dict[str, np.ndarray]:
    return {path: values}


def _lever_fields(lever: Lever) -> Callable[[np.ndarray], dict[str, np.ndarray]]:
    def fields(multiplier: np.ndarray) -> dict[str, np.ndarray]:
        return {
            path: np.clip(nominal * multiplier, 0.0, upper)
            for path, nominal, upper in zip(lever.paths, lever.nominal, lever.upper, strict=True)
        }

    return fields


def inputs_from_levers(levers: Sequence[Lever]) -> list[SobolInput]:
    """Return the scaling levers as inputs: each multiplier uniform over the lever's range of levels."""
    inputs = []
    for lever in levers:
        if lever.ensemble:
            continue
        low, high = lever.levels[0], lever.levels[-1]
        inputs.append(
            SobolInput(
                name=lever.name,
                description=f"uniform multiplier {low:g} to {high:g}",
                ppf=functools.partial(_uniform_ppf, low=low, high=high),
                fields=_lever_fields(lever),
            )
        )
    return inputs


def inputs_from_distributions(
    pairs: Sequence[tuple[str, Any]], integer: Sequence[bool] | None = None
) -> list[SobolInput]:
    """Return one input per ``(path, distribution)``: the distribution (anything with ``ppf``) of that field.

    Args:
        pairs: Field path and distribution (a frozen :mod:`scipy.stats` distribution, or the scenario's).
        integer: Per pair, whether values are rounded to whole numbers.
    """
    inputs = []
    for k, (path, distribution) in enumerate(pairs):
        whole = bool(integer[k]) if integer is not None else False
        inputs.append(
            SobolInput(
                name=path,
                description=_describe(distribution),
                ppf=functools.partial(_distribution_ppf, distribution=distribution, whole=whole),
                fields=functools.partial(_one_field, path=path),
            )
        )
    return inputs


def _describe(distribution: Any) -> str:
    """Name a distribution and its parameters: a scenario's ``{dist: ...}`` or a frozen scipy.stats one."""
    dump = getattr(distribution, "model_dump", None)
    if dump is not None:
        fields = dump(exclude_none=True)
        kind = fields.pop("dist", type(distribution).__name__)
        fields.pop("source", None)
        return f"{kind}({', '.join(f'{k}={_number(v)}' for k, v in fields.items())})"
    if isinstance(distribution, stats.distributions.rv_frozen):
        arguments = [_number(a) for a in distribution.args]
        arguments += [f"{k}={_number(v)}" for k, v in distribution.kwds.items()]
        return f"{distribution.dist.name}({', '.join(arguments)})"
    return str(distribution)


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def inputs_from_scenario(scenario: Scenario) -> list[SobolInput]:
    """Return the scenario's uncertain inputs (``scenario.uncertain_inputs``: path and distribution)."""
    uncertain = list(getattr(scenario, "uncertain_inputs", ()) or ())
    return inputs_from_distributions(
        [(u.path, u.distribution) for u in uncertain], [bool(getattr(u, "integer", False)) for u in uncertain]
    )
