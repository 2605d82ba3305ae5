"""Web console load test on loopback (issue 6): 10 seats submit concurrently for 50 turns.

The reference scenario has three allied actors, so the benchmark writes a variant with seven more allies
(copies of Japan with one mild response and an information link to Taiwan): ten allied seats, all played
by people, the adversary by its expected-utility policy, no white cell, 50 weekly turns (seed 1 reaches
the horizon without war). A real ``python -m wargame.web`` server runs on 127.0.0.1; ten client threads,
one per seat, are released together at the start of each turn and each sends its move (in turn 1, when
no seat has a view yet, a seat retries until its move is accepted). Every tenth turn each seat also
resends its move with the same request id, which must be refused.

Reported: the median (and 90th percentile, maximum) *adjudication latency* — from the moment the last
seat's move of a turn is sent to the moment a client following the server-sent events sees the next
turn open — and the turn's wall time. Afterwards the journal is checked: every move is there exactly
once, and nothing else. Bounded: 50 turns, at most 120 s.
"""

from __future__ import annotations

import copy
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import yaml

from tests.web.web_helpers import served
from wargame.session import Session

REFERENCE = Path(__file__).resolve().parent.parent / "scenarios" / "taiwan_strait_baseline.yaml"
TURNS = 50
EXTRA_ALLIES = 7
SEED = 1
DEADLINE_SECONDS = 120.0


def write_ten_seat_scenario(folder: Path) -> tuple[Path, list[str]]:
    """Write the reference scenario with seven more allies and a 50-turn horizon; return it and its seats."""
    document = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    model = next(actor for actor in document["actors"] if actor["id"] == "jpn")
    extra = []
    for number in range(1, EXTRA_ALLIES + 1):
        ally = copy.deepcopy(model)
        ally.update(id=f"ally{number}", name=f"Ally {number}", source="benchmark: a copy of Japan")
        ally["responses"] = [
            {
                "id": "statement",
                "name": "Statement of support",
                "escalation_category": "posturing",
                "effects": [{"quantity": "actors.twn.resolve", "add": 0.001}],
                "cooldown_days": 14,
            }
        ]
        extra.append(ally)
    adversary = next(i for i, actor in enumerate(document["actors"]) if actor["side"] == "adversary")
    document["actors"][adversary:adversary] = extra
    document["links"] += [
        {
            "from": ally["id"],
            "to": "twn",
            "latency_hours": 24,
            "fidelity": 0.7,
            "domains": ["air", "maritime"],
        }
        for ally in extra
    ]
    document["name"] = "Ten allied seats (benchmark)"
    document["horizon_days"] = 7 * (TURNS + 1)
    path = folder / "ten_seats.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    seats = [actor["id"] for actor in document["actors"] if actor["side"] == "allied"]
    return path, seats


class _Seat(threading.Thread):
    """One player: at each turn's barrier, sends its move (and sometimes a replay of it)."""

    def __init__(self, seat: str, base: str, token: str, start: threading.Barrier, done: threading.Barrier):
        super().__init__(daemon=True, name=f"seat-{seat}")
        self.seat, self.start_barrier, self.done_barrier = seat, start, done
        self.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        self.turn = 0
        self.sent: dict[int, float] = {}
        self.statuses: Counter = Counter()
        self.error: str | None = None

    def run(self) -> None:
        try:
            for turn in range(1, TURNS + 1):
                self.start_barrier.wait(timeout=DEADLINE_SECONDS)
                self.turn = turn
                self._move(turn)
                self.done_barrier.wait(timeout=DEADLINE_SECONDS)
        except Exception as error:  # report, do not hang the others
            self.error = f"{type(error).__name__}: {error}"
            self.start_barrier.abort()
            self.done_barrier.abort()

    def _move(self, turn: int) -> None:
        request_id = f"{self.seat}-t{turn:03d}-move"
        body = {"kind": "action", "action": None, "turn": turn, "request_id": request_id}
        deadline = time.monotonic() + 30
        while True:
            self.sent[turn] = time.perf_counter()
            response = self.client.post(f"/api/seats/{self.seat}/commands", json=body)
            self.statuses[response.status_code] += 1
            if response.status_code in (200, 202):
                break
            if response.status_code == 409 and "first view" in response.text and time.monotonic() < deadline:
                time.sleep(0.01)  # turn 1: no view yet; the move is sent when the seat's prompt comes
                continue
            raise RuntimeError(f"{self.seat} turn {turn}: {response.status_code} {response.text}")
        if turn % 10 == 0:
            replay = self.client.post(f"/api/seats/{self.seat}/commands", json=body)
            self.statuses[f"replay {replay.status_code}"] += 1
            if replay.status_code != 409:
                raise RuntimeError(f"{self.seat}: a replayed move got {replay.status_code}")


