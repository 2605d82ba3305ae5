"""Analysis of outcome rows: summaries with confidence intervals, and plots."""

from wargame.analysis.plots import plot_run
from wargame.analysis.summary import Estimate, RunSummary, mean_ci, summarize, wilson_interval

__all__ = ["Estimate", "RunSummary", "mean_ci", "plot_run", "summarize", "wilson_interval"]
