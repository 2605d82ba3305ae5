"""The state of an ensemble: every named quantity as a row of one array over runs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from wargame.scenario import DOMAINS, Scenario, quantity_bounds
from wargame.scenario.derived import derived_table
from wargame.scenario.schema import Effect

__all__ = ["EnsembleState", "QuantityView"]


class EnsembleState:
    """Values of every quantity path of a scenario, one column per run.

    ``values[row, run]`` holds quantity ``paths[row]`` in run ``run``. Rows never move, so views of a row
    (``state.row("actors.twn.resolve")``) stay valid for the life of the state.

    ``baseline`` has the same layout: the level each quantity recovers to. Cooperation programs move a
    quantity and its baseline alike, so both live in one array, ``levels`` (``levels[0]`` is ``values``,
    ``levels[1]`` is ``baseline``), which one numpy call per day updates.

    Args:
        scenario: The scenario whose quantities are tracked.
        runs: Number of runs in the ensemble.
    """

    def __init__(self, scenario: Scenario, runs: int) -> None:
        layout = derived_table(scenario, "state_layout", _StateLayout.of)
        self.paths: tuple[str, ...] = layout.paths
        self.index: Mapping[str, int] = layout.index
        self.low = layout.low
        self.high = layout.high
        self.initial = layout.initial
        self.levels = np.repeat(self.initial[None, :, :], 2, axis=0).repeat(runs, axis=2)
        self.values = self.levels[0]
        self.baseline = self.levels[1]

    @property
    def runs(self) -> int:
        return int(self.values.shape[1])

    def row(self, path: str) -> np.ndarray:
        """Return the live view of quantity ``path`` over runs."""
        return self.values[self.index[path]]

    def apply(self, effect: Effect, runs: np.ndarray | slice = slice(None)) -> None:
        """Apply ``effect`` in the selected runs and clip to the quantity's bounds."""
        row = self.index[effect.quantity]
        values = self.values[row]
        if effect.add is not None and isinstance(runs, np.ndarray) and runs.dtype == bool:
            # Adding zero leaves the other runs exactly as they are, and they are inside the bounds already.
            # (Computed aside and written once: numpy is slow to update a one-element array in place.)
            updated = values + runs * effect.add
            np.maximum(np.minimum(updated, self.high[row]), self.low[row], out=values)
            return
        current = values[runs]
        if effect.add is not None:
            updated = current + effect.add
        elif effect.multiply is not None:
            updated = current * effect.multiply
        else:
            updated = np.full_like(current, effect.set)
        values[runs] = np.minimum(np.maximum(updated, self.low[row, 0]), self.high[row, 0])

    def view(self, hidden_prefix: str | None = None) -> QuantityView:
        """Return a read-only mapping of path to live values, hiding paths starting with ``hidden_prefix``."""
        return QuantityView(self, hidden_prefix)

    def snapshot(self, run: int) -> dict[str, float]:
        """Return every quantity of one run as a plain dictionary."""
        return {path: float(self.values[row, run]) for row, path in enumerate(self.paths)}


class QuantityView(Mapping[str, np.ndarray]):
    """A read-only mapping of quantity paths to live value rows, optionally hiding a prefix."""

    def __init__(self, state: EnsembleState, hidden_prefix: str | None) -> None:
        self._values = state.values
        self._rows: dict[str, np.ndarray] = {}
        self._row_numbers: dict[str, int] = {}
        for row, path in enumerate(state.paths):
            if hidden_prefix is None or not path.startswith(hidden_prefix):
                view = state.values[row].view()
                view.flags.writeable = False
                self._rows[path] = view
                self._row_numbers[path] = row
        self._stacks: dict[tuple[str, ...], np.ndarray] = {}

    def __getitem__(self, path: str) -> np.ndarray:
        return self._rows[path]

    def stack(self, paths: tuple[str, ...]) -> np.ndarray:
        """Return a copy of the values of ``paths``, shape ``(len(paths), runs)``: what
        ``np.array([view[path] for path in paths])`` gives, in one operation.

        Raises:
            KeyError: For a path this view does not show.
        """
        rows = self._stacks.get(paths)
        if rows is None:
            rows = self._stacks[paths] = np.array([self._row_numbers[path] for path in paths], dtype=np.intp)
        return self._values.take(rows, axis=0)

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


@dataclass(frozen=True)
class _StateLayout:
    """The rows of a scenario's state: paths, their bounds and initial values (read-only, shared)."""

    paths: tuple[str, ...]
    index: Mapping[str, int]
    low: np.ndarray  # (rows, 1)
    high: np.ndarray  # (rows, 1)
    initial: np.ndarray  # (rows, 1)

    @staticmethod
    def of(scenario: Scenario) -> _StateLayout:
        bounds = quantity_bounds(scenario)
        paths = tuple(bounds)
        columns = {
            "low": [low for low, _ in bounds.values()],
            "high": [high for _, high in bounds.values()],
            "initial": [_initial_value(scenario, path) for path in paths],
        }
        arrays = {name: np.array(values, dtype=np.float64)[:, None] for name, values in columns.items()}
        for array in arrays.values():
            array.flags.writeable = False
        index = MappingProxyType({path: row for row, path in enumerate(paths)})
        return _StateLayout(paths, index, **arrays)


def _initial_value(scenario: Scenario, path: str) -> float:
    section, key, *rest = path.split(".")
    if section == "actors":
        actor = scenario.actor(key)
        if rest[0] == "capability":
            assert rest[1] in DOMAINS
            return float(getattr(actor.capability, rest[1]))
        return float(getattr(actor, rest[0]))
    if section == "links":
        link = next(link for link in scenario.links if link.key == key)
        return float(getattr(link, rest[0]))
    commitment = next(c for c in scenario.commitments if c.key == key)
    return float(getattr(commitment, rest[0]))
