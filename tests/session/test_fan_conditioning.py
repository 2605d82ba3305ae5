"""What a counterfactual fan conditions on: fresh hidden state per continuation, weighed by the adversary's
recorded moves; weighted estimates; the statement the fan makes about it."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from session_helpers import REFERENCE, fans_on_one_and_two_workers, play_out, write_short_scenario

from wargame.cli import main
from wargame.errors import InputError
from wargame.session import WHITE_CELL, Continue, SeatAction, Session
from wargame.session._conditioning import Weighted
from wargame.session._fan import counterfactual_fan
from wargame.stats import proportion_interval

ALLIES = ("twn", "usa", "jpn")


def _play_turn_one(session: Session, seats: tuple[str, ...]) -> None:
    """The white cell continues and every seat passes at turn 1."""
    session.submit(Continue(seat=WHITE_CELL))
    for seat in seats:
        assert session.pending is not None and session.pending.seat == seat
        session.submit(SeatAction(seat, None))
    assert session.status().turn == 2


@pytest.fixture
def turn_one(tmp_path: Path) -> Iterator[Session]:
    """The reference scenario after turn 1: people hold the allied seats and passed; the adversary's policy
    made its first move."""
    session = Session.create(REFERENCE, tmp_path / "s", seats=ALLIES, white_cell=True, seed=3)
    _play_turn_one(session, ALLIES)
    yield session
    session.close()


@pytest.mark.slow
def test_a_fan_from_turn_one_is_uncertain_about_war(turn_one: Session) -> None:
    fan = counterfactual_fan(turn_one, turn=1, runs=200, plot=False)
    summary = fan.summary()["actual"]
    # Each continuation has its own hidden state, so they disagree on war (a fan that inherited the session's
    # misperception gave 0% or 100%).
    assert 0.0 < summary["war_probability"] < 1.0
    assert fan.actual.outcomes["war"].nunique() == 2
    low, high = summary["war_probability_interval"]
    assert 0.0 <= low < summary["war_probability"] < high < 1.0
    # The adversary's move at turn 1 is explained better by some hidden states than by others.
    weights = fan.actual.weighted.weights
    assert np.ptp(weights) > 0 and math.isclose(weights.sum(), 1.0)
    assert 30 < fan.conditioning.effective_sample_size < 200
    assert fan.conditioning.adversary_moves == 1
    assert fan.conditioning.adversary_seat == "policy"


@pytest.mark.slow  # two fans of 200 continuations
def test_swapping_a_decision_at_turn_one_can_change_the_chance_of_war(turn_one: Session) -> None:
    fan = counterfactual_fan(turn_one, turn=1, runs=200, swap=("usa", "reinforce"))
    assert fan.swapped is not None
    # Common random numbers: the same hidden states weigh the same on both sides, since the swap comes after
    # the adversary's recorded move.
    assert np.array_equal(fan.actual.weighted.weights, fan.swapped.weighted.weights)
    changed = fan.actual.outcomes["war"].to_numpy() != fan.swapped.outcomes["war"].to_numpy()
    assert changed.any()
    summary = fan.summary()
    assert summary["swapped"]["war_probability"] != summary["actual"]["war_probability"]


@pytest.mark.slow  # a second session played and two fans
def test_continuations_weigh_the_same_without_an_adversary_history(turn_one: Session, tmp_path: Path) -> None:
    before_any_move = counterfactual_fan(turn_one, turn=0, runs=60, plot=False)
    assert np.all(before_any_move.actual.weighted.weights == 1 / 60)
    assert before_any_move.conditioning.effective_sample_size == pytest.approx(60)
    assert "no move of the adversary yet" in before_any_move.conditioning.lines()[0]

    # A person's moves as the adversary say nothing about the policy's hidden state.
    people = Session.create(REFERENCE, tmp_path / "red", seats=("prc", *ALLIES), white_cell=True, seed=3)
    _play_turn_one(people, ("prc", *ALLIES))
    fan = counterfactual_fan(people, turn=1, runs=60, plot=False)
    people.close()
    assert np.all(fan.actual.weighted.weights == 1 / 60)
    assert fan.conditioning.adversary_seat == "person"
    assert "a person's" in fan.conditioning.lines()[0]
    assert fan.actual.outcomes["war"].nunique() == 2  # the policy's hidden state is still drawn afresh


@pytest.mark.slow
def test_the_same_seed_gives_the_same_fan(turn_one: Session) -> None:
    first = counterfactual_fan(turn_one, turn=1, runs=40, seed=5, plot=False)
    again = counterfactual_fan(turn_one, turn=1, runs=40, seed=5, plot=False)
    other = counterfactual_fan(turn_one, turn=1, runs=40, seed=6, plot=False)
    assert first.actual.outcomes.equals(again.actual.outcomes)
    assert np.array_equal(first.actual.weighted.weights, again.actual.weighted.weights)
    assert not np.array_equal(first.actual.weighted.weights, other.actual.weighted.weights)
    assert [path.name for path in first.files] == ["turn-1.json"]  # plot=False: the summary alone


@pytest.mark.slow
def test_fan_weights_do_not_depend_on_jobs(turn_one: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    serial, parallel = fans_on_one_and_two_workers(turn_one, monkeypatch)
    assert serial.actual.outcomes.equals(parallel.actual.outcomes)
    assert np.array_equal(serial.actual.weighted.weights, parallel.actual.weighted.weights)
    assert serial.summary()["actual"] == parallel.summary()["actual"]


@pytest.mark.slow
def test_the_fan_says_what_it_conditions_on_and_warns_of_a_small_sample(
    turn_one: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = turn_one.directory
    turn_one.close()
    assert main(["session", "branch", str(directory), "--turn", "1", "--runs", "20"]) == 0
    printed = capsys.readouterr().out
    assert "Conditioned on the session's history up to turn 1 (day 7)" in printed
    assert "the adversary's 1 recorded move (decisions" in printed
    assert "Sampled afresh in each continuation: the adversary's misjudgment" in printed
    assert "Warning: the effective sample size is below 30" in printed
    summary = json.loads((directory / "fans" / "turn-1.json").read_text())
    conditioning = summary["conditioning"]
    assert conditioning["history_through_turn"] == 1 and conditioning["low_effective_sample_size"]
    assert conditioning["effective_sample_size"] < 20
    # The saved weights reproduce the saved weighted P(war).
    actual = summary["actual"]
    weights, war = np.array(actual["weights"]), np.array(actual["war"])
    assert math.isclose(float(weights @ war), actual["war_probability"], abs_tol=1e-12)


# ---------------------------------------------------------------------- weighted estimates
def test_equal_weights_give_the_plain_estimates() -> None:
    outcome = np.array([True, False, False, True, False])
    weighted = Weighted.from_log_likelihood(np.full(5, -3.0))
    assert weighted.effective_sample_size == pytest.approx(5.0)
    estimate = weighted.proportion(outcome)
    plain = proportion_interval(2, 5)
    assert estimate.value == pytest.approx(0.4)
    assert (estimate.low, estimate.high) == pytest.approx((plain.low, plain.high))
    assert weighted.percentile_of_score(np.array([1, 2, 3, 4, 5]), 3) == pytest.approx(50.0)


def test_weights_follow_the_likelihood_of_the_recorded_moves() -> None:
    weighted = Weighted.from_log_likelihood(np.array([0.0, math.log(3.0), -np.inf]))
    assert weighted.weights == pytest.approx([0.25, 0.75, 0.0])
    assert weighted.effective_sample_size == pytest.approx(1.0 / (0.25**2 + 0.75**2))
    values = np.array([1.0, 2.0, 9.0])
    assert weighted.mean(values) == pytest.approx(1.75)
    assert weighted.quantiles(values, [0.2, 0.5]) == pytest.approx([1.0, 2.0])
    assert weighted.percentile_of_score(values, 2.0) == pytest.approx(100 * (0.25 + 0.75 / 2))
    assert weighted.shares(np.array([4, 4, 6])) == pytest.approx({4: 1.0, 6: 0.0})
    # The interval of a weighted share is as wide as its effective sample size makes it.
    estimate = weighted.proportion(np.array([True, False, False]))
    assert estimate.value == pytest.approx(0.25)
    assert estimate.high - estimate.low > proportion_interval(1, 3).high - proportion_interval(1, 3).low
    with pytest.raises(InputError, match="none of the 2 continuations can make"):
        Weighted.from_log_likelihood(np.array([-np.inf, -np.inf]))


@pytest.mark.slow
def test_an_unfinished_session_is_compared_with_the_continuations_at_the_same_day(turn_one: Session) -> None:
    # The session waits at turn 2's decision point: its outcome so far is turn 2's adjudicated digest.
    digest = [e.payload for e in turn_one.timeline() if e.kind == "turn_adjudicated"][-1]
    assert digest["day"] == 14
    from_start = counterfactual_fan(turn_one, turn=0, runs=120, seed=11, plot=False)
    summary = from_start.summary()
    assert summary["compared_at_day"] == 14 and not summary["session_finished"]
    assert summary["session_outcome"]["escalation_score"] == digest["escalation_score"]
    so_far = summary["actual"]["so_far"]
    assert so_far["day"] == 14
    # Each continuation by day 14 has made two weeks of decisions; at the horizon, 52 weeks of them.
    scores_so_far = np.array(so_far["escalation_scores"])
    scores_at_horizon = np.array(summary["actual"]["escalation_scores"])
    assert scores_so_far.mean() < scores_at_horizon.mean()
    weights = np.array(summary["actual"]["weights"])
    below = weights[scores_so_far < digest["escalation_score"]].sum()
    tied = weights[scores_so_far == digest["escalation_score"]].sum()
    assert from_start.escalation_score_percentile == pytest.approx(100 * (below + tied / 2))
    assert from_start.escalation_score_percentile > 0.0

    # Branched at turn 1, every continuation shares the session's decisions up to day 14 (the cadence is
    # weekly): its score so far is the session's, so the session sits in the middle, not at percentile 0.
    from_turn_one = counterfactual_fan(turn_one, turn=1, runs=60, seed=11, plot=False)
    scores_from_turn_one = from_turn_one.summary()["actual"]["so_far"]["escalation_scores"]
    assert set(scores_from_turn_one) == {digest["escalation_score"]}
    assert from_turn_one.escalation_score_percentile == pytest.approx(50.0)


def test_a_finished_session_is_compared_at_the_horizon(tmp_path: Path) -> None:
    scenario = write_short_scenario(tmp_path)
    with Session.create(scenario, tmp_path / "s", seats=["usa"], seed=5) as session:
        play_out(session)
        fan = counterfactual_fan(session, turn=2, runs=40, plot=False)
    summary = fan.summary()
    assert summary["compared_at_day"] is None and "so_far" not in summary["actual"]
    final = [e.payload for e in session.timeline() if e.kind == "finished"][-1]
    assert summary["session_outcome"]["escalation_score"] == final["escalation_score"]
