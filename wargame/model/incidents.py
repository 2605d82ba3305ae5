"""Gray-zone incidents as a run lives them: daily tallies, the wear they cause, and each ally's picture.

Each day takes its incidents from the current block of :mod:`wargame.model.gray_zone` (a block runs from the
day after one decision day to the next decision day, so the adversary's rung is constant inside it) and:

* adds them to running tallies (by activity, distinct totals, and since the last decision);
* wears the target's resolve and readiness down (``docs/model.md``)::

      resolve   -= resolve_erosion_per_incident_j * (N_j - attribution_mitigation * A_j) * (1 - resilience)
      readiness -= readiness_cost_per_incident_j * N_j

* gives every ally its own picture for its decisions: incidents aimed at the ally come through its own
  picture (the target's picture that erosion uses); of the others it detects a ``Binomial(N_k, P_known)``
  part and attributes in time a ``Binomial(detected, P_timely)`` part, with its own ISR and the links into
  it (stream ``ALLY_PICTURE``, drawn at each decision from the incidents since the previous one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wargame.core.parameters import RunParameters
from wargame.core.random_streams import EnsembleRandom, Stream
from wargame.model.gray_zone import GrayZoneBlock, GrayZoneMechanics
from wargame.model.state import EnsembleState
from wargame.scenario import Scenario

__all__ = ["Incidents"]


@dataclass(frozen=True)
class _BlockErosion:
    """Wear from a gray-zone block's incidents, ``(days, worn rows, runs)`` each.

    ``exposed`` is the resolve loss before cognitive resilience scales it; ``total`` adds the readiness
    cost of the incidents.
    """

    exposed: np.ndarray
    total: np.ndarray

    def stop(self, runs: np.ndarray, from_index: int) -> None:
        """Remove the wear of ``runs`` from day ``from_index`` of the block on."""
        self.exposed[from_index:, :, runs] = 0.0
        self.total[from_index:, :, runs] = 0.0


class Incidents:
    """The gray-zone incidents of an ensemble, absorbed day by day.

    Args:
        scenario: The scenario.
        state: The ensemble's quantities (worn down in place).
        random: The ensemble's random streams.
        parameters: Per-run values of uncertain inputs.
        pictures_for: Allies (other than the defender) whose own daily picture is kept for a session.
    """

    def __init__(
        self,
        scenario: Scenario,
        state: EnsembleState,
        random: EnsembleRandom,
        parameters: RunParameters,
        pictures_for: Sequence[str] = (),
    ) -> None:
        self.scenario = scenario
        self.state = state
        self.random = random
        self.parameters = parameters
        self.mechanics = GrayZoneMechanics(scenario, state, parameters)
        runs, activities = state.runs, len(scenario.gray_zone.activities)
        counted = 3 * runs * activities
        # Running tallies laid out like a block's day (GrayZoneBlock.tallies): by activity, distinct totals,
        # then what is counted since the last decision (distinct detected and attributed, parts).
        self._tallies = np.zeros(2 * counted + 5 * runs, dtype=np.int64)
        self.incidents, self.detected, self.attributed_timely = self._tallies[:counted].reshape(
            3, runs, activities
        )
        self.distinct_totals = self._tallies[counted : counted + 3 * runs].reshape(3, runs)
        self._since_decision = self._tallies[counted + 3 * runs :]
        self.known_since_decision, self.attributed_since_decision = self._since_decision[: 2 * runs].reshape(
            2, runs
        )
        self.parts_since_decision = self._since_decision[2 * runs :].reshape(3, runs, activities)
        self.attribution_delay_hours_sum = np.zeros((runs, activities))
        self.attribution_delay_hours_total = np.zeros(runs)
        self.day_counts: np.ndarray | None = None  # the last absorbed day's counts, (3, runs, activities)
        self._block: GrayZoneBlock | None = None
        self._erosion: _BlockErosion | None = None
        self._block_end_day = 0  # the first day after the current block
        self._next_day = 0  # the first day whose incidents are not yet absorbed
        self._setup_wear(parameters)

        self.pictures_for = tuple(pictures_for)
        for actor_id in self.pictures_for:
            if actor_id == scenario.defender or scenario.actor(actor_id).side != "allied":
                raise ValueError(f"pictures_for takes allies other than the defender, not {actor_id!r}")
        self._seat_sources = {a: self.mechanics.sources_into(a) for a in self.pictures_for}
        zeros = {a: np.zeros((runs, activities), dtype=np.int64) for a in self.pictures_for}
        self.seat_detected = zeros
        self.seat_attributed_timely = {
            a: np.zeros((runs, activities), dtype=np.int64) for a in self.pictures_for
        }
        self.seat_attribution_delay_hours_sum = {a: np.zeros((runs, activities)) for a in self.pictures_for}
        targets = self.mechanics.activity_targets
        self._own_activities = {
            actor.id: np.array([t == actor.id for t in targets]) for actor in scenario.allied_actors
        }
        self._ally_sources = {
            actor.id: self.mechanics.sources_into(actor.id) for actor in scenario.allied_actors
        }
        self._ally_rows = {
            actor_id: self.mechanics.source_rows(s) for actor_id, s in self._ally_sources.items()
        }
        self.warned = {actor.id: np.zeros(runs, dtype=bool) for actor in scenario.allied_actors}
        self._ally_slot = {actor.id: k for k, actor in enumerate(scenario.allied_actors)}

    # ------------------------------------------------------------------ wear
    def _setup_wear(self, parameters: RunParameters) -> None:
        scenario, row_of = self.scenario, self.state.index
        activities = scenario.gray_zone.activities
        target_of = [activity.target or scenario.defender for activity in activities]

        def weights(field: str) -> tuple[list[str], np.ndarray]:
            per_activity = [
                np.asarray(parameters.value(f"gray_zone.activities.{a.id}.{field}", getattr(a, field)))
                for a in activities
            ]
            targets = sorted({t for t, w in zip(target_of, per_activity, strict=True) if np.any(w > 0)})
            n = max((np.size(w) for w in per_activity), default=1)
            table = np.zeros((len(targets), n, len(activities)))
            for j, (t, w) in enumerate(zip(target_of, per_activity, strict=True)):
                if t in targets:
                    table[targets.index(t), :, j] = w
            return targets, table

        resolve_targets, self._resolve_weights = weights("resolve_erosion_per_incident")
        readiness_targets, self._readiness_weights = weights("readiness_cost_per_incident")
        self._resolve_rows = np.array([row_of[f"actors.{t}.resolve"] for t in resolve_targets], dtype=np.intp)
        self._readiness_rows = np.array(
            [row_of[f"actors.{t}.readiness"] for t in readiness_targets], dtype=np.intp
        )
        # Only the worn rows (resolve or readiness of a target) change: their wear is (days, worn, runs).
        self._worn_rows = np.union1d(self._resolve_rows, self._readiness_rows).astype(np.intp)
        self._resolve_at = np.searchsorted(self._worn_rows, self._resolve_rows)
        self._readiness_at = np.searchsorted(self._worn_rows, self._readiness_rows)
        # Row whose value scales each worn row's resolve loss (a readiness row: itself, with no resolve loss).
        self._resilience_rows = self._worn_rows.copy()
        for target, at in zip(resolve_targets, self._resolve_at, strict=True):
            self._resilience_rows[at] = row_of[f"actors.{target}.cognitive_resilience"]
        self._worn_low = self.state.low[self._worn_rows]
        self._worn_high = self.state.high[self._worn_rows]
        mitigation = scenario.gray_zone.attribution_mitigation
        self._mitigation = np.asarray(parameters.value("gray_zone.attribution_mitigation", mitigation))
        self._wears = bool(self._worn_rows.size)
        self._scratch = np.empty((2, self._worn_rows.size, self.state.runs))

    def _erosion_of(self, block: GrayZoneBlock) -> _BlockErosion:
        """Return the wear a block's incidents cause each day, ``(days, worn rows, runs)``."""
        incidents, _, attributed = block.counts.transpose(1, 0, 2, 3)  # (days, runs, activities) each
        exposed = np.zeros((block.days, *self._scratch.shape[1:]))
        total = np.zeros(exposed.shape)
        if self._resolve_rows.size:
            unanswered = incidents - np.reshape(self._mitigation, (-1, 1)) * attributed
            # Summed over activities (a): loss (days, targets, runs).
            loss = np.einsum("dra,tra->dtr", unanswered, self._resolve_weights)
            exposed[:, self._resolve_at] = loss
        if self._readiness_rows.size:
            wear = np.einsum("dra,tra->dtr", incidents, self._readiness_weights)
            total[:, self._readiness_at] = wear
        total += exposed
        return _BlockErosion(exposed, total)

    # ------------------------------------------------------------------ the daily step
    def absorb_day(self, day: int, rung: np.ndarray, active: np.ndarray) -> None:
        """Add day ``day``'s incidents to the tallies and wear resolve and readiness down by them."""
        block = self._block
        if block is None or day >= self._block_end_day:
            block = self._draw_block(day, rung, active)
        index = day - block.first_day
        self._tallies += block.tallies[index]
        self.attribution_delay_hours_sum += block.delay_hours[index]
        self.attribution_delay_hours_total += block.delay_total[index]
        self.day_counts = block.counts[index]
        erosion = self._erosion
        if erosion is not None:
            # x <- clip(x - exposed * (1 - resilience) - worn), written as x + (resilience * exposed - total),
            # on the worn rows (the other quantities are not touched).
            values, (change, worn) = self.state.values, self._scratch
            values.take(self._resilience_rows, axis=0, out=change)
            change *= erosion.exposed[index]
            change -= erosion.total[index]
            values.take(self._worn_rows, axis=0, out=worn)
            worn += change
            np.minimum(worn, self._worn_high, out=worn)
            np.maximum(worn, self._worn_low, out=worn)
            values[self._worn_rows] = worn
        self._next_day = day + 1
        if self.pictures_for:
            self._draw_seat_pictures(day, block.parts[index, 0])

    def _draw_block(self, day: int, rung: np.ndarray, active: np.ndarray) -> GrayZoneBlock:
        interval = self.scenario.decision_interval_days
        next_decision_day = max(interval, -(-day // interval) * interval)
        last_day = min(next_decision_day, self.scenario.horizon_days - 1)
        block = self.mechanics.draw_block(self.random, day, last_day - day + 1, rung, active)
        self._block = block
        self._block_end_day = day + block.days
        self._erosion = self._erosion_of(block) if self._wears else None
        return block

    def stop(self, runs: np.ndarray) -> None:
        """Remove the rest of the current block's incidents of ``runs`` (they went to war today)."""
        block = self._block
        first_index = 0 if block is None else self._next_day - block.first_day
        if block is not None and first_index < block.days:
            block.stop(runs, first_index)
            if self._erosion is not None:
                self._erosion.stop(runs, first_index)

    def close_decisions(self) -> None:
        """Start counting incidents afresh for the next decision."""
        self._since_decision[:] = 0

    # ------------------------------------------------------------------ pictures
    def _draw_seat_pictures(self, day: int, part_incidents: np.ndarray) -> None:
        """Draw each opted-in seat's own picture of the day's incidents by part (stream ``SEAT_PICTURE``)."""
        activities = part_incidents.shape[1]
        for position, actor_id in enumerate(self.pictures_for):
            picture = self.mechanics.draw_seat_picture(
                self.random, day, part_incidents, self._seat_sources[actor_id], 2 * activities * position
            )
            self.seat_detected[actor_id] += picture.detected
            self.seat_attributed_timely[actor_id] += picture.attributed_timely
            self.seat_attribution_delay_hours_sum[actor_id] += picture.attribution_delay_hours_sum

    def picture_of(self, actor_id: str, day: int, drawn: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Return what ``actor_id`` knows of the incidents since the last decision: (detected, attributed
        in time), distinct incidents per run.

        With ``drawn`` false only the incidents aimed at ``actor_id`` are counted (its picture of the others
        is not drawn: for a policy that does not read it).
        """
        own = self._own_activities.get(actor_id)
        if own is None or own.all():
            return self.known_since_decision.copy(), self.attributed_since_decision.copy()
        if not drawn:
            _, detected_parts, attributed_parts = self.parts_since_decision
            return (detected_parts * own).sum(axis=1), (attributed_parts * own).sum(axis=1)
        true_parts, detected_parts, attributed_parts = self.parts_since_decision
        known, timely, _ = self.mechanics.profile(self._ally_rows[actor_id])
        activities = true_parts.shape[1]
        slot = 2 * activities * self._ally_slot[actor_id]
        # Its own incidents it knows as the official picture does: only the others' are drawn.
        others_parts = np.where(own, 0, true_parts)
        detected = self.random.binomial(others_parts, known, Stream.ALLY_PICTURE, day, slot)
        attributed = self.random.binomial(detected, timely, Stream.ALLY_PICTURE, day, slot + activities)
        detected += np.where(own, detected_parts, 0)
        attributed += np.where(own, attributed_parts, 0)
        return detected.sum(axis=1), attributed.sum(axis=1)

    # ------------------------------------------------------------------ warnings
    def warn(self, runs: np.ndarray, day: int) -> None:
        """Give each ally warning of a mobilization starting in ``runs`` with the probability that one of
        its sources spots it: ``1 - prod_s (1 - isr_s * fidelity_s)`` (stream ``MOBILIZATION_WARNING``)."""
        values, row = self.state.values, self.state.index
        draws = self.random.uniform(Stream.MOBILIZATION_WARNING, day, len(self.warned))
        for slot, (actor_id, warned) in enumerate(self.warned.items()):
            miss = np.ones(self.state.runs)
            for source_actor, link_key, _ in self._ally_sources[actor_id]:
                isr = values[row[f"actors.{source_actor}.isr_detection_probability"]]
                fidelity = 1.0 if link_key is None else values[row[f"links.{link_key}.fidelity"]]
                miss = miss * (1.0 - isr * fidelity)
            warned |= runs & (draws[:, slot] < 1.0 - miss)

    def clear_warnings(self, runs: np.ndarray) -> None:
        """Forget the warnings of ``runs`` (their mobilization ended)."""
        for warned in self.warned.values():
            warned[runs] = False
