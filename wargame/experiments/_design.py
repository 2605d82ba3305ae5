"""Design points: which parameter values a sweep runs, generated with SALib where it has the method.

Full factorial and table designs are built here; Latin hypercube, Sobol (Saltelli) and Morris come from
:mod:`SALib.sample`, and Monte Carlo draws uniform numbers that SALib maps onto each parameter's
distribution. Every sampled design draws from :func:`wargame.experiments._seeds.design_rng`, so one root
seed fixes the design.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wargame.errors import join_clauses
from wargame.experiments._distributions import salib_distribution
from wargame.experiments._seeds import design_rng
from wargame.experiments._size import MAX_DESIGN_POINTS
from wargame.experiments._spec import (
    SAMPLED_DESIGN_KINDS,
    Parameter,
    SpecError,
    check_design_fits_parameters,
)

__all__ = ["CROSSED_KIND", "Design", "cross", "generate_design"]

CROSSED_KIND = "policies_x_futures"


@dataclass(frozen=True)
class Design:
    """The generated design: one row per design point.

    Attributes:
        kind: The design kind, e.g. ``"sobol"``.
        parameters: The parameters, in column order.
        points: One row per design point (index ``point``, 0 to n-1), one column per parameter path.
        settings: The design specification as plain data (kind and options such as ``second_order``).
        seed_keys: Per point, which point's run seeds it uses (``None``: its own). A policies x futures
            design gives every point its future's index, so every policy meets the same seeds in a future.
    """

    kind: str
    parameters: tuple[Parameter, ...]
    points: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)
    seed_keys: np.ndarray | None = None

    def seed_key(self, point: int) -> int:
        """The design point whose run seeds ``point`` uses."""
        return point if self.seed_keys is None else int(self.seed_keys[point])

    @property
    def parameter_names(self) -> list[str]:
        """Column names of the parameters, in order."""
        return [parameter.name for parameter in self.parameters]

    def __len__(self) -> int:
        return len(self.points)

    def point_values(self, point: int) -> dict[str, Any]:
        """Return the parameter values of one design point as plain Python scalars."""
        row = self.points.iloc[point]
        return {name: _plain(row[name]) for name in self.parameter_names}

    def salib_problem(self) -> dict[str, Any]:
        """Return SALib's problem dictionary for sampled designs."""
        return salib_problem(self.parameters)

    def fingerprint(self) -> str:
        """Return a SHA-256 of the parameter names, the design settings and every point's values."""
        digest = hashlib.sha256()
        digest.update(json.dumps({"settings": self.settings, "names": self.parameter_names}).encode())
        for name in self.parameter_names:
            column = self.points[name]
            if column.dtype.kind in "biuf":
                digest.update(column.dtype.str.encode())
                digest.update(np.ascontiguousarray(column.to_numpy()).tobytes())
            else:
                digest.update(json.dumps([_plain(value) for value in column]).encode())
        if self.seed_keys is not None:
            digest.update(np.ascontiguousarray(self.seed_keys, dtype=np.int64).tobytes())
        return digest.hexdigest()


def _plain(value: Any) -> Any:
    """Turn a numpy scalar into the Python scalar of the same value."""
    return value.item() if isinstance(value, np.generic) else value


def salib_problem(parameters: tuple[Parameter, ...]) -> dict[str, Any]:
    """Return SALib's problem dictionary (``names``, ``bounds``, ``dists``) for ranged parameters."""
    dists: list[str] = []
    bounds: list[list[float]] = []
    for parameter in parameters:
        if parameter.distribution is not None:
            dist, dist_bounds = salib_distribution(parameter.distribution)
        elif parameter.bounds is not None:
            dist, dist_bounds = "unif", list(parameter.bounds)
        else:
            raise ValueError(f"parameter {parameter.path!r} has no bounds or distribution")
        dists.append(dist)
        bounds.append(dist_bounds)
    return {
        "num_vars": len(parameters),
        "names": [parameter.name for parameter in parameters],
        "bounds": bounds,
        "dists": dists,
    }


def generate_design(
    parameters: tuple[Parameter, ...] | list[Parameter],
    design: Any,
    *,
    root_seed: int,
    base_dir: str | Path | None = None,
    where_in_file: str = "parameters",
    stream: int = 0,
) -> Design:
    """Generate the design points of ``design`` over ``parameters``.

    Args:
        parameters: The swept parameters.
        design: A design specification model (``FullFactorialDesign``, ``SobolDesign``, ...).
        root_seed: The experiment's root seed; sampled designs derive their generator from it.
        base_dir: Folder that a table design's relative ``file`` is read from; the working directory
            when omitted.
        where_in_file: The list of the experiment file the parameters come from, for error locations.
        stream: Which of the root seed's design streams a sampled design draws from (0 for parameters and
            policies, 1 for futures, so that the two samples are independent).

    Returns:
        The design, with points in a reproducible order.

    Raises:
        SpecError: If a parameter does not give what the design needs, or a table file is unusable.
    """
    parameters = tuple(parameters)
    check_design_fits_parameters(parameters, design, where_in_file)
    settings = design.model_dump()
    names = [parameter.name for parameter in parameters]
    if design.kind == "full_factorial":
        points = _full_factorial(parameters)
    elif design.kind == "table":
        points = _read_table(parameters, design, Path(base_dir) if base_dir is not None else Path.cwd())
    elif design.kind in SAMPLED_DESIGN_KINDS:
        points = pd.DataFrame(_sample(parameters, design, root_seed, stream), columns=names)
        for parameter in parameters:
            if parameter.integer:
                points[parameter.name] = np.rint(points[parameter.name]).astype(np.int64)
    else:  # pragma: no cover - the schema admits no other kind
        raise ValueError(f"unknown design kind {design.kind!r}")
    points.index = pd.RangeIndex(len(points), name="point")
    return Design(kind=design.kind, parameters=parameters, points=points, settings=settings)


