"""Teaching scenario files: a pydantic schema and a YAML loader whose errors name file, line and field."""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from wargame.errors import InputError, join_clauses
from wargame.examples import example_files

__all__ = [
    "MAXIMUM_LIST_ITEMS",
    "CaseSpec",
    "MethodSpec",
    "ObservationSpec",
    "ParameterSpec",
    "ParameterValue",
    "TeachingScenario",
    "load_shipped_scenario",
    "load_teaching_scenario",
    "shipped_scenario_names",
    "shipped_scenarios",
]

ParameterValue = float | tuple[float, ...]

#: The longest list a list parameter of any length may hold.
MAXIMUM_LIST_ITEMS = 100


def shipped_scenarios() -> Traversable:
    """The folder of the shipped teaching scenarios: every read of them goes through here."""
    return example_files() / "scenarios" / "teaching"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterSpec(_Strict):
    """One model parameter: its default value, unit, meaning, where the number comes from and its range."""

    value: float | tuple[float, ...]
    unit: str = Field(min_length=1)
    description: str = Field(min_length=1)
    source: str = Field(min_length=1)
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    fixed_length: bool = True

    @model_validator(mode="after")
    def _default_within_range(self) -> ParameterSpec:
        values = self.value if isinstance(self.value, tuple) else (self.value,)
        if not self.fixed_length and not isinstance(self.value, tuple):
            raise ValueError("fixed_length: false applies to list values only")
        if not 1 <= len(values) <= MAXIMUM_LIST_ITEMS:
            raise ValueError(f"a list holds 1 to {MAXIMUM_LIST_ITEMS} numbers, got {len(values)}")
        for item in values:
            if self.minimum is not None and item < self.minimum:
                raise ValueError(f"value {item} is below the minimum {self.minimum}")
            if self.maximum is not None and item > self.maximum:
                raise ValueError(f"value {item} is above the maximum {self.maximum}")
        return self


class MethodSpec(_Strict):
    """How the model is computed, stated for the reader."""

    kind: Literal["ode", "monte_carlo", "closed_form"]
    description: str = Field(min_length=1)
    integrator: Literal["rk4"] | None = None
    default_seed: int | None = Field(default=None, ge=0)


class CaseSpec(_Strict):
    """A named parameter set, for example the stable and the runaway arms race."""

    description: str = Field(min_length=1)
    parameters: dict[str, float | tuple[float, ...]] = Field(default_factory=dict)
    source: str | None = None


class ObservationSpec(_Strict):
    """A published series a model is compared with, for example daily strengths in a battle."""

    description: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    source: str = Field(min_length=1)
    times: tuple[float, ...] = Field(min_length=1)
    time_unit: str = Field(min_length=1)
    values: tuple[float, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_value_per_time(self) -> ObservationSpec:
        if len(self.times) != len(self.values):
            raise ValueError(f"{len(self.times)} times but {len(self.values)} values")
        return self


class TeachingScenario(_Strict):
    """A teaching model's scenario file (``scenarios/teaching/NAME.yaml``)."""

    model: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    question: str = Field(min_length=1)
    references: Annotated[list[str], Field(min_length=1)]
    method: MethodSpec
    parameters: dict[str, ParameterSpec]
    cases: Annotated[dict[str, CaseSpec], Field(min_length=1)]
    observations: dict[str, ObservationSpec] = Field(default_factory=dict)
    path: str = ""

    @model_validator(mode="after")
    def _cases_name_known_parameters(self) -> TeachingScenario:
        for case_name, case in self.cases.items():
            unknown = sorted(set(case.parameters) - set(self.parameters))
            if unknown:
                raise ValueError(
                    f"case {case_name!r} sets unknown parameter(s) {', '.join(unknown)}; "
                    f"valid: {', '.join(sorted(self.parameters))}"
                )
        return self

    def defaults(self) -> dict[str, ParameterValue]:
        """Return the default value of every parameter."""
        return {name: spec.value for name, spec in self.parameters.items()}

    def case_parameters(self, case_name: str) -> dict[str, ParameterValue]:
        """Return the defaults overlaid with one case's values."""
        if case_name not in self.cases:
            raise InputError(
                f"unknown case {case_name!r}; valid: {', '.join(self.cases)}", source="--case", field=None
            )
        return {**self.defaults(), **self.cases[case_name].parameters}


def _line_of(node: yaml.Node | None, location: tuple[str | int, ...]) -> int | None:
    """Find the 1-based line of the YAML node at a pydantic error location, as deep as it exists."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in location:
        if isinstance(node, yaml.MappingNode):
            match = next((value for name, value in node.value if name.value == key), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


def shipped_scenario_names() -> list[str]:
    """The names of the shipped teaching scenarios, sorted."""
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in shipped_scenarios().iterdir()
        if entry.name.endswith(".yaml")
    )


def load_shipped_scenario(name: str) -> TeachingScenario:
    """Load the shipped teaching scenario ``NAME.yaml`` (see :func:`load_teaching_scenario`)."""
    entry = shipped_scenarios().joinpath(f"{name}.yaml")
    source = f"scenarios/teaching/{name}.yaml"
    try:
        text = entry.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot read teaching scenario: {error.strerror}", source=source) from error
    return parse_teaching_scenario(text, source)


def load_teaching_scenario(
    path: str | Path, *, expected_parameters: frozenset[str] | None = None
) -> TeachingScenario:
    """Load and validate a teaching scenario file.

    Args:
        path: The YAML file.
        expected_parameters: The parameter names the model needs; any other set is an error.

    Returns:
        The validated scenario.

    Raises:
        InputError: The file is missing, is not YAML, or does not match the schema; the message names
            the file, the line and the field path.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot read teaching scenario: {error.strerror}", source=str(path)) from error
    return parse_teaching_scenario(text, str(path), expected_parameters=expected_parameters)


def parse_teaching_scenario(
    text: str, source: str, *, expected_parameters: frozenset[str] | None = None
) -> TeachingScenario:
    """Validate the YAML text of a teaching scenario; errors name ``source``, the line and the field."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise InputError(f"not valid YAML: {getattr(error, 'problem', error)}", source=where) from error
    if not isinstance(data, dict):
        raise InputError("a teaching scenario must be a mapping", source=source)
    try:
        scenario = TeachingScenario.model_validate({**data, "path": source})
    except ValidationError as error:
        first = error.errors()[0]
        location = tuple(part for part in first["loc"] if part not in ("float", "tuple[float, ...]"))
        line = _line_of(node, location)
        where = f"{source}:{line}" if line is not None else source
        field = ".".join(str(part) for part in location)
        raise InputError(first["msg"], source=where, field=field or None) from error
    if expected_parameters is not None and set(scenario.parameters) != expected_parameters:
        missing = sorted(expected_parameters - set(scenario.parameters))
        extra = sorted(set(scenario.parameters) - expected_parameters)
        detail = join_clauses(
            f"missing {', '.join(missing)}" if missing else "",
            f"unknown {', '.join(extra)}" if extra else "",
        )
        raise InputError(
            f"parameters do not match model {scenario.model!r}: {detail}",
            source=f"{source}:{_line_of(node, ('parameters',))}",
            field="parameters",
        )
    return scenario
