"""The after-action report of a session, written from its journal: HTML and Markdown with PNG plots.

Sections: the outcome; the escalation trajectory; the timeline of incidents, injects and decisions by seat;
what each seat knew against what was true at each decision; key moments (first detection, first timely
attribution, every rung change, mobilization warnings, war); and any counterfactual fans written by
``wargame session branch``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wargame.session._commands import WHITE_CELL
from wargame.session._journal import JournalEntry
from wargame.session._plots import plot_knowledge, plot_trajectory
from wargame.session._session import Session

__all__ = ["SessionRecord", "read_record", "write_report"]


@dataclass
class TurnRecord:
    """What happened at one turn's decision point and in the days before it."""

    turn: int
    day: int
    rung_before: str = ""
    true_incidents: int = 0
    scenario_injects: list[str] = field(default_factory=list)
    white_cell: list[str] = field(default_factory=list)
    decisions: dict[str, list[str]] = field(default_factory=dict)
    knowledge: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class SessionRecord:
    """A session's active branch, digested for reporting."""

    turns: list[TurnRecord]
    rung_by_day: list[int]
    outcome: dict[str, Any] | None
    moments: list[tuple[int, str]]
    decisions: list[dict[str, Any]]
    events: list[dict[str, Any]]


def _sum(values: list[int]) -> int:
    return int(sum(values))


def read_record(session: Session) -> SessionRecord:
    """Digest the active branch's journal entries into turns, moments and plot series."""
    scenario = session.scenario
    rungs = scenario.escalation.rungs
    turn_days = scenario.turn_length_days
    timeline: list[JournalEntry] = session.timeline()
    turns: dict[int, TurnRecord] = {}
    rung_by_day: list[int] = []
    previous_incidents: list[int] | None = None
    moments: list[tuple[int, str]] = []
    decisions: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    first_seen: dict[tuple[str, str], int] = {}
    warned: dict[str, bool] = {}
    outcome = None

    def turn_record(turn: int) -> TurnRecord:
        return turns.setdefault(turn, TurnRecord(turn, turn * turn_days))

    for entry in timeline:
        payload = entry.payload
        if entry.kind == "turn_adjudicated":
            start = len(rung_by_day)
            rung_by_day += payload["rung_by_day"]
            for day in range(max(start, 1), len(rung_by_day)):
                if rung_by_day[day] != rung_by_day[day - 1]:
                    before, after = rungs[rung_by_day[day - 1]].name, rungs[rung_by_day[day]].name
                    moments.append((day, f"the adversary moves from {before} to {after}"))
            if payload["war_day"] is not None and not any("war starts" in text for _, text in moments):
                moments.append((payload["war_day"], "war starts"))
            for fired in payload["injects_fired"]:
                inject = next(i for i in scenario.injects if i.id == fired["id"])
                turn_record(entry.turn + 1).scenario_injects.append(f"day {fired['day']}: {inject.text}")
                moments.append((fired["day"], f"scenario inject: {inject.text}"))
            incidents = payload["incidents"]
            record = turn_record(entry.turn + 1)
            record.true_incidents = _sum(incidents) - (_sum(previous_incidents) if previous_incidents else 0)
            record.rung_before = payload["rung"]
            record.knowledge.setdefault("truth", {})["pending_mobilization"] = payload["pending_mobilization"]
            previous_incidents = incidents
        elif entry.kind == "view" and payload["seat"] != WHITE_CELL:
            view = payload["view"]
            seat = payload["seat"]
            record = turn_record(entry.turn)
            if "picture" in view:
                activities = view["picture"]["activities"]
                detected = sum(a["detected"] for a in activities)
                attributed = sum(a["attributed_in_time"] for a in activities)
                record.knowledge[seat] = {
                    "detected": detected,
                    "attributed": attributed,
                    "warned": view["mobilization_warning"],
                }
                for what, count in (("detection", detected), ("timely attribution", attributed)):
                    if count and (seat, what) not in first_seen:
                        first_seen[(seat, what)] = view["day"]
                        moments.append((view["day"], f"{seat}'s first {what} ({count} incidents)"))
                if view["mobilization_warning"] and not warned.get(seat):
                    moments.append((view["day"], f"{seat} is warned of a mobilization"))
                warned[seat] = view["mobilization_warning"]
        elif entry.kind in ("action", "policy_action"):
            seat, action = payload["seat"], payload["action"]
            by = "person" if entry.kind == "action" else "engine"
            turn_record(entry.turn).decisions.setdefault(seat, []).append(f"{action or 'pass'} ({by})")
            if action is not None:
                decisions.append({"day": entry.turn * turn_days, "seat": seat, "action": action, "by": by})
        elif entry.kind == "program":
            text = f"program {payload['program']} → {payload['intensity_per_year']:g}/year"
            turn_record(entry.turn).decisions.setdefault(payload["seat"], []).append(text)
        elif entry.kind in ("inject", "override", "matrix_roll"):
            label = {
                "inject": lambda p: f"inject: {p['text']}",
                "override": lambda p: f"override: {p['reason']}",
                "matrix_roll": lambda p: (
                    f"matrix-game argument (strength {p['strength']:+d}): {p['argument']}"
                ),
            }[entry.kind](payload)
            turn_record(entry.turn).white_cell.append(label)
            events.append({"day": entry.turn * turn_days, "label": label})
            moments.append((entry.turn * turn_days, f"white cell {label}"))
        elif entry.kind == "roll_result":
            outcome_text = "succeeds" if payload["success"] else "fails"
            roll = f"  → 2d6 {payload['dice']} {payload['modifier']:+d} = {payload['total']}: {outcome_text}"
            turn_record(entry.turn).white_cell.append(roll)
        elif entry.kind == "finished":
            outcome = payload
    moments.sort(key=lambda item: item[0])
    played = [k for k in sorted(turns) if k > 0 and k * turn_days < scenario.horizon_days]
    if outcome is not None and outcome.get("war"):
        played = [k for k in played if k * turn_days <= outcome["war_day"]]
    return SessionRecord(
        turns=[turns[k] for k in played],
        rung_by_day=rung_by_day,
        outcome=outcome,
        moments=moments,
        decisions=decisions,
        events=events,
    )


