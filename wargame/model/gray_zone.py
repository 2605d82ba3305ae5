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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from wargame.model.random_streams import EnsembleRandom, Stream
from wargame.model.state import EnsembleState
from wargame.scenario import Scenario

__all__ = ["GrayZoneBlock", "GrayZoneDay", "GrayZoneMechanics", "PictureSource", "SeatPictureDay"]

PictureSource = tuple[str, str | None, np.ndarray, float]
"""(detecting actor, link key or None for own ISR, activities the source covers, analysis hours)."""


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
    """Incidents of a block of consecutive days, shape ``(runs, days, activities)`` each.

    Attributes:
        first_day: Day of index 0.
        incidents: True incidents.
        detected: Incidents the defender's picture detected.
        attributed_timely: Detected incidents attributed within the deadline.
        delay_hours_per_detection: ``E[tau_first | known]`` per (run, activity), fixed over the block.
    """

    first_day: int
    incidents: np.ndarray
    detected: np.ndarray
    attributed_timely: np.ndarray
    delay_hours_per_detection: np.ndarray

    @property
    def days(self) -> int:
        return int(self.incidents.shape[1])

    def day(self, index: int, active: np.ndarray) -> GrayZoneDay:
        """Return day ``index`` of the block; runs not ``active`` (at war) have no incidents."""
        mask = active[:, None]
        detected = self.detected[:, index, :] * mask
        return GrayZoneDay(
            self.incidents[:, index, :] * mask,
            detected,
            self.attributed_timely[:, index, :] * mask,
            self.delay_hours_per_detection * detected,
        )


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
        self.detectability = np.array([a.detectability for a in activities])
        self.rung_multiplier = np.array([rung.gray_zone_multiplier for rung in scenario.escalation.rungs])
        self.deadline_hours = scenario.gray_zone.attribution_deadline_hours
        # Sources of the defender's picture: itself, then each link into it.
        self.sources = self.sources_into(scenario.defender)

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

    def _source_probabilities(self, sources: list[PictureSource]) -> tuple[np.ndarray, np.ndarray]:
        """Return P(detect) ``(sources, runs, activities)`` and delivery hours ``(sources, runs)``."""
        state = self.state
        probabilities, hours = [], []
        for actor_id, link_key, covers, analysis_hours in sources:
            isr = state.row(f"actors.{actor_id}.isr_detection_probability")
            q = isr[:, None] * self.detectability[None, :] * covers[None, :]
            if link_key is None:
                hours.append(np.full(state.runs, analysis_hours))
            else:
                q = q * state.row(f"links.{link_key}.fidelity")[:, None]
                hours.append(state.row(f"links.{link_key}.latency_hours") + analysis_hours)
            probabilities.append(q)
        return np.array(probabilities), np.array(hours)

    def attribution_profile(
        self, sources: list[PictureSource] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``P_known``, ``P(timely | known)`` and ``E[delay | known]`` per (run, activity).

        Args:
            sources: The picture's sources (see :meth:`sources_into`); default the defender's.
        """
        q, hours = self._source_probabilities(self.sources if sources is None else sources)
        first = np.empty_like(q)
        for s in range(q.shape[0]):
            faster = (hours < hours[s]) | ((hours == hours[s]) & (np.arange(q.shape[0]) < s)[:, None])
            misses = np.where(faster[:, :, None], 1.0 - q, 1.0).prod(axis=0)
            first[s] = q[s] * misses
        known = 1.0 - (1.0 - q).prod(axis=0)
        safe_known = np.where(known > 0.0, known, 1.0)
        timely = (first * (hours <= self.deadline_hours)[:, :, None]).sum(axis=0) / safe_known
        delay = (first * hours[:, :, None]).sum(axis=0) / safe_known
        return known, np.where(known > 0.0, timely, 0.0), np.where(known > 0.0, delay, 0.0)

    def draw(
        self, random: EnsembleRandom, day: int, rung_index: np.ndarray, active: np.ndarray
    ) -> GrayZoneDay:
        """Draw one day for every run (a one-day block); runs not ``active`` have no incidents."""
        return self.draw_block(random, day, 1, rung_index).day(0, active)

    def draw_block(
        self, random: EnsembleRandom, first_day: int, days: int, rung_index: np.ndarray
    ) -> GrayZoneBlock:
        """Draw ``days`` consecutive days for every run.

        Rates and the detection picture are those at the start of the block: blocks run from the day after
        one adversary decision to the next decision day, so the posture cannot change inside one. Day ``i``
        of a block draws the same numbers as a one-day block starting on that day with the same inputs.
        """
        multiplier = self.rung_multiplier[rung_index][:, None] ** self.posture_elasticity[None, :]
        rate = (self.base_rate_per_day[None, :] * multiplier)[:, None, :]
        if self.sigma.any():
            uniforms = random.uniform_days(Stream.INCIDENT_SHOCK, first_day, days, rate.shape[2])
            rate = rate * np.exp(self.sigma * special.ndtri(uniforms) - self.sigma**2 / 2.0)
        else:
            rate = np.broadcast_to(rate, (rate.shape[0], days, rate.shape[2]))
        incidents = random.poisson_days(rate, Stream.INCIDENT_COUNT, first_day)
        known, timely, delay = self.attribution_profile()
        detected = random.binomial_days(incidents, known[:, None, :], Stream.DETECTION, first_day)
        attributed = random.binomial_days(detected, timely[:, None, :], Stream.TIMELY_ATTRIBUTION, first_day)
        return GrayZoneBlock(first_day, incidents, detected, attributed, delay)

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
