"""Conformance checks for executors: anything with :class:`concurrent.futures.Executor`'s interface that
runs the engine's chunks and sweep tasks (serial, a process pool, Dask, or a back end of your own).

The tasks the checks submit are module-level functions of this module, so they pickle by reference into
any worker that can import :mod:`wargame`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import Executor, as_completed
from typing import Any

import numpy as np

from wargame.testing._checks import NamedSubject

__all__ = ["ExecutorSubject"]

_TIMEOUT_SECONDS = 120


class SeededTaskError(RuntimeError):
    """Raised by :func:`seeded_draws` for a negative seed."""


def seeded_draws(seed: int, count: int) -> list[float]:
    """A seeded task: ``count`` normal draws from ``seed``; :class:`SeededTaskError` for a negative seed."""
    if seed < 0:
        raise SeededTaskError(f"negative seed {seed}")
    return np.random.default_rng(seed).normal(size=count).tolist()


def add(left: int, right: int) -> int:
    return left + right


@dataclasses.dataclass(eq=False)
class ExecutorSubject(NamedSubject):
    """An executor under test.

    Args:
        make: Returns a new executor; each check opens one and shuts it down (``with make() as executor``).
        name: The subject's id.
    """

    make: Callable[[], Executor]
    name: str

    def checks(self) -> list[Any]:
        return [
            check_results_in_submission_order,
            check_as_completed_yields_every_future,
            check_task_errors_reach_the_caller,
            check_map_keeps_input_order,
            check_map_raises_the_first_failure_when_iterated,
        ]


def check_results_in_submission_order(subject: ExecutorSubject) -> None:
    """Each submitted seeded task returns what it returns in this process."""
    seeds = [11, 7, 2024, 0, 99, 5]
    with subject.make() as executor:
        futures = [executor.submit(seeded_draws, seed, 4) for seed in seeds]
        results = [future.result(timeout=_TIMEOUT_SECONDS) for future in futures]
    assert results == [seeded_draws(seed, 4) for seed in seeds]


def check_as_completed_yields_every_future(subject: ExecutorSubject) -> None:
    """``concurrent.futures.as_completed`` sees every future finish, each with its own result."""
    with subject.make() as executor:
        futures = {executor.submit(add, index, 1): index for index in range(20)}
        finished = {
            futures[future]: future.result(timeout=_TIMEOUT_SECONDS)
            for future in as_completed(futures, timeout=_TIMEOUT_SECONDS)
        }
    assert finished == {index: index + 1 for index in range(20)}


def check_task_errors_reach_the_caller(subject: ExecutorSubject) -> None:
    """A task's exception reaches ``result()`` with its type and message; other tasks are unaffected."""
    with subject.make() as executor:
        failing = executor.submit(seeded_draws, -3, 2)
        working = executor.submit(seeded_draws, 3, 2)
        try:
            failing.result(timeout=_TIMEOUT_SECONDS)
        except SeededTaskError as error:
            assert "negative seed -3" in str(error), str(error)
        else:
            raise AssertionError("a failing task's result() did not raise")
        assert working.result(timeout=_TIMEOUT_SECONDS) == seeded_draws(3, 2)


def check_map_keeps_input_order(subject: ExecutorSubject) -> None:
    """``map`` over several iterables yields results in input order."""
    left, right = list(range(30, 0, -1)), list(range(30))
    with subject.make() as executor:
        results = list(executor.map(add, left, right, timeout=_TIMEOUT_SECONDS))
    assert results == [a + b for a, b in zip(left, right, strict=True)]


def check_map_raises_the_first_failure_when_iterated(subject: ExecutorSubject) -> None:
    """``map`` raises a task's error when iteration reaches that task, after the results before it."""
    with subject.make() as executor:
        results = executor.map(seeded_draws, [1, -1, 2], [1, 1, 1], timeout=_TIMEOUT_SECONDS)
        assert next(results) == seeded_draws(1, 1)
        try:
            next(results)
        except SeededTaskError:
            pass
        else:
            raise AssertionError("map did not raise the failing task's error")
