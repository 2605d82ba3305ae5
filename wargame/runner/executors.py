"""Executors: where runs are computed.

Every back end is a :class:`concurrent.futures.Executor`, so the runner only ever calls ``submit`` and
``map``. Results never depend on the executor: seeds are fixed in the parent before any work is sent.

Three back ends:

* :class:`SerialExecutor`: the calling process, for debugging and as the reference.
* :class:`ProcessPool`: a local pool of processes (``forkserver`` start method) that end with their parent.
* :class:`DaskExecutor`: a Dask distributed cluster, either an existing scheduler (``dask_address``,
  for example one started by dask-jobqueue on SLURM/PBS) or a :class:`distributed.LocalCluster` of
  single-threaded worker processes that this executor starts and stops.

Every executor is a context manager; leaving the ``with`` block shuts it down, and for Dask closes the
client and any cluster it started.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

__all__ = [
    "DaskExecutor",
    "ProcessPool",
    "SerialExecutor",
    "concurrency_of",
    "describe_executor",
    "make_executor",
]


class SerialExecutor(Executor):
    """Runs each task in the calling process when it is submitted.

    Useful for debugging (tracebacks point at the model), for tiny jobs and as the reference every other
    executor is checked against.
    """

    def __init__(self) -> None:
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        if self._shutdown:
            raise RuntimeError("cannot submit to a SerialExecutor after shutdown")
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # the future carries the error to the caller
            future.set_exception(error)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._shutdown = True


class DaskExecutor(Executor):
    """A Dask distributed cluster behind the :class:`concurrent.futures.Executor` interface.

    Tasks go through ``Client.get_executor(pure=False)``, so a task submitted twice (a retry) runs twice
    instead of returning the first, cached, outcome. If a worker dies mid-task, the scheduler reruns the
    task on another worker.

    Args:
        address: Address of a running scheduler, for example ``tcp://10.0.0.5:8786``. Mutually exclusive
            with ``local_workers``.
        local_workers: Start a :class:`distributed.LocalCluster` with this many single-threaded worker
            processes, and stop it on shutdown.

    Raises:
        ValueError: If neither or both of ``address`` and ``local_workers`` are given, or
            ``local_workers`` is smaller than 1.
        OSError: If the scheduler at ``address`` cannot be reached.
    """

    def __init__(self, address: str | None = None, *, local_workers: int | None = None) -> None:
        if (address is None) == (local_workers is None):
            raise ValueError("give exactly one of a scheduler address and a local worker count")
        if local_workers is not None and local_workers < 1:
            raise ValueError(f"local_workers must be at least 1, got {local_workers}")
        from distributed import Client, LocalCluster

        self._cluster = None
        if local_workers is not None:
            self._cluster = LocalCluster(
                n_workers=local_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: never clashes with another cluster
            )
            self._client = Client(self._cluster)
        else:
            self._client = Client(address)
        self._executor = self._client.get_executor(pure=False)
        self._closed = False

    @property
    def client(self) -> Any:
        """The :class:`distributed.Client`, for inspecting or managing workers."""
        return self._client

    @property
    def scheduler_address(self) -> str:
        """Address of the scheduler this executor sends tasks to."""
        scheduler = self._client.scheduler
        if scheduler is None:  # the client drops its scheduler connection when it closes
            raise RuntimeError("this DaskExecutor is shut down: it has no scheduler")
        return str(scheduler.address)

    def worker_count(self) -> int:
        """Number of workers connected to the scheduler now."""
        return len(self._client.scheduler_info(n_workers=-1)["workers"])

    def thread_count(self) -> int:
        """Number of worker threads connected to the scheduler now: how many tasks run at once."""
        workers = self._client.scheduler_info(n_workers=-1)["workers"].values()
        return sum(int(worker.get("nthreads", 1)) for worker in workers)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        if self._closed:
            raise RuntimeError("cannot submit to a DaskExecutor after shutdown")
        return self._executor.submit(fn, *args, **kwargs)

    def map(
        self,
        fn: Callable[..., Any],
        *iterables: Any,
        timeout: float | None = None,
        chunksize: int = 1,
        buffersize: int | None = None,
    ) -> Any:
        """Like :func:`map`, computed on the cluster; results come back in input order."""
        if self._closed:
            raise RuntimeError("cannot submit to a DaskExecutor after shutdown")
        return self._executor.map(fn, *iterables, timeout=timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop sending work, then close the client and any cluster this executor started."""
        if self._closed:
            return
        self._closed = True
        try:
            self._executor.shutdown(wait=wait and not cancel_futures)
        finally:
            try:
                self._client.close()
            finally:
                if self._cluster is not None:
                    self._cluster.close()


