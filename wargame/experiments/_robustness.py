"""Robustness of policies across futures: regret and satisficing, as the EMA workbench defines them.

A levers-and-uncertainties sweep runs every policy (a combination of levers) in every future (a
combination of uncertainties), with the same seeds in a future whatever the policy. Each (policy, future)
cell's outcome is its mean over replications (the rate of a yes/no outcome such as war). Per policy,
across the futures:

* **mean** and **90th percentile** of the outcome (the worst-but-one-in-ten future when lower is better;
  the 10th percentile when higher is better);
* **regret** in a future: how much worse the policy does than the best policy in that future (Savage's
  minimax regret). Reported as the **maximum regret** and the **90th percentile of regret**;
* **satisficing** (Starr's domain criterion): the share of futures in which the outcome meets the
  threshold.

These are the regret and satisficing metrics of the Exploratory Modeling Workbench (Kwakkel, J. H.,
2017, *The Exploratory Modeling Workbench: an open source toolkit for exploratory modeling, scenario
discovery, and (multi-objective) robust decision making*, Environmental Modelling & Software 96,
239-250), as classified by McPhail, C. et al. (2018, *Robustness metrics: how are they calculated, when
should they be used and why do they give different results?*, Earth's Future 6, 169-191).

Intervals treat the futures as a sample of the plausible ones: Clopper-Pearson for the satisficing share,
a seeded BCa bootstrap over futures for the 90th percentile of regret (:mod:`wargame.stats`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wargame.errors import InputError
from wargame.experiments._design import CROSSED_KIND
from wargame.experiments._results import SweepResults
from wargame.stats import bootstrap_interval, proportion_interval

__all__ = ["RobustnessReport", "cell_means", "robustness"]

PERCENTILE = 90
_BOOTSTRAP_STREAM = 3


@dataclass(frozen=True)
class RobustnessReport:
    """Robustness of every policy across the futures.

    Attributes:
        outcome: The outcome judged.
        threshold: The satisficing threshold.
        direction: ``minimize`` or ``maximize``.
        table: One row per policy, most robust first (smallest maximum regret, then highest satisficing
            share): ``policy``, the lever values, ``mean``, ``percentile_90`` (of the outcome; the 10th
            when maximizing), ``max_regret``, ``regret_90`` with ``regret_90_ci_low``/``_high``,
            ``satisficing`` with ``satisficing_ci_low``/``_high``, ``futures``.
        regret: One row per policy and future: ``policy``, ``future``, ``outcome``, ``regret``.
    """

    outcome: str
    threshold: float
    direction: str
    table: pd.DataFrame
    regret: pd.DataFrame


def _percentile_90(sample: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.percentile(sample, PERCENTILE, axis=axis)


def cell_means(results: SweepResults, outcome: str) -> np.ndarray:
    """Return the outcome's mean per (policy, future) as a ``(policies, futures)`` array.

    Raises:
        InputError: If the sweep is not a levers-and-uncertainties sweep, or a cell has no value.
    """
    if results.design_kind != CROSSED_KIND:
        raise InputError(
            f"robustness across futures needs a levers-and-uncertainties experiment; this sweep's design is "
            f"{results.design_kind!r}",
            source=str(results.root),
        )
    settings = results.design_settings
    policies, futures = int(settings["policies"]["points"]), int(settings["futures"]["points"])
    means = results.point_means(outcome).reindex(range(policies * futures))
    if means.isna().any():
        point = int(means.index[means.isna()][0])
        raise InputError(
            f"cannot judge policies by {outcome!r}: policy {point // futures} has no value in future "
            f"{point % futures} (unfinished sweep, failed runs, or an outcome some runs lack)",
            source=str(results.root),
        )
    return means.to_numpy().reshape(policies, futures)


def robustness(
    results: SweepResults,
    outcome: str,
    threshold: float,
    direction: str = "minimize",
    *,
    confidence: float = 0.95,
) -> RobustnessReport:
    """Compute every policy's regret and satisficing measures across the futures.

    Args:
        results: A finished levers-and-uncertainties sweep.
        outcome: The outcome to judge policies by, e.g. ``war``.
        threshold: A future is satisfactory when the outcome is at most (``minimize``) or at least
            (``maximize``) this.
        direction: ``minimize`` when lower is better, ``maximize`` when higher is.
        confidence: Confidence level of the intervals.

    Raises:
        InputError: For another design, an unknown outcome or a direction that is neither.
    """
    if direction not in ("minimize", "maximize"):
        raise InputError(f"direction must be minimize or maximize, got {direction!r}", field="direction")
    if outcome not in results.outcome_names:
        raise InputError(f"no outcome {outcome!r} in the results; there are {results.outcome_names}")
    means = cell_means(results, outcome)
    sign = 1.0 if direction == "minimize" else -1.0
    regret = sign * (means - (means.min(axis=0) if direction == "minimize" else means.max(axis=0)))
    satisfied = means <= threshold if direction == "minimize" else means >= threshold
    tail = PERCENTILE if direction == "minimize" else 100 - PERCENTILE
    levers = results.design_settings["levers"]
    futures = means.shape[1]
    lever_values = results.design[levers].iloc[::futures].reset_index(drop=True)
    seed = int(
        np.random.SeedSequence(int(results.info["root_seed"]), spawn_key=(_BOOTSTRAP_STREAM,)).generate_state(
            1
        )[0]
    )
    rows = []
    for policy in range(means.shape[0]):
        regret_90 = bootstrap_interval(regret[policy], _percentile_90, seed=seed)
        share = proportion_interval(int(satisfied[policy].sum()), futures, confidence)
        rows.append(
            {
                "policy": policy,
                **lever_values.iloc[policy].to_dict(),
                "mean": float(means[policy].mean()),
                "percentile_90": float(np.percentile(means[policy], tail)),
                "max_regret": float(regret[policy].max()),
                "regret_90": regret_90.value,
                "regret_90_ci_low": max(0.0, regret_90.low),
                "regret_90_ci_high": regret_90.high,
                "satisficing": share.value,
                "satisficing_ci_low": share.low,
                "satisficing_ci_high": share.high,
                "futures": futures,
            }
        )
    table = pd.DataFrame(rows).sort_values(
        ["max_regret", "satisficing", "policy"], ascending=[True, False, True], ignore_index=True
    )
    policies, future_index = np.divmod(np.arange(means.size), futures)
    long = pd.DataFrame(
        {"policy": policies, "future": future_index, "outcome": means.ravel(), "regret": regret.ravel()}
    )
    return RobustnessReport(outcome, float(threshold), direction, table, long)
