"""The typed schema of an experiment: parameters, their ranges, the design and the run settings.

Every model is immutable and rejects unknown keys. A parameter is a dotted path into the base scenario
(``links.usa-twn.latency_hours``) with exactly one of ``levels``, ``bounds`` or ``distribution``; which
of these a design needs is checked by :func:`check_design_fits_parameters`, which names the offending
field so that file loaders can point at its line.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from wargame.errors import InputError
from wargame.experiments._distributions import (
    Distribution,
    LogNormalDistribution,
    LogUniformDistribution,
    NormalDistribution,
    TriangularDistribution,
    TruncatedNormalDistribution,
    UniformDistribution,
)

__all__ = [
    "SAMPLED_DESIGN_KINDS",
    "DesignSpec",
    "Discovery",
    "Distribution",
    "ExperimentSpec",
    "FullFactorialDesign",
    "LatinHypercubeDesign",
    "LogNormalDistribution",
    "LogUniformDistribution",
    "MonteCarloDesign",
    "MorrisDesign",
    "NormalDistribution",
    "Parameter",
    "Robustness",
    "SobolDesign",
    "SpecError",
    "TableDesign",
    "TriangularDistribution",
    "TruncatedNormalDistribution",
    "UniformDistribution",
    "check_design_fits_parameters",
    "check_layout",
    "dotted",
]

Scalar = bool | int | float | str
PositiveInt = Annotated[int, Field(ge=1)]


class SpecError(InputError):
    """An :class:`InputError` that also carries the location of the bad field as a path tuple.

    File loaders turn ``location`` into ``file:line``; API users see the dotted ``field``.
    """

    def __init__(self, message: str, *, location: tuple[str | int, ...], source: str | None = None) -> None:
        self.location = location
        super().__init__(message, source=source, field=dotted(location))


def dotted(location: tuple[str | int, ...]) -> str:
    """Return a location as a field path: ``("parameters", 1, "levels")`` -> ``parameters[1].levels``."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- parameters ----------------------------------------------------------------------------------------


