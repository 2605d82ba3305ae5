"""Session benchmarks (issue 5 targets).

* Adjudicating one turn of the reference scenario (from the last seat's move to the next prompt: seven
  days of the model, the turn's journaled state, the next view, the fsync'd commit): at most 50 ms.
* The counterfactual fan of 1,000 continuations with 2 jobs: at most 20 s.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from wargame.session import WHITE_CELL, Continue, SeatAction, Session
from wargame.session._fan import counterfactual_fan

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "taiwan_strait_baseline.yaml"
SEATS = ("twn", "usa", "jpn")


def main() -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        session = Session.create(BASELINE, Path(folder) / "s", seats=SEATS, white_cell=True, seed=12)
        turn_ms = []
        while session.pending is not None:
            prompt = session.pending
            if prompt.seat == WHITE_CELL:
                session.submit(Continue(WHITE_CELL))
                continue
            start = time.perf_counter()
            session.submit(SeatAction(prompt.seat, None))
            if prompt.seat == SEATS[-1]:
                turn_ms.append((time.perf_counter() - start) * 1000)
        turns = len(turn_ms)
        median, worst = statistics.median(turn_ms), max(turn_ms)
        p95 = statistics.quantiles(turn_ms, n=20)[-1] if turns >= 20 else worst
        results.update(turns=turns, turn_ms_median=round(median, 2), turn_ms_p95=round(p95, 2))
        results["turn_ms_max"] = round(worst, 2)
        print(
            f"adjudicating one turn ({turns} turns): median {median:.1f} ms, p95 {p95:.1f} ms, "
            f"max {worst:.1f} ms (target <= 50 ms)"
        )
        session.close()

        start = time.perf_counter()
        with Session.open(Path(folder) / "s", read_only=True) as reopened:
            opened = time.perf_counter() - start
            start = time.perf_counter()
            report = reopened.replay()
            replayed = time.perf_counter() - start
            results["open_seconds"] = round(opened, 3)
            results["replay_seconds"] = round(replayed, 3)
            print(
                f"resume (open and re-simulate): {opened:.2f} s; "
                f"replay check of {report.entries_checked} entries: {replayed:.2f} s"
            )

            start = time.perf_counter()
            counterfactual_fan(reopened, turn=3, runs=1000, jobs=2, out_dir=Path(folder) / "fans")
            fan = time.perf_counter() - start
    results["fan_1000_jobs_2_seconds"] = round(fan, 2)
    print(f"counterfactual fan, 1,000 continuations from turn 3, 2 jobs: {fan:.2f} s (target <= 20 s)")
    return results


if __name__ == "__main__":
    main()
