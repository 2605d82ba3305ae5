"""Each seat's view holds nothing its side could not know, checked against the ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from session_helpers import REFERENCE, play_out, write_short_scenario

from wargame.session import WHITE_CELL, Session

ALLIED_VIEW_KEYS = {
    "seat", "turn", "day", "adversary_posture", "war", "kind", "actor_name", "mobilization_warning",
    "picture", "own", "programs", "menu", "news", "own_actions",
}  # fmt: skip
GROUND_TRUTH_KEYS = {
    "incidents",
    "pending_mobilization",
    "quantities",
    "pictures",
    "escalation_score",
    "war_day",
}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _played(tmp_path: Path, scenario: Path, seats: tuple[str, ...], seed: int) -> Session:
    session = Session.create(scenario, tmp_path / "s", seats=seats, white_cell=True, seed=seed)
    play_out(session)
    return session


def _views_and_truth(session: Session):
    """Yield (seat, view, truth at that decision point, truth at the previous one, truth at the next)."""
    timeline = session.timeline()
    digests = {entry.turn + 1: entry.payload for entry in timeline if entry.kind == "turn_adjudicated"}
    for entry in timeline:
        if entry.kind == "view" and entry.payload["seat"] != WHITE_CELL:
            turn = entry.turn
            truth, previous, after = digests[turn], digests.get(turn - 1), digests[turn + 1]
            yield entry.payload["seat"], entry.payload["view"], truth, previous, after


@pytest.mark.parametrize("seed", [5, pytest.param(21, marks=pytest.mark.slow)])  # a whole session each
def test_allied_views_hold_only_their_own_picture(tmp_path: Path, seed: int) -> None:
    session = _played(tmp_path, REFERENCE, ("twn", "usa", "jpn"), seed)
    checked = 0
    below_truth = {"twn": 0, "usa": 0, "jpn": 0}
    for seat, view, truth, previous, after in _views_and_truth(session):
        checked += 1
        assert set(view) == ALLIED_VIEW_KEYS
        assert not (_keys(view) & GROUND_TRUTH_KEYS)
        # Own state, and links it is party to; never the adversary's quantities or its perceptions.
        for path in view["own"]:
            section, key, *_ = path.split(".")
            assert (section == "actors" and key == seat) or (section == "links" and seat in key.split("-"))
        # The picture is the seat's own: never more than happened, and exactly what its sources caught.
        detected = [a["detected"] for a in view["picture"]["activities"]]
        true_now = truth["incidents"]
        true_before = previous["incidents"] if previous else [0] * len(true_now)
        for j, count in enumerate(detected):
            assert 0 <= count <= true_now[j] - true_before[j]
            assert view["picture"]["activities"][j]["attributed_in_time"] <= count
        assert [a["detected_to_date"] for a in view["picture"]["activities"]] == truth["detected"][seat]
        below_truth[seat] += sum(true_now) - sum(a["detected_to_date"] for a in view["picture"]["activities"])
        # A mobilization warning only when one is really under way (it may have begun this decision).
        if view["mobilization_warning"]:
            under_way = (truth["pending_mobilization"], after["pending_mobilization"], after["war_day"])
            assert any(fact is not None for fact in under_way)
        # The posture is public: allies see the rung the adversary has just chosen (it moves first).
        rungs = [rung.id for rung in session.scenario.escalation.rungs]
        assert view["adversary_posture"]["rung"] == rungs[after["rung_by_day"][0]]
        sources = {source["from"] for source in view["picture"]["sources"]}
        links_in = {link.from_actor for link in session.scenario.links if link.to_actor == seat}
        assert sources == {seat} | links_in
    assert checked >= 3 * 5
    assert all(missed > 0 for missed in below_truth.values())  # no seat saw everything


def test_a_seat_without_sensors_or_links_sees_no_incidents(tmp_path: Path) -> None:
    scenario = write_short_scenario(tmp_path, horizon_days=70)
    text = scenario.read_text() + "actors:\n  - {id: jpn, isr_detection_probability: 0.0}\n"
    scenario.write_text(text)
    session = _played(tmp_path, scenario, ("jpn", "usa"), seed=2)
    truth_total = 0
    for seat, view, truth, _, _ in _views_and_truth(session):
        truth_total = sum(truth["incidents"])
        if seat == "jpn":
            assert all(a["detected"] == 0 for a in view["picture"]["activities"])
            assert view["mobilization_warning"] is False
        else:
            assert sum(a["detected_to_date"] for a in view["picture"]["activities"]) > 0
    assert truth_total > 0


def test_the_adversary_seat_sees_its_own_operations_not_the_allies_pictures(tmp_path: Path) -> None:
    session = _played(tmp_path, write_short_scenario(tmp_path), ("prc", "twn"), seed=4)
    for seat, view, truth, previous, _ in _views_and_truth(session):
        if seat != "prc":
            continue
        assert {path.split(".")[1] for path in view["own"]} == {"prc"}
        assert "picture" not in view and "mobilization_warning" not in view
        before = previous["incidents"] if previous else [0] * len(truth["incidents"])
        conducted = [op["conducted"] for op in view["operations"]]
        assert conducted == [now - then for now, then in zip(truth["incidents"], before, strict=True)]
