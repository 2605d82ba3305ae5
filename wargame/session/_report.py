"""The after-action report of a session, written from its journal: HTML and Markdown with PNG plots.

Sections: the outcome; the escalation trajectory; the timeline of incidents, injects and decisions by seat;
what each seat knew against what was true at each decision; key moments (first detection, first timely
attribution, every rung change, mobilization warnings, war); and any counterfactual fans written by
``wargame session branch``.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from wargame._text import ordinal, terminal_text
from wargame.errors import InputError
from wargame.scenario import Scenario
from wargame.session._commands import WHITE_CELL
from wargame.session._incidents import incidents_once, nesting_sentence
from wargame.session._journal import JournalEntry
from wargame.session._plots import plot_knowledge, plot_trajectory
from wargame.session._saved import FanSummary, SavedDebrief, read_debrief, read_fans
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
    arguments: list[dict[str, Any]] = field(default_factory=list)


class Names:
    """What people read instead of ids: actors', actions' and rungs' names from the scenario."""

    def __init__(self, scenario: Scenario) -> None:
        self.actors = {actor.id: actor.name for actor in scenario.actors}
        self.actors[WHITE_CELL] = "white cell"
        self.rungs = {rung.id: rung.name for rung in scenario.escalation.rungs}
        self.responses = {
            (actor.id, response.id): response.name
            for actor in scenario.actors
            for response in actor.responses
        }
        self.programs = {program.id: program.id.replace("_", " ") for program in scenario.programs}
        self.adversary = scenario.adversary

    def actor(self, seat: str) -> str:
        return self.actors.get(seat, seat)

    def action(self, seat: str, action: str | None) -> str:
        if action is None:
            return "pass"
        if seat == self.adversary:
            return self.rungs.get(action, action)
        return self.responses.get((seat, action), action)

    def rung(self, rung: str | None) -> str:
        return "none" if rung is None else self.rungs.get(rung, rung)


def read_record(session: Session) -> SessionRecord:
    """Digest the active branch's journal entries into turns, moments and plot series (with names)."""
    scenario = session.scenario
    names = Names(scenario)
    rungs = scenario.escalation.rungs
    turn_days = scenario.turn_length_days
    gray_zone = scenario.gray_zone
    timeline: list[JournalEntry] = session.timeline()
    turns: dict[int, TurnRecord] = {}
    rung_by_day: list[int] = []
    incidents_before = 0
    moments: list[tuple[int, str]] = []
    decisions: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    first_seen: dict[tuple[str, str], int] = {}
    warned: dict[str, bool] = {}
    arguments: dict[str, dict[str, Any]] = {}
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
            incidents = incidents_once(gray_zone, payload["incidents"])
            record = turn_record(entry.turn + 1)
            record.true_incidents = incidents - incidents_before
            record.rung_before = names.rung(payload["rung"])
            record.knowledge.setdefault("truth", {})["pending_mobilization"] = names.rung(
                payload["pending_mobilization"]
            )
            incidents_before = incidents
        elif entry.kind == "view" and payload["seat"] != WHITE_CELL:
            view = payload["view"]
            seat = payload["seat"]
            record = turn_record(entry.turn)
            if "picture" in view:
                activities = view["picture"]["activities"]
                detected = incidents_once(gray_zone, [a["detected"] for a in activities])
                attributed = incidents_once(gray_zone, [a["attributed_in_time"] for a in activities])
                record.knowledge[seat] = {
                    "detected": detected,
                    "attributed": attributed,
                    "warned": view["mobilization_warning"],
                }
                for what, count in (("detection", detected), ("timely attribution", attributed)):
                    if count and (seat, what) not in first_seen:
                        first_seen[(seat, what)] = view["day"]
                        moments.append(
                            (view["day"], f"{names.actor(seat)}'s first {what} ({count} incidents)")
                        )
                if view["mobilization_warning"] and not warned.get(seat):
                    moments.append((view["day"], f"{names.actor(seat)} is warned of a mobilization"))
                warned[seat] = view["mobilization_warning"]
        elif entry.kind in ("action", "policy_action"):
            seat, action = payload["seat"], payload["action"]
            by = "person" if entry.kind == "action" else "engine"
            turn_record(entry.turn).decisions.setdefault(seat, []).append(
                f"{names.action(seat, action)} ({by})"
            )
            if action is not None:
                decisions.append(
                    {
                        "day": entry.turn * turn_days,
                        "seat": seat,
                        "action": action,
                        "name": names.action(seat, action),
                        "by": by,
                    }
                )
        elif entry.kind == "program":
            program = names.programs.get(payload["program"], payload["program"])
            text = f"program {program} → {payload['intensity_per_year']:g}/year"
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
        elif entry.kind == "argument":
            arguments[f"A{len(arguments) + 1}"] = {
                "id": f"A{len(arguments) + 1}",
                "turn": entry.turn,
                "seat": names.actor(payload["seat"]),
                "action": payload["action"],
                "reasons": payload["reasons"],
                "counters": [],
                "result": None,
            }
        elif entry.kind == "counter_argument" and payload["argument"] in arguments:
            arguments[payload["argument"]]["counters"].append(
                f"{names.actor(payload['seat'])}: {payload['reasons']}"
            )
        elif entry.kind == "roll_result":
            previous = timeline[timeline.index(entry) - 1]
            argued = previous.payload.get("on_argument") if previous.kind == "matrix_roll" else None
            if argued in arguments:
                verdict = "succeeded" if payload["success"] else "failed"
                arguments[argued]["result"] = (
                    f"turn {previous.turn}: 2d6 {payload['dice']} {payload['modifier']:+d} = "
                    f"{payload['total']}: {verdict}"
                )
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
        arguments=list(arguments.values()),
    )


