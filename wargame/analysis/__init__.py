"""Analysis of outcome rows: summaries with confidence intervals, and plots.

``plot_run`` is imported on first use, so that importing wargame does not load matplotlib (it costs
memory in every worker process of a sweep).
"""

from typing import Any

from wargame.analysis.summary import Estimate, RunSummary, mean_ci, summarize, wilson_interval

__all__ = ["Estimate", "RunSummary", "mean_ci", "plot_run", "summarize", "wilson_interval"]


def __getattr__(name: str) -> Any:
    if name == "plot_run":
        from wargame.analysis.plots import plot_run

        return plot_run
    raise AttributeError(f"module 'wargame.analysis' has no attribute {name!r}")
