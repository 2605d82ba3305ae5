"""Design generation: full factorial, LHS, Monte Carlo, Sobol, Morris and CSV tables, seeded."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from wargame.experiments import (
    FullFactorialDesign,
    LatinHypercubeDesign,
    MonteCarloDesign,
    MorrisDesign,
    NormalDistribution,
    Parameter,
    SobolDesign,
    SpecError,
    TableDesign,
    generate_design,
)

LATENCY = Parameter(path="links.usa-twn.latency_hours", bounds=(1.0, 72.0))
FIDELITY = Parameter(path="links.usa-twn.fidelity", bounds=(0.2, 1.0))
INTENSITY = Parameter(path="programs.intelligence_sharing.intensity_per_year", bounds=(0.0, 12.0))


def test_full_factorial_holds_every_combination_with_the_last_parameter_fastest() -> None:
    levels_a, levels_b = (1.0, 2.0, 3.0), (True, False)
    design = generate_design(
        [Parameter(path="a.x", levels=levels_a), Parameter(path="b.flag", levels=levels_b)],
        FullFactorialDesign(kind="full_factorial"),
        root_seed=0,
    )
    assert list(design.points.itertuples(index=False, name=None)) == list(
        itertools.product(levels_a, levels_b)
    )
    assert design.points.index.name == "point"
    assert design.point_values(1) == {"a.x": 1.0, "b.flag": False}


def test_latin_hypercube_puts_one_point_in_each_stratum_of_every_parameter() -> None:
    samples = 40
    design = generate_design(
        [LATENCY, FIDELITY], LatinHypercubeDesign(kind="latin_hypercube", samples=samples), root_seed=3
    )
    assert len(design) == samples
    for parameter in (LATENCY, FIDELITY):
        low, high = parameter.bounds
        strata = np.floor((design.points[parameter.path] - low) / (high - low) * samples).astype(int)
        assert sorted(strata) == list(range(samples))


def test_sampled_designs_are_fixed_by_the_root_seed() -> None:
    spec = MonteCarloDesign(kind="monte_carlo", samples=50)
    first = generate_design([LATENCY, FIDELITY], spec, root_seed=11)
    again = generate_design([LATENCY, FIDELITY], spec, root_seed=11)
    other = generate_design([LATENCY, FIDELITY], spec, root_seed=12)
    assert first.points.equals(again.points)
    assert first.fingerprint() == again.fingerprint()
    assert not first.points.equals(other.points)
    assert first.fingerprint() != other.fingerprint()


def test_monte_carlo_follows_a_normal_distribution() -> None:
    resolve = Parameter(
        path="actors.twn.resolve", distribution=NormalDistribution(kind="normal", mean=0.6, sd=0.1)
    )
    design = generate_design([resolve], MonteCarloDesign(kind="monte_carlo", samples=4000), root_seed=5)
    values = design.points[resolve.path]
    assert abs(values.mean() - 0.6) < 4 * 0.1 / math.sqrt(4000)
    assert abs(values.std() - 0.1) < 0.01


def test_sobol_design_has_saltelli_size_and_stays_in_bounds() -> None:
    base = 64
    parameters = [LATENCY, FIDELITY, INTENSITY]
    first_order = generate_design(parameters, SobolDesign(kind="sobol", base_samples=base), root_seed=1)
    with_second = generate_design(
        parameters, SobolDesign(kind="sobol", base_samples=base, second_order=True), root_seed=1
    )
    assert len(first_order) == base * (len(parameters) + 2)
    assert len(with_second) == base * (2 * len(parameters) + 2)
    for parameter in parameters:
        column = first_order.points[parameter.path]
        assert column.between(*parameter.bounds).all()


def test_sobol_base_samples_must_be_a_power_of_two() -> None:
    with pytest.raises(ValidationError, match="power of two"):
        SobolDesign(kind="sobol", base_samples=100)


def test_morris_design_has_trajectories_on_the_level_grid() -> None:
    trajectories, levels = 10, 4
    design = generate_design(
        [LATENCY, FIDELITY],
        MorrisDesign(kind="morris", trajectories=trajectories, levels=levels),
        root_seed=2,
    )
    assert len(design) == trajectories * 3
    low, high = LATENCY.bounds
    grid = low + (high - low) * np.arange(levels) / (levels - 1)
    assert np.isin(np.round(design.points[LATENCY.path], 9), np.round(grid, 9)).all()


def test_integer_parameters_are_rounded() -> None:
    ships = Parameter(path="actors.prc.ships", bounds=(0.0, 10.0), integer=True)
    design = generate_design([ships], LatinHypercubeDesign(kind="latin_hypercube", samples=30), root_seed=0)
    assert design.points[ships.path].dtype == np.int64
    assert design.points[ships.path].between(0, 10).all()


@pytest.mark.parametrize(
    ("parameters", "design", "field", "message"),
    [
        ([LATENCY], FullFactorialDesign(kind="full_factorial"), "parameters[0].levels", "needs 'levels'"),
        (
            [LATENCY, Parameter(path="a.b", levels=(1.0, 2.0))],
            LatinHypercubeDesign(kind="latin_hypercube", samples=4),
            "parameters[1].levels",
            "not 'levels'",
        ),
        (
            [Parameter(path="a.b")],
            SobolDesign(kind="sobol", base_samples=8),
            "parameters[0].bounds",
            "needs 'bounds'",
        ),
        (
            [Parameter(path="a.b", distribution=NormalDistribution(kind="normal", mean=0, sd=1))],
            MorrisDesign(kind="morris", trajectories=4),
            "parameters[0].distribution",
            "uniform grid",
        ),
    ],
)
def test_a_parameter_that_does_not_fit_the_design_is_named(parameters, design, field, message) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        generate_design(parameters, design, root_seed=0)
    assert caught.value.field == field


def test_parameter_ranges_are_validated() -> None:
    with pytest.raises(ValidationError, match="low < high"):
        Parameter(path="a.b", bounds=(2.0, 1.0))
    with pytest.raises(ValidationError, match="give one of levels, bounds, distribution"):
        Parameter(path="a.b", bounds=(0.0, 1.0), levels=(0.5,))
    with pytest.raises(ValidationError, match="must all be numbers"):
        Parameter(path="a.b", levels=(1.0, "high"))
    with pytest.raises(ValidationError, match="String should match pattern"):
        Parameter(path="nodots", bounds=(0.0, 1.0))


def test_table_design_reads_points_from_a_csv_beside_the_experiment(tmp_path: Path) -> None:
    (tmp_path / "points.csv").write_text(
        "links.usa-twn.fidelity,links.usa-twn.latency_hours\n0.5,2\n0.9,48\n"
    )
    design = generate_design(
        [LATENCY, FIDELITY], TableDesign(kind="table", file="points.csv"), root_seed=0, base_dir=tmp_path
    )
    assert design.parameter_names == [LATENCY.path, FIDELITY.path]
    assert design.points[LATENCY.path].tolist() == [2.0, 48.0]
    assert design.points[FIDELITY.path].tolist() == [0.5, 0.9]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("links.usa-twn.latency_hours\n2\n", r"missing columns \['links.usa-twn.fidelity'\]"),
        ("links.usa-twn.latency_hours,links.usa-twn.fidelity,extra\n2,0.5,1\n", "not parameters"),
        ("links.usa-twn.latency_hours,links.usa-twn.fidelity\n2,0.5\n100,0.5\n", "line 3: .* outside bounds"),
        ("links.usa-twn.latency_hours,links.usa-twn.fidelity\n2,\n", "line 2: no value"),
        ("links.usa-twn.latency_hours,links.usa-twn.fidelity\n", "has no rows"),
    ],
)
def test_a_bad_design_table_is_an_error_naming_the_problem(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "points.csv").write_text(text)
    with pytest.raises(SpecError, match=message) as caught:
        generate_design(
            [LATENCY, FIDELITY], TableDesign(kind="table", file="points.csv"), root_seed=0, base_dir=tmp_path
        )
    assert caught.value.field == "design.file"


def test_a_missing_design_table_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="not found"):
        generate_design([LATENCY], TableDesign(kind="table", file="nope.csv"), root_seed=0, base_dir=tmp_path)
