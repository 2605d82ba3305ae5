"""Per-run values of a scenario's uncertain inputs.

A scenario field may hold a distribution instead of a number (``scenario.uncertain_inputs``). Every run
draws its own value of each from its own stream: the uniform of input ``path`` in a run is
``uniform(run key, stream, day=h1(path), slot=h0(path))`` with ``(h1, h0)`` the 28 and 20 bits of a
48-bit hash of the path, so a run's values do not depend on the other runs, on ``--jobs``, or on which
other fields are uncertain. The value is the distribution's quantile of that uniform. The stream is
``INPUTS``, or ``HIDDEN_INPUTS`` for the adversary's own numbers (:func:`is_hidden_input`), which a session's
fan resamples.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from wargame.core.random_streams import EnsembleRandom, Stream
from wargame.errors import InputError

__all__ = ["RunParameters", "input_column", "is_hidden_input", "per_run_rows"]

# Fields that shape the whole ensemble (its days and decision rounds) cannot differ between its runs.
_ENSEMBLE_FIELDS = ("horizon_days", "decision_interval_days", "turn_length_days")


def is_hidden_input(scenario: Any, path: str) -> bool:
    """Whether an input is the adversary's own (its actor's fields and its ladder), which the allies cannot
    observe: drawn from stream ``HIDDEN_INPUTS`` instead of ``INPUTS``."""
    return path.startswith((f"actors.{scenario.adversary}.", "escalation."))


def input_column(path: str) -> str:
    """Return the outcome column that holds a drawn input: ``input:<path>``."""
    return f"input:{path}"


def _counter_of(path: str) -> tuple[int, int]:
    """Return the (day, slot) of ``path``'s draw: 48 bits of its BLAKE2b hash."""
    bits = int.from_bytes(hashlib.blake2b(path.encode(), digest_size=6).digest(), "big")
    return bits >> 20, bits & ((1 << 20) - 1)


class RunParameters(Mapping[str, np.ndarray]):
    """The drawn value of every uncertain input, one entry per run; a mapping of path to values.

    Args:
        scenario: The scenario whose ``uncertain_inputs`` are drawn (none: an empty mapping).
        random: The ensemble's random streams.
        given: Values to use instead of draws, path -> one value per run (a design's points): any numeric
            field's path, uncertain or not.
    """

    def __init__(
        self, scenario: Any, random: EnsembleRandom | None, given: Mapping[str, np.ndarray] | None = None
    ) -> None:
        values: dict[str, np.ndarray] = {}
        self._values: Mapping[str, np.ndarray] = values
        self._derived: dict[Any, Any] = {}
        for path, given_values in (given or {}).items():
            if path in _ENSEMBLE_FIELDS:
                raise InputError(
                    f"{path} shapes every run of an ensemble, so it cannot vary by run", field=path
                )
            fixed = np.array(given_values, dtype=np.float64)
            if random is not None and fixed.shape != (random.runs,):
                raise ValueError(f"{path}: give one value per run ({random.runs}), got shape {fixed.shape}")
            fixed.flags.writeable = False
            values[path] = fixed
        if random is not None:
            self._draw_uncertain_inputs(scenario, random, values)

    @staticmethod
    def _draw_uncertain_inputs(scenario: Any, random: EnsembleRandom, values: dict[str, np.ndarray]) -> None:
        """Draw into ``values`` every uncertain input that it has no value of yet."""
        for uncertain in getattr(scenario, "uncertain_inputs", ()):
            if uncertain.path in values:
                continue
            if uncertain.path in _ENSEMBLE_FIELDS:
                raise InputError(
                    f"{uncertain.path} shapes every run of an ensemble, so it cannot vary by run; "
                    "sweep it in an experiment instead",
                    field=uncertain.path,
                )
            day, slot = _counter_of(uncertain.path)
            stream = Stream.HIDDEN_INPUTS if is_hidden_input(scenario, uncertain.path) else Stream.INPUTS
            u = random.uniform_block((stream,), day, 1, 1, slot, standing=True)[0, 0, :, 0]
            drawn = np.asarray(uncertain.distribution.ppf(u), dtype=np.float64)
            if getattr(uncertain, "integer", False):
                drawn = np.rint(drawn)
            drawn.flags.writeable = False
            values[uncertain.path] = drawn

    @classmethod
    def empty(cls) -> RunParameters:
        """Return parameters with no uncertain input: every field takes its nominal value."""
        return cls(None, None)

    def select(self, runs: np.ndarray) -> RunParameters:
        """Return the parameters of the runs ``runs`` (indices or a mask), in that order.

        An input's values are selected when first read: a policy reads a few of the scenario's inputs.
        """
        selected = RunParameters.empty()
        selected._values = _SelectedRuns(self._values, runs)
        return selected

    def value(self, path: str, nominal: float) -> float | np.ndarray:
        """Return the per-run values of ``path`` if it is uncertain, else ``nominal``."""
        return self._values.get(path, nominal)

    def derived[T](self, key: Any, build: Callable[[], T]) -> T:
        """Return ``build()``, computed once per parameters object and ``key`` (tables built from them)."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    def __getitem__(self, path: str) -> np.ndarray:
        return self._values[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def columns(self) -> dict[str, np.ndarray]:
        """Return the drawn values as outcome columns (see :func:`input_column`)."""
        return {input_column(path): values for path, values in self._values.items()}


class _SelectedRuns(Mapping[str, np.ndarray]):
    """The entries ``runs`` of every array of ``values``, each selected once when first read."""

    def __init__(self, values: Mapping[str, np.ndarray], runs: np.ndarray) -> None:
        self._all = values
        self._runs = runs
        self._selected: dict[str, np.ndarray] = {}

    def __getitem__(self, path: str) -> np.ndarray:
        if path not in self._selected:
            self._selected[path] = self._all[path][self._runs]
        return self._selected[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)


def per_run_rows(values: list[Any]) -> np.ndarray:
    """Stack numbers and per-run arrays into ``(len(values), n)``: ``n`` is the runs if any value is an
    array over runs (an uncertain input), else 1, so the rows broadcast over runs either way."""
    n = next((np.shape(v)[-1] for v in values if np.ndim(v) > 0), 1)
    out = np.empty((len(values), n))
    for row, value in enumerate(values):
        out[row] = value
    return out
