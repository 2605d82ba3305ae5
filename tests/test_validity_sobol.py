"""Total Sobol indices of P(war): the estimator on functions with known indices, the noise it carries,
and the whole machinery on a small scenario with stand-in distributions."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from validity_scenario import write_tiny_scenario

from wargame.model import run_keys_from_seed
from wargame.runner.executors import SerialExecutor
from wargame.scenario import load_scenario
from wargame.validity import (
    analyse_sobol,
    inputs_from_distributions,
    inputs_from_levers,
    levers_of,
    run_sobol,
)
from wargame.validity._inputs import inputs_from_scenario
from wargame.validity._sobol import DUMMY, MAX_TOTAL_INDEX, sobol_design

NAMES = ("x1", "x2", DUMMY)
BASE = 1024


def _probability(design: np.ndarray) -> np.ndarray:
    """P(war) = 0.8 x1 + 0.1 x2: Var P = (0.64 + 0.01) / 12, so the total indices are 64/65 and 1/65."""
    return 0.8 * design[:, 0] + 0.1 * design[:, 1]


def test_common_random_numbers_recover_the_known_indices_and_a_dummy_of_exactly_zero() -> None:
    design = sobol_design(
        inputs_from_distributions([("x1", stats.uniform()), ("x2", stats.uniform())]), BASE, 1
    )
    u = np.random.default_rng(0).random(200)  # the same runs at every point
    war = (u[None, :] < _probability(design)[:, None]).astype(float)
    result = analyse_sobol(NAMES, war, BASE, seed=2)
    assert result.total[0] == pytest.approx(64 / 65, abs=0.05)
    assert result.total[1] == pytest.approx(1 / 65, abs=0.02)
    assert result.total[2] == 0.0 and result.first[2] == 0.0
    assert result.largest == 0
    assert result.passed is False  # x1 alone decides P(war)
    assert result.noise_share < 0.05


def test_the_noise_part_is_measured_where_each_point_has_its_own_runs() -> None:
    """Independent runs per point: the noise variance is E[P (1 - P)] / R, every total index (the dummy's
    too) is inflated by the noise share, and the split into even and odd runs measures it."""
    design = sobol_design(
        inputs_from_distributions([("x1", stats.uniform()), ("x2", stats.uniform())]), BASE, 1
    )
    replications = 8
    rng = np.random.default_rng(3)
    war = (rng.random((design.shape[0], replications)) < _probability(design)[:, None]).astype(float)
    result = analyse_sobol(NAMES, war, BASE, seed=2)
    variance, noise = 0.65 / 12, (0.45 - 0.65 / 12 - 0.45**2) / replications
    expected_share = noise / (variance + noise)
    assert result.noise_share == pytest.approx(expected_share, rel=0.15)
    assert result.total[2] == pytest.approx(expected_share, abs=0.08)  # the dummy's index is all noise
    assert result.noise_total[2] == pytest.approx(expected_share, rel=0.2)
    assert result.noise_total[0] == pytest.approx(expected_share, rel=0.2)


def test_bootstrap_intervals_are_reproducible_for_every_seed_including_zero() -> None:
    design = sobol_design(
        inputs_from_distributions([("x1", stats.uniform()), ("x2", stats.uniform())]), 16, 0
    )
    u = np.random.default_rng(0).random(20)
    war = (u[None, :] < _probability(design)[:, None]).astype(float)
    first = analyse_sobol(NAMES, war, 16, seed=0)
    np.random.seed(12345)  # numpy's global generator must not matter
    second = analyse_sobol(NAMES, war, 16, seed=0)
    np.testing.assert_array_equal(first.total_conf, second.total_conf)
    np.testing.assert_array_equal(first.first_conf, second.first_conf)


def test_a_constant_p_war_has_no_index_and_no_verdict() -> None:
    war = np.zeros((4 * (len(NAMES) + 2), 6))
    result = analyse_sobol(NAMES, war, 4, seed=0)
    assert result.constant
    assert result.passed is None
    assert np.isnan(result.total).all()


def test_p_war_varying_only_off_the_base_points_has_no_index_and_no_verdict() -> None:
    """Every index divides by the variance over A and B: 0 there leaves them undefined, not infinite."""
    base, step = 4, len(NAMES) + 2  # each base point's rows: A, AB_1 .. AB_D, B
    war = np.zeros((base * step, 6))
    war[1::step, :3] = 1.0  # P(war) 0.5 at every AB_1, 0 at every A and B
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = analyse_sobol(NAMES, war, base, seed=0)
    assert not result.constant and result.war_range == (0.0, 0.1, 0.5)
    assert not result.defined
    assert result.passed is None
    assert np.isnan(result.total).all()
    assert result.unconfirmed_reaching == ()


def test_the_design_needs_a_power_of_two() -> None:
    inputs = inputs_from_distributions([("x1", stats.uniform())])
    with pytest.raises(ValueError, match="power of two"):
        sobol_design(inputs, 12, 0)
    design = sobol_design(inputs, 8, 0)
    assert design.shape == (8 * 4, 2)
    assert design.min() > 0.0 and design.max() < 1.0


def test_stand_in_distributions_drive_the_model_and_the_dummy_stays_at_zero(tmp_path: Path) -> None:
    scenario = load_scenario(write_tiny_scenario(tmp_path))
    inputs = inputs_from_distributions(
        [("actors.red.resolve", stats.uniform(0.2, 0.8)), ("links.grn-blu.fidelity", stats.uniform(0.7, 0.1))]
    )
    assert inputs[0].description == "uniform(0.2, 0.8)"
    result = run_sobol(scenario, inputs, 8, run_keys_from_seed(0, 16), 0, SerialExecutor())
    assert result.names == ("actors.red.resolve", "links.grn-blu.fidelity", DUMMY)
    assert result.points == 8 * 5
    assert result.war_range[0] < result.war_range[2]
    assert result.total[2] == 0.0
    assert result.total[0] > result.total[1]  # the adversary's resolve over [0.2, 1] matters most
    reaching = [c for c in (0, 1) if result.total[c] + result.total_conf[c] > MAX_TOTAL_INDEX]
    assert reaching == [0]  # N = 8: the resolve's interval reaches above the threshold, so it is confirmed
    assert [c.column for c in result.confirmed] == sorted(reaching, key=lambda c: -result.total[c])
    assert all(c.pairs == 16 * 8 for c in result.confirmed)
    assert result.passed == bool(result.checked_total[:2].max() <= MAX_TOTAL_INDEX)


def test_a_scenario_s_uncertain_inputs_are_the_design_s_inputs(tmp_path: Path) -> None:
    path = write_tiny_scenario(tmp_path)
    text = path.read_text().replace(
        "    resolve: 0.9\n", "    resolve: {dist: uniform, low: 0.6, high: 1.0}\n"
    )
    path.write_text(text)
    inputs = inputs_from_scenario(load_scenario(path))
    assert [(i.name, i.description) for i in inputs] == [("actors.red.resolve", "uniform(low=0.6, high=1)")]
    np.testing.assert_allclose(inputs[0].ppf(np.array([0.25, 0.5])), [0.7, 0.8])
    assert list(inputs[0].fields(np.array([0.7]))) == ["actors.red.resolve"]


def test_levers_as_inputs_span_their_levels(tmp_path: Path) -> None:
    scenario = load_scenario(write_tiny_scenario(tmp_path))
    levers = levers_of(scenario)
    inputs = inputs_from_levers(levers)
    assert [i.name for i in inputs] == [lever.name for lever in levers if not lever.ensemble]
    resolve, lever = inputs[0], levers[0]
    multipliers = resolve.ppf(np.array([0.0, 1.0]))
    assert tuple(multipliers) == (lever.levels[0], lever.levels[-1])
    assert resolve.fields(multipliers)["actors.blu.resolve"] == pytest.approx([0.3, 0.6 * lever.levels[-1]])