def _outcome_lines(session: Session, record: SessionRecord) -> list[str]:
    status = session.status()
    lines = [
        f"Scenario: {session.scenario.name} (sha256 {session.header['scenario_sha256'][:16]}…), "
        f"seed {status.seed}",
        f"People: {', '.join(status.human_seats) or 'none'}"
        f"{' and a white cell' if status.white_cell else ''}; "
        f"engine: {', '.join(f'{s} ({k})' for s, k in status.engine_seats.items()) or 'none'}",
        f"Branch {status.branch} of {status.branches}; {len(record.turns)} turns played.",
    ]
    outcome = record.outcome
    if outcome is None:
        lines.append(f"In play: turn {status.turn}, day {status.day}.")
    else:
        war = f"war on day {outcome['war_day']:.0f}" if outcome["war"] else "no war"
        lines.append(
            f"Outcome: {war}; highest rung {outcome['max_rung_id']}; escalation score "
            f"{outcome['escalation_score']}; {outcome['incidents_total']} gray-zone incidents, "
            f"{outcome['detected_total']} detected by {session.scenario.defender}'s picture."
        )
    return lines


def _timeline_rows(record: SessionRecord, seats: list[str]) -> list[list[str]]:
    rows = []
    for turn in record.turns:
        row = [str(turn.turn), str(turn.day), turn.rung_before, str(turn.true_incidents)]
        row.append("; ".join(turn.scenario_injects + turn.white_cell))
        row += ["; ".join(turn.decisions.get(seat, [])) for seat in seats]
        rows.append(row)
    return rows


def _knowledge_rows(record: SessionRecord, seats: list[str]) -> list[list[str]]:
    rows = []
    for turn in record.turns:
        pending = turn.knowledge.get("truth", {}).get("pending_mobilization")
        row = [str(turn.turn), str(turn.true_incidents), pending or "none"]
        for seat in seats:
            known = turn.knowledge.get(seat)
            if known is None:
                row.append("—")
            else:
                warning = ", warned" if known["warned"] else ""
                row.append(f"{known['detected']} detected, {known['attributed']} in time{warning}")
        rows.append(row)
    return rows


def _fans(session: Session) -> list[tuple[Path, dict[str, Any]]]:
    folder = session.directory / "fans"
    found = []
    for summary_path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        png = summary_path.with_suffix(".png")
        if png.exists():
            found.append((png, json.loads(summary_path.read_text(encoding="utf-8"))))
    return found


def _fan_text(summary: dict[str, Any]) -> str:
    actual = summary["actual"]
    text = (
        f"{summary['runs']} continuations from turn {summary['turn']} under the default policies: "
        f"P(war) {actual['war_probability']:.1%}, mean escalation score "
        f"{actual['escalation_score_mean']:.1f}; this session's escalation score sits at the "
        f"{summary['escalation_score_percentile']:.0f}th percentile"
        f"{'' if summary['session_finished'] else ' (so far)'}."
    )
    if "swapped" in summary:
        swapped = summary["swapped"]
        text += (
            f" If {swapped['label']}: P(war) {swapped['war_probability']:.1%}, mean escalation score "
            f"{swapped['escalation_score_mean']:.1f}."
        )
    return text


def _copy_fan_plots(
    fans: list[tuple[Path, dict[str, Any]]], figures: Path
) -> list[tuple[str, dict[str, Any]]]:
    copied = []
    for png, summary in fans:
        target = figures / f"fan-{png.name}"
        target.write_bytes(png.read_bytes())
        copied.append((f"figures/{target.name}", summary))
    return copied


