"""The levers of a scenario: groups of fields moved together over a grid of levels.

Levers are derived from the scenario itself, so every theatre gets its own: allied resolve, commitment
credibility, allied capability per domain, allied readiness, link latency and fidelity, the intensity of
each cooperation objective present, gray-zone intensity, decision cadence and horizon. A *scaling* lever
multiplies the nominal value of each of its fields by the level (clipped to the field's bounds) and is
run per run (``DeterrenceModel(..., inputs=...)``); an *ensemble* lever (cadence, horizon) sets a field
that shapes a whole ensemble, so each of its levels is its own scenario.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from wargame.errors import InputError
from wargame.scenario import DOMAINS, Scenario, apply_overrides, get_value, quantity_bounds
from wargame.validity._theory import Prediction, combine, field_theory

__all__ = [
    "CADENCE_DAYS",
    "HORIZON_DAYS",
    "MAX_LEVELS",
    "MIN_LEVELS",
    "Lever",
    "levers_of",
]

MIN_LEVELS = 5
MAX_LEVELS = 15
CADENCE_DAYS = (3, 14)
"""Range of ``decision_interval_days`` the cadence lever spans (whole days)."""
HORIZON_DAYS = (180, 1095)
"""Range of ``horizon_days`` the horizon lever spans."""

# Multiplier ranges of the scaling levers; the top is lowered where a field would pass its upper bound.
_RANGES = {
    "resolve": (0.5, 1.5),
    "credibility": (0.25, 1.75),
    "capability": (0.5, 1.5),
    "readiness": (0.5, 1.5),
    "latency": (0.25, 4.0),
    "fidelity": (0.25, 1.5),
    "objective": (0.0, 3.0),
    "gray_zone": (0.0, 3.0),
}
_ESCALATION = "Kahn 1965; Schelling 1966: a stronger deterrent keeps the adversary lower on the ladder"


@dataclass(frozen=True)
class Lever:
    """A group of scenario fields moved together, and what theory predicts it does.

    Attributes:
        key: Identifier (file names, anchors): ``allied_resolve``, ``capability_air``, ``horizon``.
        name: Display name.
        paths: The override paths of the fields the lever moves.
        nominal: Their values in the scenario.
        upper: Their upper bounds (``inf`` where there is none); lower bounds are 0.
        levels: The lever's levels: multipliers of the nominal values, or whole days for ``ensemble``.
        ensemble: Whether the fields shape the whole ensemble (one scenario per level).
        predictions: Output name (see :data:`~wargame.validity._theory.OUTPUTS`) -> predicted direction;
            outputs not listed are shown but not checked.
        reason: One line: why theory predicts that.
        literature: Where the reasoning comes from.
    """

    key: str
    name: str
    paths: tuple[str, ...]
    nominal: tuple[float, ...]
    upper: tuple[float, ...]
    levels: tuple[float, ...]
    ensemble: bool
    predictions: Mapping[str, Prediction] = field(hash=False)
    reason: str
    literature: str

    @property
    def unit(self) -> str:
        return "days" if self.ensemble else "x nominal"

    def values_at(self, level: float) -> dict[str, float]:
        """Return the value of every field at ``level`` (multiplied and clipped, or the days)."""
        if self.ensemble:
            return {path: int(level) for path in self.paths}
        return {
            path: float(min(max(nominal * level, 0.0), upper))
            for path, nominal, upper in zip(self.paths, self.nominal, self.upper, strict=True)
        }

    def scenario_at(self, scenario: Scenario, level: float) -> Scenario:
        """Return the scenario of one level of an ensemble lever (the scenario itself for a scaling one).

        Raises:
            InputError: If the level makes the scenario invalid, naming the lever and the level.
        """
        if not self.ensemble:
            return scenario
        try:
            return apply_overrides(scenario, self.values_at(level))
        except InputError as error:
            raise InputError(
                f"lever {self.name!r} at {level:g} {self.unit} makes the scenario invalid: {error.message}",
                field=self.paths[0],
            ) from None


def _grid(low: float, high: float, count: int) -> tuple[float, ...]:
    return tuple(round(float(x), 4) for x in np.linspace(low, high, count))


def _whole_days(low: int, high: int, count: int) -> tuple[float, ...]:
    return tuple(float(x) for x in np.unique(np.floor(np.linspace(low, high, count) + 0.5)))


def _predictions(war: int, resolve: int) -> dict[str, Prediction]:
    return {
        "war": Prediction.of_sign(war),
        "escalation": Prediction.of_sign(war),
        "resolve": Prediction.of_sign(resolve),
    }


def _scaling(
    scenario: Scenario,
    key: str,
    name: str,
    kind: str,
    paths: list[str],
    levels: int,
    bounds: Mapping[str, tuple[float, float]],
    signs: list[tuple[int, int]] | None = None,
    reason: str | None = None,
    literature: str | None = None,
) -> Lever | None:
    """Return a scaling lever over ``paths`` (None when it has no field, or every field is 0)."""
    nominal = [float(get_value(scenario, path)) for path in paths]
    if not paths or not any(nominal):
        return None
    upper = [bounds.get(path, (0.0, math.inf))[1] for path in paths]
    low, high = _RANGES[kind]
    reachable = [u / v for u, v in zip(upper, nominal, strict=True) if v > 0 and math.isfinite(u)]
    high = min([high, *reachable])
    theories = [field_theory(scenario, path) for path in paths]
    if signs is None:
        signs = [(t.war, t.resolve) for t in theories]
    war, resolve = combine(s for s, _ in signs), combine(r for _, r in signs)
    mechanisms = sorted({t.mechanism for t in theories if t.literature})
    sources = sorted({t.literature for t in theories if t.literature})
    return Lever(
        key=key,
        name=name,
        paths=tuple(paths),
        nominal=tuple(nominal),
        upper=tuple(upper),
        levels=_grid(low, high, levels),
        ensemble=False,
        predictions=_predictions(war, resolve),
        reason=reason or "; ".join(mechanisms),
        literature=literature or "; ".join([*sources, _ESCALATION]),
    )


def _objective_levers(
    scenario: Scenario, levels: int, bounds: Mapping[str, tuple[float, float]]
) -> list[Lever]:
    """One lever per cooperation objective present: the intensity of every program with that objective."""
    levers = []
    objectives = list(dict.fromkeys(program.objective for program in scenario.programs))
    for objective in objectives:
        programs = [p for p in scenario.programs if p.objective == objective]
        signs, moved, sources = [], [], set()
        for program in programs:
            for effect in program.effects:
                start = float(get_value(scenario, effect.quantity))
                direction = int(np.sign(effect.target - start))
                theory = field_theory(scenario, effect.quantity)
                signs.append((direction * theory.war, direction * theory.resolve))
                if direction:
                    moved.append(f"{effect.quantity} {'up' if direction > 0 else 'down'}")
                    sources.add(theory.literature)
        reason = "its programs move " + (", ".join(moved) if moved else "nothing away from where it starts")
        lever = _scaling(
            scenario,
            f"objective_{objective}",
            f"objective: {objective}",
            "objective",
            [f"programs.{p.id}.intensity_per_year" for p in programs],
            levels,
            bounds,
            signs=signs,
            reason=reason,
            literature="; ".join([*sorted(s for s in sources if s), _ESCALATION]),
        )
        if lever is not None:
            levers.append(lever)
    return levers


def _gray_zone_lever(scenario: Scenario, levels: int) -> Lever | None:
    roots = [a for a in scenario.gray_zone.activities if a.subset_of is None]
    defended = set(scenario.target_weights())
    erodes = any(
        (a.target or scenario.defender) in defended and a.resolve_erosion_per_incident > 0
        for a in scenario.gray_zone.activities
    )
    wears = erodes or any(
        a.resolve_erosion_per_incident > 0 or a.readiness_cost_per_incident > 0
        for a in scenario.gray_zone.activities
    )
    return _scaling(
        scenario,
        "gray_zone",
        "gray-zone intensity",
        "gray_zone",
        [f"gray_zone.activities.{a.id}.base_rate_per_day" for a in roots],
        levels,
        {},
        signs=[(1 if wears else 0, -1 if erodes else 0)],
        reason="more incidents wear allied resolve and readiness down (salami tactics)",
        literature="Schelling 1966; Mazarr 2015; Baliga et al. 2020",
    )


def _ensemble_levers(scenario: Scenario, levels: int) -> list[Lever]:
    cadence = Lever(
        key="cadence",
        name="decision cadence",
        paths=("decision_interval_days", "turn_length_days"),
        nominal=(float(scenario.decision_interval_days), float(scenario.turn_length_days)),
        upper=(math.inf, math.inf),
        levels=_whole_days(*CADENCE_DAYS, levels),
        ensemble=True,
        predictions={output: Prediction.INVARIANT for output in ("war", "escalation", "resolve")},
        reason="how often actors decide is a modelling step, not a policy: any effect is an artefact",
        literature="choices are Poisson events at per-day rates (McFadden 1974; docs/model.md)",
    )
    horizon = Lever(
        key="horizon",
        name="horizon",
        paths=("horizon_days",),
        nominal=(float(scenario.horizon_days),),
        upper=(math.inf,),
        levels=_whole_days(*HORIZON_DAYS, levels),
        ensemble=True,
        predictions={
            "war": Prediction.UP,
            "war_per_year": Prediction.DOWN,
            "escalation": Prediction.NONE,
            "resolve": Prediction.NONE,
        },
        reason="a longer window holds more risk of war; the yearly rate cannot rise with it at a steady "
        "hazard in each run, and falls slowly as the runs most prone to war reach it first",
        literature="Fearon 1995; Vaupel, Manton & Stallard 1979 (frailty)",
    )
    return [cadence, horizon]


def levers_of(scenario: Scenario, levels: int = 7) -> list[Lever]:
    """Return the levers of ``scenario``, each with ``levels`` levels (cadence at most 12: whole days).

    A lever whose fields are absent, or all 0 (nothing to scale), is left out.

    Raises:
        InputError: For ``levels`` outside [MIN_LEVELS, MAX_LEVELS].
    """
    if not MIN_LEVELS <= levels <= MAX_LEVELS:
        raise InputError(
            f"levels must be between {MIN_LEVELS} and {MAX_LEVELS}, got {levels}", source="--levels"
        )
    bounds = quantity_bounds(scenario)
    allies = [actor.id for actor in scenario.allied_actors]
    candidates: list[Lever | None] = [
        _scaling(scenario, "allied_resolve", "allied resolve", "resolve",
                 [f"actors.{a}.resolve" for a in allies], levels, bounds),
        _scaling(scenario, "credibility", "commitment credibility", "credibility",
                 [f"commitments.{c.key}.credibility" for c in scenario.commitments], levels, bounds),
        *(
            _scaling(scenario, f"capability_{d}", f"allied capability: {d}", "capability",
                     [f"actors.{a}.capability.{d}" for a in allies], levels, bounds)
            for d in DOMAINS
        ),
        _scaling(scenario, "readiness", "allied readiness", "readiness",
                 [f"actors.{a}.readiness" for a in allies], levels, bounds),
        _scaling(scenario, "latency", "link latency", "latency",
                 [f"links.{link.key}.latency_hours" for link in scenario.links], levels, bounds),
        _scaling(scenario, "fidelity", "link fidelity", "fidelity",
                 [f"links.{link.key}.fidelity" for link in scenario.links], levels, bounds),
        *_objective_levers(scenario, levels, bounds),
        _gray_zone_lever(scenario, levels),
        *_ensemble_levers(scenario, levels),
    ]  # fmt: skip
    return [lever for lever in candidates if lever is not None]
