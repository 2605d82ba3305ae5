"""The model's gray zone and the calibration's simulator are the same process.

A root activity with clustering and a daily shock, drawn by the model's gray-zone mechanics at the status
quo, must have the mean, variance / mean and lag-1 and lag-7 autocorrelations of the calibration's own
simulator within sampling error: otherwise fitted values would mean something else inside the model.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scenario_builders import build, minimal_scenario

from wargame.calibration import ProcessParameters, simulate_counts
from wargame.core.random_streams import EnsembleRandom, run_keys_from_seed
from wargame.model.gray_zone import GrayZoneMechanics
from wargame.model.state import EnsembleState

RUNS, DAYS = 300, 730


def _model_counts(params: ProcessParameters) -> np.ndarray:
    """True daily incidents of one root activity drawn by the model, ``(runs, days)``."""
    document = minimal_scenario(links=[], horizon_days=DAYS)
    document["gray_zone"]["activities"][0].update(
        base_rate_per_day=params.base_rate_per_day,
        overdispersion_sigma=params.overdispersion_sigma,
        clustering={"branching_ratio": params.branching_ratio, "decay_days": params.decay_days},
    )
    scenario = build(document)
    mechanics = GrayZoneMechanics(scenario, EnsembleState(scenario, RUNS))
    random = EnsembleRandom(run_keys_from_seed(77, RUNS))
    status_quo = np.zeros(RUNS, dtype=np.int64)
    blocks = [
        mechanics.draw_block(random, first, min(7, DAYS - first), status_quo).incidents[:, :, 0]
        for first in range(0, DAYS, 7)
    ]
    return np.concatenate(blocks, axis=1)


def _per_run(series: np.ndarray) -> dict[str, np.ndarray]:
    series = series.astype(float)
    mean = series.mean(axis=1)

    def lagged(lag: int) -> np.ndarray:
        return np.array([np.corrcoef(row[:-lag], row[lag:])[0, 1] for row in series])

    return {
        "mean": mean,
        "variance / mean": series.var(axis=1, ddof=1) / mean,
        "lag-1 autocorrelation": lagged(1),
        "lag-7 autocorrelation": lagged(7),
    }


@pytest.mark.parametrize(
    "params",
    [ProcessParameters(13.6, 0.69, 0.41, 0.54), ProcessParameters(13.0, 0.6, 0.4, 2.0)],
    ids=["fitted-like", "recovery-test"],
)
def test_the_model_draws_the_process_the_calibration_fits(params: ProcessParameters) -> None:
    model = _per_run(_model_counts(params))
    simulator = _per_run(simulate_counts(params, DAYS, RUNS, seed=78))
    for name in model:
        difference = model[name].mean() - simulator[name].mean()
        error = math.sqrt(model[name].var(ddof=1) / RUNS + simulator[name].var(ddof=1) / RUNS)
        assert abs(difference) < 4 * error, (
            f"{name}: model {model[name].mean()}, simulator {simulator[name].mean()}"
        )
    # Not vacuous: the process is clustered, and a process without clustering is told apart.
    assert model["lag-1 autocorrelation"].mean() > 0.1
    unclustered = _per_run(simulate_counts(ProcessParameters(params.base_rate_per_day, 0.69), DAYS, RUNS, 79))
    gap = model["lag-1 autocorrelation"].mean() - unclustered["lag-1 autocorrelation"].mean()
    assert gap > 4 * math.sqrt(
        model["lag-1 autocorrelation"].var() / RUNS + unclustered["lag-1 autocorrelation"].var() / RUNS
    )
