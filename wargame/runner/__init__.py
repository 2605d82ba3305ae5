"""The Monte Carlo runner: seeds, chunks of runs on an executor, outcome rows, streamed Parquet.

Per-run seeds are spawned from one root seed in the parent; runs are cut into chunks of fixed size, so the
result of every run is the same whatever ``jobs`` is (each run draws from its own keyed stream anyway).
"""

from typing import TYPE_CHECKING

from wargame._lazy import lazy_exports

if TYPE_CHECKING:
    from wargame.runner._runs import (
        CHUNK_RUNS,
        ChunkResult,
        RunRecord,
        check_outcome_names,
        iter_chunks,
        run,
        run_to_parquet,
        simulate_runs,
    )
    from wargame.runner.chunks import Chunks, map_chunks

__all__ = [
    "CHUNK_RUNS",
    "ChunkResult",
    "Chunks",
    "RunRecord",
    "check_outcome_names",
    "iter_chunks",
    "map_chunks",
    "run",
    "run_to_parquet",
    "simulate_runs",
]

_HOMES = {name: "._runs" for name in __all__} | {"Chunks": ".chunks", "map_chunks": ".chunks"}

__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
