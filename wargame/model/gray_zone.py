"""Gray-zone incidents: daily counts, detection by the target's picture, attribution and its delay.

Equations (``docs/model.md`` gives them beside the scenario fields). For a root activity ``r`` (one that is
no other's subset) on a day when the adversary is on rung ``m``::

    phi_r      = exp(-1 / decay_days_r),   a_r = n_r * (1 - phi_r)          (n_r, decay: clustering)
    E_r(t)     = phi_r * E_r(t-1) + N_r(t-1),   E_r(0) = base_rate_r / (1 - phi_r)
    lambda_r   = base_rate_r * (1 - n_r) * M_m ** posture_elasticity_r + a_r * E_r(t)
    N_r(t)     ~ Poisson(lambda_r * S_r),   S_r = exp(sigma_r * Z - sigma_r**2 / 2)

A subset activity counts a ``Binomial(N_parent, share)`` part of its parent's incidents. Both are drawn as
disjoint *parts*: part ``k`` is the incidents of activity ``k`` that are in none of its subsets, a
``Poisson(lambda_root * pi_k)`` count with ``pi_k`` the share of the root's incidents that are ``k``'s and
no child's; an activity's count is the sum of the parts below it, so a subset never exceeds its parent.

Each activity is detected by its target's picture (the target's own ISR and every link into it)::

    q_s        = isr_s * detectability_k * fidelity_s            (fidelity 1 for the target's own ISR)
    P_known    = 1 - prod_s (1 - q_s)
    F_s(T)     = P(delivery time of source s <= T),  log-normal with mean tau_s and CV c
    tau_s      = latency_s + attribution_time_hours_s
    P_timely   = (1 - prod_s (1 - q_s F_s(T))) / P_known              T = attribution_deadline_hours
    delay      = sum_s tau_s q_s prod_{s' before s} (1 - q_s') / P_known   (sources ordered by tau)

Given the day's intensity, the incidents attributed in time, detected late and missed are independent
Poissons with means ``lambda pi_k P_known P_timely``, ``lambda pi_k P_known (1 - P_timely)`` and
``lambda pi_k (1 - P_known)`` (Poisson thinning): one inverse-CDF call draws all three.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from wargame.core.parameters import RunParameters, per_run_rows
from wargame.core.random_streams import EnsembleRandom, Stream, poisson_quantile
from wargame.model.state import EnsembleState
from wargame.scenario import Activity, GrayZone, Scenario

__all__ = ["GrayZoneBlock", "GrayZoneDay", "GrayZoneMechanics", "PictureSource", "SeatPictureDay"]

PictureSource = tuple[str, str | None, np.ndarray, float | np.ndarray]
"""(detecting actor, link key or None for own ISR, activities the source covers, analysis hours: a number,
or one per run where they are an uncertain input)."""


_PREFETCH_NUMBERS = 1 << 16  # uniforms hashed ahead per refill (0.5 MB): the horizon of a small ensemble


@dataclass(frozen=True)
class _SourceRows:
    """Where a picture's sources read their inputs, one entry per source (own ISR first, then links)."""

    rows: np.ndarray  # (3 * sources,): the ISR rows, then the fidelity rows, then the latency rows
    via_link: np.ndarray  # (sources, 1): 1.0 for a link, 0.0 for the receiver's own ISR
    link_offsets: np.ndarray  # (2, sources, n): added to fidelity (1 - via_link) and latency (analysis hours)
    detectable: np.ndarray  # (sources, n, activities): detectability where the source covers the activity
    earlier: np.ndarray  # (sources, sources, 1): source t comes before source s in the list


