"""Experiments: parameter sweeps over a design, resumable results, sensitivity analysis and plots.

The engine is generic: :func:`run_sweep` runs any evaluator ``(params, seeds) -> DataFrame`` over the
points of a :class:`Design` on any :class:`concurrent.futures.Executor`, streaming results to Parquet
part files; :func:`load_results` reads them back and :func:`analyze` writes tables, sensitivity indices,
scenario discovery and plots.
"""

from wargame.experiments._analyze import AnalysisReport, analyze
from wargame.experiments._design import Design, generate_design
from wargame.experiments._discovery import PrimBox, discover
from wargame.experiments._results import SweepResults, load_results
from wargame.experiments._sensitivity import morris_indices, sobol_indices
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
from wargame.experiments._summary import summarize_groups, wilson_interval
from wargame.experiments._sweep import SweepAbortedError, SweepSummary, run_sweep
from wargame.experiments._tasks import Evaluator

__all__ = [
    "AnalysisReport",
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
    "PrimBox",
    "SobolDesign",
    "SpecError",
    "SweepAbortedError",
    "SweepResults",
    "SweepSummary",
    "TableDesign",
    "TriangularDistribution",
    "TruncatedNormalDistribution",
    "UniformDistribution",
    "analyze",
    "discover",
    "generate_design",
    "load_results",
    "morris_indices",
    "run_sweep",
    "sobol_indices",
    "summarize_groups",
    "wilson_interval",
]
