"""Executors: where runs are computed.

Every back end is a :class:`concurrent.futures.Executor`, so the runner only ever calls ``submit`` and
``map``. Results never depend on the executor: seeds are fixed in the parent before any work is sent.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

__all__ = ["SerialExecutor", "make_executor"]


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


def make_executor(jobs: int) -> Executor:
    """Return a serial executor for ``jobs == 1`` and a local process pool otherwise.

    Args:
        jobs: Number of worker processes, at least 1.

    Raises:
        ValueError: If ``jobs`` is smaller than 1.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    if jobs == 1:
        return SerialExecutor()
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("forkserver"))
