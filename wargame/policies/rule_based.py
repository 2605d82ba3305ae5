"""The allies' default policy: of the responses its rules allow, the one worth most, or none.

A response is *applicable* in a run when its ``when`` rule holds (every condition given: the adversary on
``rung_at_least`` or higher, at least ``attributed_incidents_at_least`` incidents a week attributed in
time, on average since the last decision, in the ally's own picture, a warning of mobilization with
``on_mobilization_warning``) and its cooldown has passed; a response without a rule is always applicable.
Among the applicable ones the ally picks by value, then again among the others while it takes one
(``docs/model.md``)::

    threat = max(rung / war rung, warned)
    B_k    = ln(D_k / D) + ln(Y_k / Y) + ln(R_adv / R_adv,k) + ln(A / A_k)
    V_k    = threat * B_k - (1 - risk_tolerance) * (1 - threat) * max(w_k, 0) / 60 - action_cost
    choice = argmax over {none: 0} and the applicable k of V / temperature + ln(dt / 7) + Gumbel

``D`` is the deterrent and ``Y`` the allied force within 30 days (:mod:`wargame.core.deterrence`) on the
ally's side's values, ``R_adv`` and ``A`` the adversary's resolve and strength at their nominal values (the
ally cannot see them), and the subscript ``k`` the same after response ``k``: its effects, its signal
raising the odds of the ally's commitments by ``1 / (1 - c_k)`` and its audience cost raising the ally's
resolve. ``w_k`` is the response's Rivera et al. (2024) weight (60: nuclear): an escalatory response risks
provoking the adversary, more so the calmer things are and the less risk the ally tolerates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special

from wargame.core.deterrence import calculus_table, deterrence_inputs
from wargame.core.policy import NO_ACTION, Observation, PolicyDraws
from wargame.scenario import DOMAINS, ESCALATION_CATEGORIES, Scenario
from wargame.scenario.derived import derived_table

__all__ = ["RuleBasedPolicy"]

_MOST_ESCALATORY = float(max(ESCALATION_CATEGORIES.values()))
_DEFAULTS = {"choice_temperature": 0.005, "action_cost": 0.005}
_EPSILON = 1e-9
_WEEK_DAYS = 7.0


@dataclass(frozen=True)
class _Menu:
    """An actor's menu as arrays (built once per scenario object and actor)."""

    rung_floor: np.ndarray  # (menu,)
    attributed_floor: np.ndarray  # (menu,)
    warning_optional: np.ndarray  # (menu,)
    escalation_risk: np.ndarray  # (menu,): max(weight, 0) / 60
    signal_cost: np.ndarray  # (menu,)
    response_ids: tuple[str, ...]
    # Per response, its effects on the rows the calculus reads: (row, operation, effect path, effect).
    effects: tuple[tuple[tuple[int, str, str, float], ...], ...]
    visible: np.ndarray  # (rows,): whether the ally sees the row (else its nominal value is used)
    visible_paths: tuple[str, ...]
    nominal: np.ndarray  # (rows,): nominal values of every row
    credibility_rows: np.ndarray  # rows of the ally's commitments
    resolve_row: int  # the ally's resolve row
    audience_cost: float


def _menu(scenario: Scenario, actor_id: str) -> _Menu:
    actor = scenario.actor(actor_id)
    responses = actor.responses
    rules = [response.when for response in responses]
    index_of = scenario.escalation.index_of
    table = calculus_table(scenario)
    row = {path: r for r, path in enumerate(table.paths)}
    hidden = f"actors.{scenario.adversary}."
    effects = []
    for response in responses:
        on_rows = []
        for k, effect in enumerate(response.effects):
            if effect.quantity not in row:
                continue
            operation = (
                "add" if effect.add is not None else "multiply" if effect.multiply is not None else "set"
            )
            path = f"actors.{actor_id}.responses.{response.id}.effects.{k}.{operation}"
            on_rows.append((row[effect.quantity], operation, path, float(getattr(effect, operation))))
        effects.append(tuple(on_rows))
    return _Menu(
        rung_floor=np.array(
            [index_of(r.rung_at_least) if r is not None and r.rung_at_least else 0 for r in rules],
            dtype=np.int64,
        ),
        attributed_floor=np.array([0 if r is None else r.attributed_incidents_at_least or 0 for r in rules]),
        warning_optional=np.array([r is None or not r.on_mobilization_warning for r in rules], dtype=bool),
        escalation_risk=np.array(
            [max(ESCALATION_CATEGORIES[r.escalation_category], 0) / _MOST_ESCALATORY for r in responses]
        ),
        signal_cost=np.array([r.cost_as_signal for r in responses]),
        response_ids=tuple(r.id for r in responses),
        effects=tuple(effects),
        visible=np.array([not path.startswith(hidden) for path in table.paths]),
        visible_paths=tuple(path for path in table.paths if not path.startswith(hidden)),
        nominal=np.array([_nominal(scenario, path) for path in table.paths]),
        credibility_rows=np.array(
            [
                row[f"commitments.{c.key}.credibility"]
                for c in scenario.commitments
                if c.from_actor == actor_id and f"commitments.{c.key}.credibility" in row
            ],
            dtype=np.intp,
        ),
        resolve_row=row[f"actors.{actor_id}.resolve"],
        audience_cost=actor.audience_cost_per_signal,
    )


