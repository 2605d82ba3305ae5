"""The reference scenario behaves as theory says, where the model before it did not.

Each test pins one defect measured on the earlier model (issue 13): war came only from the fixed
misperception, all of it in the first year and most of it on the first day the ladder allowed; warning-
triggered responses could never call a strike off; the escalation score fell with severity and scaled with
the decision cadence; US resolve never moved; information sharing acted through a 48-hour step; some
responses on the shipped menus were never taken. Ensembles use common seeds, so a difference between two
settings is the effect of the setting, not sampling noise between two independent ensembles.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from wargame.model import DeterrenceModel, run_keys_from_seed
from wargame.model.gray_zone import GrayZoneMechanics
from wargame.model.state import EnsembleState
from wargame.scenario import apply_overrides, load_scenario

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "scenarios" / "taiwan_strait_baseline.yaml"
BALTIC = ROOT / "scenarios" / "baltic_deterrence.yaml"
RUNS = 1500
# Fewer runs where an effect is decisive on them (see the tests). Runs are keyed in run order, so the first N
# runs of the reference are the runs of an N-run ensemble, paired seed by seed with another N-run ensemble.
STRIKE_RUNS = 750
CADENCE_RUNS = 750

pytestmark = pytest.mark.slow


def ensemble(path: Path = REFERENCE, overrides: tuple[tuple[str, object], ...] = (), runs: int = RUNS):
    # One cache entry per ensemble however the call spells it: ``ensemble()``, ``ensemble(REFERENCE)`` and
    # ``ensemble(overrides=())`` are the same 1,500 runs.
    return _ensemble(path, overrides, runs)


@functools.cache
def _ensemble(path: Path, overrides: tuple[tuple[str, object], ...], runs: int):
    scenario = load_scenario(path)
    if overrides:
        scenario = apply_overrides(scenario, dict(overrides))
    model = DeterrenceModel(scenario, run_keys_from_seed(0, runs), record_decisions=True)
    model.run_to_end()
    return scenario, model, model.outcomes()


def p_war(overrides: tuple[tuple[str, object], ...] = (), runs: int = RUNS) -> float:
    """P(war) in a ``runs``-run ensemble with ``overrides``, or in the first ``runs`` runs of the reference
    (whose 1,500 runs every test shares)."""
    outcomes = ensemble(overrides=overrides, runs=runs if overrides else RUNS)[2]
    return float(outcomes["war"][:runs].mean())


def test_war_does_not_need_a_fixed_misperception():
    # Earlier: with the initial misjudgment at 0 no run ever reached war.
    assert p_war((("actors.prc.policy.perception_bias_sigma", 0.0),)) > 0.01


def test_war_can_start_in_the_second_year():
    # Earlier: a 730-day horizon gave the same probability of war as 365 days. The three-year ensemble of the
    # next test stands in for a two-year one: a run's first years do not depend on the horizon (the wars of
    # the one-year ensemble start on the same days in it), so its wars on days 365-729 are the second year's.
    _, _, year = ensemble()
    _, _, three_years = ensemble(overrides=(("horizon_days", 1095),))
    assert np.array_equal(three_years["war_day"][year["war"]], year["war_day"][year["war"]])
    second_year = three_years["war"] & ~year["war"] & (three_years["war_day"] < 730)
    assert second_year.sum() >= 3


def yearly_hazards(overrides: tuple[tuple[str, object], ...]) -> list[float]:
    """The share of the runs still at peace at the start of each of three years that go to war in it."""
    _, _, outcomes = ensemble(overrides=(("horizon_days", 1095), *overrides))
    day, war = outcomes["war_day"], outcomes["war"]
    hazards, at_risk = [], RUNS
    for start in (0, 365, 730):
        wars = int((war & (day >= start) & (day < start + 365)).sum())
        hazards.append(wars / at_risk)
        at_risk -= wars
    return hazards


def test_the_hazard_of_war_stays_up_after_the_first_year_unless_cooperation_lowers_it():
    # Earlier: war came from a misjudgment drawn at the start that the adversary then unlearnt, so the yearly
    # hazard fell from 8% in the first year to 0.3% in the third. With the cooperation programs stopped
    # (nothing strengthens the allies over the years) the hazard now stays within a factor of two.
    programs = load_scenario(REFERENCE).programs
    stopped = yearly_hazards(tuple((f"programs.{p.id}.intensity_per_year", 0) for p in programs))
    assert stopped[1] > 0.5 * stopped[0] and stopped[2] > 0.5 * stopped[0], stopped
    # With them the allies' forces close their gaps year after year and the hazard falls, from a higher base
    # than unlearning alone would leave.
    running = yearly_hazards(())
    assert running[1] > 0.25 * running[0], running
    assert running[2] < stopped[2] and running[1] < stopped[1], (running, stopped)


def test_war_onsets_are_not_piled_on_the_first_day_the_ladder_allows():
    # Earlier: every war started by day 161 and 36% of them on day 42.
    _, _, outcomes = ensemble()
    onsets = outcomes["war_day"][outcomes["war"]].astype(int)
    assert onsets.size >= 30
    day, wars_that_day = Counter(onsets.tolist()).most_common(1)[0]
    assert wars_that_day / onsets.size < 0.15, (day, wars_that_day, onsets.size)
    assert (onsets == onsets.min()).mean() < 0.15
    assert onsets.max() - onsets.min() > 200
    q25, q75 = np.percentile(onsets, [25, 75])
    assert q75 - q25 > 60


@pytest.mark.parametrize(
    "path",
    ["actors.usa.responses.reinforce.delay_days", "actors.twn.responses.mobilize_reserves.delay_days"],
)
def test_a_warning_triggered_response_can_call_a_strike_off(path):
    # Earlier: a strike could never be called off, so responses to the mobilization warning changed nothing.
    # A delay past the horizon removes the response's effect and nothing else. On 750 paired runs the delay
    # turns 9 (reinforce) and 10 (mobilize) runs to war and none to peace: P(war) +1.2 and +1.3 points,
    # z = 3.0 and 3.2 (on 1,500 runs: +0.9 and +1.1 points, z = 3.6 and 4.0); a response that cannot call
    # a strike off changes no run.
    without = p_war(((path, 1000),), runs=STRIKE_RUNS)
    assert without > p_war(runs=STRIKE_RUNS) + 0.005


def test_the_escalation_score_rises_with_the_most_severe_rung_reached():
    # Earlier: runs that reached war scored 103, runs that peaked at quarantine 242 and at blockade 286.
    scenario, _, outcomes = ensemble()
    rungs = [rung.id for rung in scenario.escalation.rungs]
    means = [
        outcomes["escalation_score"][outcomes["max_rung_id"] == rung].mean()
        for rung in rungs
        if (outcomes["max_rung_id"] == rung).sum() >= 10
    ]
    assert len(means) >= 4
    assert all(a < b for a, b in itertools.pairwise(means)), means
    war_scores = outcomes["escalation_score"][outcomes["war"]]
    assert war_scores.min() > outcomes["escalation_score"][~outcomes["war"]].mean()


def cadence_ensembles():
    """Decisions every 3 and every 14 days. On 750 runs (1,000 before) the margins of the three tests below
    stay as they were: escalation rates 3.5% apart (3.7%; the test allows 10%), responses per run at 14 days
    over 3 days 1.06/0.98/0.80 for Taiwan, the US and Japan (1.08/1.00/0.82; the test allows 0.1 around
    1/1/0.75), P(war) 0.3 points apart (the test allows 2). The earlier model missed each by far more."""
    return [ensemble(overrides=(("decision_interval_days", days),), runs=CADENCE_RUNS) for days in (3, 14)]


def test_the_escalation_rate_does_not_scale_with_the_decision_cadence():
    # Earlier: the score was 375/194/137 with decisions every 3/7/14 days.
    rates = [outcomes["escalation_per_30_days"].mean() for _, _, outcomes in cadence_ensembles()]
    assert rates[0] == pytest.approx(rates[1], rel=0.1)


def responses_per_run(model: DeterrenceModel, actor_id: str) -> float:
    taken = sum(int(entry["runs"].sum()) for entry in model.decision_log if entry["actor"] == actor_id)
    return taken / model.runs


@pytest.mark.parametrize(
    ("actor_id", "ratio"),
    # Japan's only response rests 21 days, which decisions every 14 days round up to 28: where a cooldown
    # sets the pace, only that rounding to the decision grid remains (21/28).
    [("twn", 1.0), ("usa", 1.0), ("jpn", 21 / 28)],
)
def test_how_often_an_ally_responds_does_not_depend_on_the_decision_cadence(actor_id, ratio):
    # Earlier: an ally took at most one response a decision, each decision a fresh chance: Taiwan responded
    # 19 times a run with decisions every 3 days and 10.5 times every 14 days.
    fast, slow = (model for _, model, _ in cadence_ensembles())
    assert responses_per_run(slow, actor_id) / responses_per_run(fast, actor_id) == pytest.approx(
        ratio, abs=0.1
    )


def test_the_decision_cadence_leaves_the_probability_of_war_within_noise():
    # Earlier: decisions every 3/7/14 days gave P(war) 5.1/10.2/11.8%.
    fast, slow = (outcomes for _, _, outcomes in cadence_ensembles())
    assert abs(fast["war"].mean() - slow["war"].mean()) < 0.02


def test_us_resolve_moves_between_runs():
    # Earlier: 0.6 [0.6, 0.6] in every run.
    _, _, outcomes = ensemble()
    final = outcomes["final_resolve_usa"]
    assert np.percentile(final, 95) - np.percentile(final, 5) > 0.05


def taken_responses(path: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    scenario, model, _ = ensemble(path)
    on_menus = {(actor.id, response.id) for actor in scenario.actors for response in actor.responses}
    taken = {(entry["actor"], entry["action"]) for entry in model.decision_log if entry["runs"].any()}
    return on_menus, taken


@pytest.mark.parametrize("path", [REFERENCE, BALTIC], ids=["reference", "baltic"])
def test_every_response_on_a_shipped_menu_is_taken_in_some_run(path):
    # Earlier: Taiwan's publicize fired 47 times a run and blocked raise_alert and mobilize_reserves.
    on_menus, taken = taken_responses(path)
    assert on_menus - taken == set()


def test_the_first_response_on_a_menu_does_not_crowd_out_the_others():
    # Earlier: publicize, first on Taiwan's menu, blocked raise_alert (0.6% of runs) and mobilize_reserves.
    _, model, _ = ensemble()
    took = {action: np.zeros(RUNS, dtype=bool) for action in ("raise_alert", "mobilize_reserves")}
    for entry in model.decision_log:
        if entry["actor"] == "twn" and entry["action"] in took:
            took[entry["action"]] |= entry["runs"]
    assert took["raise_alert"].mean() > 0.05
    assert took["mobilize_reserves"].mean() > 0.01


def test_the_timely_share_is_a_smooth_decreasing_function_of_link_latency():
    # Earlier: attribution delays were expected values, so latency 1-24 h had no effect and 25 h jumped.
    scenario = load_scenario(REFERENCE)
    shares = []
    for hours in range(1, 48, 2):
        changed = apply_overrides(
            scenario, {"links.usa-twn.latency_hours": float(hours), "gray_zone.delivery_time_cv": 0.5}
        )
        known, timely, _ = GrayZoneMechanics(changed, EnsembleState(changed, 1)).attribution_profile()
        shares.append(float((known * timely).mean()))
    steps = -np.diff(shares)
    assert np.all(steps > 0), shares
    assert steps.max() < 0.25 * (shares[0] - shares[-1]), shares
