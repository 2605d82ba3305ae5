"""Every executor behaves the same: serial, local process pool and a real Dask ``LocalCluster`` pass the
executor checks of :mod:`wargame.testing`; the rest are this project's own executor options and chunks."""

from __future__ import annotations

import gc
import os
import weakref
from collections.abc import Iterator
from concurrent.futures import Executor

import pytest

from wargame.runner.chunks import Chunks, map_chunks
from wargame.runner.executors import (
    DaskExecutor,
    SerialExecutor,
    concurrency_of,
    describe_executor,
    make_executor,
)
from wargame.testing import ExecutorSubject, parametrize_with_checks
from wargame.testing._executors import SeededTaskError, add, seeded_draws


class _Node:
    """A node of a reference cycle (what a finished model is: Mesa links model and agents both ways)."""

    def __init__(self) -> None:
        self.payload = bytearray(1 << 16)
        self.self = self


_cycles_left: list[weakref.ref] = []  # in each worker process: the cycles its tasks left behind


def leave_old_cyclic_garbage() -> None:
    """Leave a reference cycle that only a full collection frees (it has survived one)."""
    node = _Node()
    gc.collect()  # the node survives and moves to the oldest generation
    _cycles_left.append(weakref.ref(node))


def cycles_still_alive() -> tuple[int, int]:
    """Return this process's pid and how many cycles left by earlier tasks are still in memory."""
    return os.getpid(), sum(ref() is not None for ref in _cycles_left)


@parametrize_with_checks(
    [
        ExecutorSubject(lambda: make_executor(1), "serial"),
        ExecutorSubject(lambda: make_executor(2), "process-pool"),
    ]
)
def test_executor_conformance(subject, check):
    check(subject)


_dask_scheduler: dict[str, str] = {}  # the address of the module's cluster, once it runs


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[None]:
    """A real Dask ``LocalCluster`` (two single-threaded worker processes) for the module's checks.

    Each check connects a new :class:`DaskExecutor` to its scheduler and shuts it down (closing its client),
    as on a shared cluster. One cluster for every check instead of one each: a cluster's four processes
    (a nanny and a worker per worker) each import Dask and the task's modules on start.
    """
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        _dask_scheduler["address"] = cluster.scheduler_address
        yield
    _dask_scheduler.clear()


@parametrize_with_checks(
    [ExecutorSubject(lambda: make_executor(1, dask_address=_dask_scheduler["address"]), "dask")],
    marks=[pytest.mark.slow],
)
def test_dask_executor_conformance(subject, check, dask_cluster):
    check(subject)


@pytest.fixture(
    scope="module", params=["serial", "process-pool", pytest.param("dask-local", marks=pytest.mark.slow)]
)
def executor(request: pytest.FixtureRequest) -> Iterator[Executor]:
    if request.param == "serial":
        made = make_executor(1)
    elif request.param == "process-pool":
        made = make_executor(2)
    else:
        made = make_executor(1, dask_local_workers=2)
    with made:
        yield made


def test_make_executor_returns_the_requested_kind(executor: Executor) -> None:
    description = describe_executor(executor)
    expected_kind = {SerialExecutor: "serial", DaskExecutor: "dask"}.get(type(executor), "process-pool")
    assert description["kind"] == expected_kind
    assert concurrency_of(executor) == (1 if expected_kind == "serial" else 2)


def sum_of_squares(first: int, runs: list[int]) -> tuple[int, int]:
    """A chunk task: its first run index and the sum of its runs' squares."""
    return first, sum(run * run for run in runs)


def test_map_chunks_yields_every_chunk_in_order_on_every_executor(executor: Executor) -> None:
    runs = list(range(1003))
    chunks = Chunks(len(runs), 100)
    results = list(
        map_chunks(
            executor, sum_of_squares, chunks, lambda chunk: (chunk.start, runs[chunk.start : chunk.stop])
        )
    )
    assert [first for first, _ in results] == list(range(0, 1003, 100))
    assert sum(total for _, total in results) == sum(run * run for run in runs)


def test_chunks_cut_runs_into_fixed_sizes_with_a_short_last_chunk() -> None:
    chunks = Chunks(1003, 100)
    assert len(chunks) == 11
    assert (chunks[0], chunks[10], chunks[-1]) == (range(0, 100), range(1000, 1003), range(1000, 1003))
    assert [len(chunk) for chunk in chunks] == [100] * 10 + [3]
    assert len(Chunks(0, 5)) == 0 and list(Chunks(10, 10)) == [range(0, 10)]
    assert len(Chunks(10**12, 500)) == 2 * 10**9  # computed, never listed
    with pytest.raises(IndexError):
        chunks[11]
    with pytest.raises(ValueError, match="chunk size"):
        Chunks(10, 0)


class _CountingExecutor(SerialExecutor):
    """A serial executor that records how many submitted tasks had not been collected yet."""

    def __init__(self) -> None:
        super().__init__()
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def test_map_chunks_keeps_at_most_max_in_flight_chunks_submitted_ahead() -> None:
    executor = _CountingExecutor()
    results = map_chunks(executor, add, Chunks(100, 10), lambda chunk: (chunk.start, 0), max_in_flight=3)
    ahead = []
    for collected, _ in enumerate(results, start=1):
        ahead.append(executor.submitted - collected)
    assert max(ahead) == 2 and executor.submitted == 10


def test_map_chunks_raises_a_chunk_s_error_in_order() -> None:
    results = map_chunks(SerialExecutor(), seeded_draws, Chunks(3, 1), lambda chunk: (1 - 2 * chunk.start, 1))
    assert next(results) == seeded_draws(1, 1)
    with pytest.raises(SeededTaskError, match="negative seed -1"):
        next(results)


def test_make_executor_rejects_bad_options() -> None:
    with pytest.raises(ValueError, match="jobs must be at least 1"):
        make_executor(0)
    with pytest.raises(ValueError, match="at most one"):
        make_executor(1, dask_address="tcp://127.0.0.1:1", dask_local_workers=1)


def test_pool_workers_free_a_task_s_cyclic_garbage_when_the_task_returns() -> None:
    with make_executor(2) as pool:
        for future in [pool.submit(leave_old_cyclic_garbage) for _ in range(6)]:
            future.result(timeout=60)
        reports = [pool.submit(cycles_still_alive).result(timeout=60) for _ in range(6)]
    assert [alive for _, alive in reports] == [0] * 6
