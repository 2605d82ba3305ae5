"""Replications the way the engine runs them: a run key per replication, fixed chunks through an executor.

Replication ``i`` owns the ``i``-th key of :func:`wargame.core.random_streams.run_keys_from_seed` and draws
only from the counter-based :class:`~wargame.core.random_streams.EnsembleRandom` streams of that key, so it
draws the same numbers whichever chunk or worker computes it. Chunks have a size fixed by the model (never
by the number of workers) and are combined in order, so even sums over a chunk are the same: results do not
depend on ``--jobs``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor

import numpy as np

from wargame.core.random_streams import EnsembleRandom, run_keys_from_seed
from wargame.runner.chunks import Chunks, map_chunks
from wargame.runner.executors import SerialExecutor

__all__ = ["CHUNK_RUNS", "SUM_PREFIX", "replicate"]

#: Replications per task, as in the engine's runner.
CHUNK_RUNS = 500

#: Results whose name starts with this are added over chunks (in chunk order); others are concatenated.
SUM_PREFIX = "sum_"

Draws = dict[str, np.ndarray]


def _simulate_chunk(simulate: Callable[[EnsembleRandom], Draws], keys: np.ndarray) -> Draws:
    return simulate(EnsembleRandom(keys))


def replicate(
    simulate: Callable[[EnsembleRandom], Draws],
    runs: int,
    seed: int,
    executor: Executor | None = None,
    chunk_runs: int = CHUNK_RUNS,
) -> Draws:
    """Run ``simulate`` on every replication and combine the chunks.

    Args:
        simulate: Given the streams of a chunk of replications, returns arrays whose first axis is the
            replication (concatenated over chunks) or, for names starting with ``sum_``, totals over the
            chunk's replications (added over chunks). It must be picklable to run in worker processes
            (a module-level function or a :func:`functools.partial` of one).
        runs: Number of replications.
        seed: The root seed the run keys are spawned from.
        executor: Where chunks are computed; default the calling process.
        chunk_runs: Replications per chunk.

    Returns:
        The combined arrays, replications in order.
    """
    keys = run_keys_from_seed(seed, runs)
    executor = executor if executor is not None else SerialExecutor()
    chunks = list(
        map_chunks(
            executor,
            _simulate_chunk,
            Chunks(runs, chunk_runs),
            lambda chunk: (simulate, keys[chunk.start : chunk.stop]),
        )
    )
    combined: Draws = {}
    for name in chunks[0]:
        parts = [chunk[name] for chunk in chunks]
        if name.startswith(SUM_PREFIX):
            total = parts[0].copy()
            for part in parts[1:]:
                total += part
            combined[name] = total
        else:
            combined[name] = np.concatenate(parts)
    return combined
