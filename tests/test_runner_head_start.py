"""The calling process simulates the last runs of the last chunks while a new process pool starts.

The results are the chunks' results in order, joined from their pieces, and the files a run writes are the
bytes a serial run writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

import wargame
import wargame.runner._runs
from wargame.runner import Chunks, run_to_parquet
from wargame.runner._head_start import map_chunks_with_head_start
from wargame.runner.executors import SerialExecutor


class SlowStart(SerialExecutor):
    """Runs tasks when submitted, but the first submit waits until the caller has computed ``pieces``
    pieces itself (as a fork server importing the model keeps the first task waiting)."""

    def __init__(self, pieces: int) -> None:
        super().__init__()
        self.pieces = pieces
        self.computed_here = 0
        self.enough = threading.Event()
        self.sent: list[range] = []
        self.inside = False  # computing a submitted task

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        if not self.sent:
            assert self.enough.wait(timeout=30)
        self.sent.append(args[0])
        self.inside = True
        try:
            return super().submit(fn, *args, **kwargs)
        finally:
            self.inside = False


def head_start(
    executor: SlowStart, runs: int, size: int, window: int, workers: int, piece: int, rounds: int = 5
) -> list:
    main_thread = threading.current_thread()
    here: list[range] = []

    def function(block: range) -> list[int]:
        if threading.current_thread() is main_thread and not executor.inside:
            here.append(block)
            executor.computed_here += 1
            if executor.computed_here == executor.pieces:
                executor.enough.set()
                for thread in threading.enumerate():  # the pool is ready before the next piece
                    if thread.name == "wargame-first-chunks":
                        thread.join()
        return list(block)

    def join(parts: list[list[int]]) -> list[int]:
        return [run for part in parts for run in part]

    results = list(
        map_chunks_with_head_start(
            executor,
            function,
            Chunks(runs, size),
            lambda block: (block,),
            join,
            max_in_flight=window,
            first_sent=window,
            workers=workers,
            piece_runs=piece,
            rounds=rounds,
        )
    )
    return [results, here]


def test_the_caller_takes_rounds_of_pieces_from_the_ends_of_the_last_chunks():
    executor = SlowStart(pieces=5)  # the pool is ready during the third round, which is finished
    results, here = head_start(executor, runs=100, size=10, window=4, workers=2, piece=3)
    assert results == [list(range(start, start + 10)) for start in range(0, 100, 10)]
    assert here == [range(97, 100), range(87, 90), range(94, 97), range(84, 87), range(91, 94), range(81, 84)]
    # The pool gets the first chunks whole and what is left of the last two.
    assert executor.sent[:4] == [range(0, 10), range(10, 20), range(20, 30), range(30, 40)]
    assert executor.sent[-2:] == [range(80, 81), range(90, 91)]
    assert len(executor.sent) == 10


def test_the_caller_stops_after_its_rounds_even_if_the_pool_is_not_ready():
    executor = SlowStart(pieces=100)
    executor.enough.set()  # the sender finishes whenever it is scheduled: the rounds bound the pieces
    results, here = head_start(executor, runs=100, size=10, window=4, workers=2, piece=3, rounds=1)
    assert results == [list(range(start, start + 10)) for start in range(0, 100, 10)]
    assert here in ([], [range(97, 100), range(87, 90)])


def test_a_chunk_computed_whole_by_the_caller_is_not_sent():
    executor = SlowStart(pieces=4)
    results, here = head_start(executor, runs=60, size=10, window=4, workers=2, piece=5)
    assert results == [list(range(start, start + 10)) for start in range(0, 60, 10)]
    assert here == [range(55, 60), range(45, 50), range(50, 55), range(40, 45)]
    assert executor.sent == [range(0, 10), range(10, 20), range(20, 30), range(30, 40)]


def test_no_piece_is_taken_from_the_first_chunks():
    executor = SlowStart(pieces=1)
    executor.enough.set()  # the pool is ready at once: the caller has nothing to wait for
    results, here = head_start(executor, runs=35, size=10, window=4, workers=2, piece=5)
    assert results == [list(range(0, 10)), list(range(10, 20)), list(range(20, 30)), list(range(30, 35))]
    assert here == []


def test_a_failure_to_send_the_first_chunks_is_raised_here():
    class Broken(SerialExecutor):
        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
            raise RuntimeError("pool broke")

    chunks = map_chunks_with_head_start(
        Broken(),
        list,
        Chunks(50, 10),
        lambda block: (block,),
        sum,
        max_in_flight=2,
        first_sent=2,
        workers=2,
        piece_runs=5,
        rounds=1,
    )
    with pytest.raises(RuntimeError, match="pool broke"):
        list(chunks)


@pytest.mark.parametrize("kept_days", [50, None])
def test_a_new_process_pool_writes_the_bytes_of_a_serial_run(
    reference_scenario, tmp_path: Path, monkeypatch, kept_days
):
    """54 runs in chunks of eight on two workers, the caller computing pieces of three runs while the pool
    starts (the fork server takes far longer than three 60-day runs). With the days of the first 50 runs
    kept, a task is a chunk and the last chunk's first piece has days, its second not; without, a task is
    two chunks and the pieces and what is left of a task are cut at the chunks' bounds."""
    monkeypatch.setattr(wargame.runner._runs, "HEAD_START_RUNS", 3)
    monkeypatch.setattr(wargame.runner._runs, "HEAD_START_ROUNDS", 4)
    scenario = wargame.apply_overrides(reference_scenario, {"horizon_days": 60})
    written = {}
    for jobs in (1, 2):
        folder = tmp_path / str(jobs)
        folder.mkdir()
        record = run_to_parquet(
            scenario,
            runs=54,
            seed=5,
            jobs=jobs,
            path=folder / "runs.parquet",
            chunk_runs=8,
            timeseries_path=None if kept_days is None else folder / "timeseries.parquet",
            timeseries_runs=kept_days,
        )
        written[jobs] = sorted((path.name, path.read_bytes()) for path in folder.iterdir())
        written[jobs].append(("tallies", record.runs_at_rung_by_day.tobytes()))
    files = ["runs.parquet"] if kept_days is None else ["runs.parquet", "timeseries.parquet"]
    assert [name for name, _ in written[1]] == [*files, "tallies"]
    assert written[1] == written[2]
