"""Small scenarios built in code, for tests that pin the engine's mechanics on hand-computed cases.

:func:`minimal_scenario` returns a plain document (the dict a YAML file would hold) that validates as a
:class:`wargame.scenario.Scenario`: a defender ``blue``, a partner ``green`` and an adversary ``red``, one
commitment and one information link from ``green`` to ``blue``, one cooperation program, one gray-zone
activity and a two-rung ladder (``calm``, then ``war``) whose war rung is never worth taking. Tests change
the few fields they are about and build with :func:`build`.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from wargame.scenario import DOMAINS, Scenario

__all__ = [
    "REFERENCE_SCENARIO",
    "SCENARIOS_DIR",
    "actor",
    "build",
    "campaign_ladder",
    "ladder",
    "minimal_scenario",
    "quiet",
    "write_yaml",
]

SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"
REFERENCE_SCENARIO = SCENARIOS_DIR / "taiwan_strait_baseline.yaml"
# The reference scenario as users had it before uncertain inputs: a file that must keep working, and the
# base of tests that edit single-number fields.
LEGACY_REFERENCE = Path(__file__).resolve().parent / "legacy_scenarios" / "taiwan_strait_baseline.yaml"


def actor(actor_id: str, side: str, **fields: Any) -> dict[str, Any]:
    """Return an actor document with middling indices; ``fields`` replace any of them."""
    document: dict[str, Any] = {
        "id": actor_id,
        "name": actor_id.title(),
        "side": side,
        "capability": dict.fromkeys(DOMAINS, 0.5),
        "readiness": 0.5,
        "resolve": 0.5,
        "risk_tolerance": 0.5,
        "isr_detection_probability": 0.5,
        "attribution_time_hours": 24.0,
    }
    document.update(fields)
    return document


def ladder(*rungs: dict[str, Any], war_starts_at: str = "war", max_up: int = 1) -> dict[str, Any]:
    """Return an escalation ladder document; each rung needs at least ``id``."""
    filled = []
    for rung in rungs:
        entry = {
            "name": rung["id"].title(),
            "gain": 0.0,
            "cost": 0.0,
            "risk": 0.0,
            "escalation_category": "posturing",
        }
        entry.update(rung)
        filled.append(entry)
    return {"war_starts_at": war_starts_at, "max_rungs_up_per_decision": max_up, "rungs": filled}


def campaign_ladder(force_ratio_needed: Any = 1.5, **rung_fields: Any) -> dict[str, Any]:
    """Return a ladder from ``calm`` to ``seize``, a war rung worth 5 fought half in the air and half at sea
    over 10 decisive days; ``rung_fields`` replace any of the rung's fields."""
    return ladder(
        {"id": "calm", "escalation_category": "status_quo"},
        {
            "id": "seize",
            "gain": 5.0,
            "campaign": {
                "weights": {"air": 0.5, "maritime": 0.5},
                "force_ratio_needed": force_ratio_needed,
                "decisive_days": 10,
            },
            **rung_fields,
        },
        war_starts_at="seize",
    )


def quiet(document: dict[str, Any]) -> dict[str, Any]:
    """No gray zone, no programs: the state moves only through the mechanic a test is about."""
    document["gray_zone"]["activities"][0]["base_rate_per_day"] = 0.0
    document["programs"] = []
    return document


def minimal_scenario(**fields: Any) -> dict[str, Any]:
    """Return a fresh, valid scenario document; ``fields`` replace top-level entries."""
    document: dict[str, Any] = {
        "name": "minimal",
        "horizon_days": 30,
        "decision_interval_days": 7,
        "defender": "blue",
        "adversary": "red",
        "actors": [
            actor("blue", "allied", isr_detection_probability=0.6, attribution_time_hours=30.0),
            actor("green", "allied", isr_detection_probability=0.8, attribution_time_hours=10.0),
            actor("red", "adversary"),
        ],
        "commitments": [{"from": "green", "to": "blue", "credibility": 0.5}],
        "links": [{"from": "green", "to": "blue", "latency_hours": 6.0, "fidelity": 0.5}],
        "programs": [
            {
                "id": "training",
                "objective": "education_and_training",
                "partners": ["green", "blue"],
                "intensity_per_year": 36.5,
                "effects": [{"quantity": "actors.blue.readiness", "target": 0.9, "gain_per_exchange": 0.02}],
            }
        ],
        "gray_zone": {
            "attribution_deadline_hours": 24.0,
            "attribution_mitigation": 0.5,
            # Deliveries take exactly their mean time, so the hand-computed profiles of the mechanics tests
            # are step functions of the deadline (tests of the smooth profile set a CV of their own).
            "delivery_time_cv": 0.0,
            "activities": [
                {
                    "id": "patrol",
                    "name": "Patrol",
                    "domain": "air",
                    "base_rate_per_day": 1.0,
                    "detectability": 0.9,
                }
            ],
        },
        "escalation": ladder(
            {"id": "calm", "escalation_category": "status_quo"},
            {"id": "war", "cost": 100.0, "escalation_category": "violent_escalation"},
        ),
    }
    document.update(copy.deepcopy(fields))
    return document


def build(document: dict[str, Any]) -> Scenario:
    """Validate a scenario document."""
    return Scenario.model_validate(document)


def write_yaml(path: Path, document: Any) -> Path:
    """Write ``document`` as block-style YAML to ``path`` and return the path."""
    path.write_text(yaml.safe_dump(document, sort_keys=False, default_flow_style=False), encoding="utf-8")
    return path
