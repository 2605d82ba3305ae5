"""Daily incident counts of the gray-zone activities, drawn from the run-keyed uniforms by inversion.

For every run and day, a root activity's incidents are ``Poisson(lambda_r * S_r)`` (a clustered root's
intensity is excited by its own earlier counts, a discrete-time Hawkes process, so it is drawn day by day).
Each incident belongs to one part ``k`` (``pi_k`` of the root's incidents) and has one outcome: attributed in
time, missed by the target's picture, or detected but attributed late. By Poisson thinning the counts of the
(part, outcome) pairs are independent Poissons with means ``lambda_r pi_k P_known P_timely``, ``lambda_r pi_k
(1 - P_known)`` and ``lambda_r pi_k P_known (1 - P_timely)``, and they can be drawn either way:

* directly, one Poisson count per (part, outcome);
* thinned: the root's total, split among its subsets by a chain of binomials (:class:`ActivityTree`), then
  each part's ``Binomial(part, 1 - P_known)`` missed and ``Binomial(detected, 1 - P_timely)`` attributed late.

Both give the same joint distribution. Inverting a count costs about one step per incident plus a fixed part,
so a frequent root is drawn directly (fewer steps) and a rare one thinned (most days have no incident, and a
split of none costs nothing). The way is chosen run by run from the run's own base rate, so a run's numbers
depend on its own key and inputs only: not on the runs drawn with it, nor on whether a rate was given per run
or written in the scenario.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wargame.core.counts import binomial_counts, poisson_counts
from wargame.core.parameters import RunParameters, per_run_rows
from wargame.model._gray_zone_tree import ActivityTree, Split, activity_value
from wargame.scenario import Scenario

__all__ = ["BlockInputs", "CountProcess"]

# A run draws a root directly where its base rate is at least this many incidents a day, else thinned.
_DIRECT_FROM_MEAN = 1.0


@dataclass(frozen=True)
class BlockInputs:
    """What a block of days' counts are drawn from.

    Attributes:
        uniforms: ``(days, runs, 3 * activities)``: slot ``k`` draws part ``k``'s incidents attributed in
            time where its root draws outcomes directly, else activity ``k``'s count (a root's total or a
            subset's split of its parent's); slot ``A + k`` the part's missed incidents, ``2A + k`` its
            incidents detected late.
        shock: ``(days, runs, overdispersed roots)`` (see :meth:`CountProcess.shock`), or None without
            overdispersion.
        rung_index: The adversary's rung in each run (the same all block).
        active: Runs that draw incidents (None: all of them).
        known: ``P_known`` by (run, activity) through the activity's target's picture.
        timely: ``P(timely | known)`` by (run, activity).
    """

    uniforms: np.ndarray
    shock: np.ndarray | None
    rung_index: np.ndarray
    active: np.ndarray | None
    known: np.ndarray
    timely: np.ndarray


class CountProcess:
    """The daily incidents of every part and outcome (attributed in time, missed, detected late), for every
    run of an ensemble.

    A root activity's count is ``N_r(t) ~ Poisson(lambda_r * S_r)`` with ``lambda_r = base_rate_r * (1 - n_r)
    * M_m ** elasticity_r * K_r + a_r * E_r(t)`` on rung ``m``, ``K_r = exp(-epsilon_r (P_att,r -
    P_att,r(0)))`` the deterrence of timely attribution (``P_att,r`` the share of the root's incidents
    attributed in time), ``E_r(t) = phi_r * E_r(t-1) + N_r(t-1)`` and the
    daily shock ``S_r``; a run draws a root directly where its base rate is at least ``_DIRECT_FROM_MEAN``,
    else thinned (see the module). Holds ``E`` of each clustered root per run, carried from block to block.

    Args:
        scenario: Provides the activities and the rungs' multipliers.
        parameters: Per-run values of uncertain inputs.
        runs: Runs of the ensemble.
        tree: The activities' nesting.
        start_in_time: ``P_known * P_timely`` by (run, activity) at the start: the share attributed in time
            that a deterred root's rate stands for where it states no ``attribution_reference``.
    """

    def __init__(
        self,
        scenario: Scenario,
        parameters: RunParameters,
        runs: int,
        tree: ActivityTree,
        start_in_time: np.ndarray,
    ) -> None:
        activities = scenario.gray_zone.activities
        roots = [activities[j] for j in tree.root_activity]

        def by_root(field: str, nominal: list[float]) -> np.ndarray:
            values = [activity_value(parameters, r, field, v) for r, v in zip(roots, nominal, strict=True)]
            return per_run_rows(values).T  # (n, roots)

        base_rate = by_root("base_rate_per_day", [float(r.base_rate_per_day or 0.0) for r in roots])
        elasticity = by_root("posture_elasticity", [r.posture_elasticity for r in roots])
        sigma = by_root("overdispersion_sigma", [r.overdispersion_sigma for r in roots])
        deterrence = by_root("attribution_deterrence", [r.attribution_deterrence for r in roots])
        reference = by_root(
            "attribution_reference",
            [np.nan if r.attribution_reference is None else r.attribution_reference for r in roots],
        )
        clustering = [r.clustering for r in roots]
        branching = by_root(
            "clustering.branching_ratio", [c.branching_ratio if c else 0.0 for c in clustering]
        )
        decay_days = by_root("clustering.decay_days", [c.decay_days if c else 1.0 for c in clustering])
        multiplier = per_run_rows(
            [
                parameters.value(f"escalation.rungs.{r.id}.gray_zone_multiplier", r.gray_zone_multiplier)
                for r in scenario.escalation.rungs
            ]
        ).T  # (n, rungs)
        posture = multiplier.T[:, :, None] ** elasticity[None]  # (rungs, n, roots)
        # The background rate by rung: the immigrants of the Hawkes process (all of the rate unclustered).
        self._background_by_rung = base_rate * (1.0 - branching) * posture
        phi = np.exp(-1.0 / decay_days)
        clustered_root = branching.any(axis=0)
        self.clustered = np.flatnonzero(clustered_root)  # positions among the roots
        self._phi = phi[:, self.clustered]
        self._excitation_weight = (branching * (1.0 - phi))[:, self.clustered]
        # E of each clustered root per run, from the stationary level at the status quo.
        stationary = (base_rate / (1.0 - phi))[:, self.clustered]
        self.excitation = np.broadcast_to(stationary, (runs, self.clustered.size)).copy()
        self.overdispersed = np.flatnonzero(sigma.any(axis=0))  # positions among the roots
        self.deterred = np.flatnonzero(deterrence.any(axis=0))  # positions among the roots
        self._deterrence = deterrence[:, self.deterred]
        # exposure = (pi * P_known * P_timely) @ this: each deterred root's share attributed in time.
        self._part_of_deterred = (tree.root_of_part[:, None] == self.deterred[None, :]).astype(np.float64)
        self._sigma = sigma[:, self.overdispersed]
        self._half_variance = self._sigma**2 / 2.0
        self._tree = tree
        # The exposure each deterred root's rate stands for: its reference, else the run's start.
        reference = reference[:, self.deterred]
        start = np.broadcast_to(self.exposure(start_in_time), (runs, self.deterred.size))
        self._start_exposure = np.where(np.isnan(reference), start, reference)
        self._direct = np.broadcast_to(base_rate >= _DIRECT_FROM_MEAN, (runs, len(roots)))  # the way, by run
        self._columns = _Columns.of(tree, self._direct.any(axis=0), ~self._direct.all(axis=0), clustered_root)
        thinned = self._columns.thinned_part
        self._thinned_parts = np.flatnonzero(thinned)
        self._thinned_splits = tuple(
            Split(split.children[keep], split.parents[keep], split.probability[:, keep])
            for split in tree.splits
            if (keep := thinned[split.children]).any()
        )

    def exposure(self, in_time: np.ndarray) -> np.ndarray:
        """Return the share of each deterred root's incidents attributed in time, ``(runs, deterred)``, from
        ``P_known * P_timely`` by (run, activity)."""
        return (self._tree.part_share * in_time) @ self._part_of_deterred

    def shock(self, normals: np.ndarray) -> np.ndarray:
        """Return the shocks ``exp(sigma Z - sigma**2 / 2)`` of normals ``Z`` (overdispersed roots last)."""
        shock = normals * self._sigma
        shock -= self._half_variance
        return np.exp(shock, out=shock)

    def draw(self, block: BlockInputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the true, detected and timely-attributed incidents by part, ``(days, runs, activities)``
        each, of a block of days, and advance the clustered roots' excitation."""
        uniforms, known, timely = block.uniforms, block.known, block.timely
        days, runs, slots = uniforms.shape
        activities = slots // 3
        columns = self._columns
        drawn = self._draw_columns(block)
        # Each run's incidents of a root come from one way; the other way's counts are all 0 for it.
        true = np.zeros((days, runs, activities), dtype=np.int64)
        detected = np.zeros(true.shape, dtype=np.int64)
        in_time = np.zeros(true.shape, dtype=np.int64)
        direct = columns.direct_parts
        if direct.size:
            direct_in_time = drawn[..., columns.timely]
            direct_detected = direct_in_time + drawn[..., columns.late]
            in_time[..., direct] = direct_in_time
            detected[..., direct] = direct_detected
            true[..., direct] = direct_detected + drawn[..., columns.missed]
        thinned = self._thinned_parts
        if thinned.size:
            counts = np.zeros(true.shape, dtype=np.int64)  # by activity, then by part as splits take theirs
            counts[..., columns.thinned_roots] = drawn[..., columns.totals]
            for split in self._thinned_splits:
                probability = np.broadcast_to(split.probability, (runs, split.children.size))
                taken = binomial_counts(
                    uniforms[..., split.children], counts[..., split.parents], probability
                )
                counts[..., split.children] = taken
                counts[..., split.parents] -= taken
            parts = counts[..., thinned]
            missed = binomial_counts(uniforms[..., activities + thinned], parts, 1.0 - known[:, thinned])
            seen = parts - missed
            late = binomial_counts(uniforms[..., 2 * activities + thinned], seen, 1.0 - timely[:, thinned])
            true[..., thinned] += parts
            detected[..., thinned] += seen
            in_time[..., thinned] += seen - late
        return true, detected, in_time

    def _draw_columns(self, block: BlockInputs) -> np.ndarray:
        """Return the Poisson counts of every column (see :class:`_Columns`), ``(days, runs, columns)``."""
        uniforms, shock, active, known, timely = (
            block.uniforms,
            block.shock,
            block.active,
            block.known,
            block.timely,
        )
        days, runs, _ = uniforms.shape
        columns = self._columns
        # Each column's share of its root's intensity: pi_k times the outcome's probability, or 1 for a total;
        # 0 in the runs that draw the root the other way.
        share = np.ones((runs, columns.root.size))
        in_time = known * timely
        outcome = np.stack([in_time, 1.0 - known, known - in_time])  # (3, runs, activities)
        direct = columns.outcome >= 0
        share[:, direct] = self._tree.part_share[:, columns.part[direct]]
        share[:, direct] *= outcome[columns.outcome[direct], :, columns.part[direct]].T
        share *= np.where(direct, self._direct[:, columns.root], ~self._direct[:, columns.root])
        background = _by_rung(self._background_by_rung, block.rung_index)  # (runs, roots)
        if active is not None:
            background = background * active[:, None]
        if self.deterred.size:
            # Attribution deters (Baliga et al. 2020): exp(-epsilon (P_att - P_att(0))).
            change = self.exposure(in_time) - self._start_exposure
            background[:, self.deterred] *= np.exp(-self._deterrence * change)
        scale = None
        if shock is not None:
            scale = np.ones((days, runs, background.shape[1]))
            scale[..., self.overdispersed] = shock
        drawn = np.empty((days, runs, columns.root.size), dtype=np.int64)
        free = columns.unclustered
        if free.size:
            root = columns.root[free]
            means = np.broadcast_to(background[:, root] * share[:, free], (days, runs, free.size))
            if scale is not None:
                means = means * scale[..., root]
            drawn[..., free] = poisson_counts(uniforms[..., columns.slot[free]], means)
        held = columns.clustered
        if held.size:
            excitation = self.excitation
            root = columns.clustered_root  # position among the clustered roots, by column
            slot = columns.slot[held]
            share = share[:, held]
            clustered_background = background[:, self.clustered]
            active_factor = None if active is None else active[:, None]
            for i in range(days):
                rate = excitation * self._excitation_weight
                if active_factor is not None:
                    rate *= active_factor
                rate += clustered_background
                if scale is not None:
                    rate *= scale[i][:, self.clustered]
                day = poisson_counts(uniforms[i][:, slot], rate[:, root] * share)
                drawn[i][:, held] = day
                excitation *= self._phi
                excitation += np.add.reduceat(day, columns.clustered_starts, axis=1)
        return drawn


