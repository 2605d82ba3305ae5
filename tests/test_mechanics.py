"""The model's mechanics pinned on tiny scenarios with hand-computed answers.

Equations are those of the module docstrings of ``wargame.model.gray_zone``, ``wargame.core.deterrence``,
``wargame.policies.expected_utility`` and ``wargame.scenario._programs.ProgramEffect``. Monte Carlo checks
compare a sample mean with its expected value inside a 99% normal interval of the sample.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scenario_builders import actor, build, ladder, minimal_scenario

from wargame.core.policy import PolicyDraws
from wargame.core.random_streams import EnsembleRandom
from wargame.errors import InputError
from wargame.model import DeterrenceModel, allied_deterrent_terms, deterrence_inputs, rung_utilities
from wargame.model.gray_zone import GrayZoneMechanics
from wargame.model.state import EnsembleState
from wargame.policies import NO_ACTION, ExpectedUtilityPolicy, RuleBasedPolicy, ScriptedPolicy
from wargame.scenario import DOMAINS

Z_99 = 2.5758293035489004


def keys(runs: int, offset: int = 0) -> np.ndarray:
    return np.arange(offset, offset + runs, dtype=np.uint64)


def assert_mean_within_99(sample: np.ndarray, expected: float) -> None:
    sample = np.asarray(sample, dtype=np.float64)
    half = Z_99 * sample.std(ddof=1) / math.sqrt(sample.size)
    assert abs(sample.mean() - expected) <= half, (sample.mean(), expected, half)


def mechanics(document: dict, runs: int = 3) -> GrayZoneMechanics:
    scenario = build(document)
    return GrayZoneMechanics(scenario, EnsembleState(scenario, runs))


def run_model(document: dict, runs: int = 4, days: int | None = None, **kwargs) -> DeterrenceModel:
    model = DeterrenceModel(build(document), keys(runs), record_decisions=True, **kwargs)
    for _ in range(model.spec.horizon_days if days is None else days):
        model.step()
    return model


def log_days(model: DeterrenceModel, actor_id: str, action: str) -> list[int]:
    """Days on which ``actor_id`` took ``action`` in every run (the log keeps one entry per decision)."""
    return [
        entry["day"]
        for entry in model.decision_log
        if entry["actor"] == actor_id and entry["action"] == action and entry["runs"].all()
    ]


# ---------------------------------------------------------------- detection and attribution

# The minimal scenario: blue (defender) ISR 0.6, attribution 30 h; green ISR 0.8, attribution 10 h;
# link green -> blue latency 6 h, fidelity 0.5, all domains; patrol detectability 0.9; deadline 24 h.


@pytest.mark.parametrize(
    "change",
    ["no links", "fidelity zero", "link from another actor", "link in another domain"],
)
def test_without_sharing_the_picture_is_the_defenders_own(change):
    document = minimal_scenario()
    if change == "no links":
        document["links"] = []
    elif change == "fidelity zero":
        document["links"][0]["fidelity"] = 0.0
    elif change == "link from another actor":
        document["links"][0]["to"] = "green"
        document["links"][0]["from"] = "blue"
    else:
        document["links"][0]["domains"] = ["maritime", "cyber"]
    # "Exactly" up to rounding: the delay is computed as (q * 30) / (1 - (1 - q)).
    known, timely, delay = mechanics(document).attribution_profile()
    assert known == pytest.approx(np.full((3, 1), 0.6 * 0.9), rel=1e-15)
    assert delay == pytest.approx(np.full((3, 1), 30.0), rel=1e-14)
    assert (timely == 0.0).all()  # 30 h > 24 h deadline
    document["gray_zone"]["attribution_deadline_hours"] = 30.0
    known, timely, delay = mechanics(document).attribution_profile()
    assert timely == pytest.approx(np.full((3, 1), 1.0), rel=1e-14)
    assert delay == pytest.approx(np.full((3, 1), 30.0), rel=1e-14)


def test_two_sources_the_link_first():
    q_own, h_own = 0.6 * 0.9, 30.0
    q_link, h_link = 0.8 * 0.9 * 0.5, 6.0 + 10.0
    p_link_first = q_link
    p_own_first = q_own * (1.0 - q_link)
    p_known = 1.0 - (1.0 - q_own) * (1.0 - q_link)
    assert p_link_first + p_own_first == pytest.approx(p_known)
    assert (p_link_first, p_own_first, p_known) == pytest.approx((0.36, 0.3456, 0.7056))
    expected_delay = (p_link_first * h_link + p_own_first * h_own) / p_known
    expected_timely = p_link_first / p_known  # 16 h <= 24 h < 30 h

    known, timely, delay = mechanics(minimal_scenario()).attribution_profile()
    assert known == pytest.approx(np.full((3, 1), p_known), rel=1e-12)
    assert delay == pytest.approx(np.full((3, 1), expected_delay), rel=1e-12)
    assert timely == pytest.approx(np.full((3, 1), expected_timely), rel=1e-12)
    assert expected_delay == pytest.approx(22.857142857142858)
    assert expected_timely == pytest.approx(0.5102040816326531)


def test_two_sources_the_defender_first():
    document = minimal_scenario()
    document["links"][0]["latency_hours"] = 30.0  # the link delivers after 40 h
    document["gray_zone"]["attribution_deadline_hours"] = 35.0
    p_own_first = 0.54
    p_link_first = 0.36 * (1.0 - 0.54)
    p_known = 0.7056
    known, timely, delay = mechanics(document).attribution_profile()
    assert known == pytest.approx(np.full((3, 1), p_known), rel=1e-12)
    assert delay == pytest.approx(np.full((3, 1), (p_own_first * 30.0 + p_link_first * 40.0) / p_known))
    assert timely == pytest.approx(np.full((3, 1), p_own_first / p_known), rel=1e-12)


def test_a_source_that_never_detects_leaves_nothing_known():
    document = minimal_scenario(links=[])
    document["actors"][0]["isr_detection_probability"] = 0.0
    known, timely, delay = mechanics(document).attribution_profile()
    assert (known == 0.0).all() and (timely == 0.0).all() and (delay == 0.0).all()


# ---------------------------------------------------------------- incident rates


def rate_scenario() -> dict:
    document = minimal_scenario(links=[])
    document["gray_zone"]["attribution_deadline_hours"] = 100.0
    document["gray_zone"]["activities"] = [
        {"id": "flat", "name": "Flat", "domain": "air", "base_rate_per_day": 2.0, "posture_elasticity": 1.5},
        {
            "id": "clustered",
            "name": "Clustered",
            "domain": "maritime",
            "base_rate_per_day": 0.7,
            "posture_elasticity": 0.5,
            "overdispersion_sigma": 0.8,
            "detectability": 0.5,
        },
    ]
    document["escalation"] = ladder(
        {"id": "calm", "gray_zone_multiplier": 1.0},
        {"id": "press", "cost": 10.0, "gray_zone_multiplier": 1.8},
        {"id": "war", "cost": 100.0},
    )
    return document


@pytest.mark.parametrize(("rung", "multiplier"), [(0, 1.0), (1, 1.8)])
def test_daily_counts_have_mean_base_times_multiplier_to_the_elasticity(rung, multiplier):
    runs = 40_000
    gray = mechanics(rate_scenario(), runs)
    random = EnsembleRandom(keys(runs))
    day = gray.draw(random, 5, np.full(runs, rung), np.ones(runs, dtype=bool))
    p_known = 0.6  # blue ISR 0.6 times detectability 1.0 (flat) and 0.5 (clustered): 0.6, 0.3
    expected_flat = 2.0 * multiplier**1.5
    expected_clustered = 0.7 * multiplier**0.5
    assert_mean_within_99(day.incidents[:, 0], expected_flat)
    assert_mean_within_99(day.incidents[:, 1], expected_clustered)
    assert_mean_within_99(day.detected[:, 0], expected_flat * p_known)
    assert_mean_within_99(day.detected[:, 1], expected_clustered * 0.3)
    assert_mean_within_99(day.attributed_timely[:, 0], expected_flat * p_known)  # deadline 100 h > 30 h
    # Overdispersion: Var = mean + mean**2 * (exp(sigma**2) - 1) (Poisson-lognormal), about 2.4x Poisson.
    variance = expected_clustered + expected_clustered**2 * (math.exp(0.8**2) - 1.0)
    assert day.incidents[:, 1].var() == pytest.approx(variance, rel=0.15)
    assert day.incidents[:, 0].var() == pytest.approx(expected_flat, rel=0.05)
    assert day.attribution_delay_hours_sum == pytest.approx(30.0 * day.detected, rel=1e-14)


def test_runs_at_war_have_no_incidents():
    runs = 1000
    gray = mechanics(rate_scenario(), runs)
    active = np.arange(runs) % 2 == 0
    day = gray.draw(EnsembleRandom(keys(runs)), 3, np.ones(runs, dtype=np.int64), active)
    assert (day.incidents[~active] == 0).all()
    assert day.incidents[active].sum() > 0


def test_a_block_of_days_draws_what_one_day_blocks_draw():
    runs = 200
    gray = mechanics(rate_scenario(), runs)
    random = EnsembleRandom(keys(runs))
    rung = np.arange(runs) % 2
    block = gray.draw_block(random, 8, 7, rung)
    for index in range(7):
        one = gray.draw_block(random, 8 + index, 1, rung)
        assert (block.incidents[:, index] == one.incidents[:, 0]).all()
        assert (block.detected[:, index] == one.detected[:, 0]).all()
        assert (block.attributed_timely[:, index] == one.attributed_timely[:, 0]).all()


def test_model_incident_totals_match_the_rate_over_the_horizon():
    document = rate_scenario()
    document["horizon_days"] = 20
    model = run_model(document, runs=3000)
    outcomes = model.outcomes()
    assert not outcomes["war"].any()
    assert (model.rung == 0).all()
    assert_mean_within_99(outcomes["incidents_flat"], 20 * 2.0)
    assert_mean_within_99(outcomes["incidents_clustered"], 20 * 0.7)
    assert_mean_within_99(outcomes["detected_total"], 20 * (2.0 * 0.6 + 0.7 * 0.3))
    # Every detection takes 30 hours; the mean divides a sum over incidents by their count (float rounding).
    delays = outcomes["mean_attribution_delay_hours"][outcomes["detected_total"] > 0]
    np.testing.assert_allclose(delays, 30.0, rtol=1e-12, atol=0.0)


# ---------------------------------------------------------------- resolve erosion


def erosion_scenario(deadline_hours: float) -> dict:
    document = minimal_scenario(programs=[], horizon_days=60)
    blue = document["actors"][0]
    blue.update(resolve=1.0, cognitive_resilience=0.25)
    document["gray_zone"] = {
        "attribution_deadline_hours": deadline_hours,
        "attribution_mitigation": 0.5,
        "delivery_time_cv": 0.0,
        "activities": [
            {
                "id": "op",
                "name": "Operation",
                "domain": "information",
                "base_rate_per_day": 2.0,
                "detectability": 0.9,
                "resolve_erosion_per_incident": 0.001,
            }
        ],
    }
    return document


@pytest.mark.parametrize(
    ("deadline_hours", "p_timely_and_known"),
    [
        (20.0, 0.36),  # only the link (16 h) is in time: P(first is the link) = 0.36
        (48.0, 0.7056),  # both sources in time: P_known
        (10.0, 0.0),  # neither
    ],
)
def test_resolve_erosion_with_and_without_timely_attribution(deadline_hours, p_timely_and_known):
    erosion, resilience, mitigation, rate, days = 0.001, 0.25, 0.5, 2.0, 60
    model = run_model(erosion_scenario(deadline_hours), runs=2000)
    outcomes = model.outcomes()
    resolve = outcomes["final_resolve_blue"]
    # Per run, exactly: every incident erodes, every timely attribution gives back the mitigated share.
    unanswered = outcomes["incidents_total"] - mitigation * outcomes["attributed_timely_total"]
    assert resolve == pytest.approx(1.0 - erosion * (1.0 - resilience) * unanswered, abs=1e-12)
    # In expectation: E[resolve] = 1 - T * e * lambda * (1 - c) * (1 - m * P(known and timely)).
    expected = 1.0 - days * erosion * rate * (1.0 - resilience) * (1.0 - mitigation * p_timely_and_known)
    assert_mean_within_99(resolve, expected)
    if p_timely_and_known == 0.0:
        assert (outcomes["attributed_timely_total"] == 0).all()


def test_erosion_hits_the_activitys_target_and_recovers_towards_baseline():
    document = erosion_scenario(48.0)
    document["gray_zone"]["activities"][0]["target"] = "green"
    document["actors"][1].update(resolve=0.8, resolve_recovery_per_day=0.1)
    model = run_model(document, runs=50, days=30)
    assert (model.state.row("actors.blue.resolve") == 1.0).all()
    green = model.state.row("actors.green.resolve")
    assert (green < 0.8).all()
    assert (green >= 0.8 - 0.001 * model.incidents.sum(axis=1)).all()  # recovery only gives back


# ---------------------------------------------------------------- the adversary's calculus


def calculus_scenario() -> dict:
    document = minimal_scenario()
    document["actors"][2].update(
        resolve=0.8, risk_tolerance=0.25, readiness=0.5, capability=dict.fromkeys(DOMAINS, 0.6)
    )
    document["actors"][0].update(
        readiness=0.8,
        resolve=0.9,
        capability={"air": 0.3, "maritime": 0.4, "land": 0.5, "cyber": 0.6, "information": 0.7},
    )
    document["actors"].append(actor("grey", "allied", readiness=1.0, resolve=1.0))  # no commitment
    document["escalation"] = ladder(
        {"id": "calm", "escalation_category": "status_quo"},
        {"id": "press", "gain": 2.0, "cost": 0.5, "risk": 1.0},
        {"id": "war", "gain": 5.0, "cost": 1.0, "risk": 4.0},
    )
    return document


def quantities_of(scenario, runs: int = 2) -> dict[str, np.ndarray]:
    state = EnsembleState(scenario, runs)
    return {path: state.row(path).copy() for path in state.paths}


def test_allied_deterrent_terms_by_hand():
    scenario = build(calculus_scenario())
    terms = allied_deterrent_terms(scenario, quantities_of(scenario))
    blue = 1.0 * (0.8 * 0.5) * 0.9  # credibility 1 (defender) * readiness * mean capability * resolve
    green = 0.5 * (0.5 * 0.5) * 0.5  # commitment green -> blue
    grey = 0.0  # no commitment to the defender
    assert terms == pytest.approx(np.array([[blue] * 2, [green] * 2, [grey] * 2]), rel=1e-12)


def test_rung_utilities_by_hand():
    scenario = build(calculus_scenario())
    deterrent = np.array([0.15, 0.6])
    utilities = rung_utilities(scenario, deterrent, quantities_of(scenario))
    strength = 0.5 * 0.6
    weight = (1.0 - 0.25) * deterrent / strength  # 0.375 and 1.5
    expected = np.array(
        [[0.0, 0.8 * 2.0 - 0.5 - w * 1.0, 0.8 * 5.0 - 1.0 - w * 4.0] for w in weight]
    )  # [0, 0.725, 1.5] and [0, -0.4, -3]
    assert utilities == pytest.approx(expected, rel=1e-12)
    assert utilities == pytest.approx(np.array([[0.0, 0.725, 1.5], [0.0, -0.4, -3.0]]), rel=1e-12)


class Recorder:
    """Wraps a policy and keeps a frozen copy of each observation, its draws and the choice."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.seen: list = []

    def decide(self, observation, draws):
        frozen = dataclasses.replace(
            observation, quantities={path: np.array(v) for path, v in observation.quantities.items()}
        )
        choice = self.inner.decide(frozen, draws)
        self.seen.append((frozen, draws, np.array(choice)))
        return choice


