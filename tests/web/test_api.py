"""The web console's API on an in-process server: turns, queued early moves, bad requests, pause, rewind,
the report, and a session moving between the web and the terminal."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from web_helpers import Web, close_web, current_turn, open_web, play_turn, write_short_scenario

from wargame.session import Session, debrief
from wargame.session._fan import counterfactual_fan
from wargame.session._frontend import play
from wargame.session._terminal import TerminalFrontEnd


def _inputs(directory: Path) -> Counter:
    with Session.open(directory, read_only=True) as session:
        return Counter(
            (entry.turn, entry.payload["seat"], entry.kind)
            for entry in session.timeline()
            if entry.kind in ("action", "continue", "program")
        )


def _first_allowed(state: dict) -> str | None:
    allowed = [item["id"] for item in state["view"]["menu"] if item["allowed"]]
    return allowed[0] if allowed else None


def test_three_turns_journal_every_command_exactly_once(web: Web) -> None:
    assert web.seat_state("twn")["view"] is None  # no view before the first prompt
    play_turn(web)
    twn_action = _first_allowed(web.seat_state("twn"))
    play_turn(web, twn=twn_action)
    play_turn(web, usa=_first_allowed(web.seat_state("usa")))
    state = web.seat_state("twn")
    assert state["session"]["turn"] == 4
    assert [entry["turn"] for entry in state["history"]] == [1, 2, 3]
    assert state["history"][1]["decisions"] == [twn_action or "pass"]
    close_web(web)
    counts = _inputs(web.directory)
    assert set(counts.values()) == {1}
    assert sorted(counts) == sorted(
        (turn, seat, kind)
        for turn in (1, 2, 3)
        for seat, kind in (("white_cell", "continue"), ("twn", "action"), ("usa", "action"))
    )


def test_a_seat_may_commit_early_and_its_move_applies_when_its_turn_comes(web: Web) -> None:
    play_turn(web)
    turn = current_turn(web)  # the white cell's phase of turn 2
    for seat in ("usa", "twn"):
        response = web.seat(seat, {"kind": "action", "action": None}, turn)
        assert response.status_code == 202, response.text
        assert response.json()["status"] == "queued"
    program = web.seat_state("twn")["view"]["programs"][0]["id"]
    early_program = web.seat("twn", {"kind": "program", "program": program, "intensity_per_year": 50}, turn)
    assert early_program.status_code == 409  # the move is queued: nothing after it in this turn
    dashboard = web.white_cell_state()
    assert [item["seat"] for item in dashboard["queue"]] == ["usa", "twn"]
    assert {row["seat"]: row["state"] for row in dashboard["seats"]}["twn"] == "queued"
    assert [item["seat"] for item in web.seat_state("twn")["queued"]] == ["twn"]  # only its own
    assert web.white_cell({"kind": "continue"}, turn).status_code == 200
    twn, usa = web.seat_state("twn"), web.seat_state("usa")
    assert twn["session"]["turn"] == turn + 1
    assert twn["queued"] == [] and usa["queued"] == []
    assert twn["history"][-1]["decisions"] == ["pass"] and usa["history"][-1]["decisions"] == ["pass"]
    close_web(web)
    assert _inputs(web.directory)[(turn, "twn", "action")] == 1


def test_bad_requests_get_a_clear_4xx_and_change_nothing(web: Web) -> None:
    play_turn(web)
    turn = current_turn(web)
    headers = {**web.auth("twn"), "Content-Type": "application/json"}
    malformed = web.client.post(
        "/api/seats/twn/commands", content=b'{"kind": "action", "turn":', headers=headers
    )
    assert malformed.status_code == 400 and "malformed JSON" in malformed.json()["detail"]
    unknown_kind = web.seat("twn", {"kind": "nuke"}, turn)
    assert unknown_kind.status_code == 422 and "kind" in unknown_kind.json()["detail"]
    extra_field = web.seat("twn", {"kind": "action", "action": None, "seat": "usa"}, turn)
    assert extra_field.status_code == 422
    assert web.seat("twn", {"kind": "action", "action": None}, turn + 1).status_code == 409
    stale = web.seat("twn", {"kind": "action", "action": None}, turn - 1)
    assert stale.status_code == 409 and "out of turn" in stale.json()["detail"]
    off_menu = web.seat("twn", {"kind": "action", "action": "invade"}, turn)
    assert off_menu.status_code == 422 and "not on your menu" in off_menu.json()["detail"]
    big = web.seat("twn", {"kind": "program", "program": "policy_dialogue", "intensity_per_year": 1e9}, turn)
    assert big.status_code == 422
    not_partner = web.seat("twn", {"kind": "program", "program": "nope", "intensity_per_year": 5}, turn)
    assert not_partner.status_code == 422

    # The white cell's own phase: out-of-phase and invalid commands.
    bad_effect = web.white_cell(
        {
            "kind": "inject",
            "text": "x",
            "effects": [{"quantity": "actors.twn.resolv", "add": 1}],
        }
    )
    assert bad_effect.status_code == 422 and "did you mean" in bad_effect.json()["detail"]
    assert web.white_cell({"kind": "resume"}).status_code == 409
    assert web.white_cell({"kind": "rewind", "to_turn": turn + 5}).status_code == 422
    body = {"kind": "continue", "request_id": "abcdef0123456789"}
    assert web.white_cell(body, turn).status_code == 200
    replay = web.white_cell(body, turn)
    assert replay.status_code == 409 and "replayed" in replay.json()["detail"]
    assert web.white_cell({"kind": "continue"}, turn).status_code == 409  # the seats' phase now

    move = {"kind": "action", "action": None, "request_id": "twn-move-0001"}
    assert web.seat("twn", move, turn).status_code == 200
    replayed = web.seat("twn", move, turn)
    assert replayed.status_code == 409 and "replayed" in replayed.json()["detail"]
    again = web.seat("twn", {"kind": "action", "action": None}, turn)
    assert again.status_code == 409 and "already moved" in again.json()["detail"]
    assert web.seat("usa", {"kind": "action", "action": None}, turn).status_code == 200
    close_web(web)
    counts = _inputs(web.directory)
    assert counts[(turn, "twn", "action")] == 1 and counts[(turn, "white_cell", "continue")] == 1
    assert sum(counts.values()) == 6


def test_a_move_the_session_refuses_when_its_turn_comes_is_reported_to_the_seat(web: Web) -> None:
    play_turn(web)
    play_turn(web, twn="raise_alert")  # a 14-day cooldown: not allowed again in the next turn
    turn = current_turn(web)
    state = web.seat_state("twn")
    assert state["history"][-1]["decisions"] == ["raise_alert"]
    assert web.seat("twn", {"kind": "action", "action": "raise_alert"}, turn).status_code == 202
    assert web.white_cell({"kind": "continue"}, turn).status_code == 200
    state = web.seat_state("twn")
    assert state["your_move"] and state["moved"] is None
    assert "not allowed now" in state["notices"][-1]["text"]
    assert web.seat("twn", {"kind": "action", "action": None}, turn).status_code == 200


def test_pause_resume_and_a_rewind_that_drops_queued_moves(web: Web) -> None:
    play_turn(web)
    play_turn(web)
    turn = current_turn(web)
    assert web.white_cell({"kind": "pause"}, turn).status_code == 200
    assert web.white_cell_state()["session"]["paused"]
    paused = web.seat("twn", {"kind": "action", "action": None}, turn)
    assert paused.status_code == 409 and "paused" in paused.json()["detail"]
    assert web.white_cell({"kind": "continue"}, turn).status_code == 409
    assert web.white_cell({"kind": "resume"}, turn).status_code == 200
    assert not web.white_cell_state()["session"]["paused"]
    assert web.seat("usa", {"kind": "action", "action": None}, turn).status_code == 202
    rewind = web.white_cell({"kind": "rewind", "to_turn": 2}, turn)
    assert rewind.status_code == 200, rewind.text
    state = web.seat_state("usa")
    assert state["session"]["turn"] == 2 and state["session"]["branch"] == 1
    assert state["queued"] == [] and "Dropped" in state["notices"][-1]["text"]
    assert [entry["turn"] for entry in state["history"]] == [1]  # the branch's own history
    play_turn(web)
    assert current_turn(web) == 3


def test_the_white_cell_injects_overrides_and_rolls(web: Web) -> None:
    effect = [{"quantity": "actors.twn.resolve", "add": 0.05}]
    inject = web.white_cell({"kind": "inject", "text": "Typhoon season", "effects": effect})
    assert inject.status_code == 200, inject.text
    override = web.white_cell({"kind": "override", "reason": "umpire", "effects": effect})
    assert override.status_code == 200
    roll = web.white_cell(
        {"kind": "matrix_roll", "argument": "a cable repair", "strength": 2, "effects": effect}
    )
    assert roll.status_code == 200 and roll.json()["result"]["needed"] == 7
    log = web.white_cell_state()["log"]
    assert [entry["kind"] for entry in log] == ["inject", "override", "matrix_roll"]
    assert "result" in log[-1]
    play_turn(web)
    news = web.seat_state("usa")["news"]
    assert any(item["text"] == "Typhoon season" for item in news)


@pytest.mark.slow
def test_the_report_opens_to_the_white_cell_and_to_seats_once_finished(web: Web) -> None:
    play_turn(web)
    seat_report = web.client.get("/report", params={"token": web.tokens.by_seat["twn"]})
    assert seat_report.status_code == 403
    report = web.client.get("/report", params={"token": web.tokens.by_seat["white_cell"]})
    assert report.status_code == 200 and "After-action report" in report.text
    assert "data:image/png;base64," in report.text
    while not web.white_cell_state()["session"]["finished"]:
        play_turn(web)
    assert web.client.get("/report", params={"token": web.tokens.by_seat["twn"]}).status_code == 200
    finished = web.seat("twn", {"kind": "action", "action": None}, 99)
    assert finished.status_code == 409 and "finished" in finished.json()["detail"]


@pytest.mark.slow
def test_the_report_shows_a_debrief_and_a_fan_saved_while_the_server_runs(web: Web) -> None:
    """`wargame session debrief` and `branch` save files the report reads while the console serves the
    session: the next report shows them, and a debrief saved again replaces the one shown."""
    while not web.white_cell_state()["session"]["finished"]:
        play_turn(web)
    white_cell = {"token": web.tokens.by_seat["white_cell"]}
    before = web.client.get("/report", params=white_cell).text
    assert "among 20 sessions" not in before and "fan-" not in before

    def not_again(session: Session) -> str:
        raise AssertionError("the report was rendered again though nothing it is built from changed")

    assert web.console.report_html(not_again) == before

    with Session.open(web.directory, read_only=True) as session:
        debrief(session, runs=20)
    with_debrief = web.client.get("/report", params=white_cell).text
    assert "among 20 sessions of its scenario" in with_debrief
    assert web.console.report_html(not_again) == with_debrief

    with Session.open(web.directory, read_only=True) as session:
        debrief(session, runs=30)  # saved again, over the first
    again = web.client.get("/report", params=white_cell).text
    assert "among 30 sessions of its scenario" in again and "among 20 sessions" not in again
    assert "fan-" not in again

    with Session.open(web.directory, read_only=True) as session:
        counterfactual_fan(session, turn=2, runs=8)
    assert "8 continuations" in web.client.get("/report", params=white_cell).text


def test_a_session_moves_between_the_web_and_the_terminal(web: Web) -> None:
    play_turn(web)
    close_web(web)
    lines = iter(["", "continue", "", "pass", "", "pass", ""])

    def read_line(prompt: str) -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    with Session.open(web.directory) as session:
        play(session, TerminalFrontEnd(read_line=read_line, out=io.StringIO(), clear_screen=False))
        assert session.status().turn == 3
    again = open_web(web.directory)
    try:
        state = again.seat_state("twn")
        assert state["session"]["turn"] == 3
        assert [entry["turn"] for entry in state["history"]] == [1, 2]
        play_turn(again)
    finally:
        close_web(again)
    with Session.open(web.directory, read_only=True) as session:
        assert session.status().turn == 4
        session.replay()


def test_a_paused_session_stays_paused_when_served_until_the_white_cell_resumes(web: Web) -> None:
    play_turn(web)
    assert web.white_cell({"kind": "pause"}).status_code == 200
    close_web(web)
    again = open_web(web.directory)
    try:
        assert again.white_cell_state()["session"]["paused"]
        assert again.white_cell({"kind": "continue"}).status_code == 409
        assert again.white_cell({"kind": "resume"}).status_code == 200
        state = again.white_cell_state()
        assert not state["session"]["paused"] and state["your_move"]
        play_turn(again)
    finally:
        close_web(again)


def test_the_white_cell_fires_a_prepared_inject_by_id(tmp_path: Path) -> None:
    scenario = write_short_scenario(tmp_path)
    scenario.write_text(
        scenario.read_text()
        + "inject_library:\n  - {id: rumour, name: Rumour, text: Rumours of a blockade spread online}\n",
        encoding="utf-8",
    )
    Session.create(scenario, tmp_path / "session", seats=("twn", "usa"), white_cell=True, seed=7).close()
    web = open_web(tmp_path / "session")
    try:
        library = web.white_cell_state()["inject_library"]
        assert library == [
            {"id": "rumour", "name": "Rumour", "text": "Rumours of a blockade spread online", "effects": []}
        ]
        unknown = web.white_cell({"kind": "inject", "library": "storm"})
        assert unknown.status_code == 422
        assert "no prepared inject 'storm' (rumour)" in unknown.json()["detail"]
        fired = web.white_cell({"kind": "inject", "library": "rumour"})
        assert fired.status_code == 200, fired.text
        log = web.white_cell_state()["log"]
        assert log[-1]["payload"]["text"] == "Rumours of a blockade spread online"
    finally:
        close_web(web)


def test_an_argument_on_a_finished_turn_or_session_is_refused_and_writes_nothing(web: Web) -> None:
    argument = {"kind": "argument", "action": "Open the Penghu port", "reasons": "it shows resolve"}
    play_turn(web)  # turn 1 is over
    before = len(web.session.journal.entries)
    late = web.seat("twn", argument, turn=1)
    assert late.status_code == 409
    assert late.json()["detail"] == "out of turn: this submission is for turn 1, the session is at turn 2"
    counter = web.seat("usa", {"kind": "counter_argument", "argument": "A1", "reasons": "no"}, turn=1)
    assert counter.status_code == 409 and "for turn 1" in counter.json()["detail"]
    assert len(web.session.journal.entries) == before
    while not web.white_cell_state()["session"]["finished"]:
        play_turn(web)
    before = len(web.session.journal.entries)
    turn = current_turn(web)
    finished = web.seat("twn", argument, turn=turn)
    assert finished.status_code == 409
    assert finished.json()["detail"] == "the session is finished; nothing more can be played"
    assert len(web.session.journal.entries) == before
    close_web(web)
    with Session.open(web.directory, read_only=True) as session:
        kinds = {entry.kind for entry in session.journal.entries}
    assert not kinds & {"argument", "counter_argument"}


def test_a_malformed_debrief_in_the_session_folder_is_a_409_naming_it(web: Web) -> None:
    """The report reads what `wargame session debrief` saved: a crafted file is refused in one short
    line naming the file (within the session folder) and the field, not a server error."""
    (web.directory / "debrief.json").write_text('{"finished": true, "lines": "Debrief"}')
    white_cell = {"token": web.tokens.by_seat["white_cell"]}
    report = web.client.get("/report", params=white_cell)
    assert report.status_code == 409, report.text
    assert "the after-action report cannot be written: debrief.json: " in report.text
    assert str(web.directory) not in report.text and "Traceback" not in report.text
    (web.directory / "debrief.json").unlink()
    assert web.client.get("/report", params=white_cell).status_code == 200
