"""What every teaching model provides, and the shared helpers: RK4, parameter overrides, value formatting."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from wargame.errors import InputError
from wargame.stats import Estimate, mean_interval
from wargame.teaching._figures import save_figure
from wargame.teaching._scenario import (
    MAXIMUM_LIST_ITEMS,
    ParameterValue,
    TeachingScenario,
    load_shipped_scenario,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "CONFIDENCE",
    "DeterministicModel",
    "Parameters",
    "StochasticModel",
    "TeachingModel",
    "format_value",
    "format_values",
    "integrate_rk4",
    "list_parameter",
    "parse_parameter_overrides",
    "ratio_interval",
    "scalar_parameters",
]

Parameters = Mapping[str, ParameterValue]

#: Confidence level of every stochastic model's intervals.
CONFIDENCE = 0.99


def scalar_parameters(params: Parameters) -> dict[str, float]:
    """The single-number parameters of a model, as floats (list parameters are left out)."""
    return {key: float(value) for key, value in params.items() if not isinstance(value, tuple)}


def list_parameter(params: Parameters, key: str) -> tuple[float, ...]:
    """A list parameter as a tuple of floats (a single number is a list of one)."""
    value = params[key]
    return tuple(float(item) for item in value) if isinstance(value, tuple) else (float(value),)


def ratio_interval(
    numerator: np.ndarray, denominator: np.ndarray, confidence: float = CONFIDENCE
) -> Estimate:
    """The ratio of two totals over replications, with its interval (the linearised ratio estimator).

    For example incidents answered in time over all incidents: the replications are independent, the
    incidents within one are not counted as such. With R = sum(numerator) / sum(denominator), the
    residuals (numerator - R * denominator) / mean(denominator) have mean zero and the ratio's standard
    error, so R plus the Student-t interval of their mean (:func:`wargame.stats.mean_interval`) is the
    ratio's interval.
    """
    total = float(denominator.sum())
    if not total:
        return Estimate(0.0, 0.0, 0.0)
    ratio = float(numerator.sum()) / total
    spread = mean_interval((numerator - ratio * denominator) / float(denominator.mean()), confidence)
    return Estimate(ratio, ratio + spread.low, ratio + spread.high)


def integrate_rk4(
    rhs: Callable[[float, np.ndarray], np.ndarray],
    initial_state: Sequence[float] | np.ndarray,
    start_time: float,
    stop_time: float,
    step: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Integrate ``d state/dt = rhs(t, state)`` with the classical fourth-order Runge-Kutta method.

    The step is fixed; the last step is shortened so the grid ends exactly at ``stop_time``.

    Args:
        rhs: The right-hand side, a function of time and state.
        initial_state: The state at ``start_time``.
        start_time: Where integration starts.
        stop_time: Where it stops (must be >= ``start_time``).
        step: The fixed step, in the same unit as the times.

    Returns:
        ``(times, states)``: the grid, shape ``(k,)``, and the states on it, shape ``(k, dim)``.
    """
    if step <= 0 or not math.isfinite(step):
        raise InputError(f"integration step must be positive, got {step}", field="step")
    span = stop_time - start_time
    whole_steps = math.floor(span / step + 1e-9)
    times = start_time + step * np.arange(whole_steps + 1)
    if stop_time - times[-1] > 1e-9 * max(1.0, abs(stop_time)):
        times = np.append(times, stop_time)
    else:
        times[-1] = stop_time
    states = np.empty((times.size, len(initial_state)))
    states[0] = np.asarray(initial_state, dtype=float)
    for index in range(times.size - 1):
        t, h, y = times[index], times[index + 1] - times[index], states[index]
        k1 = rhs(t, y)
        k2 = rhs(t + h / 2, y + h / 2 * k1)
        k3 = rhs(t + h / 2, y + h / 2 * k2)
        k4 = rhs(t + h, y + h * k3)
        states[index + 1] = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return times, states