def test_cold_expected_utility_policy_that_always_reviews_takes_the_allowed_argmax(reference_scenario):
    policy = ExpectedUtilityPolicy(reference_scenario, decision_temperature=1e-9, review_days=1e-9)
    recorder = Recorder(policy)
    model = DeterrenceModel(reference_scenario, keys(64), policies={"prc": recorder})
    for _ in range(8 * 7):
        model.step()
    decisions = [seen for seen in recorder.seen if not seen[0].confirming]
    assert len(decisions) == 7
    for observation, _, choice in recorder.seen:
        if observation.confirming:  # a go/no-go: the better of the two rungs allowed
            utilities = policy.utilities(observation)
            best = np.argmax(np.where(observation.allowed, utilities, -np.inf), axis=1)
            asked = observation.allowed.any(axis=1)
            assert (choice[asked] == best[asked]).all()
            continue
        inputs = deterrence_inputs(reference_scenario, observation.quantities, observation.parameters)
        utilities = rung_utilities(
            reference_scenario, inputs.deterrent, observation.quantities, observation.parameters
        )
        # It aims at the best rung of the whole ladder and climbs towards it, at most to the highest allowed.
        aim = np.argmax(utilities, axis=1)
        ceiling = np.array([np.flatnonzero(row).max() if row.any() else -1 for row in observation.allowed])
        deciding = ~observation.mobilizing & (ceiling >= 0)
        expected = np.where(deciding, np.minimum(aim, ceiling), NO_ACTION)
        assert (choice == expected).all()
        assert (aim > ceiling).any() or (aim < ceiling).any()  # the clipping matters in these runs

    # The same on observations whose deterrent varies across runs, with every rung allowed.
    observation, draws, _ = recorder.seen[0]
    scale = np.linspace(0.0, 1.5, observation.runs)
    varied = dataclasses.replace(
        observation,
        allowed=np.ones_like(observation.allowed),
        quantities={
            path: np.minimum(values * scale, 1.0)
            if path in ("actors.usa.resolve", "actors.twn.resolve")
            else values
            for path, values in observation.quantities.items()
        },
    )
    deterrent = deterrence_inputs(reference_scenario, varied.quantities, varied.parameters).deterrent
    utilities = rung_utilities(reference_scenario, deterrent, varied.quantities, varied.parameters)
    choice = policy.decide(varied, draws)
    assert (choice == np.argmax(utilities, axis=1)).all()  # every rung allowed: the aim itself
    assert len(set(choice.tolist())) >= 3  # weak deterrent: high rungs; strong: low ones


