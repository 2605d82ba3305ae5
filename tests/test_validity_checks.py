"""The validity checks on synthetic responses: each fires where it should and stays quiet where it should."""

from __future__ import annotations

import numpy as np
import pytest

from wargame.validity import Prediction, check_lever, jump, no_effect, unexpected_effect, wrong_sign

LEVELS = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0)


def paired(means: list[float], runs: int = 2000, spread: float = 0.3, seed: int = 0) -> np.ndarray:
    """Per-run responses ``(levels, runs)``: each level's mean, a per-run part shared by all levels (as
    common random numbers give) and a smaller part of its own."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(0.0, 1.0, runs)
    own = rng.normal(0.0, spread, (len(means), runs))
    return np.asarray(means)[:, None] + shared[None, :] + own


def wars(probabilities: list[float], runs: int = 2000, seed: int = 0) -> np.ndarray:
    """War indicators on common random numbers: run i goes to war at a level when u_i < P(level)."""
    u = np.random.default_rng(seed).random(runs)
    return (u[None, :] < np.asarray(probabilities)[:, None]).astype(float)


FLAT = [0.0] * 7
RISING = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
HUMP = [0.0, 0.2, 0.4, 0.6, 0.3, 0.2, 0.1]
STEP = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]


# ---------------------------------------------------------------- no effect
def test_no_effect_fires_when_no_output_moves_between_the_extremes() -> None:
    flag = no_effect({"escalation": paired(FLAT), "war": wars([0.1] * 7)}, LEVELS, "x nominal")
    assert flag is not None
    assert flag.check == "no effect"
    assert "from 1 to 7 x nominal" in flag.message


def test_no_effect_stays_quiet_when_one_output_moves() -> None:
    assert no_effect({"escalation": paired(FLAT), "war": wars([0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.12])},
                     LEVELS, "x nominal") is None  # fmt: skip
    assert no_effect({"escalation": paired(RISING)}, LEVELS, "x nominal") is None


def test_no_effect_fires_when_runs_are_identical_at_every_level() -> None:
    same = np.tile(np.random.default_rng(1).normal(size=500), (7, 1))
    assert no_effect({"resolve": same}, LEVELS, "x nominal") is not None


# ---------------------------------------------------------------- effect where none expected
def test_unexpected_effect_fires_on_a_difference_between_the_extremes() -> None:
    flag = unexpected_effect(paired(RISING), "escalation", LEVELS, "days")
    assert flag is not None
    assert flag.check == "effect where none expected"
    assert flag.output == "escalation"


def test_unexpected_effect_stays_quiet_on_a_flat_response() -> None:
    assert unexpected_effect(paired(FLAT), "escalation", LEVELS, "days") is None


# ---------------------------------------------------------------- wrong sign
def test_wrong_sign_fires_on_a_monotone_response_of_the_opposite_sign() -> None:
    flag = wrong_sign(paired(RISING), -1, "escalation", LEVELS, "x nominal")
    assert flag is not None
    assert "rises" in flag.message
    assert "predicts it falls" in flag.message


def test_wrong_sign_fires_on_a_hump_where_theory_predicts_a_rise() -> None:
    flag = wrong_sign(paired(HUMP), +1, "escalation", LEVELS, "x nominal")
    assert flag is not None
    assert "from 4 to 5" in flag.message  # the largest fall, 0.6 -> 0.3


def test_wrong_sign_stays_quiet_on_a_response_with_the_predicted_sign_or_no_prediction() -> None:
    assert wrong_sign(paired(RISING), +1, "escalation", LEVELS, "x nominal") is None
    assert wrong_sign(paired(FLAT), +1, "escalation", LEVELS, "x nominal") is None
    assert wrong_sign(paired(HUMP), 0, "escalation", LEVELS, "x nominal") is None


def test_wrong_sign_reads_war_indicators() -> None:
    falling = [0.3, 0.25, 0.2, 0.15, 0.1, 0.05, 0.0]
    assert wrong_sign(wars(falling), +1, "war", LEVELS, "x nominal") is not None
    assert wrong_sign(wars(falling), -1, "war", LEVELS, "x nominal") is None


@pytest.mark.slow
def test_wrong_sign_false_alarms_on_flat_noise_stay_below_five_percent() -> None:
    """Bonferroni over the six steps: a flat response is flagged in at most 2.5% of cases (one side)."""
    fired = sum(
        wrong_sign(paired(FLAT, runs=200, spread=1.0, seed=seed), +1, "escalation", LEVELS, "x") is not None
        for seed in range(400)
    )
    assert fired / 400 <= 0.05


# ---------------------------------------------------------------- jump
def test_jump_fires_on_a_step() -> None:
    flag = jump(paired(STEP), "resolve", LEVELS, "x nominal")
    assert flag is not None
    assert "from 3 to 4" in flag.message


def test_jump_stays_quiet_on_a_straight_line_and_within_noise() -> None:
    assert jump(paired(RISING), "resolve", LEVELS, "x nominal") is None
    tiny_step = [0.0, 0.0, 0.0, 0.01, 0.01, 0.01, 0.01]
    assert jump(paired(tiny_step, runs=100, spread=1.0), "resolve", LEVELS, "x nominal") is None


def test_jump_reads_war_indicators_in_points() -> None:
    flag = jump(wars([0.1, 0.1, 0.1, 0.4, 0.4, 0.4, 0.4]), "war", LEVELS, "x nominal")
    assert flag is not None
    assert "points" in flag.message


# ---------------------------------------------------------------- a lever's checks together
def test_check_lever_applies_each_prediction() -> None:
    responses = {"war": wars([0.2] * 7), "escalation": paired(RISING), "resolve": paired(RISING[::-1])}
    predictions = {"war": Prediction.DOWN, "escalation": Prediction.DOWN, "resolve": Prediction.NONE}
    flags = check_lever(responses, predictions, LEVELS, "x nominal")
    assert [(f.check, f.output) for f in flags] == [("wrong sign", "escalation")]


def test_check_lever_flags_any_effect_of_an_invariant_lever_and_skips_no_effect() -> None:
    responses = {"war": wars([0.2] * 7), "escalation": paired(RISING), "resolve": paired(FLAT)}
    predictions = dict.fromkeys(responses, Prediction.INVARIANT)
    flags = check_lever(responses, predictions, LEVELS, "days")
    assert [(f.check, f.output) for f in flags] == [("effect where none expected", "escalation")]


def test_check_lever_passes_a_lever_that_follows_theory() -> None:
    responses = {"war": wars([0.3, 0.27, 0.24, 0.21, 0.18, 0.15, 0.12]), "escalation": paired(RISING[::-1])}
    assert check_lever(responses, {"war": Prediction.DOWN, "escalation": Prediction.DOWN}, LEVELS, "x") == []


def test_check_lever_reads_only_the_outputs_it_has_predictions_for() -> None:
    responses = {"war": wars([0.3, 0.27, 0.24, 0.21, 0.18, 0.15, 0.12]), "escalation": paired(STEP)}
    assert check_lever(responses, {"war": Prediction.DOWN}, LEVELS, "x") == []
    with pytest.raises(KeyError):
        check_lever(responses, {"resolve": Prediction.UP}, LEVELS, "x")


# ---------------------------------------------------------------- what counts as a change
def test_a_change_beyond_noise_but_immaterial_does_not_count() -> None:
    # A 0.1% shift around a level of 10, so precise that its interval excludes zero.
    immaterial = paired([10.0, 10.0, 10.0, 10.01, 10.01, 10.01, 10.01], spread=0.001)
    assert unexpected_effect(immaterial, "resolve", LEVELS, "days") is None
    assert jump(immaterial, "resolve", LEVELS, "x nominal") is None
    assert no_effect({"resolve": immaterial}, LEVELS, "x nominal") is not None


def test_a_material_change_counts() -> None:
    material = paired([10.0, 10.0, 10.0, 10.5, 10.5, 10.5, 10.5], spread=0.001)  # 5% of the level
    assert unexpected_effect(material, "resolve", LEVELS, "days") is not None
    assert jump(material, "resolve", LEVELS, "x nominal") is not None
    assert no_effect({"resolve": material}, LEVELS, "x nominal") is None
