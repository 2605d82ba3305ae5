"""The one small interface every policy implements, and what a policy is shown.

A policy plays one actor for a whole ensemble of runs at once: it receives an :class:`Observation` whose
arrays have one entry per run and returns one menu index per run (``NO_ACTION`` for none). Policies must
decide each run from that run's entries alone, so that a run's result does not depend on the other runs
in its batch; the conformance checks checks this for every policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

import numpy as np

from wargame.core.parameters import RunParameters
from wargame.core.random_streams import EnsembleRandom, Stream

__all__ = ["NO_ACTION", "Observation", "Policy", "PolicyDraws"]

NO_ACTION = -1


@dataclass(frozen=True)
class Observation:
    """What an actor knows at a decision, one entry per run in every array.

    Attributes:
        day: Day of the decision (0-based).
        actor_id: The deciding actor.
        side: ``allied``, ``adversary`` or ``neutral``.
        menu: Ids of the actions on offer (response ids, or rung ids for the adversary).
        allowed: Boolean ``(runs, len(menu))``: which actions each run may take now.
        rung_index: The adversary's current rung (its posture is public).
        mobilization_warned: Whether this side has warning of an adversary mobilization.
        known_incidents: Incidents this side's picture detected since its last decision.
        attributed_incidents: Of those, the ones attributed within the deadline.
        quantities: Quantity path -> values this side decides on (read-only views): for an ally its
            side's true values; for the adversary its own true values and its beliefs of the allies'.
        active: Runs still in play (not yet at war).
        parameters: Per-run values of the scenario's uncertain inputs (path -> values).
        confirming: The adversary confirms or calls off a mobilization that completes now (it must
            choose; no review hazard applies).
        mobilizing: For the adversary, the runs where a mobilization of its own is under way.
    """

    day: int
    actor_id: str
    side: str
    menu: tuple[str, ...]
    allowed: np.ndarray
    rung_index: np.ndarray
    mobilization_warned: np.ndarray
    known_incidents: np.ndarray
    attributed_incidents: np.ndarray
    quantities: Mapping[str, np.ndarray]
    active: np.ndarray
    extras: Mapping[str, np.ndarray] = field(default_factory=dict)
    parameters: RunParameters = field(default_factory=RunParameters.empty)
    confirming: bool = False
    mobilizing: np.ndarray | None = None

    @property
    def runs(self) -> int:
        return int(self.rung_index.shape[0])

    def with_allowed(self, allowed: np.ndarray) -> Observation:
        """Return this observation with another ``allowed`` mask."""
        return replace(self, allowed=allowed)

    def select(self, runs: np.ndarray) -> Observation:
        """Return the observation of the runs ``runs`` (indices), in that order: what a policy is shown
        when only those runs decide (a policy decides each run from its own entries)."""
        quantities = self.quantities
        pick = getattr(quantities, "select", None)
        return replace(
            self,
            allowed=self.allowed[runs],
            rung_index=self.rung_index[runs],
            mobilization_warned=self.mobilization_warned[runs],
            known_incidents=self.known_incidents[runs],
            attributed_incidents=self.attributed_incidents[runs],
            quantities=pick(runs) if pick is not None else {p: v[runs] for p, v in quantities.items()},
            active=self.active[runs],
            extras={name: values[runs] for name, values in self.extras.items()},
            parameters=self.parameters.select(runs),
            mobilizing=None if self.mobilizing is None else self.mobilizing[runs],
        )


@dataclass(eq=False)
class PolicyDraws:
    """Random numbers for one policy's decision: per-run streams, independent across actors and days.

    Args:
        random: The ensemble's random streams.
        actor_index: Position of the deciding actor in the scenario (separates actors' streams).
        day: Day of the decision.
        stream: Stream of the uniforms (the adversary's go/no-go decisions draw from their own).
        round: Which of an actor's choices on the same day this is (0: the first; an ally may take several
            responses on one decision day, each choice with draws of its own).
    """

    _SLOTS_PER_ACTOR = 64
    _ACTORS_PER_ROUND = 64
    MAX_ROUNDS = 16

    random: EnsembleRandom
    actor_index: int
    day: int
    stream: Stream = Stream.POLICY
    round: int = 0
    runs: np.ndarray | None = None

    def select(self, runs: np.ndarray) -> PolicyDraws:
        """Return the draws of the runs ``runs`` (indices): each run gets the numbers it gets in the whole
        ensemble (for :meth:`Observation.select`)."""
        return PolicyDraws(self.random, self.actor_index, self.day, self.stream, self.round, runs)

    def _of_runs(self, numbers: np.ndarray) -> np.ndarray:
        return numbers if self.runs is None else numbers[self.runs]

    def _first_slot(self, slots: int) -> int:
        if slots > self._SLOTS_PER_ACTOR:
            raise ValueError(f"a policy may draw at most {self._SLOTS_PER_ACTOR} numbers per decision")
        if not (0 <= self.actor_index < self._ACTORS_PER_ROUND and 0 <= self.round < self.MAX_ROUNDS):
            raise ValueError(
                f"draws exist for {self._ACTORS_PER_ROUND} actors and {self.MAX_ROUNDS} choices a day, "
                f"not actor {self.actor_index} choice {self.round}"
            )
        return (self.round * self._ACTORS_PER_ROUND + self.actor_index) * self._SLOTS_PER_ACTOR

    def uniform(self, slots: int) -> np.ndarray:
        """Uniforms for this decision, shape ``(runs, slots)``."""
        return self._of_runs(self.random.uniform(self.stream, self.day, slots, self._first_slot(slots)))

    def normal(self, slots: int) -> np.ndarray:
        """Standard normals for this decision, shape ``(runs, slots)``."""
        return self._of_runs(
            self.random.normal(Stream.PERCEPTION_NOISE, self.day, slots, self._first_slot(slots))
        )

    def persistent_normal(self, slots: int) -> np.ndarray:
        """Standard normals fixed for the whole run (a standing bias), shape ``(runs, slots)``."""
        return self._of_runs(
            self.random.standing_normal(Stream.PERCEPTION_BIAS, slots, self._first_slot(slots))
        )


@runtime_checkable
class Policy(Protocol):
    """Plays one actor: maps an observation to one menu index per run.

    Implementations store their parameters in ``__init__`` and nothing else; all randomness comes from
    ``draws``. A policy may say it never reads ``known_incidents`` and ``attributed_incidents`` with the
    attribute ``uses_incident_picture = False``: the model then spares drawing its actor's own picture and
    shows it the incidents aimed at its actor only.
    """

    def decide(self, observation: Observation, draws: PolicyDraws) -> np.ndarray:
        """Return an int array of shape ``(runs,)`` with an allowed menu index or ``NO_ACTION`` per run."""
        ...