def test_the_review_hazard_keeps_the_posture_in_the_share_of_decisions_that_theory_says():
    scenario = build(climbing_scenario(1))
    for interval, review_days in ((7, 14.0), (14, 14.0), (3, 30.0)):
        policy = ExpectedUtilityPolicy(scenario, decision_temperature=1e-9, review_days=review_days)
        changed = scenario.model_copy(update={"decision_interval_days": interval})
        policy.scenario = changed
        model = DeterrenceModel(changed, keys(20_000))
        observation = model.observe("red")
        choice = policy.decide(observation, PolicyDraws(model.random_streams, 2, interval))
        assert_mean_within_99(choice != NO_ACTION, 1.0 - math.exp(-interval / review_days))


def climbing_scenario(max_up: int, war_mobilization_days: float = 0.0, horizon_days: int = 60) -> dict:
    """Five rungs worth 0..4 at no cost or risk; the adversary plays cold, noise-free expected utility and
    reviews its posture at every decision."""
    document = minimal_scenario(horizon_days=horizon_days)
    document["actors"][2]["policy"] = {
        "kind": "expected_utility",
        "perception_noise_sigma": 0.0,
        "perception_bias_sigma": 0.0,
        "decision_temperature": 1e-6,
        "review_days": 1e-6,
    }
    document["escalation"] = ladder(
        *({"id": f"r{index}", "gain": float(index)} for index in range(4)),
        {"id": "war", "gain": 4.0, "mobilization_days": war_mobilization_days},
        max_up=max_up,
    )
    return document


