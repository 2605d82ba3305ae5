"""The journal of a served session's active branch, digested for the pages (built by the play thread)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from wargame.scenario import GrayZone
from wargame.session import WHITE_CELL, JournalEntry, incidents_once

__all__ = ["JournalIndex"]

_WHITE_CELL_KINDS = ("inject", "override", "matrix_roll", "roll_result", "pause", "resume", "rewind")


class JournalIndex:
    """What the journal of the active branch says, digested for the pages (built by the play thread).

    Args:
        branch: The branch whose entries are added.
        gray_zone: The session scenario's gray zone (totals of incidents count each incident once).
    """

    def __init__(self, branch: int, gray_zone: GrayZone) -> None:
        self.branch = branch
        self.gray_zone = gray_zone
        self.views: dict[str, tuple[int, dict[str, Any]]] = {}
        self.history: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.news: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.moves: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.programs: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        self.digests: list[dict[str, Any]] = []
        self.last_digest: dict[str, Any] | None = None
        self.white_log: list[dict[str, Any]] = []
        self.turn_opened: dict[int, str] = {}
        self.outcome: dict[str, Any] | None = None
        self.latest_posture: dict[str, Any] | None = None

    def add(self, entry: JournalEntry) -> None:
        payload = entry.payload
        self.turn_opened.setdefault(entry.turn, entry.time_utc)
        if entry.kind == "view":
            seat, view = payload["seat"], payload["view"]
            self.views[seat] = (entry.seq, view)
            self.latest_posture = {**view["adversary_posture"], "day": view["day"], "war": view["war"]}
            self.news[seat] += view.get("news", [])
            if seat != WHITE_CELL:
                posture = view["adversary_posture"]
                self.history[seat].append(
                    {
                        "turn": entry.turn,
                        "day": view["day"],
                        "rung": posture["rung_name"],
                        "rung_index": posture["rung_index"],
                        "war": view["war"],
                        "warned": view.get("mobilization_warning"),
                        "detected": self._detected(view),
                        "news": len(view.get("news", [])),
                        "decisions": [],
                    }
                )
        elif entry.kind in ("action", "policy_action"):
            seat = payload["seat"]
            by = "person" if entry.kind == "action" else "engine"
            self.moves[entry.turn][seat] = {"action": payload["action"], "seq": entry.seq, "by": by}
            if self.history[seat] and self.history[seat][-1]["turn"] == entry.turn:
                self.history[seat][-1]["decisions"].append(payload["action"] or "pass")
        elif entry.kind == "program":
            seat = payload["seat"]
            self.programs[entry.turn][seat].append({**payload, "seq": entry.seq})
            if self.history[seat] and self.history[seat][-1]["turn"] == entry.turn:
                self.history[seat][-1]["decisions"].append(
                    f"program {payload['program']} → {payload['intensity_per_year']:g}/year"
                )
        elif entry.kind == "turn_adjudicated":
            self.last_digest = payload
            self.digests.append(
                {
                    "turn": payload["turn"],
                    "day": payload["day"],
                    "rung": payload["rung"],
                    "escalation_score": payload["escalation_score"],
                    "war_day": payload["war_day"],
                    "pending_mobilization": payload["pending_mobilization"],
                    "incidents": incidents_once(self.gray_zone, payload["incidents"]),
                }
            )
        elif entry.kind in _WHITE_CELL_KINDS:
            if entry.kind == "roll_result" and self.white_log:
                self.white_log[-1]["result"] = payload
            else:
                self.white_log.append(
                    {"seq": entry.seq, "turn": entry.turn, "kind": entry.kind, "payload": payload}
                )
        elif entry.kind == "finished":
            self.outcome = payload

    def _detected(self, view: dict[str, Any]) -> int:
        """The incidents a seat's view shows detected (0 for the adversary's view, which has no picture)."""
        if "picture" not in view:
            return 0
        return incidents_once(self.gray_zone, [a["detected"] for a in view["picture"]["activities"]])
