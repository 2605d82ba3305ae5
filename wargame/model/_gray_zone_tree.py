"""How gray-zone activities nest: root activities, subsets, and the shares that split a parent's incidents.

An activity that is a ``subset_of`` another counts a share of its parent's incidents; a root activity is no
other's subset. Part ``k`` holds the incidents of activity ``k`` that belong to none of its subsets, so every
incident is in exactly one part and an activity's count is the sum of the parts at or below it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wargame.core.parameters import RunParameters, per_run_rows
from wargame.scenario import Activity, GrayZone, Scenario

__all__ = ["ActivityTree", "Split", "activity_value"]


def activity_value(parameters: RunParameters, activity: Activity, field: str, nominal: float) -> np.ndarray:
    """Return ``activity``'s ``field``: its nominal value, or one per run where it is an uncertain input."""
    path = f"gray_zone.activities.{activity.id}.{field}"
    return np.asarray(parameters.value(path, nominal), dtype=np.float64)


def _share_of(gray_zone: GrayZone, activity: Activity, parameters: RunParameters) -> float | np.ndarray:
    """Return the share of its parent's incidents that are ``activity``'s, per run where uncertain."""
    if activity.subset_of is None:
        return 1.0
    if activity.share is not None:
        return activity_value(parameters, activity, "share", activity.share)
    parent = gray_zone.activity(activity.subset_of)
    rate = activity_value(parameters, activity, "base_rate_per_day", float(activity.base_rate_per_day or 0.0))
    parent_rate = _mean_rate(gray_zone, parent, parameters)
    return np.where(parent_rate > 0.0, rate / np.maximum(parent_rate, 1e-300), 0.0)


def _mean_rate(gray_zone: GrayZone, activity: Activity, parameters: RunParameters) -> np.ndarray:
    """Return the long-run mean incidents a day of ``activity`` at the status quo, per run where uncertain."""
    if activity.subset_of is None:
        nominal = float(activity.base_rate_per_day or 0.0)
        return activity_value(parameters, activity, "base_rate_per_day", nominal)
    parent = gray_zone.activity(activity.subset_of)
    return _mean_rate(gray_zone, parent, parameters) * _share_of(gray_zone, activity, parameters)


@dataclass(frozen=True)
class Split:
    """Subset activities that take their incidents from their parents' in one step.

    Attributes:
        children: The subset activities (no two with the same parent).
        parents: Each child's parent activity.
        probability: ``(n, children)``: the share of what its earlier siblings left of the parent's
            incidents that is the child's (``n``: 1, or the runs where a share is uncertain).
    """

    children: np.ndarray
    parents: np.ndarray
    probability: np.ndarray


@dataclass(frozen=True)
class ActivityTree:
    """The nesting of the activities, as index arrays over activities.

    Attributes:
        root_activity: ``(roots,)``: the index of each root activity.
        root_of_part: ``(activities,)``: the position among the roots of part ``k``'s root.
        part_share: ``(n, activities)``: the share of its root's incidents in part ``k``.
        splits: The steps that split each parent's incidents among its subsets (a multinomial split drawn as
            a chain of binomials: a child takes ``Binomial(left, share / share left)``), parents before
            children and siblings in scenario order.
        upward: ``(child, parent)`` pairs, deepest first: adding each child's count to its parent's turns
            counts by part into counts by activity.
    """

    root_activity: np.ndarray
    root_of_part: np.ndarray
    part_share: np.ndarray
    splits: tuple[Split, ...]
    upward: tuple[tuple[int, int], ...]

    @property
    def has_subsets(self) -> bool:
        return bool(self.upward)

    def by_activity(self, parts: np.ndarray) -> np.ndarray:
        """Turn counts (or sums) by part, activities on the last axis, into counts by activity in place."""
        for child, parent in self.upward:
            parts[..., parent] += parts[..., child]
        return parts

    @staticmethod
    def of(scenario: Scenario, parameters: RunParameters) -> ActivityTree:
        gray_zone = scenario.gray_zone
        activities = gray_zone.activities
        index = {activity.id: j for j, activity in enumerate(activities)}
        parent_of = [None if a.subset_of is None else index[a.subset_of] for a in activities]
        share = [_share_of(gray_zone, activity, parameters) for activity in activities]

        def depth(j: int) -> int:
            parent = parent_of[j]
            return 0 if parent is None else 1 + depth(parent)

        def root_of(j: int) -> int:
            parent = parent_of[j]
            return j if parent is None else root_of(parent)

        def path_share(j: int) -> float | np.ndarray:
            parent = parent_of[j]
            return 1.0 if parent is None else path_share(parent) * share[j]

        # A child's step: (its depth, its rank among its parent's children); one Split per step.
        steps: dict[tuple[int, int], list[int]] = {}
        share_left: dict[int, float | np.ndarray] = {}
        probability: dict[int, np.ndarray] = {}
        for j, parent in enumerate(parent_of):
            if parent is None:
                continue
            left = share_left.get(parent, 1.0)
            probability[j] = np.clip(np.where(left > 0.0, share[j] / np.maximum(left, 1e-300), 0.0), 0.0, 1.0)
            share_left[parent] = np.maximum(left - share[j], 0.0)
            rank = sum(1 for k in range(j) if parent_of[k] == parent)
            steps.setdefault((depth(j), rank), []).append(j)
        splits = tuple(
            Split(
                children=np.array(children, dtype=np.intp),
                parents=np.array([parent_of[j] for j in children], dtype=np.intp),
                probability=per_run_rows([probability[j] for j in children]).T,
            )
            for _, children in sorted(steps.items())
        )
        path = per_run_rows([path_share(j) for j in range(len(activities))]).T  # (n, activities)
        part_share = path.copy()
        for j, parent in enumerate(parent_of):
            if parent is not None:
                part_share[:, parent] -= path[:, j]
        roots = [j for j, parent in enumerate(parent_of) if parent is None]
        subsets = [(j, parent) for j, parent in enumerate(parent_of) if parent is not None]
        return ActivityTree(
            root_activity=np.array(roots, dtype=np.intp),
            root_of_part=np.array([roots.index(root_of(j)) for j in range(len(activities))], dtype=np.intp),
            part_share=np.maximum(part_share, 0.0),
            splits=splits,
            upward=tuple(sorted(subsets, key=lambda pair: -depth(pair[0]))),
        )