def _per_response(
    observation: Observation, actor_id: str, ids: tuple[str, ...], field: str, nominal: np.ndarray
) -> np.ndarray:
    """Return a number of each response, ``(menu,)``, or ``(runs, menu)`` where one is an uncertain input."""
    values = [
        observation.parameters.value(f"actors.{actor_id}.responses.{r}.{field}", n)
        for r, n in zip(ids, nominal, strict=True)
    ]
    if all(np.ndim(v) == 0 for v in values):
        return nominal
    return np.stack(np.broadcast_arrays(*values), axis=-1)


def _nominal(scenario: Scenario, path: str) -> float:
    section, key, *rest = path.split(".")
    if section == "commitments":
        return next(c.credibility for c in scenario.commitments if c.key == key)
    actor = scenario.actor(key)
    if rest[0] == "capability":
        assert rest[1] in DOMAINS
        return float(getattr(actor.capability, rest[1]))
    return float(getattr(actor, rest[0]))


class RuleBasedPolicy:
    """Takes, in each run, the applicable response of highest value, or none (see the module docstring).

    Args:
        scenario: The scenario.
        actor_id: The actor this policy plays.
        choice_temperature: Logit temperature of the choice, in value units; None: the scenario's (per run
            where it is an uncertain input).
        action_cost: Value a response must exceed to be worth taking; None: the scenario's, likewise.
    """

    def __init__(
        self,
        scenario: Scenario,
        actor_id: str,
        choice_temperature: float | None = None,
        action_cost: float | None = None,
    ) -> None:
        self.scenario = scenario
        self.actor_id = actor_id
        self.choice_temperature = choice_temperature
        self.action_cost = action_cost

    def _setting(self, observation: Observation, name: str, given: float | None) -> float | np.ndarray:
        """Return a setting given to the constructor, else the scenario's (per run where it is uncertain)."""
        if given is not None:
            return given
        spec = self.scenario.actor(self.actor_id).policy
        nominal = getattr(spec, name) if spec is not None else _DEFAULTS[name]
        return observation.parameters.value(f"actors.{self.actor_id}.policy.{name}", nominal)

    @property
    def uses_incident_picture(self) -> bool:
        """Whether some rule reads the incidents attributed since the last decision (the model draws the
        ally's own picture only for policies that read it)."""
        return bool(np.any(self._table().attributed_floor > 0))

    def _table(self) -> _Menu:
        return derived_table(self.scenario, ("menu", self.actor_id), lambda s: _menu(s, self.actor_id))

    def applicable(self, observation: Observation) -> np.ndarray:
        """Return the ``(runs, menu)`` mask of responses whose rule holds and that are allowed now."""
        menu = self._table()
        holds = observation.rung_index[:, None] >= menu.rung_floor
        floor = _per_response(
            observation,
            self.actor_id,
            menu.response_ids,
            "when.attributed_incidents_at_least",
            menu.attributed_floor,
        )
        weekly = observation.attributed_incidents * (_WEEK_DAYS / self.scenario.decision_interval_days)
        holds &= weekly[:, None] >= floor
        holds &= observation.mobilization_warned[:, None] | menu.warning_optional
        holds &= observation.allowed
        return holds

    def values(self, observation: Observation, responses: np.ndarray | None = None) -> np.ndarray:
        """Return the value ``V_k`` of every response per run, ``(runs, menu)``.

        Args:
            observation: What the ally knows.
            responses: Menu indices to value (default all); the others get ``-inf``.
        """
        menu = self._table()
        chosen = np.arange(len(menu.effects)) if responses is None else np.asarray(responses, dtype=np.intp)
        scenario = self.scenario
        table = calculus_table(scenario)
        runs = observation.runs
        base = np.empty((len(table.paths), runs))
        base[~menu.visible] = menu.nominal[~menu.visible, None]
        stack = getattr(observation.quantities, "stack", None)
        base[menu.visible] = (
            stack(menu.visible_paths)
            if stack is not None
            else np.array([observation.quantities[p] for p in menu.visible_paths])
        )
        count = chosen.size
        variants = np.repeat(base[:, None, :], count + 1, axis=1)  # (rows, variant, runs); variant 0: none
        parameters = observation.parameters
        audience = parameters.value(f"actors.{self.actor_id}.audience_cost_per_signal", menu.audience_cost)
        for k, response in enumerate(chosen, start=1):
            for row, operation, path, nominal in menu.effects[response]:
                amount = parameters.value(path, nominal)
                if operation == "add":
                    variants[row, k] += amount
                elif operation == "multiply":
                    variants[row, k] *= amount
                else:
                    variants[row, k] = amount
            cost = parameters.value(
                f"actors.{self.actor_id}.responses.{menu.response_ids[response]}.signal_cost",
                menu.signal_cost[response],
            )
            shift = -np.log1p(-np.minimum(cost, 0.99))
            if np.any(shift):
                rows = menu.credibility_rows
                if rows.size:
                    variants[rows, k] = special.expit(
                        special.logit(np.clip(variants[rows, k], 1e-6, 1 - 1e-6)) + shift
                    )
                variants[menu.resolve_row, k] += audience * -np.expm1(-shift)
        np.clip(variants, 0.0, 1.0, out=variants)
        inputs = deterrence_inputs(scenario, variants.reshape(len(table.paths), -1), parameters, denial=False)

        def log_ratio(values: np.ndarray) -> np.ndarray:
            shaped = np.log(np.maximum(values.reshape(count + 1, runs), _EPSILON))
            return shaped[1:] - shaped[0]

        benefit = log_ratio(inputs.deterrent) + log_ratio(inputs.allied_force)
        benefit -= log_ratio(inputs.adversary_resolve) + log_ratio(inputs.adversary_strength)
        war_index = scenario.escalation.war_index
        threat = np.maximum(
            np.minimum(observation.rung_index / war_index, 1.0), observation.mobilization_warned
        )
        risk_tolerance = parameters.value(
            f"actors.{self.actor_id}.risk_tolerance", scenario.actor(self.actor_id).risk_tolerance
        )
        caution = (1.0 - np.asarray(risk_tolerance)) * (1.0 - threat)
        action_cost = self._setting(observation, "action_cost", self.action_cost)
        values = np.full((len(menu.effects), runs), -np.inf)
        values[chosen] = (
            threat * benefit - caution * menu.escalation_risk[chosen, None] - np.asarray(action_cost)
        )
        return values.T

    def decide(self, observation: Observation, draws: PolicyDraws) -> np.ndarray:
        return self.decide_responses(observation, lambda round: draws, rounds=1)[0]

    def decide_responses(
        self,
        observation: Observation,
        draws_of_round: Callable[[int], PolicyDraws],
        rounds: int | None = None,
    ) -> list[np.ndarray]:
        """Return the day's choices in the order taken: the best applicable response per run, then the best
        of the others where one was taken, until none is (or ``rounds`` choices).

        Every response is valued once, on the day's picture; each choice draws its own Gumbel noise.
        """
        applicable = self.applicable(observation)
        runs, menu_size = applicable.shape
        choice = np.full(runs, NO_ACTION, dtype=np.int64)
        if not applicable.any():
            return [choice]
        temperature = self._setting(observation, "choice_temperature", self.choice_temperature)
        responses = np.flatnonzero(np.logical_or.reduce(applicable, axis=0))
        some = np.logical_or.reduce(applicable, axis=1)
        if some.all():
            value = self.values(observation, responses)
        else:  # value only the runs with something to choose (each run is valued from its own entries)
            index = np.flatnonzero(some)
            value = np.full((runs, menu_size), -np.inf)
            value[index] = self.values(observation.select(index), responses)
        # The odds of acting in an interval grow with its length (a response is a Poisson event whose rate
        # is exp(V / temperature) a week), so a month holds as many responses whatever the cadence.
        value = value / np.reshape(temperature, (-1, 1)) + np.log(
            self.scenario.decision_interval_days / _WEEK_DAYS
        )
        choices = []
        still = np.ones(runs, dtype=bool)
        for round in range(min(menu_size, PolicyDraws.MAX_ROUNDS) if rounds is None else rounds):
            score = np.zeros((runs, menu_size + 1))  # column 0: no response, value 0
            score[:, 1:] = np.where(applicable & still[:, None], value, -np.inf)
            score -= np.log(-np.log(draws_of_round(round).uniform(menu_size + 1)))
            best = score.argmax(axis=1)
            choice = np.where(best > 0, best - 1, NO_ACTION).astype(np.int64)
            choices.append(choice)
            still = choice != NO_ACTION
            if not still.any():
                break
            applicable[np.flatnonzero(still), choice[still]] = False
        return choices
