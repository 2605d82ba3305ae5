"""What each seat is shown at a decision point, and what the white cell is shown.

A seat's view holds only what its side can know: its own actor's state and the links and commitments it
is party to; the adversary's public posture (its rung); the gray-zone incidents *its own picture* caught
(own ISR plus the links into it, with their latency and fidelity); a mobilization warning only if its own
picture raised one; public events (injects); and its menu with each action's cooldown and the effects the
scenario defines. It never holds true incident counts, the adversary's quantities, a pending mobilization
it was not warned of, or anything from other runs. The white cell's view is the ground truth.

Views are plain JSON-ready dictionaries: they are journaled as shown, rendered by any front end, and
compared entry by entry on replay. Every view is of run 0 (a session is an ensemble of one run).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from wargame.model import DeterrenceModel
from wargame.session._commands import WHITE_CELL, effects_to_payload

__all__ = ["Picture", "adversary_view", "mobilization_warned", "picture_of", "seat_view", "white_cell_view"]

_RUN = 0

Picture = dict[str, np.ndarray]
"""A seat's cumulative picture: ``detected``, ``attributed_timely``, ``delay_hours_sum`` by activity."""


def _number(value: Any) -> float | int | bool | None:
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer | int):
        return int(value)
    value = float(value)
    return value if np.isfinite(value) else None


def picture_of(model: DeterrenceModel, seat: str) -> Picture:
    """Return the cumulative picture of an allied seat in run 0 (the defender's is the model's own)."""
    if seat == model.spec.defender:
        detected, attributed, delay = (
            model.detected,
            model.attributed_timely,
            model.attribution_delay_hours_sum,
        )
    else:
        detected = model.seat_detected[seat]
        attributed = model.seat_attributed_timely[seat]
        delay = model.seat_attribution_delay_hours_sum[seat]
    return {
        "detected": detected[_RUN].copy(),
        "attributed_timely": attributed[_RUN].copy(),
        "delay_hours_sum": delay[_RUN].copy(),
    }


def mobilization_warned(model: DeterrenceModel, seat: str) -> bool:
    """Whether an allied seat's own picture warned of a mobilization now under way."""
    if seat == model.spec.defender:
        return bool(model.mobilization_warned[_RUN])
    return bool(model.seat_mobilization_warned[seat][_RUN])


def _common(model: DeterrenceModel, seat: str, turn: int) -> dict[str, Any]:
    scenario = model.spec
    rung = int(model.rung[_RUN])
    return {
        "seat": seat,
        "turn": turn,
        "day": model.day,
        "adversary_posture": {
            "rung": scenario.escalation.rungs[rung].id,
            "rung_name": scenario.escalation.rungs[rung].name,
            "rung_index": rung,
            "rungs": len(scenario.escalation.rungs),
        },
        "war": bool(model.war_day[_RUN] >= 0),
    }


def _menu(model: DeterrenceModel, seat: str) -> list[dict[str, Any]]:
    scenario = model.spec
    allowed = model.allowed_actions(seat)[_RUN]
    items = []
    if seat == scenario.adversary:
        for index, rung in enumerate(scenario.escalation.rungs):
            items.append(
                {
                    "id": rung.id,
                    "name": rung.name,
                    "category": rung.escalation_category,
                    "allowed": bool(allowed[index]),
                    "expected": {
                        "gain": rung.gain,
                        "cost": rung.cost,
                        "risk": rung.risk,
                        "gray_zone_multiplier": rung.gray_zone_multiplier,
                        "mobilization_days": rung.mobilization_days,
                    },
                }
            )
        return items
    for index, response in enumerate(scenario.actor(seat).responses):
        last = float(model.last_response_day[(seat, response.id)][_RUN])
        ready_in = max(0.0, last + response.cooldown_days - model.day) if np.isfinite(last) else 0.0
        items.append(
            {
                "id": response.id,
                "name": response.name,
                "category": response.escalation_category,
                "allowed": bool(allowed[index]),
                "available_in_days": ready_in,
                "cooldown_days": response.cooldown_days,
                "delay_days": response.delay_days,
                "effects": effects_to_payload(response.effects),
            }
        )
    return items


def _own_quantities(model: DeterrenceModel, seat: str) -> dict[str, float]:
    values = model.state.values[:, _RUN]
    own_prefixes = (f"actors.{seat}.",)
    shown = {}
    for row, path in enumerate(model.state.paths):
        section, key, *_ = path.split(".")
        party = key.split("-") if section in ("links", "commitments") else [key]
        # Commitment credibility is the adversary's perception: not something a seat can read off.
        if path.startswith(own_prefixes) or (section == "links" and seat in party):
            shown[path] = float(values[row])
    return shown


def _programs(model: DeterrenceModel, seat: str) -> list[dict[str, Any]]:
    return [
        {
            "id": program.id,
            "objective": program.objective,
            "partners": list(program.partners),
            "intensity_per_year": float(model.program_intensity_per_year[p, _RUN]),
            "effects": [effect.model_dump(mode="json") for effect in program.effects],
        }
        for p, program in enumerate(model.spec.programs)
        if seat in program.partners
    ]


