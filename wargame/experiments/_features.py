"""Feature scoring: how much each parameter moves each outcome, from extra-trees importances.

Like the EMA workbench's ``feature_scoring``, an ensemble of extremely randomized trees
(scikit-learn's ``ExtraTreesRegressor``) is fitted per outcome to the per-point means (rates for yes/no
outcomes) on the parameters, and its impurity-based importances, which sum to 1 over the parameters, are
the scores. Unlike Sobol indices they need no particular design, so they work for any sweep with enough
points, levers-and-uncertainties ones included; like every importance measure they rank rather than
measure, and a parameter the outcome does not depend on still gets a small score from noise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wargame.experiments._noise import selected_outcomes
from wargame.experiments._results import SweepResults

__all__ = ["MIN_POINTS", "feature_scores"]

MIN_POINTS = 10
"""Fewer design points than this give no feature scores."""

_FEATURE_STREAM = 5


def feature_scores(
    results: SweepResults, outcomes: Sequence[str], *, trees: int = 250
) -> pd.DataFrame | None:
    """Return a table of feature scores: one row per outcome, one column per numeric parameter.

    Outcomes that do not vary between points, or have a value at fewer than :data:`MIN_POINTS` points, are
    left out; ``None`` when none is left or there is no numeric parameter.

    Args:
        results: A sweep's results.
        outcomes: Outcomes to score.
        trees: Trees in each ensemble: fewer are faster, and give scores that vary more with the seed.

    Raises:
        InputError: Naming the first of ``outcomes`` the results do not have.
    """
    from sklearn.ensemble import ExtraTreesRegressor

    outcomes = selected_outcomes(results, outcomes)
    names = [n for n in results.parameter_names if pd.api.types.is_numeric_dtype(results.design[n])]
    if not names:
        return None
    seed = int(
        np.random.SeedSequence(int(results.info["root_seed"]), spawn_key=(_FEATURE_STREAM,)).generate_state(
            1
        )[0]
    )
    rows = {}
    for outcome in outcomes:
        means = results.point_means(outcome).dropna()
        if len(means) < MIN_POINTS or float(means.max() - means.min()) == 0.0:
            continue
        inputs = results.design.loc[means.index, names].to_numpy(dtype=float)
        forest = ExtraTreesRegressor(n_estimators=trees, random_state=seed)
        forest.fit(inputs, means.to_numpy())
        rows[outcome] = forest.feature_importances_
    if not rows:
        return None
    table = pd.DataFrame.from_dict(rows, orient="index", columns=names)
    table.index.name = "outcome"
    return table