@dataclass(frozen=True)
class _ActivityTree:
    """How activities nest, as arrays over activities ``A`` and root activities ``R``.

    Part ``k`` holds the incidents of activity ``k`` that belong to none of its subsets.
    """

    part_share: np.ndarray  # (n, A): share of the root's incidents in part k (n: 1 or the runs)
    root_of_part: np.ndarray  # (A,): position among the roots of part k's root
    root_activity: np.ndarray  # (R,): activity index of each root
    membership: np.ndarray | None  # (A, A): 1 where part k counts for activity j; None if no subsets
    part_root: np.ndarray  # (A, R): 1 where part k belongs to root r

    @staticmethod
    def of(scenario: Scenario, parameters: RunParameters) -> _ActivityTree:
        gray_zone = scenario.gray_zone
        activities = gray_zone.activities
        index = {activity.id: j for j, activity in enumerate(activities)}
        roots = [j for j, activity in enumerate(activities) if activity.subset_of is None]
        share = [_share_of(gray_zone, activity, parameters) for activity in activities]
        path_share: list[float | np.ndarray] = []
        for activity in activities:
            product: float | np.ndarray = 1.0
            node = activity
            while node.subset_of is not None:
                product = product * share[index[node.id]]
                node = gray_zone.activity(node.subset_of)
            path_share.append(product)
        part_share = per_run_rows(path_share).T  # (n, A)
        path = part_share.copy()
        membership = np.eye(len(activities), dtype=np.int64)
        for k, activity in enumerate(activities):
            parent = activity.subset_of
            if parent is not None:
                part_share[:, index[parent]] -= path[:, k]
            while parent is not None:  # part k counts for every ancestor of activity k
                membership[k, index[parent]] = 1
                parent = gray_zone.activity(parent).subset_of
        root_of_part = np.array(
            [roots.index(index[gray_zone.root_of(activity).id]) for activity in activities], dtype=np.intp
        ).reshape(len(activities))
        part_root = np.zeros((len(activities), len(roots)))
        part_root[np.arange(len(activities)), root_of_part] = 1.0
        return _ActivityTree(
            part_share=np.maximum(part_share, 0.0),
            root_of_part=root_of_part,
            root_activity=np.array(roots, dtype=np.intp),
            membership=None if len(roots) == len(activities) else membership,
            part_root=part_root,
        )


def _activity_value(parameters: RunParameters, activity: Activity, field: str, nominal: float) -> np.ndarray:
    path = f"gray_zone.activities.{activity.id}.{field}"
    return np.asarray(parameters.value(path, nominal), dtype=np.float64)


def _share_of(gray_zone: GrayZone, activity: Activity, parameters: RunParameters) -> float | np.ndarray:
    """Return the share of its parent's incidents that are ``activity``'s, per run where uncertain."""
    if activity.subset_of is None:
        return 1.0
    if activity.share is not None:
        return _activity_value(parameters, activity, "share", activity.share)
    parent = gray_zone.activity(activity.subset_of)
    rate = _activity_value(
        parameters, activity, "base_rate_per_day", float(activity.base_rate_per_day or 0.0)
    )
    parent_rate = _mean_rate(gray_zone, parent, parameters)
    return np.where(parent_rate > 0.0, rate / np.maximum(parent_rate, 1e-300), 0.0)


def _mean_rate(gray_zone: GrayZone, activity: Activity, parameters: RunParameters) -> np.ndarray:
    """Return the long-run mean incidents a day of ``activity`` at the status quo, per run where uncertain."""
    if activity.subset_of is None:
        nominal = float(activity.base_rate_per_day or 0.0)
        return _activity_value(parameters, activity, "base_rate_per_day", nominal)
    parent = gray_zone.activity(activity.subset_of)
    return _mean_rate(gray_zone, parent, parameters) * _share_of(gray_zone, activity, parameters)


@dataclass(frozen=True)
class _BlockDraws:
    """What a block of days draws from, day-major: ``(days, runs, ...)``.

    Attributes:
        uniforms: Stream ``INCIDENT_COUNT``, ``(days, runs, 3 * activities)``: slots ``[0, A)`` for the
            parts attributed in time, ``[A, 2A)`` detected late, ``[2A, 3A)`` missed.
        shock: ``exp(sigma * Z - sigma**2 / 2)`` per day and root activity, ``Z`` from the root's slot of
            stream ``INCIDENT_SHOCK`` (slots ``[0, A)`` by activity); None when no activity is overdispersed.
    """

    uniforms: np.ndarray
    shock: np.ndarray | None

    @property
    def days(self) -> int:
        return int(self.uniforms.shape[0])


@dataclass(frozen=True)
class GrayZoneDay:
    """One day's incidents, shape ``(runs, activities)`` each."""

    incidents: np.ndarray
    detected: np.ndarray
    attributed_timely: np.ndarray
    attribution_delay_hours_sum: np.ndarray


