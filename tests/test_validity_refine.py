"""Telling a cliff from a steep slope: the jump check refines a large step before it calls it a jump."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from wargame.validity import Prediction
from wargame.validity._checks import jump
from wargame.validity._ensemble import COLUMNS, LeverResponse
from wargame.validity._levers import Lever
from wargame.validity._refine import refine_jumps

RUNS = 4000
LEVELS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5)


def lever(levels: tuple[float, ...] = LEVELS, ensemble: bool = False) -> Lever:
    return Lever(
        key="test",
        name="test lever",
        paths=("actors.a.readiness",),
        nominal=(0.5,),
        upper=(1.0,),
        levels=levels,
        ensemble=ensemble,
        predictions={"war": Prediction.DOWN},
        reason="test",
        literature="test",
    )


def simulate(probability_of_war, levels) -> LeverResponse:
    """War indicators on common random numbers at each level: run i is at war where u_i < P(level)."""
    u = np.random.default_rng(1).random(RUNS)
    war = (u[None, :] < np.array([probability_of_war(x) for x in levels])[:, None]).astype(float)
    columns = {name: np.zeros_like(war) for name in COLUMNS}
    columns["war"] = war
    return LeverResponse(lever(tuple(levels)), (365,) * len(levels), columns)


def runner(probability_of_war, calls: list):
    def run(moved: Lever) -> LeverResponse:
        calls.append(moved.levels)
        return replace(simulate(probability_of_war, moved.levels), lever=moved)

    return run


def steep_but_smooth(x: float) -> float:
    return 0.6 * np.exp(-2.0 * (x - 0.5))


def cliff(x: float) -> float:
    return 0.6 if x < 0.8 else 0.05


def test_a_steep_smooth_response_fails_on_the_coarse_grid_and_passes_once_refined() -> None:
    coarse = simulate(steep_but_smooth, LEVELS)
    assert jump(coarse.columns["war"], "war", LEVELS, "x") is not None
    calls: list = []
    refined = refine_jumps(coarse, runner(steep_but_smooth, calls))
    # The first step is halved, then its steeper lower half again.
    assert calls == [(0.75,), (0.625,)]
    assert refined.lever.levels == (0.5, 0.625, 0.75, *LEVELS[1:])
    assert jump(refined.columns["war"], "war", refined.lever.levels, "x") is None


def test_a_cliff_stays_a_jump_however_fine_the_grid() -> None:
    coarse = simulate(cliff, LEVELS)
    calls: list = []
    refined = refine_jumps(coarse, runner(cliff, calls))
    assert calls == [(0.75,), (0.875,)]  # halved twice, closing in on the threshold at 0.8
    flag = jump(refined.columns["war"], "war", refined.lever.levels, "x")
    assert flag is not None


def test_the_runs_at_added_levels_are_placed_in_level_order() -> None:
    coarse = simulate(cliff, LEVELS)
    refined = refine_jumps(coarse, runner(cliff, []))
    expected = simulate(cliff, refined.lever.levels)
    np.testing.assert_array_equal(refined.columns["war"], expected.columns["war"])


def test_whole_day_steps_of_one_day_are_not_split() -> None:
    days = (3.0, 4.0, 5.0, 6.0, 7.0)
    coarse = simulate(lambda d: 0.6 if d < 3.5 else 0.05, days)
    coarse = replace(coarse, lever=lever(days, ensemble=True))
    calls: list = []
    assert refine_jumps(coarse, runner(lambda d: 0.0, calls)) is coarse
    assert calls == []