@dataclass(frozen=True)
class _Columns:
    """The Poisson counts drawn each day, one column each, grouped root by root.

    A root that some runs draw directly has three columns per part (attributed in time, missed, detected
    late); a root that some runs thin has one, its total (a root may have both). ``root``, ``slot``, ``part``
    and ``outcome`` (0 in time, 1 missed, 2 late; -1 for a total) are by column; ``timely``, ``missed`` and
    ``late`` are the columns of ``direct_parts``; ``totals`` those of ``thinned_roots``.
    """

    root: np.ndarray
    slot: np.ndarray
    part: np.ndarray
    outcome: np.ndarray
    direct_parts: np.ndarray
    timely: np.ndarray
    missed: np.ndarray
    late: np.ndarray
    thinned_roots: np.ndarray
    totals: np.ndarray
    thinned_part: np.ndarray  # (activities,) bool
    clustered: np.ndarray  # columns of clustered roots
    unclustered: np.ndarray
    clustered_root: np.ndarray  # by clustered column: position among the clustered roots
    clustered_starts: np.ndarray  # first clustered column of each clustered root

    @staticmethod
    def of(
        tree: ActivityTree, direct_root: np.ndarray, thinned_root: np.ndarray, clustered_root: np.ndarray
    ) -> _Columns:
        activities = tree.root_of_part.size
        listed: list[tuple[int, int, int, int]] = []  # (root, slot, part, outcome) by column
        for r, activity in enumerate(tree.root_activity):
            if direct_root[r]:
                for k in np.flatnonzero(tree.root_of_part == r):
                    listed += [(r, o * activities + int(k), int(k), o) for o in range(3)]
            if thinned_root[r]:
                listed.append((r, int(activity), int(activity), -1))
        root, slot, part, outcome = np.array(listed, dtype=np.intp).reshape(-1, 4).T
        column_of = {(p, o): c for c, (_, _, p, o) in enumerate(listed)}
        direct_parts = [int(k) for k in np.flatnonzero(direct_root[tree.root_of_part])]
        thinned_roots = [int(j) for j in tree.root_activity[thinned_root]]
        clustered = np.flatnonzero(clustered_root[root])
        held_root = (np.cumsum(clustered_root) - 1)[root[clustered]]
        return _Columns(
            root=root,
            slot=slot,
            part=part,
            outcome=outcome,
            direct_parts=np.array(direct_parts, dtype=np.intp),
            timely=np.array([column_of[(k, 0)] for k in direct_parts], dtype=np.intp),
            missed=np.array([column_of[(k, 1)] for k in direct_parts], dtype=np.intp),
            late=np.array([column_of[(k, 2)] for k in direct_parts], dtype=np.intp),
            thinned_roots=np.array(thinned_roots, dtype=np.intp),
            totals=np.array([column_of[(j, -1)] for j in thinned_roots], dtype=np.intp),
            thinned_part=thinned_root[tree.root_of_part],
            clustered=clustered,
            unclustered=np.flatnonzero(~clustered_root[root]),
            clustered_root=held_root,
            clustered_starts=np.flatnonzero(np.diff(held_root, prepend=-1)),
        )


def _by_rung(table: np.ndarray, rung_index: np.ndarray) -> np.ndarray:
    """Return ``table[rung of each run, run]`` for a ``(rungs, n, k)`` table, ``(runs, k)``."""
    if table.shape[1] == 1:
        return table[rung_index, 0]
    return table[rung_index, np.arange(rung_index.shape[0])]
