"""The adversary that learns and weighs denial, allies as actors, and the campaign: each mechanic pinned on a
small scenario against a hand computation or an independent method (each failed on the model before them).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scenario_builders import actor, build, campaign_ladder, ladder, minimal_scenario, quiet
from scipy import integrate, special, stats

from wargame.core.campaign import adjudicate, domain_success_probability
from wargame.core.parameters import RunParameters
from wargame.core.random_streams import EnsembleRandom
from wargame.model import DeterrenceModel, deterrence_inputs
from wargame.model.beliefs import AdversaryBeliefs
from wargame.model.dynamics import StateDynamics
from wargame.model.state import EnsembleState
from wargame.scenario import DOMAINS, Scenario, apply_overrides


def keys(runs: int, offset: int = 0) -> np.ndarray:
    return np.arange(offset, offset + runs, dtype=np.uint64)


def set_adversary_policy(document: dict, **settings: float) -> None:
    """Give the adversary (the third actor of ``minimal_scenario``) an expected-utility policy."""
    document["actors"][2]["policy"] = {"kind": "expected_utility", **settings}


# ---------------------------------------------------------------- beliefs


def adversary_beliefs(
    document: dict, runs: int, *, bias: float, noise: float, learning_days: float
) -> tuple[Scenario, AdversaryBeliefs]:
    """Build ``document`` with an adversary of these perception sigmas; return it and its beliefs."""
    set_adversary_policy(
        document, perception_bias_sigma=bias, perception_noise_sigma=noise, learning_days=learning_days
    )
    scenario = build(document)
    state = EnsembleState(scenario, runs)
    return scenario, AdversaryBeliefs(scenario, state, EnsembleRandom(keys(runs)), RunParameters.empty())


@pytest.mark.parametrize("isr", [0.2, 0.5, 0.9])
def test_the_adversary_revises_its_misjudgment_at_the_speed_of_its_own_sensors(isr):
    document = quiet(minimal_scenario())
    document["actors"][2]["isr_detection_probability"] = isr
    scenario, beliefs = adversary_beliefs(document, 4000, bias=0.6, noise=0.0, learning_days=50.0)
    start = beliefs.misjudgment().copy()
    beliefs.update(35)
    error = beliefs.misjudgment()
    resolve = np.array([p.endswith(".resolve") for p in beliefs_paths(scenario)])
    # An Ornstein-Uhlenbeck misjudgment: its regression on the start is exp(-t s / L) (s the ISR for material
    # quantities, 1 for resolve, a political quantity its sensors do not see) and its spread stays 0.6.
    for rows, speed in ((~resolve, isr), (resolve, 1.0)):
        slope = (start[rows] * error[rows]).sum() / (start[rows] ** 2).sum()
        assert slope == pytest.approx(math.exp(-35 * speed / 50.0), abs=0.03)
        assert error[rows].std() == pytest.approx(0.6, rel=0.03)
        assert start[rows].std() == pytest.approx(0.6, rel=0.03)


def beliefs_paths(scenario) -> list[str]:
    from wargame.core.deterrence import ROWS_PER_ACTOR, calculus_table

    table = calculus_table(scenario)
    return list(table.paths[: ROWS_PER_ACTOR * len(table.allies)])


@pytest.mark.slow
@pytest.mark.parametrize(("bias", "noise"), [(0.4, 0.0), (0.0, 0.3), (0.4, 0.3)])
def test_the_misjudgment_keeps_its_spread_whatever_the_decision_cadence_and_the_day(bias, noise):
    expected = math.hypot(bias, noise)
    for interval in (3, 7, 14):
        document = quiet(minimal_scenario(horizon_days=400, decision_interval_days=interval))
        _, beliefs = adversary_beliefs(document, 4000, bias=bias, noise=noise, learning_days=20.0)
        for day in range(interval, 337, interval):
            beliefs.update(day)
            if day in (interval * 2, interval * 24):  # early and late: a stationary law, not a transient
                assert beliefs.misjudgment()[0].std() == pytest.approx(expected, rel=0.05)


def test_credibility_is_misjudged_with_its_own_half_life():
    document = quiet(minimal_scenario(horizon_days=400))
    set_adversary_policy(
        document, perception_bias_sigma=0.5, perception_noise_sigma=0.0, credibility_half_life_days=30.0
    )
    scenario = build(document)
    runs = 4000
    state = EnsembleState(scenario, runs)
    beliefs = AdversaryBeliefs(scenario, state, EnsembleRandom(keys(runs)), RunParameters.empty())
    row = state.index[f"commitments.{scenario.commitments[0].key}.credibility"]
    true_log_odds = special.logit(state.values[row])
    start = special.logit(beliefs.view()[state.paths[row]].copy()) - true_log_odds
    beliefs.update(60)
    later = special.logit(beliefs.view()[state.paths[row]].copy()) - true_log_odds
    assert start.std() == pytest.approx(0.5, rel=0.05) and later.std() == pytest.approx(0.5, rel=0.05)
    assert (start * later).sum() / (start**2).sum() == pytest.approx(0.25, abs=0.03)  # two half-lives


# ---------------------------------------------------------------- credibility


def credibility_scenario(**changes) -> dict:
    document = quiet(minimal_scenario(horizon_days=200))
    set_adversary_policy(
        document, perception_bias_sigma=0.0, perception_noise_sigma=0.0, credibility_half_life_days=30.0
    )
    document.update(changes)
    return document


def test_a_signals_boost_to_credibility_decays_with_its_half_life():
    scenario = build(credibility_scenario())
    state = EnsembleState(scenario, 3)
    dynamics = StateDynamics(scenario, state, RunParameters.empty(), np.zeros((0, 3)))
    row = state.index["commitments.green-blue.credibility"]
    costly = -math.log1p(-0.5)  # a signal of cost 0.5 doubles the odds
    dynamics.credibility.signal(np.array([row]), costly, np.ones(3, dtype=bool))
    assert state.values[row] == pytest.approx(np.full(3, 2 / 3))  # odds 1 -> 2
    for _ in range(30):
        dynamics.step(0)
    # The log-odds distance to the fundamental (logit 0.5 = 0) halves in 30 days.
    assert special.logit(state.values[row]) == pytest.approx(np.full(3, math.log(2) / 2), rel=1e-9)
    cheap = -math.log1p(-0.0)
    before = state.values[row].copy()
    dynamics.credibility.signal(np.array([row]), cheap, np.ones(3, dtype=bool))
    assert (state.values[row] == before).all()  # cheap talk moves nothing


def test_credibility_follows_the_patrons_resolve_down():
    scenario = build(credibility_scenario())
    state = EnsembleState(scenario, 2)
    dynamics = StateDynamics(scenario, state, RunParameters.empty(), np.zeros((0, 2)))
    resolve = state.index["actors.green.resolve"]
    state.values[resolve] = state.values[resolve] / 2  # the patron's will halves
    state.baseline[resolve] = state.values[resolve]
    for _ in range(600):
        dynamics.step(0)
    # The fundamental: logit(0.5) + ln(1/2) = ln(1/2), so credibility settles at 1/3.
    assert state.values[state.index["commitments.green-blue.credibility"]] == pytest.approx(
        np.full(2, 1 / 3), rel=1e-6
    )


def test_a_program_never_pulls_a_quantity_back_from_beyond_its_target():
    document = quiet(minimal_scenario(horizon_days=40))
    document["programs"] = [
        {
            "id": "dialogue",
            "objective": "policy_dialogue",
            "partners": ["green", "blue"],
            "intensity_per_year": 365.0,
            "effects": [{"quantity": "actors.blue.readiness", "target": 0.6, "gain_per_exchange": 0.1}],
        }
    ]
    document["injects"] = [
        {"id": "surge", "text": "t", "day": 5, "effects": [{"quantity": "actors.blue.readiness", "set": 0.9}]}
    ]
    model = DeterrenceModel(build(document), keys(2))
    for _ in range(5):
        model.step()
    assert model.state.row("actors.blue.readiness") == pytest.approx(np.full(2, 0.6 - 0.1 * 0.9**5), rel=1e-9)
    model.run_to_end()
    assert (model.state.row("actors.blue.readiness") == 0.9).all()  # above the target: left alone


def test_a_patrons_resolve_follows_its_proteges():
    document = quiet(minimal_scenario(horizon_days=50))
    document["commitments"][0]["resolve_coupling_per_day"] = 0.05
    document["actors"][0]["resolve"] = 0.9
    document["actors"][1]["resolve"] = 0.3
    model = DeterrenceModel(build(document), keys(2))
    model.run_to_end()
    # green closes 5% of the gap to blue's 0.9 a day: 0.9 - 0.6 * 0.95**50.
    assert model.state.row("actors.green.resolve") == pytest.approx(
        np.full(2, 0.9 - 0.6 * 0.95**50), rel=1e-9
    )


# ---------------------------------------------------------------- denial and targets


def campaign_scenario(**rung_fields) -> dict:
    document = quiet(minimal_scenario())
    document["escalation"] = campaign_ladder(**rung_fields)
    return document


def test_denial_is_the_weighted_chance_of_winning_each_domain_by_the_square_law():
    document = campaign_scenario()
    document["actors"][2]["capability"] = {**dict.fromkeys(DOMAINS, 0.5), "air": 0.9, "maritime": 0.6}
    document["actors"][2]["readiness"] = 0.8
    document["actors"][1]["forward_presence"] = 0.2
    document["actors"][1]["reinforcement_days"] = 40.0
    scenario = build(document)
    state = EnsembleState(scenario, 1)
    inputs = deterrence_inputs(scenario, state.view(None))
    arrival_green = 0.2 + 0.8 * 10 / 40
    credibility = 0.5
    expected = 0.0
    for domain, weight in (("air", 0.5), ("maritime", 0.5)):
        attack = {"air": 0.9, "maritime": 0.6}[domain] * 0.8
        defend = 0.5 * 0.5 + credibility * 0.5 * 0.5 * arrival_green
        expected += weight * stats.norm.cdf((2 * math.log(attack / defend) - 2 * math.log(1.5)) / 0.5)
    assert inputs.success_probability[1, 0] == pytest.approx(expected, rel=1e-12)
    assert inputs.success_probability[0, 0] == 1.0  # a posture without a campaign stands by itself


def test_the_split_of_capability_across_domains_matters_not_only_its_mean():
    balanced = build(campaign_scenario())
    lopsided_document = campaign_scenario()
    lopsided_document["actors"][0]["capability"] = {**dict.fromkeys(DOMAINS, 0.5), "air": 0.1, "land": 0.9}
    lopsided = build(lopsided_document)
    p = [
        deterrence_inputs(s, EnsembleState(s, 1).view(None)).success_probability[1, 0]
        for s in (balanced, lopsided)
    ]
    assert p[1] > p[0] + 0.05  # same mean capability, weaker where the campaign is fought


def test_commitments_to_every_coerced_ally_count():
    document = quiet(minimal_scenario())
    document["actors"].append(actor("teal", "allied", resolve=0.6))
    document["commitments"].append({"from": "green", "to": "teal", "credibility": 0.7})
    scenario = build(document)
    assert scenario.target_weights() == {"blue": 0.5, "teal": 0.5}
    inputs = deterrence_inputs(scenario, EnsembleState(scenario, 1).view(None))
    strength = 0.5 * 0.5
    d_blue = strength * 0.5 + 0.5 * strength * 0.5  # blue itself; green for blue at 0.5
    d_teal = strength * 0.6 + 0.7 * strength * 0.5  # teal itself; green for teal at 0.7
    assert inputs.deterrent[0] == pytest.approx(0.5 * d_blue + 0.5 * d_teal, rel=1e-12)
    weaker = apply_overrides(scenario, {"commitments.green-teal.credibility": 0.1})
    assert deterrence_inputs(weaker, EnsembleState(weaker, 1).view(None)).deterrent[0] < inputs.deterrent[0]


# ---------------------------------------------------------------- war


def test_the_square_law_closed_form_matches_the_integrated_battle():
    x0, y0, beta, rho, breakpoint = 0.9, 0.5, 0.05, 1.2, 0.5
    outcome = adjudicate(
        np.array([[x0]]),
        np.array([[y0]]),
        np.array([1.0]),
        force_ratio_needed=rho,
        sigma=0.5,
        attrition_per_day=beta,
        breakpoint=breakpoint,
        shocks=np.array([[0.0]]),
    )
    alpha = beta / rho**2

    def battle(_t, z):
        return [-beta * z[1], -alpha * z[0]]

    def defender_breaks(_t, z):
        return z[1] - breakpoint * y0

    defender_breaks.terminal = True
    solution = integrate.solve_ivp(battle, (0, 500), [x0, y0], events=defender_breaks, rtol=1e-10, atol=1e-12)
    assert alpha * x0**2 > beta * y0**2 and outcome.adversary_wins[0]
    assert outcome.duration_days[0] == pytest.approx(solution.t_events[0][0], rel=1e-6)
    assert outcome.adversary_losses[0] == pytest.approx(1 - solution.y_events[0][0][0] / x0, rel=1e-6)
    assert outcome.allied_losses[0] == pytest.approx(1 - breakpoint)


def test_adjudicated_wars_succeed_as_often_as_the_denial_probability_says():
    x, y = np.full((1, 200_000), 0.6), np.full((1, 200_000), 0.5)
    shocks = stats.norm.ppf((np.arange(200_000) + 0.5) / 200_000)[None]
    outcome = adjudicate(
        x,
        y,
        np.array([1.0]),
        force_ratio_needed=1.3,
        sigma=0.5,
        attrition_per_day=0.05,
        breakpoint=0.5,
        shocks=shocks,
    )
    expected = domain_success_probability(np.array(0.6), np.array(0.5), 1.3, 0.5)
    assert outcome.adversary_wins.mean() == pytest.approx(float(expected), abs=1e-4)


def war_scenario(mobilization_days: float = 0.0, **adversary_policy) -> dict:
    """Red gains by seizing blue; the campaign is fought in the air."""
    document = quiet(minimal_scenario(horizon_days=120))
    fast_and_exact = {
        "perception_bias_sigma": 0.0,
        "perception_noise_sigma": 0.0,
        "decision_temperature": 1e-6,
        "review_days": 1e-6,
        "learning_days": 1.0,
    }
    set_adversary_policy(document, **(fast_and_exact | adversary_policy))
    document["actors"][2].update(capability={**dict.fromkeys(DOMAINS, 0.5), "air": 0.9}, readiness=0.9)
    document["escalation"] = ladder(
        {"id": "calm", "escalation_category": "status_quo"},
        {
            "id": "seize",
            "gain": 4.0,
            "cost": 0.5,
            "escalation_category": "violent_escalation",
            "mobilization_days": mobilization_days,
            "campaign": {"weights": {"air": 1.0}, "force_ratio_needed": 1.0, "decisive_days": 5},
        },
        war_starts_at="seize",
    )
    return document


def test_a_war_is_adjudicated_not_frozen():
    model = DeterrenceModel(build(war_scenario()), keys(400))
    model.run_to_end()
    outcomes = model.outcomes()
    assert outcomes["war"].all() and (outcomes["war_day"] == 7).all()
    assert set(outcomes["war_result"]) == {"defender_holds", "adversary_succeeds"}
    assert (outcomes["war_duration_days"] > 0).all()
    assert ((outcomes["war_losses_allied"] > 0) & (outcomes["war_losses_allied"] <= 1)).all()
    # green joins with its commitment's fundamental credibility (0.5 here): about half the runs.
    assert 0.4 < outcomes["war_allies_joined"].mean() < 0.6


def test_reinforcements_during_a_mobilization_can_call_the_strike_off():
    document = war_scenario(mobilization_days=14.0)
    document["actors"][1]["responses"] = [
        {
            "id": "reinforce",
            "name": "Reinforce",
            "escalation_category": "status_quo",
            "effects": [
                {"quantity": "actors.green.capability.air", "set": 1.0},
                {"quantity": "actors.green.readiness", "set": 1.0},
            ],
            "delay_days": 3.0,
            "when": {"on_mobilization_warning": True},
        }
    ]
    document["actors"][1]["policy"] = {"kind": "rule_based", "choice_temperature": 1e-9, "action_cost": 0.0}
    document["commitments"][0]["credibility"] = 0.9
    with_answer = DeterrenceModel(build(document), keys(300), record_decisions=True)
    with_answer.run_to_end()
    document["actors"][1]["responses"] = []
    without = DeterrenceModel(build(document), keys(300))
    without.run_to_end()
    stood_down = [e for e in with_answer.decision_log if e["action"] == "stand_down"]
    assert stood_down and stood_down[0]["day"] == 21  # decided when the 14-day mobilization completed
    assert without.outcomes()["war"].mean() > with_answer.outcomes()["war"].mean() + 0.2


# ---------------------------------------------------------------- conditioning on a recorded history


def history_scenario() -> dict:
    """Red's pressing pays only if it misjudges blue and green as weak (a wide misjudgment)."""
    document = quiet(minimal_scenario(horizon_days=60))
    set_adversary_policy(
        document,
        perception_bias_sigma=1.0,
        perception_noise_sigma=0.0,
        decision_temperature=0.2,
        review_days=7.0,
    )
    document["escalation"] = ladder(
        {"id": "calm", "escalation_category": "status_quo"},
        {"id": "press", "gain": 1.0, "cost": 0.2, "risk": 2.0},
        {"id": "war", "cost": 100.0, "escalation_category": "violent_escalation"},
    )
    return document


