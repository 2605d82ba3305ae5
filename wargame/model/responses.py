"""Allied responses: when each may be taken again, what it changes, and what it signals.

A response taken in a run (``docs/model.md``):

* applies its effects after ``delay_days`` (at once when 0): reinforcement in transit lands later;
* is a signal to the adversary (Fearon 1997): a response of cost ``c`` to its sender is sent for sure by a
  resolved patron and with probability ``1 - c`` by an unresolved one, so it multiplies the odds the
  adversary gives every commitment of the sender by ``1 / (1 - c)``: cheap talk (``c = 0``) moves nothing;
* ties the sender's hands (audience costs): its resolve rises by ``audience_cost_per_signal * c``;
* is scored with its category's weight (Rivera et al. 2024) and starts its ``cooldown_days``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import InitVar, dataclass
from functools import partial

import numpy as np

from wargame.core.parameters import RunParameters
from wargame.model.dynamics import CredibilityFundamentals
from wargame.model.events import TimedEvents
from wargame.model.state import EnsembleState
from wargame.scenario import ESCALATION_CATEGORIES, Effect, Scenario

__all__ = ["AlliedResponses", "effect_amount", "signal_log_odds"]

_MAX_SIGNAL_COST = 0.99


def signal_log_odds(cost: float | np.ndarray) -> float | np.ndarray:
    """Return ``-ln(1 - c)``: how far a signal of cost ``c`` moves the log-odds of its sender's pledges."""
    return -np.log1p(-np.minimum(cost, _MAX_SIGNAL_COST))


def effect_amount(parameters: RunParameters, path: str, effect: Effect) -> float | np.ndarray:
    """Return the effect's number (``add``, ``multiply`` or ``set``), per run where it is uncertain."""
    name = "add" if effect.add is not None else "multiply" if effect.multiply is not None else "set"
    return parameters.value(f"{path}.{name}", getattr(effect, name))


@dataclass(eq=False, repr=False)
class AlliedResponses:
    """The responses of every actor, per run.

    Args:
        scenario: Actors and their menus.
        state: The ensemble's quantities.
        parameters: Per-run values of uncertain inputs.
        events: The timed-event queue (delayed effects).
        credibility: The adversary's credibility beliefs (signals move them).
        is_active: Returns the runs not at war (delayed effects land only there).
        score: Scores a response of the given weight in the given runs.
    """

    scenario: InitVar[Scenario]
    state: EnsembleState
    parameters: RunParameters
    events: TimedEvents
    credibility: CredibilityFundamentals
    is_active: Callable[[], np.ndarray]
    score: Callable[[int, np.ndarray], None]

    def __post_init__(self, scenario: Scenario) -> None:
        state, parameters = self.state, self.parameters
        runs = state.runs
        self._actors = {actor.id: actor for actor in scenario.actors}
        keys = [(actor.id, response.id) for actor in scenario.actors for response in actor.responses]
        self._last_days = np.full((len(keys), runs), -np.inf)
        self.last_response_day: dict[tuple[str, str], np.ndarray] = {
            key: self._last_days[row] for row, key in enumerate(keys)
        }
        self._rows = {
            actor.id: np.array([keys.index((actor.id, r.id)) for r in actor.responses], dtype=np.intp)
            for actor in scenario.actors
        }

        def per_response(actor_id: str, field: str) -> np.ndarray:
            menu = self._actors[actor_id].responses
            values = [
                parameters.value(f"actors.{actor_id}.responses.{r.id}.{field}", getattr(r, field))
                for r in menu
            ]
            return np.array(
                [np.broadcast_to(np.asarray(v, dtype=np.float64), (runs,)) for v in values]
            ).reshape(len(menu), runs)

        self._cooldown = {a: np.maximum(per_response(a, "cooldown_days"), 1e-9) for a in self._actors}
        self._delay = {a: per_response(a, "delay_days") for a in self._actors}
        self._weights = {
            a: [ESCALATION_CATEGORIES[r.escalation_category] for r in actor.responses]
            for a, actor in self._actors.items()
        }
        self._signal_log_odds = {
            a: [
                signal_log_odds(
                    parameters.value(f"actors.{a}.responses.{r.id}.signal_cost", r.cost_as_signal)
                )
                for r in actor.responses
            ]
            for a, actor in self._actors.items()
        }
        self._commitment_rows = {
            a: np.array(
                [
                    state.index[f"commitments.{c.key}.credibility"]
                    for c in scenario.commitments
                    if c.from_actor == a
                ],
                dtype=np.intp,
            )
            for a in self._actors
        }
        self._audience_cost = {
            a: np.asarray(
                parameters.value(f"actors.{a}.audience_cost_per_signal", actor.audience_cost_per_signal)
            )
            for a, actor in self._actors.items()
        }

    def allowed(self, actor_id: str, day: int) -> np.ndarray:
        """Return the ``(runs, menu)`` mask of responses whose cooldown has passed."""
        rested = day - self._last_days.take(self._rows[actor_id], axis=0)
        return (rested >= self._cooldown[actor_id]).T

    def apply(
        self, actor_id: str, choice: np.ndarray, taken: np.ndarray, day: int
    ) -> list[tuple[str, np.ndarray]]:
        """Take the chosen response in the runs where one is ``taken``; return (response id, runs) taken."""
        actor = self._actors[actor_id]
        taken_list = []
        for index in sorted(set(choice[taken].tolist())):
            response = actor.responses[index]
            runs = taken & (choice == index)
            self.last_response_day[(actor_id, response.id)][runs] = day
            prefix = f"actors.{actor_id}.responses.{response.id}.effects"
            amounts = [
                effect_amount(self.parameters, f"{prefix}.{k}", e) for k, e in enumerate(response.effects)
            ]
            delays = self._delay[actor_id][index]
            for delay in np.unique(delays[runs]):
                group = runs & (delays == delay)
                if delay > 0:
                    self.events.schedule(
                        day + float(delay), partial(self._land_later, response.effects, amounts, group)
                    )
                else:
                    self._land(response.effects, amounts, group)
            self._signal(actor_id, index, runs)
            self.score(self._weights[actor_id][index], runs)
            taken_list.append((response.id, runs))
        return taken_list

    def _land(self, effects: tuple[Effect, ...], amounts: list, runs: np.ndarray) -> None:
        for effect, amount in zip(effects, amounts, strict=True):
            self.state.apply(effect, runs, amount)

    def _land_later(self, effects: tuple[Effect, ...], amounts: list, runs: np.ndarray) -> None:
        """Land a delayed response's effects in those of ``runs`` that are still active when it lands."""
        self._land(effects, amounts, runs & self.is_active())

    def _signal(self, actor_id: str, index: int, runs: np.ndarray) -> None:
        log_odds = self._signal_log_odds[actor_id][index]
        if not np.any(log_odds):
            return
        if self._commitment_rows[actor_id].size:
            self.credibility.signal(self._commitment_rows[actor_id], log_odds, runs)
        audience = self._audience_cost[actor_id]
        if np.any(audience):
            cost = -np.expm1(-log_odds)
            row = self.state.index[f"actors.{actor_id}.resolve"]
            values = self.state.values
            values[row] = np.minimum(1.0, values[row] + runs * audience * cost)
