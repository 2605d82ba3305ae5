"""The calling process computes runs while a new process pool starts its workers.

A new :class:`~wargame.runner.executors.ProcessPool` answers its first task only once its fork server has
imported the model (about a second), and meanwhile one core is idle. :func:`map_chunks_with_head_start`
sends the first chunks from a background thread and, until they are all sent, computes the last runs of
the last chunks in the calling process: a few rounds at most, each of one piece of every such chunk, so
that every worker is left the same share of work to finish. A chunk whose end was computed here is joined
from its pieces before it is yielded: the chunk layout, the order of results and every run's numbers stay
what :func:`~wargame.runner.chunks.map_chunks` gives (a run depends on its key only, not on its batch).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import Any

from wargame.runner.chunks import Chunks

__all__ = ["map_chunks_with_head_start"]


def map_chunks_with_head_start[T](
    executor: Executor,
    function: Callable[..., T],
    chunks: Chunks,
    arguments: Callable[[range], tuple[Any, ...]],
    join: Callable[[list[T]], T],
    *,
    max_in_flight: int,
    first_sent: int,
    workers: int,
    piece_runs: int,
    rounds: int,
) -> Iterator[T]:
    """Yield ``function(*arguments(chunk))`` for every chunk, in chunk order, as ``map_chunks`` does.

    The first ``first_sent`` chunks are sent from a background thread; until it is done, this process
    computes up to ``rounds`` rounds of pieces of at most ``piece_runs`` runs, one from the end of each
    of the last ``workers`` chunks (those not among the first). The rest of such a chunk is sent as one
    task, and its result and the pieces' are joined by ``join`` (in run order).

    Args:
        executor: Where chunks are computed.
        function: The task; called here too, with the arguments of a piece.
        chunks: The chunk layout.
        arguments: Builds the arguments of a range of runs (a chunk or a piece of one).
        join: Joins the results of consecutive ranges of runs into the result of their union.
        max_in_flight: Window of submitted chunks, at least 1.
        first_sent: Chunks sent while this process computes pieces, from 1 to ``max_in_flight``.
        workers: How many chunks at the end are shared out to be finished here.
        piece_runs: Runs computed here at a time, at least 1.
        rounds: Rounds of pieces at most: where other processes keep every core busy, a piece costs its
            ensemble's fixed cost more than in a worker's larger ensemble.
    """
    if piece_runs < 1 or not 1 <= first_sent <= max_in_flight:
        raise ValueError(
            f"need 1 <= first_sent <= max_in_flight and piece_runs >= 1, got {first_sent}, "
            f"{max_in_flight}, {piece_runs}"
        )
    first = list(chunks[:first_sent])
    sent: list[Future[T]] = []
    failed: list[BaseException] = []

    def send_first() -> None:
        try:
            for chunk in first:
                sent.append(executor.submit(function, *arguments(chunk)))
        except BaseException as error:  # raised again in the calling thread
            failed.append(error)

    sender = threading.Thread(target=send_first, name="wargame-first-chunks", daemon=True)
    sender.start()
    shared = list(chunks[max(len(first), len(chunks) - workers) :])[::-1]  # the last chunk first
    ends = [chunk.stop for chunk in shared]  # runs of a shared chunk from here on are computed here
    pieces: dict[int, list[T]] = {chunk.start: [] for chunk in shared}
    for _ in range(rounds):
        if not sender.is_alive() or all(end == chunk.start for end, chunk in zip(ends, shared, strict=True)):
            break
        for at, chunk in enumerate(shared):  # a piece of each: every worker is left the same work
            start = max(chunk.start, ends[at] - piece_runs)
            if start < ends[at]:
                pieces[chunk.start].insert(0, function(*arguments(range(start, ends[at]))))
                ends[at] = start
    sender.join()
    if failed:
        for future in sent:
            future.cancel()
        raise failed[0]
    rest = dict(zip((chunk.start for chunk in shared), ends, strict=True))
    pending: deque[tuple[range, Future[T] | None]] = deque()
    pending.extend(zip(first, sent, strict=True))

    def finished(chunk: range, future: Future[T] | None) -> T:
        parts = ([] if future is None else [future.result()]) + pieces.pop(chunk.start, [])
        return parts[0] if len(parts) == 1 else join(parts)

    try:
        for chunk in chunks[len(first) :]:
            head = range(chunk.start, rest.get(chunk.start, chunk.stop))
            pending.append((chunk, executor.submit(function, *arguments(head)) if head else None))
            if len(pending) >= max_in_flight:
                yield finished(*pending.popleft())
        while pending:
            yield finished(*pending.popleft())
    finally:
        for _, waiting in pending:
            if waiting is not None:
                waiting.cancel()
