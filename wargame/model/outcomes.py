"""What a run leaves behind: one row of outcomes per run, and optionally one row per run and day.

The outcome columns are listed in ``docs/model.md``; per-day columns in :class:`DailyRecord`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wargame.model.escalation import WAR_RESULTS

if TYPE_CHECKING:
    from wargame.model.simulation import DeterrenceModel

__all__ = ["DailyRecord", "outcome_columns"]

_DAYS_PER_PERIOD = 30.0


def outcome_columns(model: DeterrenceModel) -> dict[str, np.ndarray]:
    """Return the outcome columns, one entry per run (see ``docs/model.md`` for each)."""
    scenario = model.spec
    posture = model.posture
    rung_ids = np.array([rung.id for rung in scenario.escalation.rungs])
    incidents_total, detected_total, attributed_total = model.tallies.distinct_totals
    with np.errstate(invalid="ignore", divide="ignore"):
        columns: dict[str, np.ndarray] = {
            "war": posture.war_day >= 0,
            "war_day": np.where(posture.war_day >= 0, posture.war_day, np.nan).astype(np.float64),
            "war_result": np.array(WAR_RESULTS, dtype=object)[posture.war_result],
            "war_duration_days": posture.war_duration_days.copy(),
            "war_losses_adversary": posture.war_losses_adversary.copy(),
            "war_losses_allied": posture.war_losses_allied.copy(),
            "war_allies_joined": posture.allies_joined.copy(),
            "max_rung": posture.max_rung.copy(),
            "max_rung_id": rung_ids[posture.max_rung],
            "final_rung_id": rung_ids[posture.rung],
            "escalation_score": posture.escalation_score.copy(),
            "escalation_per_30_days": posture.posture_score_days * (_DAYS_PER_PERIOD / scenario.horizon_days),
            "incidents_total": incidents_total.copy(),
            "detected_total": detected_total.copy(),
            "attributed_timely_total": attributed_total.copy(),
            "detection_rate": detected_total / incidents_total,
            "attribution_rate": attributed_total / detected_total,
            "mean_attribution_delay_hours": model.tallies.attribution_delay_hours_total / detected_total,
        }
    for j, activity in enumerate(scenario.gray_zone.activities):
        columns[f"incidents_{activity.id}"] = model.tallies.incidents[:, j].copy()
    state = model.state
    for actor in scenario.actors:
        if actor.side == "allied":
            columns[f"final_resolve_{actor.id}"] = state.row(f"actors.{actor.id}.resolve").copy()
            columns[f"final_readiness_{actor.id}"] = state.row(f"actors.{actor.id}.readiness").copy()
    for commitment in scenario.commitments:
        key = f"{commitment.from_actor}_{commitment.to_actor}"
        columns[f"final_credibility_{key}"] = state.row(f"commitments.{commitment.key}.credibility").copy()
    columns["injects_fired"] = model.injects.fired.copy()
    columns.update(model.parameters.columns())
    return columns


class DailyRecord:
    """Per-day values of some runs of an ensemble, kept in memory as compact arrays.

    Columns per run and day: for each activity its true, detected and timely-attributed incidents; the
    adversary's rung; each ally's resolve and readiness; each commitment's credibility.

    Args:
        model: The model recorded.
        runs: Indices (within the ensemble) of the runs to keep.
    """

    def __init__(self, model: DeterrenceModel, runs: np.ndarray) -> None:
        scenario = model.spec
        self.runs = np.asarray(runs, dtype=np.intp)
        days, activities = scenario.horizon_days, len(scenario.gray_zone.activities)
        self.counts = np.zeros((days, 3, self.runs.size, activities), dtype=np.int32)
        self.rung = np.zeros((days, self.runs.size), dtype=np.int8)
        allies = [a.id for a in scenario.allied_actors]
        paths = [
            *(f"actors.{a}.resolve" for a in allies),
            *(f"actors.{a}.readiness" for a in allies),
            *(f"commitments.{c.key}.credibility" for c in scenario.commitments),
        ]
        self.quantity_names = [
            *(f"resolve_{a}" for a in allies),
            *(f"readiness_{a}" for a in allies),
            *(f"credibility_{c.from_actor}_{c.to_actor}" for c in scenario.commitments),
        ]
        self._rows = np.array([model.state.index[p] for p in paths], dtype=np.intp)
        self.quantities = np.zeros((days, len(paths), self.runs.size), dtype=np.float32)
        self.activity_ids = [a.id for a in scenario.gray_zone.activities]

    def record(self, model: DeterrenceModel, day: int) -> None:
        """Keep the day's values (at the end of the day)."""
        counts = model.tallies.day_counts
        if counts is not None:
            self.counts[day] = counts[:, self.runs]
        self.rung[day] = model.posture.rung[self.runs]
        self.quantities[day] = model.state.values[self._rows][:, self.runs]

    def columns(self) -> dict[str, np.ndarray]:
        """Return the record as columns of one row per run and day, run-major (``day`` varies fastest)."""
        days = self.rung.shape[0]
        columns: dict[str, np.ndarray] = {
            "run_index": np.repeat(self.runs, days),
            "day": np.tile(np.arange(days, dtype=np.int32), self.runs.size),
            "rung": self.rung.T.reshape(-1),
        }
        for j, activity in enumerate(self.activity_ids):
            for k, kind in enumerate(("incidents", "detected", "attributed_timely")):
                columns[f"{kind}_{activity}"] = self.counts[:, k, :, j].T.reshape(-1)
        for q, name in enumerate(self.quantity_names):
            columns[name] = self.quantities[:, q, :].T.reshape(-1)
        return columns