def test_runs_that_share_a_recorded_history_weigh_the_hidden_state_that_explains_it():
    from wargame.model.simulation import AdversaryHistory

    scenario = build(history_scenario())
    runs = 4000
    # The recorded history: red presses at its first decision (day 7), then keeps it.
    history = AdversaryHistory(moves={7: 1, 14: -1, 21: -1})
    model = DeterrenceModel(
        scenario, np.zeros(runs, dtype=np.uint64), hidden_keys=keys(runs), history=history
    )
    for _ in range(22):
        model.step()
    assert (model.rung_by_day[:, 7:22] == 1).all()  # every run follows the record
    assert (model.rung_by_day[:, :7] == 0).all()
    weights = np.exp(model.history_log_likelihood - model.history_log_likelihood.max())
    assert np.isfinite(model.history_log_likelihood).all() and weights.std() > 0
    # Pressing was likelier where red thought the allies weak: the weighted misjudgment of allied resolve and
    # readiness is below the unweighted one (which is about 0: the prior is centred).
    error = model.beliefs.misjudgment()[:, :].mean(axis=0)
    unweighted = error.mean()
    weighted = (weights * error).sum() / weights.sum()
    assert weighted < unweighted - 0.1
    # Without hidden keys every run shares the session's key, so the history gives them one weight.
    same = DeterrenceModel(scenario, np.zeros(50, dtype=np.uint64), history=history)
    for _ in range(22):
        same.step()
    assert np.ptp(same.history_log_likelihood) == 0.0
