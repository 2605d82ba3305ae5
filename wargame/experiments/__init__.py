"""Experiments: parameter sweeps over a design, with resumable results.

:func:`run_sweep` runs any evaluator ``(params, seeds) -> DataFrame`` over the points of a
:class:`Design` on any :class:`concurrent.futures.Executor`, streaming results to Parquet part files;
:func:`load_results` reads them back.
"""

from wargame.experiments._design import Design, generate_design
from wargame.experiments._results import SweepResults, load_results
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
from wargame.experiments._sweep import SweepAbortedError, SweepSummary, run_sweep
from wargame.experiments._tasks import Evaluator

__all__ = [
    "Design",
    "Discovery",
    "Evaluator",
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
    "SweepAbortedError",
    "SweepResults",
    "SweepSummary",
    "TableDesign",
    "TriangularDistribution",
    "TruncatedNormalDistribution",
    "UniformDistribution",
    "generate_design",
    "load_results",
    "run_sweep",
]