def parse_parameter_overrides(assignments: Sequence[str]) -> dict[str, ParameterValue]:
    """Parse ``key=value`` strings; a value with commas is a list (``gain=0,1,2``).

    Raises:
        InputError: An assignment has no ``=`` or a value that is not a number.
    """
    overrides: dict[str, ParameterValue] = {}
    for assignment in assignments:
        key, separator, text = assignment.partition("=")
        key = key.strip()
        if not separator or not key:
            raise InputError(f"expected key=value, got {assignment!r}", source="--param")
        try:
            numbers = tuple(float(part) for part in text.split(","))
        except ValueError as error:
            raise InputError(f"value {text!r} is not a number", source="--param", field=key) from error
        overrides[key] = numbers if len(numbers) > 1 else numbers[0]
    return overrides


def format_value(value: ParameterValue | np.ndarray) -> str:
    """Show a parameter value as one would type it: ``2000`` not ``2000.0``, lists as ``0,1,2``.

    Whole numbers lose their ``.0``; other numbers keep every digit (shortest round-trip form), so a value
    typed with ``--param`` is printed back as typed and not rounded.
    """
    if isinstance(value, tuple | list | np.ndarray):
        return ",".join(format_value(item) for item in value)
    number = float(value)
    if number.is_integer() and abs(number) < 2**53:
        return str(int(number))
    return repr(number)


def format_values(params: Mapping[str, ParameterValue]) -> dict[str, str]:
    """Every parameter value formatted by :func:`format_value`, for report lines."""
    return {key: format_value(value) for key, value in params.items()}