@dataclass(frozen=True)
class SeatPictureDay:
    """What one seat's own picture caught of a day's incidents, shape ``(runs, activities)`` each, and
    ``distinct``: the detected and timely-attributed incidents counted once each, ``(2, runs)``."""

    detected: np.ndarray
    attributed_timely: np.ndarray
    attribution_delay_hours_sum: np.ndarray
    distinct: np.ndarray


@dataclass(frozen=True)
class GrayZoneBlock:
    """Incidents of a block of consecutive days, laid out day-major so that one day is one contiguous slice.

    Attributes:
        first_day: Day of index 0.
        counts: ``(days, 3, runs, activities)``: true incidents, incidents the target's picture detected,
            and detected incidents attributed within the deadline, by activity (a subset's incidents count
            for its parent too).
        parts: ``(days, 3, runs, activities)``: the same by part (each incident counted once).
        delay_hours: ``(days, runs, activities)``: summed hours to attribution of the day's detections.
        delay_total: ``(days, runs)``: the same over distinct incidents.
        since_decision: ``(days, 2, runs)``: distinct detected and timely-attributed incidents.
        totals: ``(days, 3, runs)``: distinct true, detected and timely-attributed incidents.
        tallies: ``(days, 6 * runs * activities + 5 * runs)``: each day's ``counts``, ``totals``,
            ``since_decision`` and ``parts`` side by side (all views into it), so a day adds to running
            totals in one operation.
    """

    first_day: int
    counts: np.ndarray
    parts: np.ndarray
    delay_hours: np.ndarray
    delay_total: np.ndarray
    since_decision: np.ndarray
    totals: np.ndarray
    tallies: np.ndarray

    @property
    def days(self) -> int:
        return int(self.counts.shape[0])

    @property
    def incidents(self) -> np.ndarray:
        """True incidents, shape ``(runs, days, activities)``."""
        return self.counts[:, 0].transpose(1, 0, 2)

    @property
    def detected(self) -> np.ndarray:
        """Detected incidents, shape ``(runs, days, activities)``."""
        return self.counts[:, 1].transpose(1, 0, 2)

    @property
    def attributed_timely(self) -> np.ndarray:
        """Timely-attributed incidents, shape ``(runs, days, activities)``."""
        return self.counts[:, 2].transpose(1, 0, 2)

    def day(self, index: int) -> GrayZoneDay:
        """Return a copy of day ``index`` of the block."""
        incidents, detected, attributed = self.counts[index]
        return GrayZoneDay(
            incidents.copy(), detected.copy(), attributed.copy(), self.delay_hours[index].copy()
        )

    def stop(self, runs: np.ndarray, from_index: int) -> None:
        """Remove every incident of ``runs`` (a boolean mask) from day ``from_index`` of the block on."""
        self.counts[from_index:, :, runs] = 0
        self.parts[from_index:, :, runs] = 0
        self.delay_hours[from_index:, runs] = 0.0
        self.delay_total[from_index:, runs] = 0.0
        self.since_decision[from_index:, :, runs] = 0
        self.totals[from_index:, :, runs] = 0


