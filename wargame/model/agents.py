"""The actors as Mesa agents: each decides, through its policy, for every run of the ensemble at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wargame.core.policy import Policy, PolicyDraws
from wargame.model._mesa import Agent
from wargame.policies import menu_of
from wargame.scenario import Actor

if TYPE_CHECKING:
    from wargame.model.simulation import DeterrenceModel

__all__ = ["ActorAgent"]


class ActorAgent(Agent):
    """One actor of the scenario, deciding through its policy for every run at once.

    Its state is its actor's rows of the ensemble's state (live views): ``resolve``, ``readiness``.
    """

    def __init__(self, model: DeterrenceModel, actor: Actor, actor_index: int, policy: Policy) -> None:
        super().__init__(model)
        self.actor = actor
        self.actor_index = actor_index
        self.policy = policy
        self.side = actor.side
        self.menu = menu_of(model.spec, actor.id)
        self.resolve = model.state.row(f"actors.{actor.id}.resolve")
        self.readiness = model.state.row(f"actors.{actor.id}.readiness")

    def decide(self) -> None:
        """Observe, ask the policy, and hand the choice to the model to apply.

        A policy with ``decide_responses`` (the allies' rule-based one) may take several responses on the
        day, one choice after another; the model applies them in that order.

        Where the model imposes the adversary's recorded move, that move is taken and its probability under
        the policy is added to the model's :attr:`DeterrenceModel.history_log_likelihood`.
        """
        model: DeterrenceModel = self.model
        observation = model.observe(self.actor.id)
        forced = model.forced_move(self.actor.id)
        if forced is not None:
            model.weigh(self.policy, observation, forced)
            choices = [np.full(model.runs, forced, dtype=np.int64)]
        elif hasattr(self.policy, "decide_responses"):
            choices = self.policy.decide_responses(observation, self._draws)
        else:
            choices = [np.asarray(self.policy.decide(observation, self._draws(0)), dtype=np.int64)]
        for choice in choices:
            model.apply_choice(self.actor.id, np.asarray(choice, dtype=np.int64), observation.allowed)

    def _draws(self, round: int) -> PolicyDraws:
        """Draws for the ``round``-th choice of today (an ally may take several responses a day)."""
        model: DeterrenceModel = self.model
        return PolicyDraws(model.random_streams, self.actor_index, model.day, round=round)
