"""wargame: an engine for tabletop war-games and exercises about deterrence.

The public API::

    import wargame
    scenario = wargame.load_scenario("scenarios/taiwan_strait_baseline.yaml")
    frame = wargame.run(scenario, runs=1000, seed=1)   # pandas DataFrame, one row per run
    summary = wargame.summarize(scenario, frame, root_seed=1)
    print(summary.render())

    wargame.sweep("experiments/info_sharing_latency.yaml", out="results/latency", jobs=2)
    results = wargame.load_results("results/latency")   # .runs, .design, .failures: DataFrames

Names are imported on first use, so ``import wargame`` (and ``wargame --help``) stays fast.
"""

from typing import TYPE_CHECKING

from wargame._lazy import lazy_exports

if TYPE_CHECKING:
    from wargame._version import __version__
    from wargame.analysis.compare import compare_outcomes
    from wargame.analysis.summary import summarize
    from wargame.errors import InputError, WargameError
    from wargame.experiments import analyze, load_experiment, load_results, sweep
    from wargame.runner import run, run_days, simulate_runs
    from wargame.scenario import Scenario, apply_overrides, load_scenario

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
