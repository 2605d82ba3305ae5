"""Gray-zone incidents: daily counts, detection by the target's picture, attribution and its delay.

Equations (``docs/model.md`` gives them beside the scenario fields). For a root activity ``r`` (one that is
no other's subset) on a day when the adversary is on rung ``m``::

    phi_r      = exp(-1 / decay_days_r),   a_r = n_r * (1 - phi_r)          (n_r, decay: clustering)
    E_r(t)     = phi_r * E_r(t-1) + N_r(t-1),   E_r(0) = base_rate_r / (1 - phi_r)
    lambda_r   = base_rate_r * (1 - n_r) * M_m ** posture_elasticity_r * K_r + a_r * E_r(t)
    K_r        = exp(-attribution_deterrence_r * (P_att,r - P_att,r(0)))      (deterrence by attribution)
    N_r(t)     ~ Poisson(lambda_r * S_r),   S_r = exp(sigma_r * Z - sigma_r**2 / 2)

A subset activity counts a ``Binomial(N_parent, share)`` part of its parent's incidents. Incidents are
counted by disjoint *parts*: part ``k`` is the incidents of activity ``k`` that are in none of its subsets;
an activity's count is the sum of the parts below it, so a subset never exceeds its parent.

Each activity is detected by its target's picture (the target's own ISR and every link into it)::

    q_s        = isr_s * detectability_k * fidelity_s            (fidelity 1 for the target's own ISR)
    P_known    = 1 - prod_s (1 - q_s)
    F_s(T)     = P(delivery time of source s <= T),  log-normal with mean tau_s and CV c
    tau_s      = latency_s + attribution_time_hours_s        (both quantities of the state)
    P_timely   = (1 - prod_s (1 - q_s F_s(T))) / P_known              T = attribution_deadline_hours
    delay      = sum_s tau_s q_s prod_{s' before s} (1 - q_s') / P_known   (sources ordered by tau)

Of a part's incidents, ``Binomial(part, 1 - P_known)`` are missed and ``Binomial(detected, 1 - P_timely)`` of
the detected ones attributed late; the rest are attributed in time. Given the day's intensity, a part's
incidents attributed in time, detected late and missed are thus independent Poissons (Poisson thinning) with
means ``lambda pi_k P_known P_timely``, ``lambda pi_k P_known (1 - P_timely)`` and
``lambda pi_k (1 - P_known)``, ``pi_k`` the share of the root's incidents in part ``k``; they are drawn by
:class:`~wargame.model._gray_zone_counts.CountProcess`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from wargame.core.parameters import RunParameters, per_run_rows
from wargame.core.random_streams import EnsembleRandom, Stream
from wargame.model._gray_zone_block import GrayZoneBlock, GrayZoneDay, SeatPictureDay
from wargame.model._gray_zone_counts import BlockInputs, CountProcess
from wargame.model._gray_zone_tree import ActivityTree, activity_value
from wargame.model.state import EnsembleState
from wargame.scenario import Scenario

__all__ = ["GrayZoneBlock", "GrayZoneDay", "GrayZoneMechanics", "PictureSource", "SeatPictureDay"]

PictureSource = tuple[str, str | None, np.ndarray]
"""(detecting actor, link key or None for own ISR, activities the source covers). The actor's analysis hours
(``actors.<id>.attribution_time_hours``) are a quantity of the state: programs may move them."""


_PREFETCH_NUMBERS = 1 << 16  # uniforms hashed ahead per refill (0.5 MB): the horizon of a small ensemble


@dataclass(frozen=True)
class _SourceRows:
    """Where a picture's sources read their inputs, one entry per source (own ISR first, then links)."""

    rows: np.ndarray  # (4 * sources,): the ISR rows, the fidelity, latency and analysis-hours rows
    via_link: np.ndarray  # (sources, 1): 1.0 for a link, 0.0 for the receiver's own ISR
    detectable: np.ndarray  # (sources, n, activities): detectability where the source covers the activity
    earlier: np.ndarray  # (sources, sources, 1): source t comes before source s in the list


@dataclass(frozen=True)
class _BlockDraws:
    """What a block of days draws from, day-major: ``(days, runs, ...)``.

    Attributes:
        uniforms: Stream ``INCIDENT_COUNT``, ``(days, runs, 3 * activities)``, in the slots that
            :meth:`CountProcess.draw` reads.
        shock: ``S`` per day and overdispersed root activity, ``Z`` from the root's slot of stream
            ``INCIDENT_SHOCK`` (slot ``k`` for activity ``k``); None when no activity is overdispersed.
    """

    uniforms: np.ndarray
    shock: np.ndarray | None

    @property
    def days(self) -> int:
        return int(self.uniforms.shape[0])