def write_report(session: Session, out_dir: Path | None = None) -> list[Path]:
    """Write ``report.html``, ``report.md`` and their figures; return the paths written."""
    out_dir = out_dir or session.directory / "report"
    figures = out_dir / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    record = read_record(session)
    scenario = session.scenario
    seats = [s for s in (scenario.adversary, *(a.id for a in scenario.allied_actors))]
    viewing_seats = [s for s in session.setup.human_seats if s != scenario.adversary]

    people = [decision for decision in record.decisions if decision["by"] == "person"]
    trajectory = plot_trajectory(
        scenario, record.rung_by_day, people, record.events, figures / "trajectory.png"
    )
    turns = [turn.turn for turn in record.turns]
    knowledge = plot_knowledge(
        turns,
        [turn.true_incidents for turn in record.turns],
        {
            seat: [turn.knowledge.get(seat, {}).get("detected") for turn in record.turns]
            for seat in viewing_seats
        },
        figures / "knowledge.png",
    )
    fans = _copy_fan_plots(_fans(session), figures)
    outcome = _outcome_lines(session, record)
    timeline_header = ["turn", "day", "rung", "true incidents", "injects and white cell", *seats]
    knowledge_header = ["turn", "true incidents", "true pending mobilization", *viewing_seats]
    timeline_rows = _timeline_rows(record, seats)
    knowledge_rows = _knowledge_rows(record, viewing_seats)
    moments = [(day, text) for day, text in record.moments]

    html_path = out_dir / "report.html"
    html_path.write_text(
        _html(
            session,
            outcome,
            trajectory,
            knowledge,
            timeline_header,
            timeline_rows,
            knowledge_header,
            knowledge_rows,
            moments,
            fans,
        ),
        encoding="utf-8",
    )
    md_path = out_dir / "report.md"
    md_path.write_text(
        _markdown(
            session, outcome, timeline_header, timeline_rows, knowledge_header, knowledge_rows, moments, fans
        ),
        encoding="utf-8",
    )
    return [html_path, md_path, trajectory, knowledge]


def _table_html(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1150px; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.6em; }
table { border-collapse: collapse; font-size: 0.82em; width: 100%; }
th, td { border: 1px solid #ddd; padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: #f3f3f3; } tr:nth-child(even) td { background: #fafafa; }
img { max-width: 100%; border: 1px solid #eee; } .muted { color: #666; font-size: 0.9em; }
"""


def _html(
    session: Session,
    outcome: list[str],
    trajectory: Path,
    knowledge: Path,
    timeline_header: list[str],
    timeline_rows: list[list[str]],
    knowledge_header: list[str],
    knowledge_rows: list[list[str]],
    moments: list[tuple[int, str]],
    fans: list[tuple[str, dict[str, Any]]],
) -> str:
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>After-action report: {html.escape(session.scenario.name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>After-action report</h1><p class='muted'>{html.escape(str(session.directory))}</p>",
        "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in outcome) + "</ul>",
        "<h2>Escalation trajectory</h2>",
        f"<img src='figures/{trajectory.name}' alt='escalation trajectory'>",
        "<h2>Key moments</h2><ul>",
        *(f"<li>day {day}: {html.escape(text)}</li>" for day, text in moments),
        "</ul><h2>What each seat knew against what was true</h2>",
        f"<img src='figures/{knowledge.name}' alt='knowledge against truth'>",
        _table_html(knowledge_header, knowledge_rows),
        "<h2>Timeline: incidents, injects and decisions by seat</h2>",
        _table_html(timeline_header, timeline_rows),
        "<h2>Counterfactual fans</h2>",
    ]
    if not fans:
        parts.append(
            "<p class='muted'>None yet: run <code>wargame session branch SESSION_DIR --turn N</code>.</p>"
        )
    for image, summary in fans:
        parts.append(f"<p>{html.escape(_fan_text(summary))}</p><img src='{image}' alt='counterfactual fan'>")
    parts.append(
        "<p class='muted'>Written from the session journal by <code>wargame session report</code>.</p>"
    )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _table_md(header: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _markdown(
    session: Session,
    outcome: list[str],
    timeline_header: list[str],
    timeline_rows: list[list[str]],
    knowledge_header: list[str],
    knowledge_rows: list[list[str]],
    moments: list[tuple[int, str]],
    fans: list[tuple[str, dict[str, Any]]],
) -> str:
    lines = ["# After-action report", "", *(f"- {line}" for line in outcome), ""]
    lines += ["## Escalation trajectory", "", "![escalation trajectory](figures/trajectory.png)", ""]
    lines += ["## Key moments", "", *(f"- day {day}: {text}" for day, text in moments), ""]
    lines += ["## What each seat knew against what was true", "", "![knowledge](figures/knowledge.png)", ""]
    lines += [_table_md(knowledge_header, knowledge_rows), ""]
    lines += [
        "## Timeline: incidents, injects and decisions by seat",
        "",
        _table_md(timeline_header, timeline_rows),
        "",
    ]
    lines += ["## Counterfactual fans", ""]
    if not fans:
        lines.append("None yet: run `wargame session branch SESSION_DIR --turn N`.")
    for image, summary in fans:
        lines += [_fan_text(summary), "", f"![counterfactual fan]({image})", ""]
    return "\n".join(lines) + "\n"