def make_executor(
    jobs: int,
    *,
    dask_address: str | None = None,
    dask_local_workers: int | None = None,
    preload: Sequence[str] = (),
) -> Executor:
    """Return the executor for the given options.

    * ``dask_address``: a :class:`DaskExecutor` connected to that scheduler (``jobs`` is ignored; the
      cluster decides how many tasks run at once).
    * ``dask_local_workers``: a :class:`DaskExecutor` on a new local cluster with that many workers.
    * otherwise a :class:`SerialExecutor` for ``jobs == 1`` and a local process pool of ``jobs``
      processes for ``jobs > 1``.

    Use the result as a context manager so that pools, clients and clusters are closed. The workers of a
    local process pool exit as soon as this process dies, even by ``kill -9``, and so do the fork server
    and multiprocessing's resource tracker, which live only as long as some worker does.

    Args:
        jobs: Number of local worker processes, at least 1.
        dask_address: Address of a running Dask scheduler.
        dask_local_workers: Number of workers of a Dask cluster to start on this machine.
        preload: Modules the tasks need, for a local process pool: the fork server imports them once
            and every worker forked from it shares those pages instead of importing numpy, SciPy,
            pandas, pyarrow and Mesa again (about 150 MB a process). The fork server is one per Python
            process and reads this list when it starts, so the first pool of a process decides it.

    Raises:
        ValueError: If ``jobs`` is smaller than 1, or both Dask options are given.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    if dask_address is not None and dask_local_workers is not None:
        raise ValueError("give at most one of dask_address and dask_local_workers")
    if dask_address is not None:
        return DaskExecutor(dask_address)
    if dask_local_workers is not None:
        return DaskExecutor(local_workers=dask_local_workers)
    if jobs == 1:
        return SerialExecutor()
    return ProcessPool(jobs, preload=preload)


class ProcessPool(ProcessPoolExecutor):
    """A local pool of ``forkserver`` worker processes that end with their parent.

    * Each worker watches a pipe whose only writing end this process holds: when this process dies, for
      whatever reason, the pipe closes and the worker exits at once instead of waiting for work forever.
    * Each worker frees a task's garbage as soon as the task returns. A model is cyclic garbage once its
      run is over (Mesa links the model and its agents both ways), so its arrays would otherwise wait for
      Python's next full collection, which in a worker comes only after dozens of tasks: meanwhile the
      worker's memory grows (about 25 MB over a 100,000-run sweep).

    Args:
        max_workers: Number of worker processes.
        preload: Modules for the fork server to import before forking workers (see :func:`make_executor`).
    """

    def __init__(self, max_workers: int, *, preload: Sequence[str] = ()) -> None:
        context = multiprocessing.get_context("forkserver")
        if preload:
            context.set_forkserver_preload(list(preload))
        self.preload = tuple(preload)
        self.workers = max_workers
        watched_end, self._parent_alive = context.Pipe(duplex=False)
        super().__init__(
            max_workers=max_workers, mp_context=context, initializer=_start_worker, initargs=(watched_end,)
        )

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        return super().submit(_call_then_collect, fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        if wait:
            self._parent_alive.close()  # every worker has exited

    def replacement(self) -> ProcessPool:
        """Return a new pool with this pool's settings (to replace it after a worker died)."""
        return ProcessPool(self.workers, preload=self.preload)


def _start_worker(parent_alive: Connection) -> None:
    """Freeze the objects a worker inherits from the fork server (imported modules): they are never
    garbage, and a full collection that skips them takes under a millisecond instead of about 30. Then
    watch for the parent's death."""
    gc.freeze()
    threading.Thread(
        target=_exit_when_parent_dies, args=(parent_alive,), name="wargame-parent-watch", daemon=True
    ).start()


def _exit_when_parent_dies(parent_alive: Connection) -> None:
    """Block until the parent's end of the pipe closes, then end this worker at once."""
    with contextlib.suppress(EOFError, OSError):
        parent_alive.recv_bytes()
    os._exit(1)


def _call_then_collect(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    finally:
        gc.collect()


def describe_executor(executor: Executor) -> dict[str, Any]:
    """Return a JSON-ready description of an executor, for provenance records.

    Args:
        executor: Any executor; the three kinds made by :func:`make_executor` are described in detail.
    """
    if isinstance(executor, SerialExecutor):
        return {"kind": "serial", "workers": 1}
    if isinstance(executor, ProcessPoolExecutor):
        return {"kind": "process-pool", "workers": _pool_size(executor)}
    if isinstance(executor, DaskExecutor):
        return {
            "kind": "dask",
            "scheduler": executor.scheduler_address,
            "workers": executor.worker_count(),
            "local_cluster": executor._cluster is not None,
        }
    return {"kind": type(executor).__qualname__}


def concurrency_of(executor: Executor) -> int:
    """Return how many tasks the executor runs at once (at least 1), to size the queue of work."""
    if isinstance(executor, ProcessPoolExecutor):
        return _pool_size(executor)
    if isinstance(executor, DaskExecutor):
        return max(1, executor.thread_count())
    return 1


def _pool_size(executor: ProcessPoolExecutor) -> int:
    """The worker count of a process pool (``ProcessPoolExecutor`` keeps it private)."""
    if isinstance(executor, ProcessPool):
        return executor.workers
    return int(getattr(executor, "_max_workers", 1))