def cross(policies: Design, futures: Design) -> Design:
    """Every policy in every future: point ``p * F + f`` is policy ``p`` in future ``f`` (``F`` futures).

    The levers' columns come first, then the uncertainties'. Every point of future ``f`` uses the run
    seeds of future ``f`` (``seed_keys``), so policies are compared on the same draws.
    """
    count_p, count_f = len(policies), len(futures)
    lever_part = policies.points.loc[policies.points.index.repeat(count_f)].reset_index(drop=True)
    future_part = pd.concat([futures.points] * count_p, ignore_index=True)
    points = pd.concat([lever_part, future_part], axis=1)
    points.index = pd.RangeIndex(len(points), name="point")
    settings = {
        "kind": CROSSED_KIND,
        "policies": {**policies.settings, "points": count_p},
        "futures": {**futures.settings, "points": count_f},
        "levers": policies.parameter_names,
        "uncertainties": futures.parameter_names,
    }
    return Design(
        kind=CROSSED_KIND,
        parameters=(*policies.parameters, *futures.parameters),
        points=points,
        settings=settings,
        seed_keys=np.tile(np.arange(count_f, dtype=np.int64), count_p),
    )


def _full_factorial(parameters: tuple[Parameter, ...]) -> pd.DataFrame:
    """Every combination of the levels, the last parameter varying fastest, built column by column."""
    levels = [pd.Series(list(parameter.levels or ())).to_numpy() for parameter in parameters]
    sizes = [len(values) for values in levels]
    columns = {}
    for index, (parameter, values) in enumerate(zip(parameters, levels, strict=True)):
        inner, outer = math.prod(sizes[index + 1 :]), math.prod(sizes[:index])
        columns[parameter.name] = np.tile(np.repeat(values, inner), outer)
    return pd.DataFrame(columns)


def _sample(parameters: tuple[Parameter, ...], design: Any, root_seed: int, stream: int) -> np.ndarray:
    from SALib.sample import latin, morris, sobol
    from SALib.util import scale_samples

    problem = salib_problem(parameters)
    rng = design_rng(root_seed, stream)
    if design.kind == "latin_hypercube":
        return latin.sample(problem, design.samples, seed=rng)
    if design.kind == "monte_carlo":
        return scale_samples(rng.random((design.samples, len(parameters))), problem)
    if design.kind == "sobol":
        return sobol.sample(
            problem, design.base_samples, calc_second_order=design.second_order, scramble=True, seed=rng
        )
    return morris.sample(problem, design.trajectories, num_levels=design.levels, seed=rng)


MAX_TABLE_BYTES = 256 * 2**20
"""The largest design table file read (256 MB)."""


def _read_table(parameters: tuple[Parameter, ...], design: Any, base_dir: Path) -> pd.DataFrame:
    location = ("design", "file")
    path = Path(design.file) if Path(design.file).is_absolute() else base_dir / design.file
    shown = repr(str(path))
    if not path.exists():
        raise SpecError(f"design table {shown} not found", location=location)
    if not path.is_file():
        raise SpecError(f"design table {shown} is not a regular file", location=location)
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise SpecError(
            f"design table {shown} is {path.stat().st_size:,} bytes; at most {MAX_TABLE_BYTES:,}",
            location=location,
        )
    try:
        table = pd.read_csv(path, nrows=MAX_DESIGN_POINTS + 1)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SpecError(f"design table {shown} is not a readable CSV: {reason}", location=location) from None
    if len(table) > MAX_DESIGN_POINTS:
        raise SpecError(
            f"design table {shown} has more than {MAX_DESIGN_POINTS:,} rows, the most a design may have",
            location=location,
        )
    names = [parameter.name for parameter in parameters]
    missing = [name for name in names if name not in table.columns]
    extra = [column for column in table.columns if column not in names]
    if missing or extra:
        details = join_clauses(
            f"missing columns {missing}" if missing else "",
            f"columns that are not parameters {extra}" if extra else "",
        )
        raise SpecError(f"design table {shown}: {details}", location=location)
    if table.empty:
        raise SpecError(f"design table {shown} has no rows", location=location)
    table = table[names].reset_index(drop=True)
    for parameter in parameters:
        column = table[parameter.name]
        problems = [(column.isna(), "no value for {name!r}")]
        if parameter.bounds is not None:
            low, high = parameter.bounds
            inside = pd.to_numeric(column, errors="coerce").between(low, high)
            problems.append((~inside, f"{{name}} = {{value}} is outside bounds {list(parameter.bounds)}"))
        if parameter.levels is not None:
            problems.append(
                (
                    ~column.isin(parameter.levels),
                    f"{{name}} = {{value}} is not one of levels {list(parameter.levels)}",
                )
            )
        for bad, message in problems:
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0])
                text = message.format(name=parameter.name, value=column.iloc[row])
                raise SpecError(
                    f"design table {shown} line {row + 2}: {text}",
                    location=location,  # header is line 1
                )
    return table
