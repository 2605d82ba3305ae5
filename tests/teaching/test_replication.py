"""Replications seeded the engine's way: a run key each, the same numbers whatever the chunks or --jobs."""

from __future__ import annotations

from functools import partial

import numpy as np

from wargame.model.random_streams import EnsembleRandom, Stream, run_keys_from_seed
from wargame.teaching._replicate import replicate


def _draw(random: EnsembleRandom, slots: int) -> dict[str, np.ndarray]:
    uniforms = random.uniform(Stream.ADJUDICATION, 3, slots)
    return {"uniforms": uniforms, "sum_uniforms": uniforms.sum(axis=0), "keys": random.run_keys}


def test_replication_i_draws_from_the_i_th_run_key_whatever_the_chunks() -> None:
    whole = replicate(partial(_draw, slots=3), 1100, seed=9, chunk_runs=1100)
    np.testing.assert_array_equal(whole["keys"], run_keys_from_seed(9, 1100))
    np.testing.assert_array_equal(
        whole["uniforms"], EnsembleRandom(whole["keys"]).uniform(Stream.ADJUDICATION, 3, 3)
    )
    for chunk_runs in (1, 7, 500):
        chunked = replicate(partial(_draw, slots=3), 1100, seed=9, chunk_runs=chunk_runs)
        np.testing.assert_array_equal(chunked["uniforms"], whole["uniforms"])
        np.testing.assert_allclose(chunked["sum_uniforms"], whole["sum_uniforms"], rtol=1e-12)
    fewer = replicate(partial(_draw, slots=3), 40, seed=9)
    np.testing.assert_array_equal(fewer["uniforms"], whole["uniforms"][:40])
