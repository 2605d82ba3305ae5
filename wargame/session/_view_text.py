"""A prompt's view as terminal text: a seat's picture and menu, or the white cell's ground truth."""

from __future__ import annotations

from typing import Any

from wargame.session._commands import WHITE_CELL
from wargame.session._turns import Prompt

__all__ = ["render_view"]

_RULE = "=" * 78


def _effects_text(effects: list[dict[str, Any]]) -> str:
    parts = []
    for effect in effects:
        for operation, sign in (("add", ""), ("multiply", "×"), ("set", "=")):
            if operation in effect:
                value = effect[operation]
                shown = f"{value:+g}" if operation == "add" else f"{sign}{value:g}"
                parts.append(f"{effect['quantity']} {shown}")
    return "; ".join(parts) or "none"


def _news_lines(view: dict[str, Any]) -> list[str]:
    if not view.get("news"):
        return []
    lines = ["News since your last look:"]
    lines += [f"  day {item['day']:>3} [{item['source']}] {item['text']}" for item in view["news"]]
    return lines


def _posture_line(view: dict[str, Any]) -> str:
    posture = view["adversary_posture"]
    war = "  WAR HAS STARTED" if view["war"] else ""
    return (
        f"Adversary posture: {posture['rung_name']} (rung {posture['rung_index']} of "
        f"{posture['rungs'] - 1}){war}"
    )


def _render_seat(view: dict[str, Any]) -> list[str]:
    lines = [_posture_line(view)]
    if "mobilization_warning" in view:
        warned = view["mobilization_warning"]
        lines.append(
            "Mobilization warning: "
            + ("YES: your picture shows the adversary mobilizing" if warned else "none")
        )
    lines += _news_lines(view)
    if "picture" in view:
        picture = view["picture"]
        lines.append(
            f"Your picture this turn (attribution deadline {picture['deadline_hours']:g} h). Sources:"
        )
        for source in picture["sources"]:
            if source["kind"] == "own ISR":
                lines.append(
                    f"  own ISR: detection {source['isr_detection_probability']:.2f}, "
                    f"analysis {source['analysis_hours']:.1f} h"
                )
            else:
                lines.append(
                    f"  link from {source['from']}: latency {source['latency_hours']:.1f} h, fidelity "
                    f"{source['fidelity']:.2f}, their ISR {source['isr_detection_probability']:.2f}, "
                    f"domains {', '.join(source['domains'])}"
                )
        lines.append(f"  {'activity':<44}{'detected':>9}{'in time':>9}{'mean h':>8}{'to date':>9}")
        for activity in picture["activities"]:
            hours = activity["mean_delivery_hours"]
            lines.append(
                f"  {activity['name'][:43]:<44}{activity['detected']:>9}{activity['attributed_in_time']:>9}"
                f"{'' if hours is None else f'{hours:.0f}':>8}{activity['detected_to_date']:>9}"
            )
    if "operations" in view:
        lines.append("Your operations this turn:")
        lines += [f"  {op['name'][:50]:<52}{op['conducted']:>6}" for op in view["operations"]]
    lines.append("Your state:")
    own = view["own"]
    lines += [f"  {path:<44}{value:>9.3f}" for path, value in own.items()]
    if view.get("programs"):
        lines.append("Cooperation programs you are a partner in (exchanges a year):")
        lines += [f"  {p['id']:<44}{p['intensity_per_year']:>9.1f}" for p in view["programs"]]
    if view.get("own_actions"):
        recent = ", ".join(f"t{a['turn']} {a['action'] or 'pass'}" for a in view["own_actions"])
        lines.append(f"Your recent decisions: {recent}")
    lines.append("Actions:")
    lines.append("   0  pass")
    for number, item in enumerate(view["menu"], start=1):
        if "effects" in item:
            detail = f"effects: {_effects_text(item['effects'])}"
            if item["delay_days"]:
                detail += f" after {item['delay_days']:g} d"
            if item["cooldown_days"]:
                detail += f"; cooldown {item['cooldown_days']:g} d"
        else:
            expected = item["expected"]
            detail = (
                f"gain {expected['gain']:g}, cost {expected['cost']:g}, risk {expected['risk']:g}, "
                f"gray zone ×{expected['gray_zone_multiplier']:g}"
            )
        status = "" if item["allowed"] else "   (not available now"
        if not item["allowed"] and item.get("available_in_days"):
            status += f"; in {item['available_in_days']:g} d"
        status += ")" if status else ""
        lines.append(f"  {number:>2}  {item['id']:<20}{item['name'][:34]:<35}[{item['category']}]{status}")
        lines.append(f"      {detail}")
    return lines


def _render_white_cell(view: dict[str, Any]) -> list[str]:
    lines = [_posture_line(view) + "   (GROUND TRUTH)"]
    pending = view["pending_mobilization"]
    lines.append(f"Pending mobilization: {pending or 'none'}    escalation score: {view['escalation_score']}")
    lines += _news_lines(view)
    seats = list(view["pictures"])
    header = f"  {'activity':<40}{'true':>6}" + "".join(f"{seat:>8}" for seat in seats)
    lines.append("Incidents since your last look: truth against each seat's picture (detected)")
    lines.append(header)
    for j, activity in enumerate(view["activities"]):
        known = "".join(f"{view['pictures'][seat]['detected'][j]:>8}" for seat in seats)
        lines.append(f"  {activity['name'][:39]:<40}{activity['incidents']:>6}{known}")
    warnings = ", ".join(
        f"{seat}: {'yes' if p['mobilization_warning'] else 'no'}" for seat, p in view["pictures"].items()
    )
    if warnings:
        lines.append(f"Mobilization warning by seat: {warnings}")
    lines.append("Quantities:")
    quantities = list(view["quantities"].items())
    for start in range(0, len(quantities), 2):
        pair = quantities[start : start + 2]
        lines.append("  " + "".join(f"{path[:36]:<37}{value:>7.3f}   " for path, value in pair))
    return lines


def render_view(prompt: Prompt) -> str:
    """Return a prompt's view as text for a terminal."""
    view = prompt.view or {}
    who = (
        "WHITE CELL"
        if prompt.seat == WHITE_CELL
        else f"{view.get('actor_name', prompt.seat)} ({prompt.seat})"
    )
    lines = [_RULE, f" Turn {prompt.turn} · day {prompt.day} · {who}", _RULE]
    lines += _render_white_cell(view) if prompt.seat == WHITE_CELL else _render_seat(view)
    arguments = view.get("arguments") or []
    if arguments:
        lines.append("Arguments (matrix game):")
        for item in arguments:
            result = item["result"]
            state = (
                f"adjudicated: 2d6 {result['dice']} {result['modifier']:+d} = {result['total']}, "
                f"{'succeeded' if result['success'] else 'failed'}"
                if result
                else "open"
            )
            lines.append(f"  {item['id']} t{item['turn']} {item['seat']}: {item['action']} [{state}]")
            lines.append(f"      because {item['reasons']}")
            lines += [f"      {c['seat']} counters: {c['reasons']}" for c in item["counters"]]
    if prompt.injects:
        lines.append("Prepared injects (fire ID):")
        lines += [f"  {inject_id:<28}{name}" for inject_id, name in prompt.injects]
    return "\n".join(lines)
