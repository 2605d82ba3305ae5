"""What theory predicts: the direction in which each lever should move each output.

A lever moves scenario fields; each field is a quantity of the deterrence calculus (``docs/model.md``).
Raising an allied quantity strengthens deterrence by punishment (resolve, credibility: Snyder 1961, Russett
1963, Huth 1988) or by denial (capability, readiness, forward presence: Snyder 1961, Huth & Russett 1984),
or protects the defended actors' resolve from gray-zone erosion through detection and timely attribution
(Baliga, Bueno de Mesquita & Wolitzky 2020). So the predicted sign of a field on P(war) and on the
defended actors' final resolve follows from what kind of quantity it is, whose, and which way the lever moves
it; a lever's prediction combines its fields' predictions (agreeing signs give that sign, mixed or no
signs give no prediction).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from wargame.scenario import Scenario

__all__ = [
    "OUTPUTS",
    "OUTPUT_LABELS",
    "FieldTheory",
    "Prediction",
    "combine",
    "field_theory",
]

OUTPUTS = ("war", "war_per_year", "escalation", "resolve")
"""The outputs a lever is judged on: P(war) over the horizon, P(war) per year, the escalation score per 30
days (free of the decision cadence), and the final resolve of the defended actors (those the adversary's
ladder coerces, by the calculus's weights)."""

OUTPUT_LABELS = {
    "war": "P(war)",
    "war_per_year": "P(war) per year",
    "escalation": "escalation per 30 days",
    "resolve": "defended actors' final resolve",
}


class Prediction(enum.Enum):
    """The direction theory predicts for an output as a lever rises."""

    UP = "+"
    """The output rises."""
    DOWN = "-"
    """The output falls."""
    NONE = "0"
    """No prediction: the output may move either way; only the no-effect and jump checks apply."""
    INVARIANT = "none expected"
    """The output should not move at all: any effect is a modelling artefact."""

    @property
    def sign(self) -> int:
        """+1, -1, or 0 (no sign predicted)."""
        return {Prediction.UP: 1, Prediction.DOWN: -1}.get(self, 0)

    @staticmethod
    def of_sign(sign: int) -> Prediction:
        return Prediction.UP if sign > 0 else Prediction.DOWN if sign < 0 else Prediction.NONE


def combine(signs: Iterable[int]) -> int:
    """Return the common sign of ``signs`` ignoring zeros; 0 when there is none or they disagree."""
    nonzero = {s for s in signs if s != 0}
    return nonzero.pop() if len(nonzero) == 1 else 0


@dataclass(frozen=True)
class FieldTheory:
    """What theory says about raising one scenario field.

    Attributes:
        war: Sign of the effect on P(war) (+1, -1, 0).
        resolve: Sign of the effect on the defended actors' final resolve.
        mechanism: Short phrase: through what the field acts.
        literature: Where that mechanism comes from.
    """

    war: int
    resolve: int
    mechanism: str
    literature: str


_PUNISHMENT = "Snyder 1961; Russett 1963; Huth & Russett 1984"
_CREDIBILITY = "Huth 1988; Fearon 1997; Press 2005"
_DENIAL = "Snyder 1961 (denial); Huth & Russett 1984 (local balance); CSIS 2023"
_ATTRIBUTION = "Baliga, Bueno de Mesquita & Wolitzky 2020"


def field_theory(scenario: Scenario, path: str) -> FieldTheory:
    """Return what theory predicts when the field at ``path`` rises (a quantity path or an override path).

    Fields that are not quantities of the calculus get no prediction.
    """
    parts = path.split(".")
    defended = set(scenario.target_weights())
    if parts[0] == "actors" and len(parts) >= 3:
        actor_id, name = parts[1], parts[2]
        adversary = actor_id == scenario.adversary
        own = actor_id in defended
        if name == "resolve":
            theory = FieldTheory(-1, 1 if own else 0, "the punishment term D grows with resolve", _PUNISHMENT)
        elif name in ("capability", "readiness", "forward_presence"):
            theory = FieldTheory(
                -1, 0, "denial and strength: the adversary's chance of success falls", _DENIAL
            )
        elif name == "isr_detection_probability":
            theory = FieldTheory(
                -1, 1 if own else 0, "more incidents detected and attributed in time", _ATTRIBUTION
            )
        elif name == "cognitive_resilience":
            theory = FieldTheory(-1, 1 if own else 0, "incidents erode resolve less", _ATTRIBUTION)
        else:
            return FieldTheory(0, 0, f"{name} is not a quantity of the calculus", "")
        if adversary:  # the adversary's own strength works the other way, and is not the defender's resolve
            return FieldTheory(-theory.war, 0, f"the adversary's {name}", theory.literature)
        return theory
    if parts[0] == "commitments" and parts[-1] == "credibility":
        return FieldTheory(-1, 0, "allies' commitments weigh more in the punishment term", _CREDIBILITY)
    if parts[0] == "links" and len(parts) == 3:
        into_defended = parts[1].split("-")[-1] in defended
        if parts[2] == "latency_hours":
            return FieldTheory(
                1,
                -1 if into_defended else 0,
                "later delivery, fewer incidents attributed in time",
                _ATTRIBUTION,
            )
        if parts[2] == "fidelity":
            return FieldTheory(
                -1,
                1 if into_defended else 0,
                "more detections passed on, more attributed in time",
                _ATTRIBUTION,
            )
    return FieldTheory(0, 0, "not a quantity of the calculus", "")
