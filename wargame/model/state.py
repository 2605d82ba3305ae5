"""The state of an ensemble: every named quantity as a row of one array over runs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from wargame.scenario import DOMAINS, Effect, Scenario, quantity_bounds
from wargame.scenario.derived import derived_table

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

    def __init__(
        self, scenario: Scenario, runs: int, parameters: Mapping[str, np.ndarray] | None = None
    ) -> None:
        layout = derived_table(scenario, "state_layout", _StateLayout.of)
        self.paths: tuple[str, ...] = layout.paths
        self.index: Mapping[str, int] = layout.index
        self.low = layout.low
        self.high = layout.high
        self.levels = np.repeat(layout.initial[None, :, :], 2, axis=0).repeat(runs, axis=2)
        self.values = self.levels[0]
        self.baseline = self.levels[1]
        # Quantities whose initial value is an uncertain input start at each run's drawn value.
        for path, drawn in (parameters or {}).items():
            row = self.index.get(path)
            if row is not None:
                self.levels[:, row] = np.clip(drawn, self.low[row, 0], self.high[row, 0])
        self.initial = self.values.copy()
        self.initial.flags.writeable = False

    @property
    def runs(self) -> int:
        return int(self.values.shape[1])

    def row(self, path: str) -> np.ndarray:
        """Return the live view of quantity ``path`` over runs."""
        return self.values[self.index[path]]

    def apply(
        self, effect: Effect, runs: np.ndarray | slice = slice(None), amount: float | np.ndarray | None = None
    ) -> None:
        """Apply ``effect`` in the selected runs and clip to the quantity's bounds.

        ``amount`` replaces the effect's number (its ``add``, ``multiply`` or ``set``) by one per run, for an
        effect whose number is an uncertain input.
        """
        row = self.index[effect.quantity]
        values = self.values[row]
        if amount is None:
            amount = (
                effect.add
                if effect.add is not None
                else effect.multiply
                if effect.multiply is not None
                else effect.set
            )
        if not isinstance(runs, np.ndarray) or runs.dtype != bool:
            mask = np.zeros(values.shape, dtype=bool)
            mask[runs] = True
            runs = mask
        if effect.add is not None:
            # Adding zero leaves the other runs exactly as they are, and they are inside the bounds already.
            # (Computed aside and written once: numpy is slow to update a one-element array in place.)
            updated = values + runs * amount
        elif effect.multiply is not None:
            updated = np.where(runs, values * amount, values)
        else:
            updated = np.where(runs, amount, values)
        np.maximum(np.minimum(updated, self.high[row]), self.low[row], out=values)

    def view(self, hidden_prefix: str | None = None) -> QuantityView:
        """Return a read-only mapping of path to live values, hiding paths starting with ``hidden_prefix``."""
        return QuantityView(self, hidden_prefix)

    def snapshot(self, run: int) -> dict[str, float]:
        """Return every quantity of one run as a plain dictionary."""
        return {path: float(self.values[row, run]) for row, path in enumerate(self.paths)}


class QuantityView(Mapping[str, np.ndarray]):
    """A read-only mapping of quantity paths to live value rows, optionally hiding a prefix."""

    def __init__(self, state: EnsembleState, hidden_prefix: str | None) -> None:
        self._bind(state.values, state.paths, hidden_prefix)

    @classmethod
    def over(cls, values: np.ndarray, paths: tuple[str, ...], hidden_prefix: str | None) -> QuantityView:
        """Return a view of ``values`` laid out like a state with ``paths`` (one row per path)."""
        view = cls.__new__(cls)
        view._bind(values, paths, hidden_prefix)
        return view

    def _bind(self, values: np.ndarray, paths: tuple[str, ...], hidden_prefix: str | None) -> None:
        self._values = values
        self._paths = paths
        self._hidden_prefix = hidden_prefix
        self._rows: dict[str, np.ndarray] = {}
        self._row_numbers: dict[str, int] = {}
        for row, path in enumerate(paths):
            if hidden_prefix is None or not path.startswith(hidden_prefix):
                view = values[row].view()
                view.flags.writeable = False
                self._rows[path] = view
                self._row_numbers[path] = row
        self._stacks: dict[tuple[str, ...], np.ndarray] = {}

    def select(self, runs: np.ndarray) -> QuantityView:
        """Return a view of a copy of the runs ``runs`` (indices), in that order."""
        return QuantityView.over(self._values[:, runs], self._paths, self._hidden_prefix)

    def row_number(self, path: str) -> int:
        """Return the row of ``path`` in the underlying array (KeyError for a path this view hides)."""
        return self._row_numbers[path]

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
