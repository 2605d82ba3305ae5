"""Replications seeded the engine's way: a run key each, the same numbers whatever the chunks or --jobs."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any

import numpy as np
import pytest

from wargame.core.random_streams import EnsembleRandom, Stream, run_keys_from_seed
from wargame.runner.executors import make_executor
from wargame.teaching import get_model, run_teaching_model
from wargame.teaching._replicate import replicate

# More replications than one chunk (500), so two workers really split the work.
RUNS = 1200
STOCHASTIC = {
    "bargaining": {},
    "deterrence_game": {"turns": 30.0},
    "grayzone": {"days": 120.0},
}


def _draw(random: EnsembleRandom, slots: int) -> dict[str, np.ndarray]:
    uniforms = random.uniform(Stream.ADJUDICATION, 3, slots)
    return {"uniforms": uniforms, "sum_uniforms": uniforms.sum(axis=0), "keys": random.run_keys}


def assert_same(first: Any, second: Any, where: str = "result") -> None:
    """Assert two results are equal to the bit, field by field."""
    if dataclasses.is_dataclass(first):
        for field in dataclasses.fields(first):
            assert_same(getattr(first, field.name), getattr(second, field.name), f"{where}.{field.name}")
    elif isinstance(first, np.ndarray):
        np.testing.assert_array_equal(first, second, err_msg=where)
    elif isinstance(first, dict):
        assert first.keys() == second.keys(), where
        for key in first:
            assert_same(first[key], second[key], f"{where}[{key!r}]")
    else:
        assert first == second, where


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


@pytest.fixture(scope="module")
def two_workers():
    with make_executor(2) as executor:
        yield executor


@pytest.mark.parametrize("name", sorted(STOCHASTIC))
def test_results_do_not_depend_on_the_number_of_workers(name: str, two_workers) -> None:
    model = get_model(name)
    params = model.parameters(None, {**STOCHASTIC[name], "runs": float(RUNS)})
    serial = model.run(params, 123)
    parallel = model.run(params, 123, two_workers)
    assert_same(serial, parallel)
    assert model.report({"x": serial}) == model.report({"x": parallel})


@pytest.mark.slow
def test_teach_with_jobs_prints_the_same_numbers() -> None:
    serial = run_teaching_model("bargaining", runs=RUNS, seed=4)
    parallel = run_teaching_model("bargaining", runs=RUNS, seed=4, jobs=2)
    assert serial.text == parallel.text
    assert_same(serial.results, parallel.results)


def test_one_case_reproduces_that_case_of_a_full_run() -> None:
    full = run_teaching_model("grayzone", runs=60, seed=8)
    alone = run_teaching_model("grayzone", runs=60, seed=8, case="slow_analysts")
    assert_same(full.results["slow_analysts*"], alone.results["slow_analysts*"])
    # Each case has its own seed: the two cases do not replay the same incidents.
    assert not np.array_equal(
        full.results["default*"].alone.incidents, full.results["slow_analysts*"].alone.incidents
    )