def _sources(model: DeterrenceModel, seat: str) -> list[dict[str, Any]]:
    sources = []
    for actor_id, link_key, covers in model.gray_zone.sources_into(seat):
        isr = float(model.state.row(f"actors.{actor_id}.isr_detection_probability")[_RUN])
        entry: dict[str, Any] = {
            "from": actor_id,
            "kind": "own ISR" if link_key is None else "link",
            "isr_detection_probability": isr,
            "analysis_hours": float(model.state.row(f"actors.{actor_id}.attribution_time_hours")[_RUN]),
        }
        if link_key is not None:
            entry["latency_hours"] = float(model.state.row(f"links.{link_key}.latency_hours")[_RUN])
            entry["fidelity"] = float(model.state.row(f"links.{link_key}.fidelity")[_RUN])
            activities = model.spec.gray_zone.activities
            entry["domains"] = sorted({a.domain for a, c in zip(activities, covers, strict=True) if c})
        sources.append(entry)
    return sources


def seat_view(
    model: DeterrenceModel,
    seat: str,
    turn: int,
    since: Picture | None,
    news: list[dict[str, Any]],
    own_actions: list[dict[str, Any]],
) -> dict[str, Any]:
    """Build an allied seat's view at a decision point.

    Args:
        model: The session's model, paused at the decision point.
        seat: An allied actor id.
        turn: The current turn.
        since: The seat's cumulative picture at its previous view (``None`` for the first).
        news: Public events since the seat's previous view.
        own_actions: The seat's own earlier decisions.
    """
    now = picture_of(model, seat)
    before = since or {key: np.zeros_like(value) for key, value in now.items()}
    detected = now["detected"] - before["detected"]
    attributed = now["attributed_timely"] - before["attributed_timely"]
    delay = now["delay_hours_sum"] - before["delay_hours_sum"]
    activities = []
    for j, activity in enumerate(model.spec.gray_zone.activities):
        activities.append(
            {
                "id": activity.id,
                "name": activity.name,
                "domain": activity.domain,
                "detected": int(detected[j]),
                "attributed_in_time": int(attributed[j]),
                "mean_delivery_hours": float(delay[j] / detected[j]) if detected[j] else None,
                "detected_to_date": int(now["detected"][j]),
            }
        )
    view = _common(model, seat, turn)
    view.update(
        {
            "kind": "seat",
            "actor_name": model.spec.actor(seat).name,
            "mobilization_warning": mobilization_warned(model, seat),
            "picture": {
                "deadline_hours": model.spec.gray_zone.attribution_deadline_hours,
                "sources": _sources(model, seat),
                "activities": activities,
            },
            "own": _own_quantities(model, seat),
            "programs": _programs(model, seat),
            "menu": _menu(model, seat),
            "news": news,
            "own_actions": own_actions,
        }
    )
    return view


def adversary_view(
    model: DeterrenceModel,
    seat: str,
    turn: int,
    incidents_since: np.ndarray,
    news: list[dict[str, Any]],
    own_actions: list[dict[str, Any]],
) -> dict[str, Any]:
    """Build the adversary seat's view: its own state and operations, the allies' public posture."""
    view = _common(model, seat, turn)
    incidents = model.incidents[_RUN] - incidents_since
    view.update(
        {
            "kind": "seat",
            "actor_name": model.spec.actor(seat).name,
            "operations": [
                {"id": activity.id, "name": activity.name, "conducted": int(incidents[j])}
                for j, activity in enumerate(model.spec.gray_zone.activities)
            ],
            "own": _own_quantities(model, seat),
            "menu": _menu(model, seat),
            "news": news,
            "own_actions": own_actions,
        }
    )
    return view


def white_cell_view(
    model: DeterrenceModel,
    turn: int,
    incidents_since: np.ndarray,
    pictures_since: Mapping[str, Picture],
    news: list[dict[str, Any]],
) -> dict[str, Any]:
    """Build the white cell's view: the ground truth, and what each allied seat's picture holds."""
    scenario = model.spec
    view = _common(model, WHITE_CELL, turn)
    pending = int(model.pending_rung[_RUN])
    true_incidents = model.incidents[_RUN] - incidents_since
    seats = {}
    for seat, before in pictures_since.items():
        now = picture_of(model, seat)
        seats[seat] = {
            "detected": [int(x) for x in now["detected"] - before["detected"]],
            "attributed_in_time": [int(x) for x in now["attributed_timely"] - before["attributed_timely"]],
            "mobilization_warning": mobilization_warned(model, seat),
        }
    view.update(
        {
            "kind": "white_cell",
            "pending_mobilization": scenario.escalation.rungs[pending].id if pending >= 0 else None,
            "war_day": _number(model.war_day[_RUN]) if model.war_day[_RUN] >= 0 else None,
            "escalation_score": int(model.escalation_score[_RUN]),
            "activities": [
                {"id": activity.id, "name": activity.name, "incidents": int(true_incidents[j])}
                for j, activity in enumerate(scenario.gray_zone.activities)
            ],
            "pictures": seats,
            "quantities": {
                path: float(model.state.values[row, _RUN]) for row, path in enumerate(model.state.paths)
            },
            "programs": {
                program.id: float(model.program_intensity_per_year[p, _RUN])
                for p, program in enumerate(scenario.programs)
            },
            "news": news,
        }
    )
    return view