class GrayZoneMechanics:
    """Draws gray-zone activity for every run of an ensemble, block by block.

    Holds the self-excitation ``E`` of each clustered root activity per run, carried from block to block.

    Args:
        scenario: Provides activities, rung multipliers, links and actors.
        state: The ensemble's quantities (ISR, latency and fidelity are read at the start of each block).
    """

    def __init__(
        self, scenario: Scenario, state: EnsembleState, parameters: RunParameters | None = None
    ) -> None:
        parameters = parameters if parameters is not None else RunParameters.empty()
        gray_zone = scenario.gray_zone
        activities = gray_zone.activities
        self.scenario = scenario
        self.state = state
        self.parameters = parameters
        self.activity_ids = [activity.id for activity in activities]
        self.tree = _ActivityTree.of(scenario, parameters)
        roots = [activities[j] for j in self.tree.root_activity]

        def by_root(field: str, nominal: list[float]) -> np.ndarray:
            values = [_activity_value(parameters, r, field, v) for r, v in zip(roots, nominal, strict=True)]
            return per_run_rows(values).T  # (n, roots)

        base_rate = by_root("base_rate_per_day", [float(r.base_rate_per_day or 0.0) for r in roots])
        elasticity = by_root("posture_elasticity", [r.posture_elasticity for r in roots])
        self.sigma = by_root("overdispersion_sigma", [r.overdispersion_sigma for r in roots])
        branching = by_root(
            "clustering.branching_ratio",
            [r.clustering.branching_ratio if r.clustering else 0.0 for r in roots],
        )
        decay_days = by_root(
            "clustering.decay_days", [r.clustering.decay_days if r.clustering else 1.0 for r in roots]
        )
        self._phi = np.exp(-1.0 / decay_days)
        self._excitation_weight = branching * (1.0 - self._phi)
        self._clustered = bool(branching.any())
        clustered_root = branching.any(axis=0)  # (roots,)
        of_clustered = clustered_root[self.tree.root_of_part]
        self._clustered_parts = np.flatnonzero(of_clustered)
        self._unclustered_parts = np.flatnonzero(~of_clustered)
        self._overdispersed = bool(self.sigma.any())
        self.detectability = per_run_rows(
            [_activity_value(parameters, a, "detectability", a.detectability) for a in activities]
        ).T  # (n, activities)
        rungs = scenario.escalation.rungs
        multiplier = per_run_rows(
            [
                parameters.value(f"escalation.rungs.{r.id}.gray_zone_multiplier", r.gray_zone_multiplier)
                for r in rungs
            ]
        ).T  # (n, rungs)
        posture = multiplier.T[:, :, None] ** elasticity[None]  # (rungs, n, roots)
        # The background rate by rung (immigrants of the Hawkes process) and, without clustering, the rate.
        self._background_by_rung = base_rate * (1.0 - branching) * posture
        self._rate_by_rung = base_rate * posture
        self._half_variance = self.sigma**2 / 2.0
        deadline = gray_zone.attribution_deadline_hours
        self.deadline_hours = np.asarray(parameters.value("gray_zone.attribution_deadline_hours", deadline))
        cv = np.asarray(parameters.value("gray_zone.delivery_time_cv", gray_zone.delivery_time_cv))
        self._delivery_sigma = np.sqrt(np.log1p(cv**2))
        # Hours an actor needs to attribute: a number, or one per run where it is an uncertain input.
        self._attribution_hours = {
            actor.id: parameters.value(
                f"actors.{actor.id}.attribution_time_hours", actor.attribution_time_hours
            )
            for actor in scenario.actors
        }
        # E of each root per run, from the stationary level at the status quo.
        self.excitation = np.broadcast_to(base_rate / (1.0 - self._phi), (state.runs, len(roots))).copy()
        # Each activity is seen through its target's picture: the target's own ISR and the links into it.
        targets = [activity.target or scenario.defender for activity in activities]
        self.activity_targets = targets
        self.picture_owners = list(dict.fromkeys(targets))
        self._owner_of_activity = np.array([self.picture_owners.index(t) for t in targets], dtype=np.intp)
        self.sources = self.sources_into(scenario.defender)
        self._defender_rows = self.source_rows(self.sources)
        self._picture_rows = [self.source_rows(self.sources_into(owner)) for owner in self.picture_owners]
        self._streams = (
            (Stream.INCIDENT_COUNT, Stream.INCIDENT_SHOCK)
            if self._overdispersed
            else (Stream.INCIDENT_COUNT,)
        )
        # Draws made ahead: (random streams object, first day, the draws).
        self._prefetched: tuple[EnsembleRandom, int, _BlockDraws] | None = None

    def _block_draws(self, random: EnsembleRandom, first_day: int, days: int) -> tuple[_BlockDraws, int]:
        """Return what the block's draws start from (see :class:`_BlockDraws`).

        They are computed for as many days ahead as fit in about 65,000 uniforms (the whole horizon for a
        small ensemble), so most blocks only take a slice (of days ``offset`` to ``offset + days``); the
        numbers are the same either way.
        """
        cached = self._prefetched
        if cached is not None and cached[0] is random and cached[1] <= first_day:
            offset = first_day - cached[1]
            if offset + days <= cached[2].days:
                return cached[2], offset
        activities = len(self.activity_ids)
        slots = 3 * activities
        per_day = len(self._streams) * random.runs * slots
        ahead = max(days, min(_PREFETCH_NUMBERS // max(per_day, 1), self.scenario.horizon_days - first_day))
        uniforms = random.uniform_block(self._streams, first_day, ahead, slots)
        shock = None
        if self._overdispersed:
            shock = special.ndtri(uniforms[1][..., self.tree.root_activity])
            shock *= self.sigma
            shock -= self._half_variance
            np.exp(shock, out=shock)
        draws = _BlockDraws(uniforms[0], shock)
        self._prefetched = (random, first_day, draws)
        return draws, 0

    def sources_into(self, actor_id: str) -> list[PictureSource]:
        """Return the sources of ``actor_id``'s picture: its own ISR, then each link into it.

        Each source is ``(detecting actor, link key or None, covered activities, analysis hours)``.
        """
        activities = self.scenario.gray_zone.activities
        receiver = self.scenario.actor(actor_id)
        sources: list[PictureSource] = [
            (receiver.id, None, np.ones(len(activities), dtype=bool), self._attribution_hours[receiver.id])
        ]
        for link in self.scenario.links:
            if link.to_actor != actor_id:
                continue
            covers = np.array([a.domain in link.domains for a in activities])
            partner = self.scenario.actor(link.from_actor)
            sources.append((partner.id, link.key, covers, self._attribution_hours[partner.id]))
        return sources

    def source_rows(self, sources: list[PictureSource]) -> _SourceRows:
        """Return where each source's inputs live in the state."""
        row_of = self.state.index
        via_link = np.array([link_key is not None for _, link_key, _, _ in sources], dtype=np.float64)
        covers = np.array([covers for _, _, covers, _ in sources], dtype=np.float64)
        analysis_hours = per_run_rows([hours for *_, hours in sources])  # (sources, n)
        order = np.arange(len(sources))
        # A receiver's own ISR has fidelity 1 and no latency: it reads row 0 and multiplies it by zero.
        isr = [row_of[f"actors.{actor}.isr_detection_probability"] for actor, *_ in sources]
        fidelity = [0 if k is None else row_of[f"links.{k}.fidelity"] for _, k, _, _ in sources]
        latency = [0 if k is None else row_of[f"links.{k}.latency_hours"] for _, k, _, _ in sources]
        return _SourceRows(
            rows=np.array([*isr, *fidelity, *latency], dtype=np.intp),
            via_link=via_link[:, None],
            link_offsets=np.stack(np.broadcast_arrays((1.0 - via_link)[:, None], analysis_hours)),
            detectable=covers[:, None, :] * self.detectability[None],
            earlier=(order[:, None] < order[None, :])[:, :, None],
        )

    def delivered_by(self, hours: np.ndarray, deadline_hours: float | np.ndarray) -> np.ndarray:
        """Return ``P(delivery time <= deadline)`` for sources whose mean delivery time is ``hours``.

        Delivery times are log-normal with mean ``hours`` and coefficient of variation
        ``gray_zone.delivery_time_cv`` (a step at the mean when it is 0).
        """
        sigma = self._delivery_sigma
        step = (hours <= deadline_hours).astype(np.float64)
        if not sigma.any():
            return step
        immediate = hours <= 0.0
        log_ratio = np.log(np.maximum(deadline_hours, 1e-300)) - np.log(np.where(immediate, 1.0, hours))
        with np.errstate(divide="ignore", invalid="ignore"):
            smooth = special.ndtr(log_ratio / sigma + sigma / 2.0)
        return np.where(immediate, 1.0, np.where(sigma > 0.0, smooth, step))

    def attribution_profile(
        self, sources: list[PictureSource] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``P_known``, ``P(timely | known)`` and ``E[delay | known]`` per (run, activity).

        Args:
            sources: The picture's sources (see :meth:`sources_into`); default the defender's.
        """
        return self.profile(self._defender_rows if sources is None else self.source_rows(sources))

    def profile(self, rows: _SourceRows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``P_known``, ``P(timely | known)`` and ``E[delay | known]`` per (run, activity) for a
        picture's :meth:`source_rows`."""
        inputs = self.state.values.take(rows.rows, axis=0).reshape(3, rows.via_link.shape[0], -1)
        # Fidelity and delivery hours per (source, run): value * via_link + offset.
        linked = inputs[1:] * rows.via_link
        linked += rows.link_offsets
        fidelity, hours = linked
        q = (inputs[0] * fidelity)[:, :, None] * rows.detectable  # P(detect) (sources, runs, activities)
        missed = 1.0 - q
        known = 1.0 - np.multiply.reduce(missed, axis=0)
        # Attributed in time: some detecting source delivers within the deadline.
        in_time = q * self.delivered_by(hours, self.deadline_hours)[:, :, None]
        timely = 1.0 - np.multiply.reduce(1.0 - in_time, axis=0)
        # The delay reported: the mean delivery time of the first source to deliver, sources in mean order.
        # faster[t, s]: source t delivers before source s (ties go to the earlier source).
        faster = np.where(rows.earlier, hours[:, None] <= hours[None, :], hours[:, None] < hours[None, :])
        first = q * np.multiply.reduce(np.where(faster[:, :, :, None], missed[:, None], 1.0), axis=0)
        delay = np.add.reduce(first * hours[:, :, None], axis=0)
        sums = np.stack([timely, delay])
        profile = np.divide(sums, known, out=np.zeros(sums.shape), where=known > 0.0)
        return known, profile[0], profile[1]

    def _official_profile(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the profile of each activity through its target's picture, ``(runs, activities)`` each."""
        if len(self._picture_rows) == 1:
            return self.profile(self._picture_rows[0])
        profiles = np.stack([np.stack(self.profile(rows)) for rows in self._picture_rows])
        columns = np.arange(len(self.activity_ids))
        chosen = profiles[self._owner_of_activity, :, :, columns]  # (activities, 3, runs)
        known, timely, delay = chosen.transpose(1, 2, 0)
        return known, timely, delay

    def draw(
        self, random: EnsembleRandom, day: int, rung_index: np.ndarray, active: np.ndarray
    ) -> GrayZoneDay:
        """Draw one day for every run (a one-day block); runs not ``active`` have no incidents."""
        return self.draw_block(random, day, 1, rung_index, active).day(0)

    def draw_block(
        self,
        random: EnsembleRandom,
        first_day: int,
        days: int,
        rung_index: np.ndarray,
        active: np.ndarray | None = None,
    ) -> GrayZoneBlock:
        """Draw ``days`` consecutive days for every run; runs not ``active`` (default: all are) have none.

        Rates and the detection pictures are those at the start of the block: blocks run from the day after
        one adversary decision to the next decision day, so the posture cannot change inside one. Day ``i``
        of a block draws the same numbers as a one-day block starting on that day with the same inputs.
        """
        activities = len(self.activity_ids)
        draws, offset = self._block_draws(random, first_day, days)
        end = offset + days
        known, timely, delay = self._official_profile()
        shares = np.empty((known.shape[0], 3, activities))
        np.multiply(known, timely, out=shares[:, 0])  # attributed in time
        np.subtract(known, shares[:, 0], out=shares[:, 1])  # detected late: known * (1 - timely)
        np.subtract(1.0, known, out=shares[:, 2])  # missed
        shares *= self.tree.part_share[:, None, :]
        # The active mask where some runs have stopped (none where all are active).
        partly_active = active if active is not None and np.count_nonzero(active) < active.size else None
        uniforms = draws.uniforms[offset:end].reshape(days, -1, 3, activities)
        # Parts of unclustered roots: every day of the block in one call.
        rate = _by_rung(self._rate_by_rung, rung_index)  # (runs, roots)
        if partly_active is not None:
            rate = rate * partly_active[:, None]
        if draws.shock is not None:
            rate = rate * draws.shock[offset:end]
        free = self._unclustered_parts
        means = rate[..., self.tree.root_of_part[free]][..., None, :] * shares[..., free]
        if means.ndim == 3:  # a rate without daily shocks is the same every day
            means = np.broadcast_to(means, (days, *means.shape))  # (days, runs, 3, parts)
        parts = np.empty((days, known.shape[0], 3, activities), dtype=np.int64)
        if free.size == activities:
            parts[...] = poisson_quantile(uniforms, means)
        elif free.size:
            parts[..., free] = poisson_quantile(uniforms[..., free], means)
        if self._clustered:
            clustered = self._clustered_parts
            parts[..., clustered] = self._draw_clustered(
                uniforms[..., clustered],
                None if draws.shock is None else draws.shock[offset:end],
                rung_index,
                partly_active,
                shares[..., clustered],
            )
        return self._block_of(first_day, parts, delay)

    def _draw_clustered(
        self,
        uniforms: np.ndarray,
        shock: np.ndarray | None,
        rung_index: np.ndarray,
        active: np.ndarray | None,
        shares: np.ndarray,
    ) -> np.ndarray:
        """Draw the parts of clustered roots day by day, each day's intensity excited by the counts before."""
        background = _by_rung(self._background_by_rung, rung_index)  # (runs, roots)
        clustered = self._clustered_parts
        root_of_part = self.tree.root_of_part[clustered]
        part_root = self.tree.part_root[clustered]
        excitation = self.excitation
        out = np.empty(uniforms.shape, dtype=np.int64)
        for i in range(uniforms.shape[0]):
            rate = excitation * self._excitation_weight
            rate += background
            if active is not None:
                rate *= active[:, None]
            if shock is not None:
                rate *= shock[i]
            means = rate[:, root_of_part][:, None, :] * shares
            day = poisson_quantile(uniforms[i], means)
            out[i] = day
            excitation *= self._phi
            excitation += np.add.reduce(day, axis=1) @ part_root
        return out

    def _block_of(self, first_day: int, parts: np.ndarray, delay: np.ndarray) -> GrayZoneBlock:
        """Lay a block's parts ``(days, runs, 3, activities)`` out as tallies (see :class:`GrayZoneBlock`)."""
        days, runs, _, activities = parts.shape
        parts = parts.transpose(0, 2, 1, 3)  # (days, 3, runs, activities): timely, late, missed
        counted = 3 * runs * activities
        tallies = np.empty((days, 2 * counted + 5 * runs), dtype=np.int64)
        counts = tallies[:, :counted].reshape(days, 3, runs, activities)
        totals = tallies[:, counted : counted + 3 * runs].reshape(days, 3, runs)
        since_decision = tallies[:, counted + 3 * runs : counted + 5 * runs].reshape(days, 2, runs)
        by_part = tallies[:, counted + 5 * runs :].reshape(days, 3, runs, activities)
        by_part[:, 2] = parts[:, 0]
        np.add(parts[:, 0], parts[:, 1], out=by_part[:, 1])
        np.add(by_part[:, 1], parts[:, 2], out=by_part[:, 0])
        if self.tree.membership is None:
            counts[...] = by_part
        else:
            np.matmul(by_part, self.tree.membership, out=counts)
        np.add.reduce(by_part, axis=3, out=totals)
        since_decision[...] = totals[:, 1:]
        delay_hours = by_part[:, 1] * delay
        delay_total = np.add.reduce(delay_hours, axis=2)
        if self.tree.membership is not None:
            delay_hours = delay_hours @ self.tree.membership
        return GrayZoneBlock(
            first_day, counts, by_part, delay_hours, delay_total, since_decision, totals, tallies
        )

    def draw_seat_picture(
        self,
        random: EnsembleRandom,
        day: int,
        part_incidents: np.ndarray,
        sources: list[PictureSource],
        first_slot: int,
    ) -> SeatPictureDay:
        """Draw what a picture with ``sources`` detected and attributed in time of a day's incidents.

        ``part_incidents`` are the day's true incidents by part ``(runs, activities)``. Draws come from
        :attr:`Stream.SEAT_PICTURE` only (slots ``first_slot`` to ``first_slot + 2k``), so drawing a seat's
        picture never shifts the draws of the targets' pictures or of anything else. The seat's picture is
        drawn independently of the targets' (a simplification: a detection shared by a link into both is
        not forced to appear in both).
        """
        known, timely, delay = self.profile(self.source_rows(sources))
        activities = part_incidents.shape[1]
        detected = random.binomial(part_incidents, known, Stream.SEAT_PICTURE, day, first_slot)
        attributed = random.binomial(detected, timely, Stream.SEAT_PICTURE, day, first_slot + activities)
        delay_sum = delay * detected
        distinct = np.stack([detected.sum(axis=1), attributed.sum(axis=1)])
        if self.tree.membership is not None:
            detected, attributed = detected @ self.tree.membership, attributed @ self.tree.membership
            delay_sum = delay_sum @ self.tree.membership
        return SeatPictureDay(detected, attributed, delay_sum, distinct)


def _by_rung(table: np.ndarray, rung_index: np.ndarray) -> np.ndarray:
    """Return ``table[rung of each run, run]`` for a ``(rungs, n, k)`` table, ``(runs, k)``."""
    if table.shape[1] == 1:
        return table[rung_index, 0]
    return table[rung_index, np.arange(rung_index.shape[0])]
