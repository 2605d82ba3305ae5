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
    from wargame.experiments._noise import NoisyOutcomeWarning, sampling_noise
    from wargame.experiments._results import SweepResults, load_results
    from wargame.experiments._robustness import RobustnessReport, robustness
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
        Robustness,
        SobolDesign,
        SpecError,
        TableDesign,
        TriangularDistribution,
        TruncatedNormalDistribution,
        UniformDistribution,
    )
    from wargame.experiments._store import SweepStore
    from wargame.experiments._summary import summarize_groups
    from wargame.experiments._sweep import SweepAbortedError, SweepSummary, run_sweep
    from wargame.experiments._tasks import Evaluator, TaskOutput

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