def main() -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-web-") as folder:
        folder_path = Path(folder)
        scenario, seats = write_ten_seat_scenario(folder_path)
        directory = folder_path / "session"
        Session.create(scenario, directory, seats=seats, seed=SEED).close()
        with served(directory) as server:
            base = server.base_url
            tokens = {seat: server.token(seat) for seat in server.links}
            started = time.monotonic()
            start = threading.Barrier(len(seats) + 1)
            done = threading.Barrier(len(seats) + 1)
            players = [_Seat(seat, base, tokens[seat], start, done) for seat in seats]
            for player in players:
                player.start()
            observer = httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {tokens['white_cell']}"}, timeout=30
            )
            latencies, walls = [], []
            with observer.stream("GET", "/api/white-cell/events") as events:
                lines = events.iter_lines()
                for turn in range(1, TURNS + 1):
                    if time.monotonic() - started > DEADLINE_SECONDS:
                        raise RuntimeError(f"over {DEADLINE_SECONDS:.0f} s at turn {turn}")
                    released = time.perf_counter()
                    start.wait(timeout=DEADLINE_SECONDS)
                    while True:  # follow the pushes until the next turn opens (or the session ends)
                        line = next(lines)
                        if line != "event: changed":
                            continue
                        session = observer.get("/api/white-cell/state").json()["session"]
                        if session["turn"] > turn or session["finished"]:
                            opened = time.perf_counter()
                            break
                    done.wait(timeout=DEADLINE_SECONDS)
                    last_sent = max(player.sent[turn] for player in players)
                    latencies.append(opened - last_sent)
                    walls.append(opened - released)
                    if session["finished"]:
                        break
            errors = [player.error for player in players if player.error]
            if errors:
                raise RuntimeError("; ".join(errors))
            statuses: Counter = Counter()
            for player in players:
                statuses.update(player.statuses)
        with Session.open(directory, read_only=True) as session:
            moves = Counter(
                (entry.turn, entry.payload["seat"]) for entry in session.timeline() if entry.kind == "action"
            )
            turns_played = len(latencies)
            expected = {(turn, seat) for turn in range(1, turns_played + 1) for seat in seats}
            exactly_once = set(moves) == expected and set(moves.values()) == {1}
    results["seats"] = len(seats)
    results["turns"] = turns_played
    results["moves_journaled"] = sum(moves.values())
    results["every_move_exactly_once"] = exactly_once
    results["replays_refused"] = statuses.get("replay 409", 0)
    results["adjudication_latency_median_ms"] = round(statistics.median(latencies) * 1000, 1)
    results["adjudication_latency_p90_ms"] = round(statistics.quantiles(latencies, n=10)[-1] * 1000, 1)
    results["adjudication_latency_max_ms"] = round(max(latencies) * 1000, 1)
    results["turn_wall_median_ms"] = round(statistics.median(walls) * 1000, 1)
    results["total_seconds"] = round(time.monotonic() - started, 1)
    print(
        f"{len(seats)} seats x {turns_played} turns over loopback: "
        f"{results['moves_journaled']} moves journaled, every move exactly once: {exactly_once}; "
        f"{results['replays_refused']} replayed moves refused (409)"
    )
    print(
        f"adjudication latency (last move sent -> next turn seen over SSE): median "
        f"{results['adjudication_latency_median_ms']} ms, p90 {results['adjudication_latency_p90_ms']} ms, "
        f"max {results['adjudication_latency_max_ms']} ms; "
        f"turn wall time median {results['turn_wall_median_ms']} ms; total {results['total_seconds']} s"
    )
    print(f"responses: {dict(statuses)}")
    if not exactly_once:
        raise AssertionError("a move was lost or applied twice")
    return results


if __name__ == "__main__":
    main()