class Parameter(_Frozen):
    """One swept parameter: a dotted path into the scenario and the values it takes.

    Give exactly one of ``levels`` (a list of values, for full factorial designs), ``bounds`` (a uniform
    range ``[low, high]``) or ``distribution``; a table design needs none of them.

    Attributes:
        path: Dotted path into the scenario, list items by id: ``links.usa-twn.latency_hours``.
        label: Short name for tables and plot axes, with units; defaults to ``path``.
        levels: Values for a full factorial design.
        bounds: ``[low, high]`` of a uniform range for sampled designs.
        distribution: A probability distribution for sampled designs.
        integer: Round sampled values to whole numbers.
        multiplies: Scenario paths that this parameter scales together: the value is a factor applied to
            each path's base value, and ``path`` is then only the parameter's name (e.g. one
            ``gray_zone_pressure`` factor over every gray-zone activity's rate).
    """

    path: Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)+$")]
    label: str | None = None
    levels: Annotated[tuple[Scalar, ...], Field(min_length=1)] | None = None
    bounds: tuple[float, float] | None = None
    distribution: Distribution | None = None
    integer: bool = False
    multiplies: Annotated[tuple[str, ...], Field(min_length=1)] | None = None

    @field_validator("levels")
    @classmethod
    def _levels_of_one_type(cls, levels: tuple[Scalar, ...] | None) -> tuple[Scalar, ...] | None:
        if levels is None:
            return None
        kinds = {
            "number" if isinstance(v, int | float) and not isinstance(v, bool) else type(v).__name__
            for v in levels
        }
        if len(kinds) > 1:
            raise ValueError(f"levels must all be numbers, all booleans or all strings, got {sorted(kinds)}")
        if len(set(levels)) != len(levels):
            raise ValueError("levels must not repeat")
        return levels

    @field_validator("bounds")
    @classmethod
    def _bounds_ordered(cls, bounds: tuple[float, float] | None) -> tuple[float, float] | None:
        if bounds is not None and not (math.isfinite(bounds[0]) and bounds[0] < bounds[1]):
            raise ValueError(f"bounds must be [low, high] with low < high, got {list(bounds)}")
        return bounds

    @model_validator(mode="after")
    def _at_most_one_range(self) -> Self:
        given = [name for name in ("levels", "bounds", "distribution") if getattr(self, name) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of levels, bounds, distribution (got {', '.join(given)})")
        return self

    @property
    def name(self) -> str:
        """The column name of this parameter in design and result tables: its path."""
        return self.path

    @property
    def display_label(self) -> str:
        """The label for plots and printed tables."""
        return self.label or self.path


# --- designs -------------------------------------------------------------------------------------------


class FullFactorialDesign(_Frozen):
    """Every combination of every parameter's ``levels``."""

    kind: Literal["full_factorial"]


class LatinHypercubeDesign(_Frozen):
    """``samples`` points of a Latin hypercube over the parameters' bounds or distributions."""

    kind: Literal["latin_hypercube"]
    samples: PositiveInt


class MonteCarloDesign(_Frozen):
    """``samples`` independent random points over the parameters' bounds or distributions."""

    kind: Literal["monte_carlo"]
    samples: PositiveInt


class SobolDesign(_Frozen):
    """Saltelli's scheme on a scrambled Sobol' sequence, for Sobol indices.

    Makes ``base_samples * (D + 2)`` points for ``D`` parameters, or ``base_samples * (2 D + 2)`` with
    ``second_order``. ``base_samples`` must be a power of two.
    """

    kind: Literal["sobol"]
    base_samples: PositiveInt
    second_order: bool = False

    @field_validator("base_samples")
    @classmethod
    def _power_of_two(cls, base_samples: int) -> int:
        if base_samples & (base_samples - 1):
            raise ValueError(f"base_samples must be a power of two (Sobol' sequence), got {base_samples}")
        return base_samples


class MorrisDesign(_Frozen):
    """Morris elementary-effects trajectories: ``trajectories * (D + 1)`` points on a grid of ``levels``."""

    kind: Literal["morris"]
    trajectories: PositiveInt
    levels: Annotated[int, Field(ge=2)] = 4

    @field_validator("levels")
    @classmethod
    def _even(cls, levels: int) -> int:
        if levels % 2:
            raise ValueError(f"Morris levels must be even, got {levels}")
        return levels


class TableDesign(_Frozen):
    """Points read from a CSV file whose columns are the parameter paths (path relative to the experiment)."""

    kind: Literal["table"]
    file: str


DesignSpec = Annotated[
    FullFactorialDesign | LatinHypercubeDesign | MonteCarloDesign | SobolDesign | MorrisDesign | TableDesign,
    Field(discriminator="kind"),
]

SAMPLED_DESIGN_KINDS = ("latin_hypercube", "monte_carlo", "sobol", "morris")


class Discovery(_Frozen):
    """Scenario discovery: find the parameter region where ``outcome``'s mean exceeds ``threshold``."""

    outcome: str
    threshold: float


class Robustness(_Frozen):
    """How ``wargame analyze`` ranks policies across futures (levers-and-uncertainties experiments).

    Attributes:
        outcome: The outcome whose per-point mean (a rate for yes/no outcomes) policies are judged by.
        threshold: A future is satisfactory for a policy when the outcome is at most this (``minimize``)
            or at least this (``maximize``).
        direction: Whether lower (``minimize``, e.g. the probability of war) or higher values are better.
    """

    outcome: str
    threshold: float
    direction: Literal["minimize", "maximize"] = "minimize"


class ExperimentSpec(_Frozen):
    """An experiment: a base scenario, parameters to vary, a design and how to run it.

    Either ``parameters`` with a ``design``, or ``levers`` (what the allies control: programs, links,
    responses, postures) with a ``policies`` design and ``uncertainties`` (what they do not: adversary
    parameters, perception, gray-zone intensity) with a ``futures`` design, crossed: every policy is run in
    every future, with the same seeds in a given future whatever the policy.

    Attributes:
        name: Identifier of the experiment, stored with its results.
        description: What question the experiment answers.
        scenario: Path of the base scenario file, relative to the experiment file.
        parameters: The varied parameters; paths must be distinct.
        design: How design points are chosen.
        levers: The parameters the allies choose.
        uncertainties: The parameters they do not control; no path may be both a lever and an uncertainty.
        policies: How the levers' combinations are chosen (default: every combination of their levels).
        futures: How the uncertainties' combinations are chosen.
        robustness: How ``wargame analyze`` judges policies across futures.
        replications: Runs per design point, each with its own seed.
        root_seed: The one seed every design point and run seed derives from.
        common_seeds: Common random numbers: replication ``r`` of every design point runs with the same
            seed, so that points differ by their parameters only and not by independent noise.
        outcomes: Outcome columns to keep; all when omitted.
        retries: Extra attempts for a run that raises or a task that fails outside the model.
        run_timeout_seconds: Wall-clock limit of one run; a run over it is recorded as failed.
        runs_per_part: Runs per task and per result part file; chosen from the sweep size when omitted.
        discovery: Optional scenario-discovery settings for ``wargame analyze``.
    """

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$", max_length=80)]
    description: str = ""
    scenario: str
    parameters: tuple[Parameter, ...] = ()
    design: DesignSpec | None = None
    levers: tuple[Parameter, ...] = ()
    uncertainties: tuple[Parameter, ...] = ()
    policies: DesignSpec | None = None
    futures: DesignSpec | None = None
    robustness: Robustness | None = None
    replications: PositiveInt = 1
    root_seed: Annotated[int, Field(ge=0)] = 0
    common_seeds: bool = False
    outcomes: tuple[str, ...] | None = None
    retries: Annotated[int, Field(ge=0)] = 0
    run_timeout_seconds: Annotated[float, Field(gt=0.0)] | None = None
    runs_per_part: PositiveInt | None = None
    discovery: Discovery | None = None

    @field_validator("parameters", "levers", "uncertainties")
    @classmethod
    def _distinct_paths(cls, parameters: tuple[Parameter, ...]) -> tuple[Parameter, ...]:
        seen: set[str] = set()
        for parameter in parameters:
            if parameter.path in seen:
                raise ValueError(f"parameter path {parameter.path!r} appears twice")
            seen.add(parameter.path)
        return parameters

    @property
    def crossed(self) -> bool:
        """Whether this is a levers-and-uncertainties experiment (policies x futures)."""
        return bool(self.levers or self.uncertainties)

    @property
    def all_parameters(self) -> tuple[Parameter, ...]:
        """Every varied parameter: ``parameters``, or the levers then the uncertainties."""
        return (*self.levers, *self.uncertainties) if self.crossed else self.parameters

    def parameter_locations(self) -> list[tuple[tuple[str | int, ...], Parameter]]:
        """Each varied parameter with its place in the file, e.g. ``("levers", 0)``."""
        lists = ("levers", "uncertainties") if self.crossed else ("parameters",)
        return [((name, index), p) for name in lists for index, p in enumerate(getattr(self, name))]


def check_layout(spec: ExperimentSpec) -> None:
    """Check that an experiment is either ``parameters`` with a ``design`` or levers and uncertainties.

    Raises:
        SpecError: Naming the field at fault, e.g. ``uncertainties[1].path`` for a lever that is also an
            uncertainty.
    """
    if spec.crossed:
        if spec.parameters or spec.design is not None:
            field = "parameters" if spec.parameters else "design"
            raise SpecError(
                f"give either 'parameters' with a 'design', or 'levers' and 'uncertainties', not both "
                f"('{field}' next to levers and uncertainties)",
                location=(field,),
            )
        for name in ("levers", "uncertainties"):
            if not getattr(spec, name):
                raise SpecError(f"a levers-and-uncertainties experiment needs '{name}'", location=(name,))
        if spec.futures is None:
            raise SpecError("give a 'futures' design over the uncertainties", location=("futures",))
        levers = {lever.path: index for index, lever in enumerate(spec.levers)}
        for index, uncertainty in enumerate(spec.uncertainties):
            if uncertainty.path in levers:
                raise SpecError(
                    f"{uncertainty.path} is also levers[{levers[uncertainty.path]}]: a parameter is either "
                    "what the allies control (a lever) or what they do not (an uncertainty), not both",
                    location=("uncertainties", index, "path"),
                )
        return
    for name in ("policies", "futures", "robustness"):
        if getattr(spec, name) is not None:
            raise SpecError(f"'{name}' needs 'levers' and 'uncertainties'", location=(name,))
    if not spec.parameters:
        raise SpecError("give 'parameters' (or 'levers' and 'uncertainties')", location=("parameters",))
    if spec.design is None:
        raise SpecError("give a 'design' for the parameters", location=("design",))


def check_design_fits_parameters(
    parameters: tuple[Parameter, ...], design: Any, where_in_file: str = "parameters"
) -> None:
    """Check that every parameter gives what the design needs.

    A full factorial design needs ``levels``; sampled designs need ``bounds`` or ``distribution``; a
    Morris design needs ``bounds`` or a uniform distribution (its grid is uniform). A table design takes
    values from the file, and ``bounds`` there, if given, are checked against it.

    Raises:
        SpecError: Naming the first parameter that does not fit, e.g. ``parameters[1].levels``
            (``where_in_file`` is the list the parameters come from: ``parameters``, ``levers``, ...).
    """
    kind = design.kind
    for index, parameter in enumerate(parameters):
        where = (where_in_file, index)
        if kind == "full_factorial" and parameter.levels is None:
            raise SpecError(
                "a full_factorial design needs 'levels' for every parameter", location=(*where, "levels")
            )
        if kind in SAMPLED_DESIGN_KINDS:
            if parameter.levels is not None:
                raise SpecError(
                    f"a {kind} design samples ranges: give 'bounds' or 'distribution', not 'levels'",
                    location=(*where, "levels"),
                )
            if parameter.bounds is None and parameter.distribution is None:
                raise SpecError(
                    f"a {kind} design needs 'bounds' or 'distribution' for every parameter",
                    location=(*where, "bounds"),
                )
        if (
            kind == "morris"
            and parameter.distribution is not None
            and parameter.distribution.kind not in ("uniform", "loguniform")
        ):
            raise SpecError(
                "a morris design samples a uniform grid: give 'bounds' or a uniform distribution",
                location=(*where, "distribution"),
            )
        if kind in ("full_factorial", "table") and parameter.distribution is not None:
            raise SpecError(f"a {kind} design takes no 'distribution'", location=(*where, "distribution"))
        if kind == "full_factorial" and parameter.integer:
            raise SpecError("'integer' applies to sampled designs only", location=(*where, "integer"))
