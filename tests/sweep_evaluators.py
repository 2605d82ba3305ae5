"""The toy evaluators of ``test_experiments_sweep.py``, in a module of their own.

A process-pool worker imports the module of the evaluator it is sent. This one imports numpy and pandas
only, so each worker a test starts (a pool, or a replacement for a killed worker) does not also import
the test module's SciPy, Mesa, Dask and pytest.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

import numpy as np
import pandas as pd


def noisy_response(params: dict, seeds: np.ndarray) -> pd.DataFrame:
    """An evaluator whose rows depend only on the parameters and each run's own seed."""
    draws = np.array([np.random.default_rng(int(seed)).random(2) for seed in seeds]).reshape(len(seeds), 2)
    return pd.DataFrame(
        {
            "war": draws[:, 0] < params["actors.twn.resolve"] / 2,
            "delay_hours": params["a.scale"] * draws[:, 1],
        }
    )


def fails_for_some_seeds(params: dict, seeds: np.ndarray) -> pd.DataFrame:
    """Raises whenever one of the seeds is divisible by 5."""
    bad = [int(seed) for seed in seeds if int(seed) % 5 == 0]
    if bad:
        raise ArithmeticError(f"cannot handle seed {bad[0]}")
    return noisy_response(params, seeds)


def busy_on_high_resolve(params: dict, seeds: np.ndarray) -> pd.DataFrame:
    """Spins (interruptibly) for 30 s at resolve 0.8, like a model that never ends."""
    if params["actors.twn.resolve"] == 0.8:
        end = time.perf_counter() + 30.0
        while time.perf_counter() < end:
            pass
    return noisy_response(params, seeds)


class FlakyOncePerSeed:
    """Fails the first time it evaluates each seed alone; always fails on batches (serial use only)."""

    def __init__(self) -> None:
        self.single_calls: Counter[int] = Counter()

    def __call__(self, params: dict, seeds: np.ndarray) -> pd.DataFrame:
        if len(seeds) > 1:
            raise ConnectionError("batch lost")
        self.single_calls[int(seeds[0])] += 1
        if self.single_calls[int(seeds[0])] == 1:
            raise ConnectionError("transient")
        return noisy_response(params, seeds)


class InterruptAtPoint:
    """Behaves like ``noisy_response`` until it reaches design point ``point``, then acts like Ctrl-C."""

    def __init__(self, resolve: float, scale: float) -> None:
        self.at = (resolve, scale)

    def __call__(self, params: dict, seeds: np.ndarray) -> pd.DataFrame:
        if (params["actors.twn.resolve"], params["a.scale"]) == self.at:
            raise KeyboardInterrupt
        return noisy_response(params, seeds)


def sleepy_response(params: dict, seeds: np.ndarray) -> pd.DataFrame:
    time.sleep(0.004 * len(seeds))
    return noisy_response(params, seeds)


def kills_its_worker_at_the_last_point(params: dict, seeds: np.ndarray) -> pd.DataFrame:
    """Like a model crashing in native code at one design point (process pools only: it kills its process)."""
    if (params["actors.twn.resolve"], params["a.scale"]) == (0.8, 3.0):
        os.kill(os.getpid(), signal.SIGKILL)
    return sleepy_response(params, seeds)
