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
        run_days,
        run_to_parquet,
        simulate_runs,
    )
    from wargame.runner.chunks import Chunks, map_chunks

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
