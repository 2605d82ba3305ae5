"""Analysis of outcome rows: summaries with confidence intervals, outcome ranges, paired comparisons of
scenarios run with the same seeds, and plots.

``plot_run`` is imported on first use, so that importing wargame does not load matplotlib (it costs
memory in every worker process of a sweep).
"""

from typing import TYPE_CHECKING

from wargame._lazy import lazy_exports

if TYPE_CHECKING:
    from wargame.analysis.compare import Comparison, compare_outcomes
    from wargame.analysis.outcomes import outcome_bounds
    from wargame.analysis.plots import plot_run
    from wargame.analysis.summary import Estimate, RunSummary, summarize

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