class TeachingModel(ABC):
    """A teaching model: a scenario file, a ``run(params, seed, executor)``, a printed report and figures.

    Concrete models derive from :class:`DeterministicModel` or :class:`StochasticModel`, set ``name`` (the
    stem of the shipped scenario file, which declares the model's parameters) and implement the
    computation, ``case_heading`` and ``case_details`` (the report prints each case's heading and details
    under its name) and ``figures``. ``run`` is a pure function of its parameters and seed: the executor
    only decides where replications are computed, never what they draw.
    """

    name: ClassVar[str]
    stochastic: ClassVar[bool]
    #: Said after the title in the report, e.g. the integration method.
    report_note: ClassVar[str | None] = None

    def __init__(self, scenario: TeachingScenario | None = None) -> None:
        self.scenario = scenario or load_shipped_scenario(self.name)

    @property
    def title(self) -> str:
        """The model's title from its scenario file."""
        return self.scenario.title

    def parameters(
        self, case: str | None = None, overrides: Parameters | None = None
    ) -> dict[str, ParameterValue]:
        """Return validated parameters: defaults, then a case, then live overrides.

        Raises:
            InputError: An override names an unknown parameter or is out of range.
        """
        base_case = case if case is not None else next(iter(self.scenario.cases))
        values = self.scenario.case_parameters(base_case)
        for key, value in (overrides or {}).items():
            spec = self.scenario.parameters.get(key)
            if spec is None:
                raise InputError(
                    f"unknown parameter for {self.name}; "
                    f"valid: {', '.join(sorted(self.scenario.parameters))}",
                    source="--param",
                    field=key,
                )
            if isinstance(spec.value, tuple) and not spec.fixed_length:
                value = value if isinstance(value, tuple) else (value,)
                if len(value) > MAXIMUM_LIST_ITEMS:
                    raise InputError(
                        f"expects at most {MAXIMUM_LIST_ITEMS} numbers, got {len(value)}",
                        source="--param",
                        field=key,
                    )
            elif isinstance(spec.value, tuple) != isinstance(value, tuple):
                kind = (
                    f"a list of {len(spec.value)} numbers" if isinstance(spec.value, tuple) else "one number"
                )
                raise InputError(f"expects {kind}", source="--param", field=key)
            elif isinstance(spec.value, tuple) and isinstance(value, tuple) and len(spec.value) != len(value):
                raise InputError(f"expects {len(spec.value)} numbers", source="--param", field=key)
            for item in value if isinstance(value, tuple) else (value,):
                if not math.isfinite(item):
                    raise InputError(f"must be finite, got {item}", source="--param", field=key)
                if spec.minimum is not None and item < spec.minimum:
                    raise InputError(
                        f"must be >= {format_value(spec.minimum)}, got {format_value(item)}",
                        source="--param",
                        field=key,
                    )
                if spec.maximum is not None and item > spec.maximum:
                    raise InputError(
                        f"must be <= {format_value(spec.maximum)}, got {format_value(item)}",
                        source="--param",
                        field=key,
                    )
                if spec.integer and item != int(item):
                    raise InputError(
                        f"must be a whole number, got {format_value(item)}", source="--param", field=key
                    )
            values[key] = value
        return values

    @abstractmethod
    def run(self, params: Parameters, seed: int | None = None, executor: Executor | None = None) -> Any:
        """Compute one parameter set, with replications spawned from ``seed`` and computed by ``executor``."""

    def root_seed(self, seed: int | None) -> int:
        """The seed replications are spawned from: ``seed``, else the scenario's default, else 0."""
        return seed if seed is not None else (self.scenario.method.default_seed or 0)

    def report(self, results: Mapping[str, Any]) -> str:
        """The title, then each case's heading and key numbers, for results keyed by case name."""
        lines = [self.title if self.report_note is None else f"{self.title} ({self.report_note})"]
        for case, result in results.items():
            shown = format_values(result.params)
            lines += [f"\ncase {case}: {self.case_heading(result, shown)}", *self.case_details(result, shown)]
        return "\n".join(lines)

    @abstractmethod
    def case_heading(self, result: Any, shown: Mapping[str, str]) -> str:
        """One line saying what the case sets (``shown``: its parameters as :func:`format_values` gives)."""

    @abstractmethod
    def case_details(self, result: Any, shown: Mapping[str, str]) -> list[str]:
        """The lines of the case's key numbers, printed under its heading."""

    @abstractmethod
    def figures(self, results: Mapping[str, Any]) -> dict[str, Figure]:
        """The model's figures for results keyed by case name, by file stem (for display or saving)."""

    def plot(self, results: Mapping[str, Any], out_dir: Path) -> list[Path]:
        """Write the model's figures into ``out_dir`` as ``STEM.png`` and return their paths."""
        return [
            save_figure(figure, out_dir / f"{stem}.png") for stem, figure in self.figures(results).items()
        ]


class DeterministicModel(TeachingModel):
    """A model computed exactly from its parameters: ``run`` ignores ``seed`` and ``executor``."""

    stochastic = False

    def run(self, params: Parameters, seed: int | None = None, executor: Executor | None = None) -> Any:
        """Compute one parameter set (deterministic: ``seed`` and ``executor`` are ignored)."""
        return self.compute(params)

    @abstractmethod
    def compute(self, params: Parameters) -> Any:
        """Compute one parameter set."""


class StochasticModel(TeachingModel):
    """A model that simulates replications: one run key each, spawned from the seed.

    Replications run through :func:`wargame.teaching._replicate.replicate`: one run key per replication
    spawned from ``seed`` (default: the scenario's ``default_seed``), chunks computed by ``executor``
    (default: this process).
    """

    stochastic = True

    def run(self, params: Parameters, seed: int | None = None, executor: Executor | None = None) -> Any:
        """Simulate one parameter set from ``seed`` (default: the scenario's) on ``executor``."""
        return self.simulate(params, self.root_seed(seed), executor)

    @abstractmethod
    def simulate(self, params: Parameters, root_seed: int, executor: Executor | None) -> Any:
        """Simulate one parameter set, its replications spawned from ``root_seed``."""
