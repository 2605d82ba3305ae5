"""The human seat: a :class:`~wargame.policies.Policy` whose decision a person made before adjudication.

People and engine policies go through the same interface: at a decision point the session queues the
person's menu index on the seat's policy, then the model asks the policy to decide exactly as it asks
every other policy. The conformance test covers this policy like the others.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from wargame.policies import NO_ACTION, Observation, Policy, PolicyDraws

__all__ = ["HumanSeatPolicy", "RecordingPolicy"]


class HumanSeatPolicy:
    """Plays a seat taken by a person.

    Args:
        actor_id: The actor the seat plays.
        fallback: Policy deciding when nothing is queued (counterfactual continuations hand a seat to its
            default policy after the branch turn). Without one, deciding with nothing queued is an error.
    """

    def __init__(self, actor_id: str, fallback: Policy | None = None) -> None:
        self.actor_id = actor_id
        self.fallback = fallback
        self._queued: int | None = None

    @property
    def has_queued(self) -> bool:
        """Whether a decision waits for the next :meth:`decide`."""
        return self._queued is not None

    def queue(self, menu_index: int) -> None:
        """Queue the person's decision for the next decision point: a menu index or ``NO_ACTION``."""
        if menu_index < NO_ACTION:
            raise ValueError(f"a menu index is NO_ACTION or at least 0, got {menu_index}")
        self._queued = int(menu_index)

    def decide(self, observation: Observation, draws: PolicyDraws) -> np.ndarray:
        """Return the queued index in every run where it is allowed, ``NO_ACTION`` elsewhere."""
        if self._queued is None:
            if self.fallback is None:
                raise RuntimeError(f"no decision queued for the {self.actor_id} seat")
            return self.fallback.decide(observation, draws)
        index, self._queued = self._queued, None
        choice = np.full(observation.runs, NO_ACTION, dtype=np.int64)
        if index == NO_ACTION:
            return choice
        if index >= len(observation.menu):
            raise ValueError(f"{self.actor_id}: menu index {index} outside a menu of {len(observation.menu)}")
        choice[observation.allowed[:, index]] = index
        return choice


class RecordingPolicy:
    """Wraps a policy and keeps its last choice, so the session can journal what an engine seat did.

    Args:
        policy: The policy that decides.
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.last_choice: np.ndarray | None = None

    @property
    def choice_probabilities(self) -> Callable[[Observation], np.ndarray] | None:
        """The wrapped policy's probabilities of each choice, if it can say them (``None`` otherwise): a
        fan weighs its continuations by how likely they make the adversary's recorded moves."""
        return getattr(self.policy, "choice_probabilities", None)

    def decide(self, observation: Observation, draws: PolicyDraws) -> np.ndarray:
        choice = np.asarray(self.policy.decide(observation, draws), dtype=np.int64)
        self.last_choice = choice
        return choice
