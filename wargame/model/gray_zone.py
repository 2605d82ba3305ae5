"""Gray-zone incidents: daily counts, detection by the allied picture, attribution and its delay.

Equations (``docs/model.md`` gives them beside the scenario fields)::

    lambda_j   = base_rate_per_day_j * M_rung ** posture_elasticity_j * exp(sigma_j * Z - sigma_j**2 / 2)
    N_j        ~ Poisson(lambda_j)
    q_own      = isr_defender * detectability_j
    q_link     = isr_partner * detectability_j * fidelity_link        (links into the defender covering j)
    tau_own    = attribution_time_hours_defender
    tau_link   = latency_hours_link + attribution_time_hours_partner
    P(first source to deliver is s) = q_s * prod over sources s' faster than s of (1 - q_s')
    P_known    = 1 - prod_s (1 - q_s)
    D_j        ~ Binomial(N_j, P_known)
    A_j        ~ Binomial(D_j, P(tau_first <= deadline | known))
    delay_j    = E[tau_first | known] * D_j     (summed hours, for the mean attribution delay)

The counts are drawn by Poisson thinning, which gives exactly that joint law: with
``P_timely = P(tau_first <= deadline | known)``, the incidents attributed in time, detected late and missed
are independent ``Poisson(lambda_j * P_known * P_timely)``, ``Poisson(lambda_j * P_known * (1 - P_timely))``
and ``Poisson(lambda_j * (1 - P_known))``; ``A_j`` is the first, ``D_j`` the first two, ``N_j`` all three.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from wargame.core.random_streams import EnsembleRandom, Stream, poisson_guess_terms, poisson_quantile
from wargame.model.state import EnsembleState
from wargame.scenario import Scenario

__all__ = ["GrayZoneBlock", "GrayZoneDay", "GrayZoneMechanics", "PictureSource", "SeatPictureDay"]

PictureSource = tuple[str, str | None, np.ndarray, float]
"""(detecting actor, link key or None for own ISR, activities the source covers, analysis hours)."""


_PREFETCH_NUMBERS = 1 << 16  # uniforms hashed ahead per refill (0.5 MB): the horizon of a small ensemble


@dataclass(frozen=True)
class _SourceRows:
    """Where a picture's sources read their inputs, one entry per source (own ISR first, then links)."""

    rows: np.ndarray  # (3 * sources,): the ISR rows, then the fidelity rows, then the latency rows
    via_link: np.ndarray  # (sources, 1): 1.0 for a link, 0.0 for the receiver's own ISR
    link_offsets: np.ndarray  # (2, sources, 1): added to fidelity (1 - via_link) and latency (analysis hours)
    detectable: np.ndarray  # (sources, 1, activities): detectability where the source covers the activity
    earlier: np.ndarray  # (sources, sources, 1): source t comes before source s in the list


@dataclass(frozen=True)
class _BlockDraws:
    """What a block of days draws from, day-major: ``(days, runs, ...)``.

    Attributes:
        uniforms: Stream ``INCIDENT_COUNT``, ``(days, runs, 3 * activities)``: slots ``[0, A)`` for the
            incidents attributed in time, ``[A, 2A)`` detected late, ``[2A, 3A)`` missed.
        guess_terms: :func:`poisson_guess_terms` of ``uniforms``.
        shock: ``exp(sigma * Z - sigma**2 / 2)`` per day and activity, ``Z`` from slots ``[0, A)`` of
            stream ``INCIDENT_SHOCK``; None when no activity is overdispersed.
    """

    uniforms: np.ndarray
    guess_terms: np.ndarray
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
    """What one seat's own picture caught of a day's incidents, shape ``(runs, activities)`` each."""

    detected: np.ndarray
    attributed_timely: np.ndarray
    attribution_delay_hours_sum: np.ndarray


@dataclass(frozen=True)
class GrayZoneBlock:
    """Incidents of a block of consecutive days, laid out day-major so that one day is one contiguous slice.

    Attributes:
        first_day: Day of index 0.
        counts: ``(days, 3, runs, activities)``: true incidents, incidents the defender's picture detected,
            and detected incidents attributed within the deadline.
        delay_hours: ``(days, runs, activities)``: summed hours to attribution of the day's detections
            (``E[tau_first | known]`` per detection, fixed over the block).
        since_decision: ``(days, 2, runs)``: detected and timely-attributed incidents, summed over activities.
        tallies: ``(days, 3 * runs * activities + 2 * runs)``: each day's ``counts`` and ``since_decision``
            side by side (both are views into it), so a day adds to running totals in one operation.
    """

    first_day: int
    counts: np.ndarray
    delay_hours: np.ndarray
    since_decision: np.ndarray
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
        self.delay_hours[from_index:, runs] = 0.0
        self.since_decision[from_index:, :, runs] = 0


