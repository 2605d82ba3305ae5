"""Experiment files (``experiments/*.yaml``): loading with located errors, and the scenario evaluator.

An experiment names a base scenario, the parameters to vary as dotted paths into it, a design and how
many replications to run. Every problem is reported with file, line and field path before any run
starts: unknown fields, a parameter path the scenario does not have, a parameter value the scenario
rejects, an unknown outcome, a design the parameters do not fit, a bad design table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wargame.errors import InputError
from wargame.experiments._design import Design, cross, generate_design
from wargame.experiments._size import check_design_size, designs_of
from wargame.experiments._spec import ExperimentSpec, Parameter, SpecError, check_layout, dotted
from wargame.scenario import (
    LocatedDocument,
    Scenario,
    apply_overrides,
    get_value,
    load_document,
    load_scenario_with,
    scenario_hash,
    validate_document,
)

__all__ = ["Experiment", "ScenarioEvaluator", "load_experiment"]


@dataclass(frozen=True)
class ScenarioEvaluator:
    """Runs a scenario with one design point's overrides for a batch of seeds (one ensemble).

    Picklable, so process pools and Dask workers receive it with the scenario inside.

    Attributes:
        scenario: The base scenario.
        scenario_dir: Folder for relative paths inside the scenario (policy scripts).
    """

    scenario: Scenario
    scenario_dir: Path | None = None
    factors: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()

    def overrides(self, params: dict[str, Any]) -> dict[str, Any]:
        """Turn a design point into scenario overrides, expanding factor parameters onto their paths."""
        factors = dict(self.factors)
        overrides: dict[str, Any] = {}
        for name, value in params.items():
            if name in factors:
                overrides.update({path: base * value for path, base in factors[name]})
            else:
                overrides[name] = value
        return overrides

    def __call__(self, params: dict[str, Any], seeds: np.ndarray) -> pd.DataFrame:
        from wargame.runner import simulate_runs

        scenario = apply_overrides(self.scenario, self.overrides(params)) if params else self.scenario
        frame = simulate_runs(scenario, seeds, self.scenario_dir)
        return frame.drop(columns=["run", "seed"])


@dataclass(frozen=True)
class Experiment:
    """A loaded, checked experiment.

    Attributes:
        spec: The validated experiment file.
        path: The experiment file.
        scenario: The base scenario.
        scenario_path: The base scenario file.
        design: The generated design points.
        file_sha256: SHA-256 of the experiment file's bytes.
        scenario_sha256: SHA-256 of the base scenario's canonical form.
    """

    spec: ExperimentSpec
    path: Path
    scenario: Scenario
    scenario_path: Path
    design: Design
    file_sha256: str
    scenario_sha256: str

    @property
    def total_runs(self) -> int:
        return len(self.design) * self.spec.replications

    def evaluator(self) -> ScenarioEvaluator:
        """Return the evaluator that runs this experiment's scenario."""
        return ScenarioEvaluator(self.scenario, self.scenario_path.parent, _factors(self.spec, self.scenario))


def _factors(
    spec: ExperimentSpec, scenario: Scenario
) -> tuple[tuple[str, tuple[tuple[str, float], ...]], ...]:
    return tuple(factor for parameter in spec.all_parameters for factor in _factors_of(parameter, scenario))


def _located(
    document: LocatedDocument, path: Path, location: tuple[str | int, ...], message: str
) -> InputError:
    where = document.where(location)
    source = f"{where[0]}:{where[1]}" if where else str(path)
    return InputError(message, source=source, field=dotted(location) or None)


def _values_to_check(parameter: Parameter) -> tuple[str, list[Any]]:
    """The field of the parameter's range and the values of it that must be valid in the scenario."""
    if parameter.levels is not None:
        return "levels", list(parameter.levels)
    if parameter.bounds is not None:
        return "bounds", list(parameter.bounds)
    distribution = parameter.distribution
    if distribution is not None and hasattr(distribution, "low") and hasattr(distribution, "high"):
        return "distribution", [distribution.low, distribution.high]
    return "path", []


