"""Uncertain inputs: the distributions against SciPy, and ``{dist: ...}`` values in scenario files,
overlays, overrides and ``--set`` (checked against their fields, one located line per mistake)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scenario_builders import LEGACY_REFERENCE, REFERENCE_SCENARIO, minimal_scenario, write_yaml
from scipy import stats

from wargame.errors import InputError
from wargame.scenario import (
    Scenario,
    apply_overrides,
    get_value,
    load_scenario,
    scenario_document,
    scenario_hash,
)
from wargame.scenario.distributions import Choice, parse_distribution
from wargame.scenario.paths import OverrideError

U = np.linspace(0.0005, 0.9995, 1999)
finite = {"allow_nan": False, "allow_infinity": False}


# ---------------------------------------------------------------- the distributions against SciPy


@settings(max_examples=30, deadline=None)
@given(
    low=st.floats(-100, 100, **finite),
    width=st.floats(0.01, 100, **finite),
    mean=st.floats(-10, 10, **finite),
    sd=st.floats(0.01, 10, **finite),
    shape=st.tuples(st.floats(0.2, 20, **finite), st.floats(0.2, 20, **finite)),
    peak=st.floats(0, 1, **finite),
)
def test_quantiles_match_scipy(low, width, mean, sd, shape, peak):
    high = low + width
    pairs = [
        ({"dist": "uniform", "low": low, "high": high}, stats.uniform(low, width)),
        ({"dist": "normal", "mean": mean, "sd": sd}, stats.norm(mean, sd)),
        (
            {"dist": "normal", "mean": mean, "sd": sd, "low": mean - sd, "high": mean + 2 * sd},
            stats.truncnorm(-1, 2, loc=mean, scale=sd),
        ),
        ({"dist": "lognormal", "median": width, "sigma": sd / 10}, stats.lognorm(sd / 10, scale=width)),
        ({"dist": "beta", "alpha": shape[0], "beta": shape[1]}, stats.beta(*shape)),
        (
            {"dist": "beta", "alpha": shape[0], "beta": shape[1], "low": low, "high": high},
            stats.beta(*shape, loc=low, scale=width),
        ),
        (
            {"dist": "triangular", "low": low, "mode": low + peak * width, "high": high},
            stats.triang(peak, loc=low, scale=width),
        ),
    ]
    for mapping, reference in pairs:
        distribution = parse_distribution(mapping)
        np.testing.assert_allclose(
            distribution.ppf(U), reference.ppf(U), rtol=1e-9, atol=1e-9 * (1 + abs(low))
        )
        assert distribution.median() == pytest.approx(reference.median(), rel=1e-9, abs=1e-9 * (1 + abs(low)))
        low_end, high_end = distribution.support()
        assert (low_end, high_end) == pytest.approx(reference.support())


@settings(max_examples=60, deadline=None)
@given(
    low=st.floats(-1e6, 1e6, **finite),
    width=st.floats(1e-6, 1e6, **finite),
    peak=st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(0, 1, **finite)),
    seed=st.integers(0, 2**32 - 1),
)
def test_triangular_quantiles_are_scipys_to_the_bit(low, width, peak, seed):
    # the per-run draws of a triangular input come from a closed form on numpy, not from scipy.stats
    # (which the worker processes do not import): it must give SciPy's numbers exactly
    high = low + width
    mode = min(low + peak * width, high)
    distribution = parse_distribution({"dist": "triangular", "low": low, "mode": mode, "high": high})
    u = np.concatenate(
        [
            [0.0, 1.0, 2.0**-54, 1.0 - 2.0**-53, 0.5, peak, np.nextafter(peak, 0), np.nextafter(peak, 1)],
            np.random.default_rng(seed).random(2000),
            U,
        ]
    )
    clipped = np.clip(u, 2.0**-54, 1.0 - 2.0**-53)
    expected = stats.triang.ppf(clipped, (mode - low) / (high - low), loc=low, scale=high - low)
    np.testing.assert_array_equal(distribution.ppf(u).view(np.uint64), expected.view(np.uint64))


@pytest.mark.slow  # a fresh interpreter
def test_the_model_path_imports_no_scipy_stats():
    # a worker process of a batch of runs imports wargame.runner._runs from scratch: scipy.stats would add
    # about 0.4 s to every batch's start-up (only a truncated normal or log-normal loads it, when drawn)
    code = "import sys, wargame.runner._runs; print('scipy.stats' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout.strip()) == (0, "False"), result.stderr[-2000:]


def test_a_truncated_lognormal_matches_scipy_on_the_log_scale():
    distribution = parse_distribution(
        {"dist": "lognormal", "median": 5.0, "sigma": 0.5, "low": 2.0, "high": 20.0}
    )
    mu = math.log(5.0)
    a, b = (math.log(2.0) - mu) / 0.5, (math.log(20.0) - mu) / 0.5
    np.testing.assert_allclose(distribution.ppf(U), np.exp(stats.truncnorm(a, b, loc=mu, scale=0.5).ppf(U)))
    assert distribution.support() == (2.0, 20.0)


def test_a_choice_is_the_weighted_quantile_of_its_sorted_values():
    choice = parse_distribution({"dist": "choice", "values": [30, 10, 20], "weights": [1, 1, 2]})
    # sorted: 10 (0.25), 20 (0.5), 30 (0.25) -> F = 0.25, 0.75, 1
    np.testing.assert_array_equal(
        choice.ppf(np.array([0.1, 0.25, 0.26, 0.75, 0.76, 0.999])), [10, 10, 20, 20, 30, 30]
    )
    assert choice.median() == 20
    assert choice.support() == (10, 30)
    assert isinstance(choice, Choice) and choice.whole_numbers
    draws = choice.ppf(np.random.default_rng(0).random(40_000))
    assert np.mean(draws == 20) == pytest.approx(0.5, abs=0.01)


def test_a_choice_never_draws_a_value_of_weight_zero():
    choice = parse_distribution({"dist": "choice", "values": [1, 2, 3], "weights": [0, 1, 0]})
    assert set(choice.ppf(np.array([0.0, 1e-300, 0.5, 1.0]))) == {2.0}
    assert choice.support() == (2, 2)


@pytest.mark.parametrize(
    "mapping",
    [
        {"dist": "normal", "mean": 0, "sd": 1},
        {"dist": "lognormal", "median": 1, "sigma": 2},
        {"dist": "uniform", "low": 0, "high": 1},
    ],
)
def test_quantiles_at_the_ends_of_the_unit_interval_are_finite(mapping):
    assert np.all(np.isfinite(parse_distribution(mapping).ppf(np.array([0.0, 1.0]))))


# ---------------------------------------------------------------- in a scenario file


def scenario_with(
    tmp_path: Path, *edits: tuple[tuple, object], name: str = "scenario.yaml", **fields
) -> Path:
    document = minimal_scenario(**fields)
    for path, value in edits:
        target = document
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return write_yaml(tmp_path / name, document)


def line_of(path: Path, text: str) -> int:
    return path.read_text().splitlines().index(text) + 1


def test_the_loader_records_distributions_sorted_by_path_and_holds_their_medians(tmp_path):
    path = scenario_with(
        tmp_path,
        (("actors", 0, "resolve"), {"dist": "beta", "alpha": 2, "beta": 2, "source": "symmetric guess"}),
        (("horizon_days",), {"dist": "choice", "values": [20, 30, 40]}),
        (("programs", 0, "effects", 0, "gain_per_exchange"), {"dist": "uniform", "low": 0.01, "high": 0.03}),
        (("links", 0, "latency_hours"), {"dist": "lognormal", "median": 6, "sigma": 0.4}),
    )
    scenario = load_scenario(path)
    assert [u.path for u in scenario.uncertain_inputs] == [
        "actors.blue.resolve",
        "horizon_days",
        "links.green-blue.latency_hours",
        "programs.training.effects.0.gain_per_exchange",
    ]
    assert [u.integer for u in scenario.uncertain_inputs] == [False, True, False, False]
    assert scenario.horizon_days == 30 and isinstance(scenario.horizon_days, int)
    assert scenario.actors[0].resolve == pytest.approx(0.5)
    assert scenario.links[0].latency_hours == pytest.approx(6.0)
    assert scenario.programs[0].effects[0].gain_per_exchange == pytest.approx(0.02)
    assert scenario.uncertain_inputs[0].distribution.source == "symmetric guess"
    for uncertain in scenario.uncertain_inputs:
        assert get_value(scenario, uncertain.path) == pytest.approx(uncertain.distribution.median())


def test_a_scenario_with_distributions_round_trips_through_its_file_form(tmp_path):
    path = scenario_with(
        tmp_path,
        (("actors", 0, "resolve"), {"dist": "normal", "mean": 0.5, "sd": 0.1, "low": 0, "high": 1}),
        (
            ("gray_zone", "activities", 0, "base_rate_per_day"),
            {"dist": "triangular", "low": 0.5, "mode": 1, "high": 3},
        ),
    )
    scenario = load_scenario(path)
    assert Scenario.model_validate(scenario.model_dump(mode="json", by_alias=True)) == scenario
    reloaded = load_scenario(write_yaml(tmp_path / "again.yaml", scenario_document(scenario)))
    assert reloaded == scenario
    assert scenario_hash(reloaded) == scenario_hash(scenario)


def test_the_hash_covers_distributions():
    base = load_scenario(LEGACY_REFERENCE)
    resolve = base.actor("twn").resolve
    wide = apply_overrides(
        base, {"actors.twn.resolve": {"dist": "uniform", "low": resolve - 0.2, "high": resolve + 0.2}}
    )
    narrow = apply_overrides(
        base, {"actors.twn.resolve": {"dist": "uniform", "low": resolve - 0.1, "high": resolve + 0.1}}
    )
    assert wide.actor("twn").resolve == pytest.approx(resolve)
    assert narrow.actor("twn").resolve == pytest.approx(resolve)
    assert len({scenario_hash(base), scenario_hash(wide), scenario_hash(narrow)}) == 3
    assert scenario_hash(apply_overrides(narrow, {"actors.twn.resolve": resolve})) == scenario_hash(base)


def test_an_overlay_may_put_a_distribution_on_a_number_or_a_number_on_a_distribution(tmp_path):
    scenario_with(
        tmp_path,
        (("actors", 0, "resolve"), {"dist": "normal", "mean": 0.5, "sd": 0.1, "low": 0, "high": 1}),
        name="parent.yaml",
    )
    child = tmp_path / "child.yaml"
    child.write_text(
        "extends: parent.yaml\nactors:\n  - id: blue\n    resolve: 0.4\n"
        "  - id: green\n    readiness: {dist: uniform, low: 0.2, high: 0.6}\n",
        encoding="utf-8",
    )
    scenario = load_scenario(child)
    assert [u.path for u in scenario.uncertain_inputs] == ["actors.green.readiness"]
    assert scenario.actors[0].resolve == 0.4
    replacing = tmp_path / "replacing.yaml"
    replacing.write_text(
        "extends: parent.yaml\nactors:\n  - id: blue\n    resolve: {dist: beta, alpha: 3, beta: 3}\n", "utf-8"
    )
    (uncertain,) = load_scenario(replacing).uncertain_inputs
    assert uncertain.distribution.dist == "beta"  # replaced whole, not merged key by key


@pytest.mark.parametrize(
    ("value", "where", "message"),
    [
        ({"dist": "uniform", "low": 0.8, "high": 0.2}, "", "low (0.8) must be smaller than high (0.2)"),
        (
            {"dist": "uniform", "low": 0.5, "high": 0.5},
            "",
            "low and high are both 0.5: a distribution needs low < high",
        ),
        ({"dist": "normal", "mean": 0.5, "sd": 0}, ".sd", "Input should be greater than 0"),
        (
            {"dist": "lognormal", "median": 0.5, "sigma": -1, "high": 1},
            ".sigma",
            "Input should be greater than 0",
        ),
        ({"dist": "beta", "alpha": 0, "beta": 2}, ".alpha", "Input should be greater than 0"),
        ({"dist": "beta", "alpha": 2, "beta": -2}, ".beta", "Input should be greater than 0"),
        (
            {"dist": "triangular", "low": 0.1, "mode": 0.9, "high": 0.5},
            "",
            "mode (0.9) must lie between low (0.1) and high (0.5)",
        ),
        (
            {"dist": "choice", "values": [0.1, 0.2], "weights": [-1, 2]},
            ".weights[0]",
            "Input should be greater than or equal to 0",
        ),
        ({"dist": "choice", "values": [0.1, 0.2], "weights": [0, 0]}, "", "the weights sum to 0"),
        ({"dist": "choice", "values": [0.1, 0.2], "weights": [1]}, "", "1 weights for 2 values"),
        (
            {"dist": "gausian", "mean": 0.5},
            ".dist",
            "unknown distribution 'gausian'; (choose from uniform, normal,",
        ),
        ({"dist": "normall", "mean": 0.5}, ".dist", "unknown distribution 'normall'; did you mean 'normal'?"),
        (
            {"dist": "normal", "mean": 0.5, "sdd": 0.1},
            ".sdd",
            "unknown field 'sdd' in a normal distribution; did you mean 'sd'?",
        ),
        ({"dist": "normal", "mean": 0.5}, "", "a normal distribution needs 'sd'"),
        (
            {"dist": "normal", "mean": 0.5, "sd": 0.1},
            "",
            "the normal distribution's support [-inf, inf] is outside the field's bounds [0, 1]; "
            "give low and high to truncate it",
        ),
        (
            {"dist": "uniform", "low": 0.5, "high": 1.5},
            "",
            "the uniform distribution's support [0.5, 1.5] is outside the field's bounds [0, 1]; "
            "keep its values inside [0, 1]",
        ),
        (
            {"dist": "lognormal", "median": 0.5, "sigma": 0.2},
            "",
            "the lognormal distribution's support [0, inf] is outside the field's bounds [0, 1]",
        ),
        (
            {"dist": "choice", "values": [0.5, 2]},
            "",
            "the choice distribution's support [0.5, 2] is outside the field's bounds [0, 1]",
        ),
    ],
    ids=[
        "low-above-high",
        "low-equals-high",
        "sd-zero",
        "sigma-negative",
        "alpha-zero",
        "beta-negative",
        "mode-outside",
        "weight-negative",
        "weights-zero",
        "weights-count",
        "unknown-dist",
        "misspelt-dist",
        "unknown-key",
        "missing-key",
        "normal-on-fraction",
        "uniform-past-bound",
        "lognormal-on-fraction",
        "choice-past-bound",
    ],
)
def test_a_bad_distribution_is_one_line_at_its_file_line_and_field(tmp_path, value, where, message):
    path = scenario_with(tmp_path, (("actors", 0, "resolve"), value))
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    error = caught.value
    assert error.field == "actors[blue].resolve" + where
    assert error.source.startswith(f"{path}:")
    assert int(error.source.rsplit(":", 1)[1]) >= line_of(path, "  resolve:")
    assert error.message.startswith(message), error.message
    assert "\n" not in str(error)


def test_a_lognormal_may_stand_for_a_field_that_must_be_positive(tmp_path):
    path = scenario_with(
        tmp_path,
        (
            ("escalation", "rungs", 1, "gray_zone_multiplier"),
            {"dist": "lognormal", "median": 2, "sigma": 0.5},
        ),
    )
    assert load_scenario(path).uncertain_inputs[0].path == "escalation.rungs.war.gray_zone_multiplier"
    path = scenario_with(
        tmp_path,
        (("escalation", "rungs", 1, "gray_zone_multiplier"), {"dist": "uniform", "low": 0, "high": 2}),
    )
    with pytest.raises(InputError, match=r"support \[0, 2\] is outside the field's bounds \(0, inf\)"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (
            ("horizon_days",),
            "horizon_days",
            "an integer field takes only {dist: choice, values: [...]} of whole numbers",
        ),
        (("decision_interval_days",), "decision_interval_days", "an integer field takes only"),
        (("name",), "name", "a distribution stands for a number; this field is text"),
        (
            ("actors", 0, "capability"),
            "actors[blue].capability",
            "a distribution stands for a number; this field is a section",
        ),
        (
            ("commitments", 0, "from"),
            "commitments[0].from",
            "a distribution stands for a number; this field is text",
        ),
    ],
)
def test_a_distribution_where_no_real_number_goes(tmp_path, edit, field, message):
    path = scenario_with(tmp_path, (edit, {"dist": "uniform", "low": 10, "high": 20}))
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert (caught.value.field, caught.value.message[: len(message)]) == (field, message)


def test_an_integer_field_refuses_a_choice_of_fractions(tmp_path):
    path = scenario_with(tmp_path, (("horizon_days",), {"dist": "choice", "values": [20, 30.5]}))
    with pytest.raises(InputError, match="of whole numbers"):
        load_scenario(path)


def test_uncertain_inputs_are_not_written_in_files(tmp_path):
    path = scenario_with(tmp_path, (("uncertain_inputs",), [{"path": "horizon_days"}]))
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert caught.value.message.startswith("uncertain_inputs is filled from the {dist: ...} values")


def test_uncertain_inputs_given_through_the_api_are_checked():
    document = minimal_scenario()
    document["uncertain_inputs"] = [
        {"path": "actors.blue.resolv", "distribution": {"dist": "uniform", "low": 0, "high": 1}}
    ]
    with pytest.raises(ValueError, match=r"'actors\.blue\.resolv' is not a number of this scenario"):
        Scenario.model_validate(document)
    document["uncertain_inputs"] = [
        {"path": "actors.blue.resolve", "distribution": {"dist": "uniform", "low": 0, "high": 2}}
    ]
    with pytest.raises(ValueError, match=r"outside the field's bounds \[0, 1\]"):
        Scenario.model_validate(document)


# ---------------------------------------------------------------- overrides and --set


def test_overrides_put_replace_and_remove_distributions():
    legacy = load_scenario(LEGACY_REFERENCE)
    first = apply_overrides(
        legacy,
        {
            "escalation.rungs.invasion.gain": {"dist": "normal", "mean": 10, "sd": 2},
            "actors.twn.resolve": {"dist": "beta", "alpha": 6, "beta": 4},
        },
    )
    assert [u.path for u in first.uncertain_inputs] == [
        "actors.twn.resolve",
        "escalation.rungs.invasion.gain",
    ]
    assert get_value(first, "escalation.rungs.invasion.gain") == pytest.approx(10)
    second = apply_overrides(first, {"actors.twn.resolve": 0.5})
    assert [u.path for u in second.uncertain_inputs] == ["escalation.rungs.invasion.gain"]
    third = apply_overrides(
        second, {"escalation.rungs.invasion.gain": {"dist": "uniform", "low": 5, "high": 7}}
    )
    assert third.uncertain_inputs[0].distribution.dist == "uniform"
    assert get_value(third, "escalation.rungs.invasion.gain") == 6


def test_a_bad_distribution_override_names_the_path(reference_scenario):
    with pytest.raises(OverrideError) as caught:
        apply_overrides(
            reference_scenario, {"actors.twn.resolve": {"dist": "normal", "mean": 0.5, "sd": 0.1}}
        )
    assert caught.value.path == "actors.twn.resolve"
    assert caught.value.reason.endswith("give low and high to truncate it")


def test_set_takes_a_distribution(cli, tmp_path):
    result = cli(
        "validate",
        REFERENCE_SCENARIO,
        "--set",
        "links.usa-twn.latency_hours={dist: uniform, low: 6, high: 24}",
    )
    assert result.code == 0, result.err
    result = cli(
        "validate", REFERENCE_SCENARIO, "--set", "actors.twn.resolve={dist: normal, mean: 0.5, sd: 0.1}"
    )
    assert result.code == 2
    assert result.err == (
        "wargame: error: --set actors.twn.resolve={dist: normal, mean: 0.5, sd: 0.1}: "
        "the normal distribution's support [-inf, inf] is outside the field's bounds [0, 1]; "
        "give low and high to truncate it\n"
    )


def test_distributions_in_a_yaml_anchor_are_each_recorded(tmp_path):
    text = yaml.safe_dump(minimal_scenario(), sort_keys=False)
    text = text.replace("  readiness: 0.5\n", "  readiness: &r {dist: uniform, low: 0.4, high: 0.6}\n", 1)
    text = text.replace("  resolve: 0.5\n", "  resolve: *r\n", 1)
    path = tmp_path / "anchored.yaml"
    path.write_text(text, encoding="utf-8")
    assert [u.path for u in load_scenario(path).uncertain_inputs] == [
        "actors.blue.readiness",
        "actors.blue.resolve",
    ]
