"""The sweep's driver: a bounded window of tasks in flight on an executor, each finished task written.

Tasks finish in any order and are written as they finish. A failed task is sent again up to ``retries``
times; a process pool that breaks (a worker killed, out of memory or crashed in native code) is replaced
and the tasks it lost are sent again, each up to :data:`LOST_TASK_ATTEMPTS` times.
"""

from __future__ import annotations

import sys
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from tqdm import tqdm

from wargame.errors import WargameError
from wargame.experiments._design import Design
from wargame.experiments._seeds import run_seeds
from wargame.experiments._store import SweepStore
from wargame.experiments._tasks import Evaluator, TaskInput, TaskOutput, chunks_of_task, evaluate_task
from wargame.runner.executors import ProcessPool, concurrency_of

__all__ = ["LOST_TASK_ATTEMPTS", "SweepAbortedError", "drive"]


class SweepAbortedError(WargameError):
    """A task failed outside the evaluator more often than retries allow.

    For example a task that could not be sent to a worker, a Dask task whose workers kept dying, or a task
    lost with :data:`LOST_TASK_ATTEMPTS` crashed process pools. The parts finished before are kept;
    continue the sweep with ``resume=True``.
    """


LOST_TASK_ATTEMPTS = 3
"""The sweep stops when a task was lost this many times with a crashed process-pool worker (like Dask's
``allowed-failures``): a task that keeps killing its worker is the likely culprit, not bad luck."""


def drive(
    executor: Executor,
    store: SweepStore,
    todo: deque[int],
    *,
    design: Design,
    evaluator: Evaluator,
    replications: int,
    root_seed: int,
    common_seeds: bool,
    total_runs: int,
    runs_per_part: int,
    outcomes: tuple[str, ...] | None,
    retries: int,
    run_timeout_seconds: float | None,
    initial_runs: int,
    initial_failed: int,
    progress: bool,
    counters: dict[str, int],
) -> None:
    """Keep a bounded window of tasks in flight and write each finished one.

    A process pool that breaks (a worker killed, out of memory or crashed in native code) is replaced by
    a new one and the tasks it lost are sent again, each up to :data:`LOST_TASK_ATTEMPTS` times;
    ``counters["pool_restarts"]`` counts the replacements.
    """
    point_values = design.points[design.parameter_names].to_dict(orient="records")

    def task_input(part: int) -> TaskInput:
        chunks = tuple(
            (
                chunk,
                point_values[chunk.point],
                run_seeds(
                    root_seed, design.seed_key(chunk.point), chunk.start, chunk.stop, common=common_seeds
                ),
            )
            for chunk in chunks_of_task(
                part, replications=replications, total_runs=total_runs, runs_per_part=runs_per_part
            )
        )
        return TaskInput(part, chunks)

    window = 2 * concurrency_of(executor) + 1
    in_flight: dict[Future, int] = {}
    attempts: dict[int, int] = {}
    lost: dict[int, int] = {}
    replacement: ProcessPoolExecutor | None = None
    failed = initial_failed
    bar = tqdm(
        total=total_runs,
        initial=initial_runs,
        unit="run",
        desc="sweep",
        disable=not progress,
        dynamic_ncols=True,
        smoothing=0.05,
        file=sys.stderr,
    )
    bar.set_postfix(failed=failed, refresh=False)

    def write(output: TaskOutput) -> None:
        nonlocal failed
        entry = store.write_part(output)
        failed += entry.failed
        bar.set_postfix(failed=failed, refresh=False)
        bar.update(entry.rows + entry.failed)

    def recover(broken: Exception, parts: list[int]) -> None:
        """Replace the broken pool and queue its lost tasks again, or stop if one was lost too often."""
        nonlocal executor, replacement
        for part in parts:
            lost[part] = lost.get(part, 0) + 1
        worst = max(parts, key=lambda part: lost[part])
        if lost[worst] >= LOST_TASK_ATTEMPTS or not isinstance(executor, ProcessPoolExecutor):
            raise SweepAbortedError(
                f"task {worst} was lost with a crashed worker process {lost[worst]} times "
                f"({type(broken).__name__}); finished parts are kept, continue with --resume"
            ) from broken
        todo.extendleft(sorted(parts, reverse=True))
        if replacement is not None:
            replacement.shutdown(wait=False, cancel_futures=True)
        replacement = _new_pool_like(executor)
        executor = replacement
        counters["pool_restarts"] += 1
        bar.write(
            f"sweep: a worker process died ({type(broken).__name__}); started a new process pool and "
            f"sent its {len(parts)} unfinished task(s) again",
            file=sys.stderr,
        )

    try:
        while todo or in_flight:
            while todo and len(in_flight) < window:
                part = todo.popleft()
                try:
                    future = executor.submit(
                        evaluate_task,
                        evaluator,
                        task_input(part),
                        outcomes=outcomes,
                        retries=retries,
                        run_timeout_seconds=run_timeout_seconds,
                    )
                except BrokenProcessPool as error:  # it broke since the last wait
                    recover(error, [part, *_drain_broken(in_flight, write)])
                    continue
                in_flight[future] = part
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=in_flight.__getitem__):
                if future not in in_flight:
                    continue  # written or re-queued while recovering from a broken pool
                part = in_flight.pop(future)
                try:
                    output = future.result()
                except BrokenProcessPool as error:
                    recover(error, [part, *_drain_broken(in_flight, write)])
                    break
                except Exception as error:
                    attempts[part] = attempts.get(part, 0) + 1
                    if attempts[part] <= retries:
                        todo.appendleft(part)
                        continue
                    detail = "".join(traceback.format_exception_only(error)).strip()
                    raise SweepAbortedError(
                        f"task {part} failed outside the evaluator after {attempts[part]} attempt(s): "
                        f"{detail}; finished parts are kept, continue with --resume"
                    ) from error
                write(output)
    except BaseException:
        for future in in_flight:
            future.cancel()
        raise
    finally:
        bar.close()
        if replacement is not None:
            replacement.shutdown(wait=True, cancel_futures=True)


def _drain_broken(in_flight: dict[Future, int], write: Callable[[TaskOutput], None]) -> list[int]:
    """Empty ``in_flight`` after its pool broke: write the tasks that finished, return the lost ones."""
    wait(in_flight)  # a broken pool fails every pending future at once
    lost: list[int] = []
    for future, part in sorted(in_flight.items(), key=lambda item: item[1]):
        if future.exception() is None:
            write(future.result())
        else:
            lost.append(part)
    in_flight.clear()
    return lost


def _new_pool_like(executor: ProcessPoolExecutor) -> ProcessPoolExecutor:
    """Return a new process pool with the settings of ``executor``, a broken process pool."""
    if isinstance(executor, ProcessPool):
        return executor.replacement()
    return type(executor)(  # ProcessPoolExecutor keeps its settings private
        max_workers=getattr(executor, "_max_workers", None),
        mp_context=getattr(executor, "_mp_context", None),
        initializer=getattr(executor, "_initializer", None),
        initargs=getattr(executor, "_initargs", ()),
        max_tasks_per_child=getattr(executor, "_max_tasks_per_child", None),
    )