class GrayZoneMechanics:
    """Draws a day of gray-zone activity for every run of an ensemble.

    Args:
        scenario: Provides activities, rung multipliers, links into the defender and actors.
        state: The ensemble's quantities (ISR, latency and fidelity are read each day).
    """

    def __init__(self, scenario: Scenario, state: EnsembleState) -> None:
        activities = scenario.gray_zone.activities
        self.scenario = scenario
        self.state = state
        self.activity_ids = [activity.id for activity in activities]
        self.base_rate_per_day = np.array([a.base_rate_per_day for a in activities])
        self.posture_elasticity = np.array([a.posture_elasticity for a in activities])
        self.sigma = np.array([a.overdispersion_sigma for a in activities])
        self._overdispersed = bool(self.sigma.any())
        self.detectability = np.array([a.detectability for a in activities])
        self.rung_multiplier = np.array([rung.gray_zone_multiplier for rung in scenario.escalation.rungs])
        # lambda before the daily shock, by rung: base_rate_per_day * multiplier ** posture_elasticity.
        self._rate_by_rung = self.base_rate_per_day * self.rung_multiplier[:, None] ** self.posture_elasticity
        self._half_variance = self.sigma**2 / 2.0
        self.deadline_hours = scenario.gray_zone.attribution_deadline_hours
        # Sources of the defender's picture: itself, then each link into it.
        self.sources = self.sources_into(scenario.defender)
        self._defender_rows = self._source_rows(self.sources)
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
        activities = self.base_rate_per_day.shape[0]
        slots = 3 * activities
        per_day = len(self._streams) * random.runs * slots
        ahead = max(days, min(_PREFETCH_NUMBERS // max(per_day, 1), self.scenario.horizon_days - first_day))
        uniforms = random.uniform_block(self._streams, first_day, ahead, slots)
        shock = None
        if self._overdispersed:
            shock = special.ndtri(uniforms[1, ..., :activities])
            shock *= self.sigma
            shock -= self._half_variance
            np.exp(shock, out=shock)
        draws = _BlockDraws(uniforms[0], poisson_guess_terms(uniforms[0]), shock)
        self._prefetched = (random, first_day, draws)
        return draws, 0

    def sources_into(self, actor_id: str) -> list[PictureSource]:
        """Return the sources of ``actor_id``'s picture: its own ISR, then each link into it.

        Each source is ``(detecting actor, link key or None, covered activities, analysis hours)``.
        """
        activities = self.scenario.gray_zone.activities
        receiver = self.scenario.actor(actor_id)
        sources: list[PictureSource] = [
            (receiver.id, None, np.ones(len(activities), dtype=bool), receiver.attribution_time_hours)
        ]
        for link in self.scenario.links:
            if link.to_actor != actor_id:
                continue
            covers = np.array([a.domain in link.domains for a in activities])
            partner = self.scenario.actor(link.from_actor)
            sources.append((partner.id, link.key, covers, partner.attribution_time_hours))
        return sources

    def _source_rows(self, sources: list[PictureSource]) -> _SourceRows:
        """Return where each source's inputs live in the state."""
        row_of = self.state.index
        via_link = np.array([link_key is not None for _, link_key, _, _ in sources], dtype=np.float64)
        covers = np.array([covers for _, _, covers, _ in sources], dtype=np.float64)
        analysis_hours = np.array([hours for *_, hours in sources], dtype=np.float64)
        order = np.arange(len(sources))
        # A receiver's own ISR has fidelity 1 and no latency: it reads row 0 and multiplies it by zero.
        isr = [row_of[f"actors.{actor}.isr_detection_probability"] for actor, *_ in sources]
        fidelity = [0 if k is None else row_of[f"links.{k}.fidelity"] for _, k, _, _ in sources]
        latency = [0 if k is None else row_of[f"links.{k}.latency_hours"] for _, k, _, _ in sources]
        return _SourceRows(
            rows=np.array([*isr, *fidelity, *latency], dtype=np.intp),
            via_link=via_link[:, None],
            link_offsets=np.stack([1.0 - via_link, analysis_hours])[:, :, None],
            detectable=(covers * self.detectability)[:, None, :],
            earlier=(order[:, None] < order[None, :])[:, :, None],
        )

    def attribution_profile(
        self, sources: list[PictureSource] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``P_known``, ``P(timely | known)`` and ``E[delay | known]`` per (run, activity).

        Args:
            sources: The picture's sources (see :meth:`sources_into`); default the defender's.
        """
        rows = self._defender_rows if sources is None else self._source_rows(sources)
        inputs = self.state.values.take(rows.rows, axis=0).reshape(3, rows.via_link.shape[0], -1)
        # Fidelity and delivery hours per (source, run): value * via_link + offset.
        linked = inputs[1:] * rows.via_link
        linked += rows.link_offsets
        fidelity, hours = linked
        q = (inputs[0] * fidelity)[:, :, None] * rows.detectable  # P(detect) (sources, runs, activities)
        # faster[t, s]: source t delivers before source s (ties go to the earlier source).
        faster = np.where(rows.earlier, hours[:, None] <= hours[None, :], hours[:, None] < hours[None, :])
        missed = 1.0 - q
        first = q * np.multiply.reduce(np.where(faster[:, :, :, None], missed[:, None], 1.0), axis=0)
        known = 1.0 - np.multiply.reduce(missed, axis=0)
        # Timely and delay sums over the sources, side by side: sums[0] = sum_s first_s * [hours_s <=
        # deadline], sums[1] = sum_s first_s * hours_s; each divided by P_known.
        weights = np.empty((2, *hours.shape))
        np.less_equal(hours, self.deadline_hours, out=weights[0])
        weights[1] = hours
        sums = np.add.reduce(first * weights[:, :, :, None], axis=1)
        profile = np.divide(sums, known, out=np.zeros(sums.shape), where=known > 0.0)
        return known, profile[0], profile[1]

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

        Rates and the detection picture are those at the start of the block: blocks run from the day after
        one adversary decision to the next decision day, so the posture cannot change inside one. Day ``i``
        of a block draws the same numbers as a one-day block starting on that day with the same inputs.
        """
        activities = self.base_rate_per_day.shape[0]
        draws, offset = self._block_draws(random, first_day, days)
        end = offset + days
        rate = self._rate_by_rung[rung_index]  # (runs, activities)
        if active is not None and np.count_nonzero(active) < active.size:
            rate = rate * active[:, None]
        if draws.shock is not None:
            rate = rate * draws.shock[offset:end]
        known, timely, delay = self.attribution_profile()
        shares = np.empty((known.shape[0], 3, activities))
        np.multiply(known, timely, out=shares[:, 0])  # attributed in time
        np.subtract(known, shares[:, 0], out=shares[:, 1])  # detected late: known * (1 - timely)
        np.subtract(1.0, known, out=shares[:, 2])  # missed
        means = rate[..., None, :] * shares
        if means.ndim == 3:  # a rate without daily shocks is the same every day
            means = np.broadcast_to(means, (days, *means.shape))  # (days, runs, 3, activities)
        parts = poisson_quantile(
            draws.uniforms[offset:end].reshape(means.shape),
            means,
            draws.guess_terms[:, offset:end].reshape(2, *means.shape),
        ).transpose(0, 2, 1, 3)
        runs = rate.shape[-2]
        tallies = np.empty((days, 3 * runs * activities + 2 * runs), dtype=np.int64)
        counts = tallies[:, : 3 * runs * activities].reshape(days, 3, runs, activities)
        since_decision = tallies[:, 3 * runs * activities :].reshape(days, 2, runs)
        counts[:, 2] = parts[:, 0]
        np.add(parts[:, 0], parts[:, 1], out=counts[:, 1])
        np.add(counts[:, 1], parts[:, 2], out=counts[:, 0])
        np.add.reduce(counts[:, 1:], axis=3, out=since_decision)
        return GrayZoneBlock(first_day, counts, counts[:, 1] * delay, since_decision, tallies)

    def draw_seat_picture(
        self,
        random: EnsembleRandom,
        day: int,
        incidents: np.ndarray,
        sources: list[PictureSource],
        first_slot: int,
    ) -> SeatPictureDay:
        """Draw what a picture with ``sources`` detected and attributed in time of a day's ``incidents``.

        Draws come from :attr:`Stream.SEAT_PICTURE` only (slots ``first_slot`` to ``first_slot + 2k``), so
        drawing a seat's picture never shifts the draws of the defender's picture or of anything else.
        The seat's picture is drawn independently of the defender's (a simplification: a detection shared
        by a link into both is not forced to appear in both).
        """
        known, timely, delay = self.attribution_profile(sources)
        activities = incidents.shape[1]
        detected = random.binomial(incidents, known, Stream.SEAT_PICTURE, day, first_slot)
        attributed = random.binomial(detected, timely, Stream.SEAT_PICTURE, day, first_slot + activities)
        return SeatPictureDay(detected, attributed, delay * detected)
