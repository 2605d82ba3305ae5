"""Confirmation of the leading total Sobol indices from many pick-freeze pairs: Jansen's estimator on a
function whose indices are known in closed form, the pairs' design, and the check reading the confirmed
estimates."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import stats

from wargame.validity._confirm import (
    Confirmation,
    confirmation_design,
    confirmations,
    jansen_total,
)
from wargame.validity._inputs import inputs_from_distributions
from wargame.validity._sobol import (
    DUMMY,
    MAX_TOTAL_INDEX,
    SobolResult,
    analyse_sobol,
    confirm_in_rounds,
    sobol_design,
)
from wargame.validity._summary import ScenarioResult

# Ishigami's function (a = 7, b = 0.1) on U(-pi, pi)**3: total indices 0.5576, 0.4424 and 0.2437 (Saltelli
# et al. 2008, Global Sensitivity Analysis: The Primer, section 4.9; Sobol' & Levitan 1999).
ISHIGAMI_TOTALS = (0.5576, 0.4424, 0.2437)


def _ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + 7.0 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


@pytest.mark.parametrize("column", [0, 1, 2])
def test_jansen_total_recovers_the_ishigami_indices_with_a_narrow_interval(column: int) -> None:
    pairs = 3000
    design = np.pi * (2.0 * confirmation_design(3, [column], pairs, seed=column) - 1.0)
    f = _ishigami(design)
    total, low, high = jansen_total(f[:pairs], f[pairs:], seed=1)
    assert low < total < high
    assert total == pytest.approx(ISHIGAMI_TOTALS[column], abs=0.05)
    assert high - low < 0.12


@pytest.mark.slow  # 60 bootstrapped Sobol confirmations
def test_the_interval_covers_the_true_index_about_95_percent_of_the_time() -> None:
    covered = 0
    for seed in range(60):
        design = np.pi * (2.0 * confirmation_design(3, [2], 500, seed=100 + seed) - 1.0)
        f = _ishigami(design)
        _, low, high = jansen_total(f[:500], f[500:], seed=seed)
        covered += low <= ISHIGAMI_TOTALS[2] <= high
    assert covered >= 51  # 95% of 60 is 57; 51 or fewer would happen with probability < 0.3%


def test_each_pair_differs_in_its_own_input_alone() -> None:
    design = confirmation_design(4, [3, 1], 50, seed=7)
    a, ab_3, ab_1 = design[:50], design[50:100], design[100:]
    assert design.shape == (150, 4)
    assert (a[:, [0, 1, 2]] == ab_3[:, [0, 1, 2]]).all() and (a[:, 3] != ab_3[:, 3]).all()
    assert (a[:, [0, 2, 3]] == ab_1[:, [0, 2, 3]]).all() and (a[:, 1] != ab_1[:, 1]).all()
    assert design.min() > 0.0 and design.max() < 1.0
    np.testing.assert_array_equal(design, confirmation_design(4, [3, 1], 50, seed=7))


@pytest.mark.slow  # 4,000 pick-freeze pairs of 100 runs, bootstrapped
def test_war_indicators_on_common_random_numbers_give_the_known_indices() -> None:
    """P(war) = 0.8 x1 + 0.1 x2 over the same runs at every point: total indices 64/65 and 1/65."""
    pairs, runs = 4000, 100
    design = confirmation_design(2, [0, 1], pairs, seed=3)
    probability = 0.8 * design[:, 0] + 0.1 * design[:, 1]
    u = np.random.default_rng(0).random(runs)
    war = (u[None, :] < probability[:, None]).astype(float)
    first, second = confirmations(war, [0, 1], seed=5)
    assert (first.column, second.column, first.pairs) == (0, 1, pairs)
    assert first.total == pytest.approx(64 / 65, abs=0.05)
    assert second.total == pytest.approx(1 / 65, abs=0.01)
    assert first.noise < 0.05  # the same runs at every point: little of the index is noise


def test_four_times_the_run_keys_leave_a_quarter_of_the_noise_in_the_estimate() -> None:
    """P(war) = 0.25 + 0.5 x1, each point over runs of its own (no common random numbers): the noise adds
    p (1 - p) / R to the numerator, on average 0.229 / R against Var(f) = 1 / 48 (the index is 1)."""
    pairs = 4000
    design = confirmation_design(2, [0], pairs, seed=11)
    probability = 0.25 + 0.5 * design[:, 0]
    rng = np.random.default_rng(4)
    few, many = (
        confirmations((rng.random((len(design), runs)) < probability[:, None]).astype(float), [0], seed=5)[0]
        for runs in (40, 160)
    )
    expected = [(0.229 / runs) / (1 / 48 + 0.229 / runs) for runs in (40, 160)]
    assert (few.replications, many.replications) == (40, 160)
    assert few.noise == pytest.approx(expected[0], rel=0.15)
    assert many.noise == pytest.approx(expected[1], rel=0.15)
    assert few.total - few.noise == pytest.approx(1.0 - expected[0], abs=0.05)


def test_the_check_reads_the_confirmed_estimate() -> None:
    design = sobol_design(
        inputs_from_distributions([("x1", stats.uniform()), ("x2", stats.uniform())]), 64, 1
    )
    u = np.random.default_rng(0).random(200)
    war = (u[None, :] < (0.8 * design[:, 0] + 0.1 * design[:, 1])[:, None]).astype(float)
    result = analyse_sobol(("x1", "x2", DUMMY), war, 64, seed=2)
    assert result.passed is False and result.largest == 0
    lower = dataclasses.replace(result, confirmed=(Confirmation(0, 0.3, 0.2, 0.4, 0.0, 1024, 128),))
    assert lower.checked_total[0] == 0.3 and lower.total[0] == result.total[0]
    assert lower.passed is (max(0.3, result.total[1]) <= MAX_TOTAL_INDEX)
    assert lower.confirmation(0) is not None and lower.confirmation(1) is None
    higher = dataclasses.replace(result, confirmed=(Confirmation(1, 0.9, 0.8, 1.0, 0.0, 1024, 128),))
    assert higher.largest in (0, 1) and higher.passed is False


def test_a_failing_scenario_names_the_confirmed_index_and_its_interval() -> None:
    design = sobol_design(
        inputs_from_distributions([("x1", stats.uniform()), ("x2", stats.uniform())]), 64, 1
    )
    u = np.random.default_rng(0).random(200)
    war = (u[None, :] < (0.8 * design[:, 0] + 0.1 * design[:, 1])[:, None]).astype(float)
    sobol = dataclasses.replace(
        analyse_sobol(("x1", "x2", DUMMY), war, 64, seed=2),
        confirmed=(Confirmation(0, 0.5038, 0.44, 0.58, 0.037, 1024, 128),),
    )
    result = ScenarioResult("s", "s.yaml", "blu", 10, (), sobol, "inputs")
    assert result.failures() == [
        "Sobol: x1 has a total index of 0.504 [0.440, 0.580] (from 1,024 pick-freeze pairs) for P(war), "
        "above 0.5 (noise part 0.037)"
    ]


def _design_estimates(total: list[float], conf: float) -> SobolResult:
    """A design's result with the given total indices (the dummy's 0 appended), each +- ``conf``."""
    dimensions = len(total) + 1
    zeros = np.zeros(dimensions)
    return SobolResult(
        names=(*(f"x{i}" for i in range(len(total))), DUMMY),
        descriptions=("uniform",) * dimensions,
        first=zeros,
        first_conf=zeros,
        total=np.array([*total, 0.0]),
        total_conf=np.full(dimensions, conf),
        noise_total=zeros,
        noise_share=0.0,
        base=64,
        replications=32,
        points=64 * (dimensions + 1),
        war_range=(0.0, 0.1, 0.2),
        base_variance=0.01,
    )


def test_the_inputs_still_to_confirm_are_the_reaching_ones_not_confirmed_largest_first() -> None:
    result = _design_estimates([0.45, 0.62, 0.1, 0.55, 0.38], conf=0.1)
    assert result.unconfirmed_reaching == (1, 3, 0)  # 0.38 + 0.1 and 0.1 + 0.1 do not reach above 0.5
    confirmed = dataclasses.replace(result, confirmed=(Confirmation(3, 0.2, 0.1, 0.3, 0.0, 1024, 128),))
    assert confirmed.unconfirmed_reaching == (1, 0)


class _Counted:
    """P(war) = (x0 + x1 + x2) / 3 at every run key, x3 read by nothing: total indices 1/3, 1/3, 1/3, 0."""

    def __init__(self) -> None:
        self.points = 0

    def __call__(self, design: np.ndarray, keys: np.ndarray) -> np.ndarray:
        self.points += design.shape[0]
        return np.repeat(design[:, :3].mean(axis=1)[:, None], keys.size, axis=1)


@pytest.mark.slow
def test_confirmation_goes_on_in_rounds_until_no_unconfirmed_interval_reaches_the_threshold() -> None:
    # The design put all four inputs' intervals above the threshold (too few points to decide); three are
    # confirmed per round, so the fourth needs a second round, and the check must not read its design
    # estimate.
    design = _design_estimates([0.7, 0.65, 0.6, 0.55], conf=0.2)
    pairs, keys = 2000, np.arange(2)
    one_round_only = confirm_in_rounds(design, _Counted(), pairs, keys, seed=4, rounds=1)
    assert one_round_only.unconfirmed_reaching == (3,)
    assert one_round_only.passed is False  # the inert input's design estimate, 0.55, decides the check

    counted = _Counted()
    rounds = confirm_in_rounds(design, counted, pairs, keys, seed=4, per_round=3)
    assert [c.column for c in rounds.confirmed] == [0, 1, 2, 3]
    assert rounds.unconfirmed_reaching == ()
    np.testing.assert_allclose([c.total for c in rounds.confirmed], [1 / 3, 1 / 3, 1 / 3, 0.0], atol=0.04)
    assert rounds.passed is True
    assert counted.points == 5 * pairs  # the points A ran once, then one block per input
    # Rounds share the points A, so they give what one round over the four inputs gives.
    together = confirm_in_rounds(design, _Counted(), pairs, keys, seed=4, per_round=4)
    assert together.confirmed == rounds.confirmed