class GrayZoneMechanics:
    """Draws gray-zone activity for every run of an ensemble, block by block.

    Its :class:`CountProcess` (``counts``) holds the self-excitation ``E`` of each clustered root activity per
    run, carried from block to block.

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
        self.tree = ActivityTree.of(scenario, parameters)
        self.detectability = per_run_rows(
            [activity_value(parameters, a, "detectability", a.detectability) for a in activities]
        ).T  # (n, activities)
        deadline = gray_zone.attribution_deadline_hours
        self.deadline_hours = np.asarray(parameters.value("gray_zone.attribution_deadline_hours", deadline))
        cv = np.asarray(parameters.value("gray_zone.delivery_time_cv", gray_zone.delivery_time_cv))
        self._delivery_sigma = np.sqrt(np.log1p(cv**2))
        # Each activity is seen through its target's picture: the target's own ISR and the links into it.
        targets = [activity.target or scenario.defender for activity in activities]
        self.activity_targets = targets
        self.picture_owners = list(dict.fromkeys(targets))
        self._owner_of_activity = np.array([self.picture_owners.index(t) for t in targets], dtype=np.intp)
        self._defender_rows = self.source_rows(self.sources_into(scenario.defender))
        self._picture_rows = [self.source_rows(self.sources_into(owner)) for owner in self.picture_owners]
        # The pictures at the start: where a deterred activity's rate stands unless it states another.
        known, timely, _ = self._official_profile(state.initial)
        self.counts = CountProcess(scenario, parameters, state.runs, self.tree, known * timely)
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
        slots = 3 * len(self.activity_ids)
        # Shocks use the slots of the overdispersed roots' activities: those from the first to the last.
        shock_slots = self.tree.root_activity[self.counts.overdispersed]
        first_shock_slot = int(shock_slots.min()) if shock_slots.size else 0
        per_day = random.runs * (slots + shock_slots.size)
        ahead = max(days, min(_PREFETCH_NUMBERS // max(per_day, 1), self.scenario.horizon_days - first_day))
        uniforms = random.uniform_block((Stream.INCIDENT_COUNT,), first_day, ahead, slots)[0]
        shock = None
        if shock_slots.size:
            span = int(shock_slots.max()) + 1 - first_shock_slot
            normals = random.uniform_block(
                (Stream.INCIDENT_SHOCK,), first_day, ahead, span, first_shock_slot
            )[0]
            shock = self.counts.shock(special.ndtri(normals[..., shock_slots - first_shock_slot]))
        draws = _BlockDraws(uniforms, shock)
        self._prefetched = (random, first_day, draws)
        return draws, 0

    def sources_into(self, actor_id: str) -> list[PictureSource]:
        """Return the sources of ``actor_id``'s picture: its own ISR, then each link into it.

        Each source is ``(detecting actor, link key or None, covered activities)``.
        """
        activities = self.scenario.gray_zone.activities
        receiver = self.scenario.actor(actor_id)
        sources: list[PictureSource] = [(receiver.id, None, np.ones(len(activities), dtype=bool))]
        for link in self.scenario.links:
            if link.to_actor != actor_id:
                continue
            covers = np.array([a.domain in link.domains for a in activities])
            partner = self.scenario.actor(link.from_actor)
            sources.append((partner.id, link.key, covers))
        return sources

    def source_rows(self, sources: list[PictureSource]) -> _SourceRows:
        """Return where each source's inputs live in the state."""
        row_of = self.state.index
        via_link = np.array([link_key is not None for _, link_key, _ in sources], dtype=np.float64)
        covers = np.array([covers for _, _, covers in sources], dtype=np.float64)
        order = np.arange(len(sources))
        # A receiver's own ISR has fidelity 1 and no latency: it reads row 0 and multiplies it by zero.
        isr = [row_of[f"actors.{actor}.isr_detection_probability"] for actor, _, _ in sources]
        fidelity = [0 if k is None else row_of[f"links.{k}.fidelity"] for _, k, _ in sources]
        latency = [0 if k is None else row_of[f"links.{k}.latency_hours"] for _, k, _ in sources]
        analysis = [row_of[f"actors.{actor}.attribution_time_hours"] for actor, _, _ in sources]
        return _SourceRows(
            rows=np.array([*isr, *fidelity, *latency, *analysis], dtype=np.intp),
            via_link=via_link[:, None],
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

    def profile(
        self, rows: _SourceRows, values: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``P_known``, ``P(timely | known)`` and ``E[delay | known]`` per (run, activity) for a
        picture's :meth:`source_rows`, on the state's current values or on ``values`` laid out like them."""
        values = self.state.values if values is None else values
        inputs = values.take(rows.rows, axis=0).reshape(4, rows.via_link.shape[0], -1)
        # Fidelity and delivery hours per (source, run): a link's fidelity and latency, 1 and 0 for own ISR.
        fidelity = inputs[1] * rows.via_link
        fidelity += 1.0 - rows.via_link
        hours = inputs[2] * rows.via_link
        hours += inputs[3]
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

    def _official_profile(
        self, values: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the profile of each activity through its target's picture, ``(runs, activities)`` each."""
        if len(self._picture_rows) == 1:
            return self.profile(self._picture_rows[0], values)
        profiles = np.stack([np.stack(self.profile(rows, values)) for rows in self._picture_rows])
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
        draws, offset = self._block_draws(random, first_day, days)
        shock = None if draws.shock is None else draws.shock[offset : offset + days]
        # The active mask where some runs have stopped (none where all are active).
        partly_active = active if active is not None and np.count_nonzero(active) < active.size else None
        known, timely, delay = self._official_profile()
        parts = self.counts.draw(
            BlockInputs(
                draws.uniforms[offset : offset + days], shock, rung_index, partly_active, known, timely
            )
        )
        return GrayZoneBlock.of(first_day, parts, delay, self.tree)

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
        tree = self.tree
        return SeatPictureDay(
            tree.by_activity(detected), tree.by_activity(attributed), tree.by_activity(delay_sum), distinct
        )
