"""What a model shows of its state: read-only views of the ensemble's posture, incidents and pictures.

Sessions, views, outcomes and tests read these; the mechanics that own the arrays
(:mod:`~wargame.model.escalation`, :mod:`~wargame.model.incidents`, :mod:`~wargame.model.injects`,
:mod:`~wargame.model.responses`) change them.
"""

from __future__ import annotations

import numpy as np

from wargame.model.escalation import AdversaryPosture
from wargame.model.gray_zone import GrayZoneMechanics
from wargame.model.incidents import Incidents
from wargame.model.injects import Injects
from wargame.model.responses import AlliedResponses
from wargame.model.state import EnsembleState
from wargame.scenario import Scenario

__all__ = ["ReadOuts"]


class ReadOuts:
    """Read-only views of a :class:`~wargame.model.simulation.DeterrenceModel`'s state (a base class)."""

    spec: Scenario
    day: int
    state: EnsembleState
    posture: AdversaryPosture
    tallies: Incidents
    injects: Injects
    responses: AlliedResponses
    _program_intensity_per_year: np.ndarray

    @property
    def active(self) -> np.ndarray:
        """Runs not yet at war (a read-only view)."""
        view = self.posture.active.view()
        view.flags.writeable = False
        return view

    @property
    def rung(self) -> np.ndarray:
        return self.posture.rung

    @property
    def pending_rung(self) -> np.ndarray:
        return self.posture.pending_rung

    @property
    def war_day(self) -> np.ndarray:
        return self.posture.war_day

    @property
    def max_rung(self) -> np.ndarray:
        return self.posture.max_rung

    @property
    def escalation_score(self) -> np.ndarray:
        return self.posture.escalation_score

    @property
    def rung_by_day(self) -> np.ndarray:
        return self.posture.rung_by_day

    @property
    def injects_fired(self) -> np.ndarray:
        return self.injects.fired

    @property
    def last_response_day(self) -> dict[tuple[str, str], np.ndarray]:
        return self.responses.last_response_day

    @property
    def gray_zone(self) -> GrayZoneMechanics:
        """The gray-zone mechanics (for tests and views)."""
        return self.tallies.mechanics

    @property
    def incident_counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """True, detected and timely-attributed incidents so far, ``(runs, activities)`` each."""
        return self.tallies.incidents, self.tallies.detected, self.tallies.attributed_timely

    @property
    def mobilization_warned(self) -> np.ndarray:
        """Whether the defender has warning of a mobilization, per run."""
        return self.tallies.warned[self.spec.defender]

    @property
    def seat_mobilization_warned(self) -> dict[str, np.ndarray]:
        return {actor_id: self.tallies.warned[actor_id] for actor_id in self.tallies.pictures_for}

    @property
    def program_intensity_per_year(self) -> np.ndarray:
        """Exchanges per year of each program in each run, shape ``(programs, runs)`` (read-only view;
        change it with :meth:`set_program_intensity`)."""
        view = self._program_intensity_per_year.view()
        view.flags.writeable = False
        return view

    @property
    def finished(self) -> bool:
        return self.day >= self.spec.horizon_days

    def quantities(self) -> dict[str, np.ndarray]:
        """Return every quantity path with its live values over runs."""
        return {path: self.state.values[row] for row, path in enumerate(self.state.paths)}

    # The incident tallies live in the tallies component; the model shows them under their own names.
    @property
    def incidents(self) -> np.ndarray:
        return self.tallies.incidents

    @property
    def detected(self) -> np.ndarray:
        return self.tallies.detected

    @property
    def attributed_timely(self) -> np.ndarray:
        return self.tallies.attributed_timely

    @property
    def attribution_delay_hours_sum(self) -> np.ndarray:
        return self.tallies.attribution_delay_hours_sum

    @property
    def known_since_decision(self) -> np.ndarray:
        return self.tallies.known_since_decision

    @property
    def attributed_since_decision(self) -> np.ndarray:
        return self.tallies.attributed_since_decision

    @property
    def distinct_totals(self) -> np.ndarray:
        return self.tallies.distinct_totals

    @property
    def seat_detected(self) -> dict[str, np.ndarray]:
        return self.tallies.seat_detected

    @property
    def seat_attributed_timely(self) -> dict[str, np.ndarray]:
        return self.tallies.seat_attributed_timely

    @property
    def seat_attribution_delay_hours_sum(self) -> dict[str, np.ndarray]:
        return self.tallies.seat_attribution_delay_hours_sum

    @property
    def pictures_for(self) -> tuple[str, ...]:
        return self.tallies.pictures_for
