"""The shipped scenarios: they validate, cite a source for every calibrated entry, and their variants move
the outcomes the way their comments say, beyond the 95% intervals of 1,000 runs each (of the paired
difference, for the probability of war).
"""

from __future__ import annotations

import pandas as pd
import pytest
from scenario_builders import SCENARIOS_DIR

import wargame
from wargame.analysis.summary import Estimate, summarize
from wargame.scenario import load_scenario
from wargame.stats import paired_difference

SHIPPED = sorted(SCENARIOS_DIR.glob("*.yaml"))
VARIANTS = ["taiwan_strait_baseline", "no_information_sharing", "deep_cooperation", "high_gray_zone"]
RUNS, SEED = 1000, 2


SECOND_THEATRE = "baltic_deterrence"


def test_every_reference_scenario_and_variant_is_shipped_with_a_second_theatre():
    assert sorted(path.stem for path in SHIPPED) == sorted([*VARIANTS, SECOND_THEATRE])


def test_wargame_validate_passes_on_every_shipped_scenario(cli):
    result = cli("validate", *SHIPPED)
    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert [line.split(": ok (")[0] for line in lines] == [str(path) for path in SHIPPED]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_calibrated_entry_cites_a_source(path):
    scenario = load_scenario(path)
    entries = {
        **{f"actors[{a.id}]": a.source for a in scenario.actors},
        **{f"commitments[{c.key}]": c.source for c in scenario.commitments},
        **{f"links[{link.key}]": link.source for link in scenario.links},
        **{f"programs[{p.id}]": p.source for p in scenario.programs},
        **{f"activities[{a.id}]": a.source for a in scenario.gray_zone.activities},
    }
    missing = [where for where, source in entries.items() if not (source and source.strip())]
    assert missing == []
    assert scenario.programs and scenario.gray_zone.activities  # the check is not vacuous


@pytest.fixture(scope="module")
def summaries():
    """1,000 runs of each variant with one root seed (about 1-2 s each), and their summaries.

    The summaries leave out the drawn inputs' columns: the spread of the outcomes across the inputs (a
    cross-validated meta-model, seconds a variant) is not checked here, and no other figure depends on them.
    """
    made = {}
    for name in VARIANTS:
        scenario = load_scenario(SCENARIOS_DIR / f"{name}.yaml")
        frame = wargame.run(scenario, runs=RUNS, seed=SEED)
        outcomes = frame.drop(columns=[column for column in frame if column.startswith("input:")])
        made[name] = (summarize(scenario, outcomes, SEED), frame)
    return made


def above(high: Estimate, low: Estimate) -> bool:
    """Whether ``high``'s 95% interval lies wholly above ``low``'s."""
    return high.low > low.high


def more_war(first: pd.DataFrame, second: pd.DataFrame) -> bool:
    """Whether war is likelier in ``first`` than in ``second``: the 95% interval of the paired difference
    (the same seeds run by run) lies wholly above 0."""
    return paired_difference(first["war"], second["war"]).low > 0.0


@pytest.mark.slow
def test_variants_move_the_outcomes_beyond_their_confidence_intervals(summaries):
    baseline, baseline_runs = summaries["taiwan_strait_baseline"]
    no_sharing, no_sharing_runs = summaries["no_information_sharing"]
    _, deep_runs = summaries["deep_cooperation"]
    high_gray_zone, high_gray_zone_runs = summaries["high_gray_zone"]

    # No information sharing: the defender attributes alone (in its own drawn time), later; its resolve ends
    # lower and war is likelier. Each paired difference in war below is 4.6 to 5.9 standard errors from 0 on
    # these runs (the interval's test is 1.96).
    assert above(no_sharing.mean_attribution_delay_hours, baseline.mean_attribution_delay_hours)
    assert no_sharing_runs["final_resolve_twn"].mean() < baseline_runs["final_resolve_twn"].mean() - 0.02
    assert more_war(no_sharing_runs, baseline_runs)
    detected = no_sharing_runs["detected_total"] > 0
    own_hours = no_sharing_runs.loc[detected, "input:actors.twn.attribution_time_hours"].to_numpy()
    assert no_sharing_runs.loc[detected, "mean_attribution_delay_hours"].to_numpy() == pytest.approx(
        own_hours, rel=1e-12
    )
    # Deep cooperation: war is less likely.
    assert more_war(baseline_runs, deep_runs)
    # High gray-zone pressure: more incidents and war is likelier.
    assert above(high_gray_zone.incidents_per_run["total"], baseline.incidents_per_run["total"])
    assert more_war(high_gray_zone_runs, baseline_runs)
    for summary, _ in summaries.values():
        assert summary.runs == RUNS