def load_experiment(
    path: str | Path,
    *,
    scenario_overrides: Mapping[str, Any] | None = None,
    allow_dirs: Sequence[str | Path] = (),
) -> Experiment:
    """Load an experiment file and check it against its scenario, before any run.

    Args:
        path: The experiment YAML file.
        scenario_overrides: ``--set`` overrides of the base scenario's fields (errors name the flag).
        allow_dirs: Folders besides the scenario's own that its files may come from.

    Raises:
        InputError: With ``file:line`` and field path for any problem.
    """
    path = Path(path)
    document = load_document(path, kind="experiment")
    spec = validate_document(document, ExperimentSpec, source=str(path))
    try:
        check_layout(spec)
        check_design_size(spec)  # from the file alone, before anything is built
    except SpecError as error:
        raise _located(document, path, error.location, error.message) from None
    scenario_path = path.parent / spec.scenario
    if not scenario_path.is_file():
        raise _located(document, path, ("scenario",), f"scenario file {spec.scenario!r} not found")
    scenario = load_scenario_with(scenario_path, overrides=scenario_overrides, allow_dirs=allow_dirs)
    for where, parameter in spec.parameter_locations():
        targets: list[tuple[tuple[str | int, ...], str]] = [((*where, "path"), parameter.path)]
        if parameter.multiplies:
            targets = [((*where, "multiplies", i), t) for i, t in enumerate(parameter.multiplies)]
        for location, target in targets:
            try:
                current = get_value(scenario, target)
            except InputError as error:
                raise _located(document, path, location, f"{error.message} in {scenario_path}") from None
            if isinstance(current, dict | list):
                raise _located(document, path, location, "points at a section, not a value")
            if parameter.multiplies and (isinstance(current, bool) or not isinstance(current, int | float)):
                raise _located(
                    document, path, location, f"cannot multiply {target} = {current!r}: not a number"
                )
        field, values = _values_to_check(parameter)
        evaluator = ScenarioEvaluator(scenario, factors=_factors_of(parameter, scenario))
        for value in values:
            try:
                apply_overrides(scenario, evaluator.overrides({parameter.path: value}))
            except InputError as error:
                raise _located(document, path, (*where, field), f"value {value!r}: {error.message}") from None
    if spec.outcomes is not None:
        _check_outcomes(document, path, spec, scenario)
    for section in ("discovery", "robustness"):
        chosen = getattr(spec, section)
        if chosen is not None and spec.outcomes is not None and chosen.outcome not in spec.outcomes:
            raise _located(
                document, path, (section, "outcome"), f"outcome {chosen.outcome!r} is not among 'outcomes'"
            )
    try:
        design = experiment_design(spec, path.parent)
    except SpecError as error:
        raise _located(document, path, error.location, error.message) from None
    return Experiment(
        spec=spec,
        path=path,
        scenario=scenario,
        scenario_path=scenario_path,
        design=design,
        file_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        scenario_sha256=scenario_hash(scenario),
    )


def experiment_design(spec: ExperimentSpec, base_dir: Path) -> Design:
    """The design points of an experiment: its design, or every policy crossed with every future."""
    designs = []
    for stream, (design, parameters, design_field, parameters_field) in enumerate(designs_of(spec)):
        try:
            designs.append(
                generate_design(
                    parameters,
                    design,
                    root_seed=spec.root_seed,
                    base_dir=base_dir,
                    where_in_file=parameters_field,
                    stream=stream,
                )
            )
        except SpecError as error:
            if error.location[:1] != ("design",):
                raise
            raise SpecError(error.message, location=(design_field, *error.location[1:])) from None
    return designs[0] if len(designs) == 1 else cross(designs[0], designs[1])


def _factors_of(
    parameter: Parameter, scenario: Scenario
) -> tuple[tuple[str, tuple[tuple[str, float], ...]], ...]:
    if not parameter.multiplies:
        return ()
    return ((parameter.path, tuple((t, float(get_value(scenario, t))) for t in parameter.multiplies)),)


def _check_outcomes(document: LocatedDocument, path: Path, spec: ExperimentSpec, scenario: Scenario) -> None:
    from wargame.runner import check_outcome_names

    for position, name in enumerate(spec.outcomes or ()):
        if name in ("run", "seed"):
            raise _located(
                document, path, ("outcomes", position), f"{name!r} is not an outcome; seeds are always kept"
            )
    try:
        check_outcome_names(scenario, list(spec.outcomes or ()))
    except InputError as error:
        position = int(str(error.field).removeprefix("outcomes[").removesuffix("]"))
        raise _located(document, path, ("outcomes", position), error.message) from None
