"""wargame: an engine for tabletop war-games and exercises about deterrence.

The public API::

    import wargame
    scenario = wargame.load_scenario("scenarios/taiwan_strait_baseline.yaml")
    frame = wargame.run(scenario, runs=1000, seed=1)   # pandas DataFrame, one row per run
    summary = wargame.summarize(scenario, frame, root_seed=1)
    print(summary.render())

    wargame.sweep("experiments/info_sharing_latency.yaml", out="results/latency", jobs=2)
    results = wargame.load_results("results/latency")   # .runs, .design, .failures: DataFrames
"""

__version__ = "0.1.0"

from wargame.analysis.summary import summarize
from wargame.errors import InputError, WargameError
from wargame.experiments import analyze, load_experiment, load_results, sweep
from wargame.runner import run, simulate_runs
from wargame.scenario import Scenario, apply_overrides, load_scenario

__all__ = [
    "InputError",
    "Scenario",
    "WargameError",
    "__version__",
    "analyze",
    "apply_overrides",
    "load_experiment",
    "load_results",
    "load_scenario",
    "run",
    "simulate_runs",
    "summarize",
    "sweep",
]
