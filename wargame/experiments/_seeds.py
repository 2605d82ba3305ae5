"""Seeds: every random number of a sweep derives from one root seed, in the parent process.

Run seeds are a pure function of ``(root seed, design point, replication)``, so they do not depend on the
executor, the worker count, the task layout or on which runs a resumed sweep still has to do. With common
random numbers (``common_seeds``), replication ``r`` of every design point gets the same seed, that of
point 0: the points then differ only by their parameters, not by independent noise.
"""

from __future__ import annotations

import numpy as np

__all__ = ["design_rng", "run_seeds"]

# Independent streams of the root SeedSequence, told apart by the first spawn-key word.
_RUN_STREAM = 0
_DESIGN_STREAM = 1


def run_seeds(root_seed: int, point: int, start: int, stop: int, *, common: bool = False) -> np.ndarray:
    """Return the seeds of replications ``start`` to ``stop - 1`` of design point ``point``.

    Each seed is a 64-bit word of ``SeedSequence(root_seed, spawn_key=(0, point))``; word ``r`` does
    not depend on how many words are drawn, so any slice of replications gets the same seeds.

    Args:
        root_seed: The sweep's root seed, a non-negative integer.
        point: Design point index.
        start: First replication index.
        stop: One past the last replication index.
        common: Common random numbers: every point gets the seeds of point 0.

    Returns:
        A ``uint64`` array of length ``stop - start``.
    """
    if not 0 <= start <= stop:
        raise ValueError(f"need 0 <= start <= stop, got {start}, {stop}")
    key = (_RUN_STREAM, 0 if common else point)
    words = np.random.SeedSequence(root_seed, spawn_key=key).generate_state(stop, np.uint64)
    return words[start:stop]


def design_rng(root_seed: int, stream: int = 0) -> np.random.Generator:
    """Return the generator that sampled designs (LHS, Monte Carlo, Sobol scrambling, Morris) draw from.

    Stream 0 serves a design's parameters (and a crossed design's policies), stream 1 the futures of a
    crossed design, so that the two samples are independent.
    """
    key = (_DESIGN_STREAM,) if stream == 0 else (_DESIGN_STREAM, stream)
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=key))