@pytest.mark.parametrize(
    ("max_up", "rungs_at_decisions", "war_day"),
    [(1, [1, 2, 3, 4], 28), (2, [2, 4], 14), (3, [3, 4], 14), (4, [4], 7)],
)
def test_the_ladder_is_climbed_at_most_max_rungs_up_per_decision(max_up, rungs_at_decisions, war_day):
    model = run_model(climbing_scenario(max_up), runs=5)
    # The rung chosen on a decision day holds until the next decision (war, rung 4, for good).
    expected = [([0, *rungs_at_decisions, *[4] * 9])[day // 7] for day in range(60)]
    assert model.rung_by_day.tolist() == [expected] * 5
    assert (model.war_day == war_day).all()


@pytest.mark.parametrize("mobilization_days", [3, 7, 10, 20])
def test_mobilization_delays_war_by_mobilization_days(mobilization_days):
    model = run_model(climbing_scenario(4, mobilization_days), runs=5)
    assert (model.war_day == 7 + mobilization_days).all()
    assert (model.rung_by_day[:, 7 : 7 + mobilization_days] == 0).all()
    assert (model.rung_by_day[:, 7 + mobilization_days :] == 4).all()
    assert model.outcomes()["war_day"].tolist() == [7.0 + mobilization_days] * 5


def test_no_action_keeps_a_pending_mobilization():
    document = climbing_scenario(4, 30.0, horizon_days=100)
    model = run_model(document, runs=3, policies={"red": ScriptedPolicy({7: "war"}, 7)})
    assert (model.war_day == 37).all()


def test_a_stood_down_mobilization_does_not_complete_a_later_one():
    document = climbing_scenario(4, 30.0, horizon_days=100)
    script = {7: "war", 14: "r0", **{day: "war" for day in range(21, 100, 7)}}
    model = run_model(document, runs=3, policies={"red": ScriptedPolicy(script, 7)})
    assert (model.war_day == 21 + 30).all()


# ---------------------------------------------------------------- cooperation programs


def drift_scenario(*programs: tuple[float, float, float]) -> dict:
    """Programs on blue's readiness, each ``(intensity_per_year, gain_per_exchange, target)``."""
    document = minimal_scenario(horizon_days=40)
    document["gray_zone"]["activities"][0]["base_rate_per_day"] = 0.0
    document["programs"] = [
        {
            "id": f"p{index}",
            "objective": "education_and_training",
            "partners": ["green", "blue"],
            "intensity_per_year": intensity,
            "effects": [{"quantity": "actors.blue.readiness", "target": target, "gain_per_exchange": gain}],
        }
        for index, (intensity, gain, target) in enumerate(programs)
    ]
    return document


def test_one_program_closes_the_gap_geometrically():
    model = DeterrenceModel(build(drift_scenario((36.5, 0.02, 0.9))), keys(3))
    r = 36.5 / 365.0 * 0.02  # 0.002 of the gap a day
    for day in range(1, 41):
        model.step()
        expected = 0.9 - (0.9 - 0.5) * (1.0 - r) ** day
        assert model.state.row("actors.blue.readiness") == pytest.approx(np.full(3, expected), rel=1e-13)
    assert model.state.baseline[model.state.index["actors.blue.readiness"]] == pytest.approx(
        np.full(3, 0.9 - 0.4 * (1.0 - r) ** 40), rel=1e-13
    )


def test_two_programs_on_one_quantity_act_on_the_same_start_of_day_value():
    model = DeterrenceModel(build(drift_scenario((73.0, 0.05, 0.9), (36.5, 0.1, 0.2))), keys(2))
    r1, r2 = 73.0 / 365.0 * 0.05, 36.5 / 365.0 * 0.1  # 0.01 each
    fixed_point = (r1 * 0.9 + r2 * 0.2) / (r1 + r2)  # 0.55
    for day in range(1, 41):
        model.step()
        expected = fixed_point - (fixed_point - 0.5) * (1.0 - r1 - r2) ** day
        assert model.state.row("actors.blue.readiness") == pytest.approx(np.full(2, expected), rel=1e-13)


def test_a_program_moves_an_unbounded_link_latency():
    document = minimal_scenario(horizon_days=10)
    document["programs"][0]["effects"] = [
        {"quantity": "links.green-blue.latency_hours", "target": 2.0, "gain_per_exchange": 0.5}
    ]
    document["programs"][0]["intensity_per_year"] = 73.0  # 0.1 of the gap a day
    model = run_model(document, runs=2)
    assert model.state.row("links.green-blue.latency_hours") == pytest.approx(
        np.full(2, 2.0 + 4.0 * 0.9**10), rel=1e-13
    )


# ---------------------------------------------------------------- injects


def test_an_inject_on_a_day_lands_on_that_day():
    document = minimal_scenario(programs=[], horizon_days=20)
    document["injects"] = [
        {
            "id": "exercise",
            "text": "t",
            "day": 10,
            "effects": [{"quantity": "actors.blue.readiness", "set": 0.123}],
        }
    ]
    model = run_model(document, runs=3, days=10)
    assert (model.state.row("actors.blue.readiness") == 0.5).all()
    model.step()  # day 10
    assert (model.state.row("actors.blue.readiness") == 0.123).all()
    assert model.injects_fired.tolist() == [1, 1, 1]
    assert log_days(model, "inject", "exercise") == [10]


def test_a_conditional_inject_fires_once_on_the_first_day_its_condition_holds():
    document = drift_scenario((36.5, 0.02, 0.9))
    document["injects"] = [
        {
            "id": "confidence",
            "text": "t",
            "when": {"quantity": "actors.blue.readiness", "above": 0.52},
            "effects": [{"quantity": "links.green-blue.fidelity", "add": 0.1}],
        }
    ]
    model = run_model(document, runs=3)
    # Programs act before injects are checked: on day d readiness is 0.9 - 0.4 * 0.998 ** (d + 1).
    first_day = next(d for d in range(40) if 0.9 - 0.4 * 0.998 ** (d + 1) > 0.52)
    assert first_day == 25
    assert log_days(model, "inject", "confidence") == [first_day]
    assert model.state.row("links.green-blue.fidelity") == pytest.approx(np.full(3, 0.6))


class TakeOnDay:
    """Takes menu entry ``index`` on ``day`` in the runs of ``mask`` (a test double of an allied seat)."""

    def __init__(self, index: int, day: int, mask: np.ndarray) -> None:
        self.index = index
        self.day = day
        self.mask = mask

    def decide(self, observation, draws):
        choice = np.full(observation.runs, NO_ACTION, dtype=np.int64)
        if observation.day == self.day:
            choice[self.mask & observation.allowed[:, self.index]] = self.index
        return choice


def unless_scenario(check_after_days: float, blue_rule: dict | None = None) -> dict:
    document = minimal_scenario(programs=[], horizon_days=30)
    document["escalation"] = ladder(
        {"id": "calm", "escalation_category": "status_quo"}, {"id": "press"}, {"id": "war", "cost": 100.0}
    )
    signal = {
        "id": "signal",
        "name": "Signal",
        "escalation_category": "status_quo",
        "effects": [{"quantity": "actors.blue.readiness", "add": 0.01}],
    }
    if blue_rule is not None:
        signal["when"] = blue_rule
    document["actors"][0]["responses"] = [signal]
    cold_ally(document)
    document["injects"] = [
        {
            "id": "wavers",
            "text": "Green wavers unless blue signals.",
            "when": {"rung_at_least": "press"},
            "check_after_days": check_after_days,
            "unless_response": {"actor": "blue", "response": "signal"},
            "effects": [{"quantity": "actors.green.resolve", "set": 0.1}],
        }
    ]
    return document


def test_an_inject_with_unless_response_fires_only_where_the_response_was_not_taken():
    runs = 6
    signalled = np.arange(runs) % 2 == 0
    model = run_model(
        unless_scenario(check_after_days=7),
        runs=runs,
        policies={"red": ScriptedPolicy({7: "press"}, 7), "blue": TakeOnDay(0, 14, signalled)},
    )
    assert (model.rung_by_day[:, 7:] == 1).all()
    # The rung is reached at day 7's decision and seen then; the check runs after day 14's decisions,
    # so blue's signal on day 14 counts, and the inject is logged on day 15.
    assert model.injects_fired.tolist() == (~signalled).astype(int).tolist()
    resolve = model.state.row("actors.green.resolve")
    assert resolve.tolist() == np.where(signalled, 0.5, 0.1).tolist()
    fired = [entry for entry in model.decision_log if entry["actor"] == "inject"]
    assert [entry["day"] for entry in fired] == [15]
    assert fired[0]["runs"].tolist() == (~signalled).tolist()


def test_a_response_in_the_triggering_decision_round_cancels_the_inject():
    model = run_model(
        unless_scenario(check_after_days=3, blue_rule={"rung_at_least": "press"}),
        runs=3,
        policies={"red": ScriptedPolicy({7: "press"}, 7)},
    )
    assert log_days(model, "blue", "signal")[0] == 7
    assert model.injects_fired.tolist() == [0, 0, 0]


# ---------------------------------------------------------------- allied responses by value


def cold_ally(document: dict) -> dict:
    """Blue takes the applicable response of highest value, without noise or a cost of acting."""
    document["actors"][0]["policy"] = {"kind": "rule_based", "choice_temperature": 1e-9, "action_cost": 0.0}
    return document


def responses_scenario(*responses: dict, horizon_days: int = 57) -> dict:
    """Blue's responses (status quo by default, each raising blue's readiness by 0.01 unless given other
    effects); red presses from day 7 on, so blue's threat is 1/2 at its decisions."""
    document = minimal_scenario(programs=[], horizon_days=horizon_days)
    document["escalation"] = ladder(
        {"id": "calm", "escalation_category": "status_quo"}, {"id": "press"}, {"id": "war", "cost": 100.0}
    )
    document["actors"][2]["policy"] = {"kind": "scripted", "script": "red.yaml"}
    document["actors"][0]["responses"] = [
        {
            "name": r["id"].title(),
            "escalation_category": "status_quo",
            "effects": [{"quantity": "actors.blue.readiness", "add": 0.01}],
            "when": {"rung_at_least": "calm"},
            **r,
        }
        for r in responses
    ]
    return cold_ally(document)


def run_pressed(
    document: dict, runs: int, days: int | None = None, policies: dict | None = None
) -> DeterrenceModel:
    """Run ``document`` with red pressing from day 7 on (other policies may be given)."""
    pressing = {"red": ScriptedPolicy({7: "press"}, 7)}
    return run_model(document, runs=runs, days=days, policies={**pressing, **(policies or {})})


@pytest.mark.parametrize(
    ("cooldown_days", "days"),
    [(0.0, [7, 14, 21, 28, 35, 42, 49, 56]), (7.0, [7, 14, 21, 28, 35, 42, 49, 56]), (14.0, [7, 21, 35, 49])],
)
def test_responses_respect_their_cooldown(cooldown_days, days):
    model = run_pressed(responses_scenario({"id": "alert", "cooldown_days": cooldown_days}), runs=3)
    assert log_days(model, "blue", "alert") == days


def test_allies_take_the_applicable_response_of_highest_value_not_the_first_on_the_menu():
    document = responses_scenario(
        {"id": "small", "cooldown_days": 14.0},
        {
            "id": "large",
            "cooldown_days": 14.0,
            "effects": [{"quantity": "actors.blue.readiness", "add": 0.05}],
        },
        {"id": "never", "when": {"rung_at_least": "war"}},
        {"id": "idle", "when": None, "effects": []},
    )
    document["actors"][0]["policy"]["action_cost"] = 1e-6  # a response of no value is not worth acting
    model = run_pressed(document, runs=3)
    assert log_days(model, "blue", "large") == [7, 21, 35, 49]
    # Both are worth taking: the best first, then the next best the same day; each then rests 14 days.
    assert log_days(model, "blue", "small") == [7, 21, 35, 49]
    order = [e["action"] for e in model.decision_log if e["actor"] == "blue" and e["day"] == 7]
    assert order.index("large") < order.index("small")
    assert log_days(model, "blue", "never") == []
    assert log_days(model, "blue", "idle") == []  # no value: not worth acting


def minimal_deterrent(q: dict, blue_readiness_added: float) -> tuple[np.ndarray, np.ndarray]:
    """D and Y of the minimal scenario by hand, from observed quantities ``q``: blue (the defender) and
    green, committed to blue. Strength = readiness * mean capability; every presence is 1."""

    def mean_capability(actor_id: str) -> np.ndarray:
        return sum(q[f"actors.{actor_id}.capability.{d}"] for d in DOMAINS) / len(DOMAINS)

    blue_readiness = q["actors.blue.readiness"] + blue_readiness_added
    credibility = q["commitments.green-blue.credibility"]
    blue = 1.0 * blue_readiness * mean_capability("blue") * q["actors.blue.resolve"]
    green = credibility * q["actors.green.readiness"] * mean_capability("green") * q["actors.green.resolve"]
    force = blue_readiness * mean_capability("blue") + credibility * q[
        "actors.green.readiness"
    ] * mean_capability("green")
    return blue + green, force


@pytest.mark.parametrize("risk_tolerance", [0.0, 0.5, 1.0])
def test_a_response_is_valued_by_its_deterrence_benefit_minus_its_escalation_risk(risk_tolerance):
    document = responses_scenario(
        {"id": "drill", "escalation_category": "non_violent_escalation", "signal_cost": 0.0},
        horizon_days=8,
    )
    document["actors"][0]["risk_tolerance"] = risk_tolerance
    scenario = build(document)
    recorder = Recorder(RuleBasedPolicy(scenario, "blue", choice_temperature=1e-9, action_cost=0.0))
    run_pressed(document, runs=2, policies={"blue": recorder})
    ((observation, _, choice),) = recorder.seen
    d0, y0 = minimal_deterrent(observation.quantities, 0.0)
    d1, y1 = minimal_deterrent(observation.quantities, 0.01)
    threat = 1 / 2  # red on press, rung 1 of a ladder whose war rung is 2
    value = threat * (np.log(d1 / d0) + np.log(y1 / y0)) - (1 - risk_tolerance) * (1 - threat) * 12 / 60
    assert recorder.inner.values(observation)[:, 0] == pytest.approx(value, rel=1e-9)
    assert (choice == np.where(value > 0, 0, NO_ACTION)).all()


def test_rule_on_attributed_incidents_compares_the_count_since_the_last_decision():
    document = responses_scenario({"id": "publicize", "when": {"attributed_incidents_at_least": 5}})
    document["gray_zone"]["attribution_deadline_hours"] = 100.0
    scenario = build(document)
    recorder = Recorder(RuleBasedPolicy(scenario, "blue", choice_temperature=1e-9, action_cost=0.0))
    model = run_pressed(
        document, runs=200, policies={"blue": recorder, "red": ScriptedPolicy({7: "press"}, 7)}
    )
    assert len(recorder.seen) == 8
    for observation, _, choice in recorder.seen:
        assert (choice == np.where(observation.attributed_incidents >= 5, 0, NO_ACTION)).all()
    taken = np.concatenate([choice for _, _, choice in recorder.seen])
    assert 0.1 < (taken == 0).mean() < 0.9  # the rule splits the runs
    assert model.attributed_timely.sum() > 0


def test_a_delayed_response_lands_after_its_delay():
    document = responses_scenario(
        {
            "id": "reinforce",
            "delay_days": 3.0,
            "cooldown_days": 100.0,
            "effects": [{"quantity": "actors.blue.readiness", "set": 0.9}],
        }
    )
    model = run_pressed(document, runs=2, days=10)  # days 0..9: decided on day 7, lands on day 10
    assert (model.state.row("actors.blue.readiness") == 0.5).all()
    model.step()
    assert (model.state.row("actors.blue.readiness") == 0.9).all()


# ---------------------------------------------------------------- scripts and horizons


def test_a_scripted_action_is_taken_at_the_decision_closing_its_window():
    document = responses_scenario({"id": "signal", "when": None, "cooldown_days": 0.0})
    script = ScriptedPolicy({3: "signal", 14: "signal", 15: "signal", 56: "signal"}, 7)
    model = run_pressed(document, runs=2, policies={"blue": script})
    assert log_days(model, "blue", "signal") == [7, 14, 21, 56]


def test_a_scripted_action_on_day_0_is_taken_or_rejected(tmp_path):
    (tmp_path / "blue.yaml").write_text("actions:\n  - {day: 0, action: signal}\n", encoding="utf-8")
    (tmp_path / "red.yaml").write_text("actions:\n  - {day: 7, action: press}\n", encoding="utf-8")
    document = responses_scenario({"id": "signal", "when": None})
    document["actors"][0]["policy"] = {"kind": "scripted", "script": "blue.yaml"}
    try:
        model = run_model(document, runs=2, scenario_dir=tmp_path)
    except InputError as error:  # rejected when the script is read: fine too
        assert "day" in str(error)
        return
    assert log_days(model, "blue", "signal") == [7]


def test_a_shorter_horizon_is_a_prefix_of_a_longer_one(reference_scenario):
    short = reference_scenario.model_copy(update={"horizon_days": 100})
    run_keys = np.arange(30, dtype=np.uint64) + np.uint64(77)
    models = [DeterrenceModel(scenario, run_keys) for scenario in (short, reference_scenario)]
    for model in models:
        for _ in range(100):
            model.step()
    assert (models[0].rung_by_day == models[1].rung_by_day[:, :100]).all()
    assert (models[0].incidents == models[1].incidents).all()
    assert (models[0].state.values == models[1].state.values).all()


def test_a_mobilization_is_spotted_with_the_allied_pictures_probability_and_answered_by_rule():
    document = climbing_scenario(4, 20.0, horizon_days=10)
    document["actors"][0]["responses"] = [
        {
            "id": "reinforce",
            "name": "Reinforce",
            "escalation_category": "status_quo",
            "effects": [{"quantity": "actors.blue.readiness", "add": 0.1}],
            "when": {"on_mobilization_warning": True},
        }
    ]
    scenario = build(document)
    recorder = Recorder(RuleBasedPolicy(scenario, "blue", choice_temperature=1e-9, action_cost=0.0))
    model = DeterrenceModel(scenario, keys(40_000), policies={"blue": recorder})
    model.run_to_end()
    ((observation, _, choice),) = recorder.seen  # one decision, day 7, right after the adversary's
    assert observation.day == 7
    assert (model.pending_rung == 4).all()
    # Warned unless blue's ISR (0.6) and green's, through the link at fidelity 0.5, both miss it.
    assert_mean_within_99(observation.mobilization_warned, 1.0 - (1.0 - 0.6) * (1.0 - 0.8 * 0.5))
    assert (choice == np.where(observation.mobilization_warned, 0, NO_ACTION)).all()
