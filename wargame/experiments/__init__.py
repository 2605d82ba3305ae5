"""Experiments: parameter sweeps over a design of scenario parameters.

Parameters, distributions and design kinds (full factorial, Latin hypercube, Monte Carlo, Sobol/Saltelli,
Morris, CSV table) and :func:`generate_design`.
"""

from wargame.experiments._design import Design, generate_design
from wargame.experiments._spec import (
    Discovery,
    ExperimentSpec,
    FullFactorialDesign,
    LatinHypercubeDesign,
    LogNormalDistribution,
    LogUniformDistribution,
    MonteCarloDesign,
    MorrisDesign,
    NormalDistribution,
    Parameter,
    SobolDesign,
    SpecError,
    TableDesign,
    TriangularDistribution,
    TruncatedNormalDistribution,
    UniformDistribution,
)

__all__ = [
    "Design",
    "Discovery",
    "ExperimentSpec",
    "FullFactorialDesign",
    "LatinHypercubeDesign",
    "LogNormalDistribution",
    "LogUniformDistribution",
    "MonteCarloDesign",
    "MorrisDesign",
    "NormalDistribution",
    "Parameter",
    "SobolDesign",
    "SpecError",
    "TableDesign",
    "TriangularDistribution",
    "TruncatedNormalDistribution",
    "UniformDistribution",
    "generate_design",
]
