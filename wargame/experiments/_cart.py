"""Scenario discovery with CART, beside PRIM: a classification tree of where the cases of interest are.

As in PRIM (:mod:`wargame.experiments._discovery`), a design point is a case of interest when its mean
outcome exceeds the threshold. A classification tree (scikit-learn's ``DecisionTreeClassifier``, as the
EMA workbench's ``cart`` module uses) splits parameter space into boxes, its leaves; each leaf is reported
as a box with its *coverage* (share of all cases inside it), *density* (share of its points that are
cases) and *mass* (share of all points inside it), like the workbench's CART boxes. Leaves hold at least
``min_mass`` of the points, so that no box describes a handful of points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wargame.errors import InputError
from wargame.experiments._results import SweepResults

__all__ = ["CartBoxes", "cart_boxes"]

_CART_STREAM = 4


@dataclass(frozen=True)
class CartBoxes:
    """The leaves of a CART tree as boxes.

    Attributes:
        outcome: The outcome analysed.
        threshold: A point is a case of interest when its mean outcome exceeds this.
        boxes: One row per leaf, densest first: ``box``, ``rule`` (the conditions, joined by ``and``),
            ``points``, ``cases``, ``coverage``, ``density``, ``mass``, ``predicted_case``.
        tree: The fitted ``DecisionTreeClassifier``.
        inputs: The parameter names the tree splits on.
    """

    outcome: str
    threshold: float
    boxes: pd.DataFrame
    tree: Any
    inputs: list[str]

    def case_boxes(self) -> pd.DataFrame:
        """The leaves the tree classifies as cases of interest."""
        return self.boxes[self.boxes["predicted_case"]].reset_index(drop=True)


def cart_boxes(
    results: SweepResults,
    outcome: str,
    threshold: float,
    *,
    max_depth: int = 3,
    min_mass: float = 0.05,
) -> CartBoxes:
    """Fit a classification tree of the cases of interest on the numeric parameters.

    Args:
        results: A sweep's results; every design point with runs counts.
        outcome: The outcome, e.g. ``war`` (its rate per point).
        threshold: A point is a case of interest when its mean outcome exceeds this.
        max_depth: Depth of the tree (at most ``2 ** max_depth`` boxes).
        min_mass: Smallest share of the points a leaf may hold.

    Raises:
        InputError: For an unknown outcome, no numeric parameter, or no case (or only cases).
    """
    from sklearn.tree import DecisionTreeClassifier

    if outcome not in results.outcome_names:
        raise InputError(f"no outcome {outcome!r} in the results; there are {results.outcome_names}")
    means = results.point_means(outcome).dropna()
    names = [n for n in results.parameter_names if pd.api.types.is_numeric_dtype(results.design[n])]
    if not names:
        raise InputError("CART needs numeric parameters; this sweep has none")
    inputs = results.design.loc[means.index, names].astype(float)
    cases = (means > threshold).to_numpy()
    if cases.all() or not cases.any():
        raise InputError(
            f"every design point is {'' if cases.all() else 'not '}a case of {outcome} > {threshold:g}; "
            "CART needs both"
        )
    seed = int(
        np.random.SeedSequence(int(results.info["root_seed"]), spawn_key=(_CART_STREAM,)).generate_state(1)[0]
    )
    tree = DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=max(1, math.ceil(min_mass * len(cases))), random_state=seed
    )
    tree.fit(inputs.to_numpy(), cases)
    leaves = tree.apply(inputs.to_numpy())
    rows = []
    for leaf, rule in _rules(tree, names).items():
        inside = leaves == leaf
        cases_inside = int(cases[inside].sum())
        rows.append(
            {
                "rule": rule,
                "points": int(inside.sum()),
                "cases": cases_inside,
                "coverage": cases_inside / int(cases.sum()),
                "density": cases_inside / int(inside.sum()),
                "mass": float(inside.mean()),
                "predicted_case": bool(tree.classes_[np.argmax(tree.tree_.value[leaf][0])]),
            }
        )
    boxes = pd.DataFrame(rows).sort_values(["density", "coverage"], ascending=False, ignore_index=True)
    boxes.insert(0, "box", range(len(boxes)))
    return CartBoxes(outcome, float(threshold), boxes, tree, names)


def _rules(tree: Any, names: list[str]) -> dict[int, str]:
    """Each leaf's conditions, from the root down: ``name <= value and name > value``."""
    structure = tree.tree_
    rules: dict[int, str] = {}

    def walk(node: int, conditions: list[str]) -> None:
        left, right = structure.children_left[node], structure.children_right[node]
        if left == right:  # a leaf
            rules[node] = " and ".join(conditions) or "everywhere"
            return
        name, value = names[structure.feature[node]], structure.threshold[node]
        walk(left, [*conditions, f"{name} <= {value:.4g}"])
        walk(right, [*conditions, f"{name} > {value:.4g}"])

    walk(0, [])
    return rules