def _outcome_lines(session: Session, record: SessionRecord) -> list[str]:
    status = session.status()
    names = Names(session.scenario)
    people = ", ".join(names.actor(seat) for seat in status.human_seats) or "none"
    engines = ", ".join(f"{names.actor(s)} ({k})" for s, k in status.engine_seats.items()) or "none"
    lines = [
        f"Scenario: {session.scenario.name} (sha256 {session.header['scenario_sha256'][:16]}…), "
        f"seed {status.seed}",
        f"People: {people}{' and a white cell' if status.white_cell else ''}; engine: {engines}",
        f"Branch {status.branch} of {status.branches}; {len(record.turns)} turns played.",
    ]
    outcome = record.outcome
    if outcome is None:
        lines.append(f"In play: turn {status.turn}, day {status.day}.")
    else:
        war = f"war on day {outcome['war_day']:.0f}" if outcome["war"] else "no war"
        lines.append(
            f"Outcome: {war}; highest rung {names.rung(outcome['max_rung_id'])}; escalation score "
            f"{outcome['escalation_score']}; {outcome['incidents_total']} gray-zone incidents, "
            f"{outcome['detected_total']} detected by {names.actor(session.scenario.defender)}'s picture."
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


def _fan_text(summary: FanSummary) -> str:
    actual = summary.actual
    text = (
        f"{summary.runs} continuations from turn {summary.turn} under the default policies: "
        f"P(war) {actual.war_probability:.1%}, mean escalation score "
        f"{actual.escalation_score_mean:.1f}; this session's escalation score sits at the "
        f"{ordinal(round(summary.escalation_score_percentile))} percentile"
    )
    day, so_far = summary.compared_at_day, actual.so_far
    if day is None or so_far is None:
        text += "."
    else:
        text += (
            f" of the continuations' scores on day {day}, where the unfinished session stands "
            f"(by then: P(war) {so_far.war_probability:.1%}, "
            f"mean escalation score {so_far.escalation_score_mean:.1f})."
        )
    swapped = summary.swapped
    if swapped is not None:
        text += (
            f" If {swapped.label}: P(war) {swapped.war_probability:.1%}, mean escalation score "
            f"{swapped.escalation_score_mean:.1f}."
        )
    if summary.conditioning is not None:
        text += "".join(f" {line}" for line in summary.conditioning.statement)
    return text


def _context(
    session: Session, record: SessionRecord, figures: dict[str, str], debrief: SavedDebrief | None
) -> dict[str, Any]:
    """Everything the report templates show, as plain values."""
    scenario = session.scenario
    names = Names(scenario)
    seats = [scenario.adversary, *(a.id for a in scenario.allied_actors)]
    viewing_seats = [s for s in session.setup.human_seats if s != scenario.adversary]
    return {
        "scenario_name": scenario.name,
        "directory": str(session.directory),
        "outcome": _outcome_lines(session, record),
        "trajectory": figures["trajectory"],
        "knowledge": figures["knowledge"],
        "moments": [(day, text) for day, text in record.moments],
        "counted_once": nesting_sentence(scenario.gray_zone),
        "knowledge_table": {
            "header": [
                "turn",
                "true incidents",
                "true pending mobilization",
                *(names.actor(seat) for seat in viewing_seats),
            ],
            "rows": _knowledge_rows(record, viewing_seats),
        },
        "timeline_table": {
            "header": [
                "turn",
                "day",
                "rung",
                "true incidents",
                "injects and white cell",
                *(names.actor(seat) for seat in seats),
            ],
            "rows": _timeline_rows(record, seats),
        },
        "fans": [],
        "arguments": record.arguments,
        "debrief": [] if debrief is None else list(debrief.lines),
    }


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_PATHS = frozenset({"trajectory", "knowledge", "image"})


def markdown_text(text: str) -> str:
    """Return ``text`` safe inside Markdown: control characters escaped (the file may be printed on a
    terminal), HTML escaped, Markdown's special characters backslashed, line breaks as spaces (a table
    cell or list item stays on its line)."""
    text = html.escape(" ".join(terminal_text(str(text)).split()), quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _escaped(value: Any, key: str = "") -> Any:
    if isinstance(value, str):
        return value if key in _PATHS else markdown_text(value)
    if isinstance(value, dict):
        return {k: _escaped(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(item, key) for item in value]
    return value


@functools.cache
def _templates() -> tuple[jinja2.Template, jinja2.Template]:
    loader = jinja2.PackageLoader("wargame.session", "templates")
    html_env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)
    markdown_env = jinja2.Environment(
        loader=loader, autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    return html_env.get_template("report.html.j2"), markdown_env.get_template("report.md.j2")


def write_report(session: Session, out_dir: Path | None = None) -> list[Path]:
    """Write ``report.html``, ``report.md`` and their figures; return the paths written.

    Raises:
        InputError: If a fan or the debrief saved in the session folder is not what ``wargame session
            branch`` or ``debrief`` write (nothing is written then), or the report cannot be written in
            ``out_dir``.
    """
    fans = [(fan.plot_name, fan.plot, _fan_text(fan.summary)) for fan in read_fans(session.directory)]
    debrief = read_debrief(session.directory)
    record = read_record(session)
    out_dir = out_dir or session.directory / "report"
    try:
        return _write(session, record, fans, debrief, out_dir)
    except OSError as error:
        raise InputError(
            f"cannot write the report ({error.strerror or error})", source=str(out_dir)
        ) from None


def _write(
    session: Session,
    record: SessionRecord,
    fans: list[tuple[str, bytes, str]],
    debrief: SavedDebrief | None,
    out_dir: Path,
) -> list[Path]:
    figures = out_dir / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    scenario = session.scenario
    viewing_seats = [s for s in session.setup.human_seats if s != scenario.adversary]
    people = [decision for decision in record.decisions if decision["by"] == "person"]
    trajectory = plot_trajectory(
        scenario, record.rung_by_day, people, record.events, figures / "trajectory.png"
    )
    knowledge = plot_knowledge(
        scenario,
        [turn.turn for turn in record.turns],
        [turn.true_incidents for turn in record.turns],
        {
            seat: [turn.knowledge.get(seat, {}).get("detected") for turn in record.turns]
            for seat in viewing_seats
        },
        figures / "knowledge.png",
    )
    context = _context(
        session,
        record,
        {"trajectory": f"figures/{trajectory.name}", "knowledge": f"figures/{knowledge.name}"},
        debrief,
    )
    for plot_name, plot, text in fans:
        target = figures / f"fan-{plot_name}"
        target.write_bytes(plot)
        context["fans"].append({"image": f"figures/{target.name}", "text": text})
    html_template, markdown_template = _templates()
    html_path = out_dir / "report.html"
    html_path.write_text(html_template.render(context) + "\n", encoding="utf-8")
    md_path = out_dir / "report.md"
    md_path.write_text(markdown_template.render(_escaped(context)), encoding="utf-8")
    return [html_path, md_path, trajectory, knowledge]
