"""Chunked ensembles: runs cut into fixed-size chunks, computed on an executor, results back in order.

Every fan-out of runs in wargame goes through here: the runner's batches, the teaching models'
replications, a session's counterfactual fan, and the part layout of a sweep. A chunk's size is fixed by
the caller, never by the number of workers, and results come back in chunk order, so anything combined
from them (concatenated rows, sums over chunks) is the same whatever the executor.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future
from typing import Any, overload

from wargame.runner.executors import concurrency_of

__all__ = ["Chunks", "map_chunks"]


class Chunks(Sequence[range]):
    """The chunks of runs ``0 .. total - 1``: ``range(k * size, min(total, (k + 1) * size))`` for chunk k.

    A sequence computed on demand (a sweep of a billion runs does not list its chunks).

    Args:
        total: Number of runs, at least 0.
        size: Runs per chunk, at least 1; the last chunk may be shorter.
    """

    def __init__(self, total: int, size: int) -> None:
        if total < 0:
            raise ValueError(f"total must be at least 0, got {total}")
        if size < 1:
            raise ValueError(f"chunk size must be at least 1, got {size}")
        self.total = total
        self.size = size

    def __len__(self) -> int:
        return math.ceil(self.total / self.size)

    @overload
    def __getitem__(self, index: int) -> range: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[range]: ...

    def __getitem__(self, index: int | slice) -> range | Sequence[range]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        count = len(self)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError(f"chunk {index} of {count}")
        start = index * self.size
        return range(start, min(self.total, start + self.size))

    def __repr__(self) -> str:
        return f"Chunks(total={self.total}, size={self.size})"


def map_chunks[T](
    executor: Executor,
    function: Callable[..., T],
    chunks: Chunks,
    arguments: Callable[[range], tuple[Any, ...]],
    *,
    max_in_flight: int | None = None,
) -> Iterator[T]:
    """Yield ``function(*arguments(chunk))`` for every chunk, in chunk order.

    At most ``max_in_flight`` chunks are submitted and not yet yielded, so memory stays bounded however
    many chunks there are, and workers stay busy while the caller consumes results.

    Args:
        executor: Where chunks are computed (``function`` and its arguments must pickle for a process
            pool or Dask).
        function: The task, a module-level function.
        chunks: The chunk layout.
        arguments: Builds a chunk's arguments in the calling process, e.g. the chunk's slice of run keys.
        max_in_flight: Window of submitted chunks; twice the executor's concurrency when ``None``.
    """
    window = max_in_flight if max_in_flight is not None else 2 * concurrency_of(executor)
    if window < 1:
        raise ValueError(f"max_in_flight must be at least 1, got {window}")
    pending: deque[Future[T]] = deque()
    try:
        for chunk in chunks:
            pending.append(executor.submit(function, *arguments(chunk)))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
