"""Experiments: parameter sweeps over a design, resumable results, sensitivity analysis and plots.

For analysts: :func:`sweep` runs an experiment file (``experiments/*.yaml``) and writes a results
folder; :func:`load_results` returns its runs as DataFrames; :func:`analyze` writes tables and plots.

The engine underneath is generic: :func:`run_sweep` runs any evaluator ``(params, seeds) -> DataFrame``
over the points of a :class:`Design` on any :class:`concurrent.futures.Executor`, streaming results to
Parquet part files.
"""

from typing import TYPE_CHECKING

from wargame._lazy import lazy_exports

if TYPE_CHECKING:
    from wargame.experiments._analyze import AnalysisReport, analyze
    from wargame.experiments._api import sweep
    from wargame.experiments._cart import CartBoxes, cart_boxes
    from wargame.experiments._design import Design, cross, generate_design
    from wargame.experiments._discovery import PrimBox, discover
    from wargame.experiments._experiment import Experiment, ScenarioEvaluator, load_experiment
    from wargame.experiments._features import feature_scores
    from wargame.experiments._results import SweepResults, load_results
    from wargame.experiments._robustness import RobustnessReport, robustness
    from wargame.experiments._sensitivity import (
        NoisyOutcomeWarning,
        morris_indices,
        sampling_noise,
        sobol_indices,
    )
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
        Robustness,
        SobolDesign,
        SpecError,
        TableDesign,
        TriangularDistribution,
        TruncatedNormalDistribution,
        UniformDistribution,
    )
    from wargame.experiments._summary import summarize_groups
    from wargame.experiments._sweep import SweepAbortedError, SweepSummary, run_sweep
    from wargame.experiments._tasks import Evaluator

__all__ = [
    "AnalysisReport",
    "CartBoxes",
    "Design",
    "Discovery",
    "Evaluator",
    "Experiment",
    "ExperimentSpec",
    "FullFactorialDesign",
    "LatinHypercubeDesign",
    "LogNormalDistribution",
    "LogUniformDistribution",
    "MonteCarloDesign",
    "MorrisDesign",
    "NoisyOutcomeWarning",
    "NormalDistribution",
    "Parameter",
    "PrimBox",
    "Robustness",
    "RobustnessReport",
    "ScenarioEvaluator",
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
    "cart_boxes",
    "cross",
    "discover",
    "feature_scores",
    "generate_design",
    "load_experiment",
    "load_results",
    "morris_indices",
    "robustness",
    "run_sweep",
    "sampling_noise",
    "sobol_indices",
    "summarize_groups",
    "sweep",
]

_HOMES = {
    "AnalysisReport": "._analyze",
    "CartBoxes": "._cart",
    "Robustness": "._spec",
    "RobustnessReport": "._robustness",
    "cart_boxes": "._cart",
    "cross": "._design",
    "feature_scores": "._features",
    "robustness": "._robustness",
    "Design": "._design",
    "Discovery": "._spec",
    "Evaluator": "._tasks",
    "Experiment": "._experiment",
    "ExperimentSpec": "._spec",
    "FullFactorialDesign": "._spec",
    "LatinHypercubeDesign": "._spec",
    "LogNormalDistribution": "._spec",
    "LogUniformDistribution": "._spec",
    "MonteCarloDesign": "._spec",
    "MorrisDesign": "._spec",
    "NoisyOutcomeWarning": "._sensitivity",
    "NormalDistribution": "._spec",
    "Parameter": "._spec",
    "PrimBox": "._discovery",
    "ScenarioEvaluator": "._experiment",
    "SobolDesign": "._spec",
    "SpecError": "._spec",
    "SweepAbortedError": "._sweep",
    "SweepResults": "._results",
    "SweepSummary": "._sweep",
    "TableDesign": "._spec",
    "TriangularDistribution": "._spec",
    "TruncatedNormalDistribution": "._spec",
    "UniformDistribution": "._spec",
    "analyze": "._analyze",
    "discover": "._discovery",
    "generate_design": "._design",
    "load_experiment": "._experiment",
    "load_results": "._results",
    "morris_indices": "._sensitivity",
    "run_sweep": "._sweep",
    "sampling_noise": "._sensitivity",
    "sobol_indices": "._sensitivity",
    "summarize_groups": "._summary",
    "sweep": "._api",
}

__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
