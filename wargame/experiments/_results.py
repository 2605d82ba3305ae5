"""Loading a sweep's results folder into DataFrames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from wargame.analysis.inputs import INPUT_PREFIX
from wargame.experiments._spec import Parameter
from wargame.experiments._store import opened
from wargame.experiments._tasks import RESERVED_COLUMNS

__all__ = ["SweepResults", "load_results"]


@dataclass(frozen=True)
class SweepResults:
    """A sweep's results.

    Attributes:
        runs: One row per run that finished, sorted by point and replication: ``point``,
            ``replication``, ``seed``, the parameter values, then the outcomes.
        design: One row per design point (index ``point``), one column per parameter path.
        failures: One row per failed run: ``point``, ``replication``, ``seed``, ``error``,
            ``traceback``, ``attempts``.
        info: The sweep's identity and layout, as stored in ``sweep.json``.
        root: The results folder.
    """

    runs: pd.DataFrame
    design: pd.DataFrame
    failures: pd.DataFrame
    info: dict[str, Any]
    root: Path

    @property
    def parameters(self) -> list[Parameter]:
        """The swept parameters, in design column order."""
        return [Parameter.model_validate(parameter) for parameter in self.info["parameters"]]

    @property
    def parameter_names(self) -> list[str]:
        return [parameter["path"] for parameter in self.info["parameters"]]

    @property
    def outcome_names(self) -> list[str]:
        """The outcome columns of ``runs`` (not the drawn values of uncertain inputs, ``input:<path>``)."""
        skip = {*RESERVED_COLUMNS, *self.parameter_names}
        return [
            column
            for column in self.runs.columns
            if column not in skip and not column.startswith(INPUT_PREFIX)
        ]

    @property
    def total_runs(self) -> int:
        return int(self.info["total_runs"])

    @property
    def complete(self) -> bool:
        """Whether every run has a row or a failure record."""
        return len(self.runs) + len(self.failures) == self.total_runs

    @property
    def common_seeds(self) -> bool:
        """Whether replication ``r`` of every point ran with the same seed (common random numbers)."""
        return bool(self.info.get("common_seeds", False))

    @property
    def outcome_bounds(self) -> dict[str, tuple[float, float]]:
        """Per outcome, its possible range, as recorded by the sweep (empty when it recorded none)."""
        from wargame.analysis.outcomes import bounds_from_json

        return bounds_from_json((self.info.get("metadata") or {}).get("outcome_bounds"))

    @property
    def design_kind(self) -> str:
        return str(self.info["design"]["kind"])

    @property
    def design_settings(self) -> dict[str, Any]:
        return dict(self.info["design"]["settings"])

    def point_means(self, outcome: str) -> pd.Series:
        """Return the mean of ``outcome`` over each design point's runs (the rate, for a yes/no outcome).

        Indexed by point, in point order; only points with runs appear, and a point whose runs all lack
        a value of the outcome has ``NaN``.

        Raises:
            KeyError: If ``runs`` has no column ``outcome``.
        """
        return self.runs[outcome].astype(float).groupby(self.runs["point"]).mean()


def load_results(out_dir: str | Path) -> SweepResults:
    """Load a sweep's results, verifying every part file against the manifest.

    Args:
        out_dir: The results folder written by ``wargame sweep`` or :func:`wargame.experiments.sweep`.

    Raises:
        InputError: If the folder is not a sweep's, or a part file is truncated, altered or foreign.
    """
    with opened(out_dir) as store:
        design = store.read_design()
        frames = list(store.iter_parts())
        failures = store.read_failures()
        info = dict(store.header)
        root = store.root
    names = [parameter["path"] for parameter in info["parameters"]]
    if frames:
        runs = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    else:
        runs = pd.DataFrame({column: pd.Series(dtype="int64") for column in RESERVED_COLUMNS})
        runs["seed"] = runs["seed"].astype("uint64")
    runs = runs.sort_values(["point", "replication"], ignore_index=True)
    parameter_values = design[names].reindex(runs["point"].to_numpy()).reset_index(drop=True)
    outcomes = runs.drop(columns=list(RESERVED_COLUMNS))
    runs = pd.concat([runs[list(RESERVED_COLUMNS)], parameter_values, outcomes], axis=1)
    return SweepResults(runs=runs, design=design, failures=failures, info=info, root=root)
