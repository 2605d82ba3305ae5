"""Reusable conformance checks for :class:`wargame.policies.Policy` implementations.

:func:`check_policy_conformance` drives a real :class:`~wargame.model.DeterrenceModel` of the scenario
with the policy under test playing one actor, records every observation the policy is shown (with its
:class:`~wargame.policies.PolicyDraws`), and checks on each one that the policy:

1. returns an integer array of shape ``(runs,)``;
2. picks, in every run, an action allowed in that run or ``NO_ACTION``;
3. is deterministic: the same observation and draws give the same choice, from the same instance called
   again and from a fresh instance built with the same arguments;
4. decides each run from that run's entries alone: the sub-ensemble of any permuted or sliced set of runs
   (observation rows and run-keyed draws both taken from those runs) gets the same choices as those runs
   got in the whole batch;
5. only stores its constructor arguments (scikit-learn style): ``vars(policy)`` equals the bound
   constructor arguments, defaults included, before and after deciding.

Any policy, including a human seat, can be run through it::

    from policy_conformance import check_policy_conformance
    report = check_policy_conformance(MyPolicy, {"scenario": s, "actor_id": "usa"}, s, "usa")
    assert report.actions_taken > 0
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wargame.model import DeterrenceModel, EnsembleRandom, run_keys_from_seed
from wargame.policies import NO_ACTION, Observation, Policy, PolicyDraws
from wargame.scenario import Scenario

__all__ = ["ConformanceReport", "check_policy_conformance", "slice_draws", "slice_observation"]


@dataclasses.dataclass(frozen=True)
class ConformanceReport:
    """What the checks saw, so a caller can assert the case was not trivial."""

    decisions: int
    runs: int
    actions_taken: int
    distinct_actions: frozenset[int]


class _Recorder:
    """Plays the actor through the policy under test and keeps a frozen copy of each decision."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.seen: list[tuple[Observation, PolicyDraws, np.ndarray]] = []

    def decide(self, observation: Observation, draws: PolicyDraws) -> np.ndarray:
        frozen = _freeze(observation)
        choice = self.policy.decide(frozen, draws)
        _check_choice(frozen, choice)  # before the model sees it, for a clear message
        self.seen.append((frozen, draws, choice))
        return choice


def _check_choice(observation: Observation, choice: Any) -> None:
    """An int array of shape ``(runs,)``, each entry ``NO_ACTION`` or an action allowed in that run."""
    where = f"day {observation.day}"
    assert isinstance(choice, np.ndarray), f"{where}: decide returned {type(choice).__name__}"
    assert np.issubdtype(choice.dtype, np.integer), f"{where}: choice dtype {choice.dtype}, not int"
    assert choice.shape == (observation.runs,), (
        f"{where}: choice shape {choice.shape}, not ({observation.runs},)"
    )
    acted = choice != NO_ACTION
    assert ((choice >= NO_ACTION) & (choice < len(observation.menu))).all(), f"{where}: off the menu"
    assert observation.allowed[acted, choice[acted]].all(), f"{where}: an action not allowed now"


def _freeze(observation: Observation) -> Observation:
    """Copy every array of an observation (the model's quantity views are live)."""
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(observation):
        value = getattr(observation, field.name)
        if isinstance(value, np.ndarray):
            changes[field.name] = value.copy()
        elif isinstance(value, Mapping):
            changes[field.name] = {key: np.array(item, copy=True) for key, item in value.items()}
    return dataclasses.replace(observation, **changes)


def slice_observation(observation: Observation, runs: np.ndarray) -> Observation:
    """Return the observation of the runs ``runs`` (indices, in that order) of ``observation``."""
    total = observation.runs
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(observation):
        value = getattr(observation, field.name)
        if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == total:
            changes[field.name] = value[runs]
        elif isinstance(value, Mapping):
            changes[field.name] = {
                key: item[runs] if isinstance(item, np.ndarray) and item.shape[:1] == (total,) else item
                for key, item in value.items()
            }
    return dataclasses.replace(observation, **changes)


def slice_draws(draws: PolicyDraws, runs: np.ndarray) -> PolicyDraws:
    """Return the draws of the runs ``runs``: the same run keys, so the same numbers per run."""
    random = draws.random
    if random.branch_day is not None:
        raise ValueError("slice_draws does not support branched streams")
    return PolicyDraws(EnsembleRandom(random.run_keys[runs]), draws.actor_index, draws.day)


def _same(left: Any, right: Any) -> bool:
    if left is right:
        return True
    try:
        return bool(left == right)
    except ValueError:  # numpy arrays compare elementwise
        return bool(np.array_equal(left, right))


def _assert_only_parameters(policy: Any, expected: Mapping[str, Any], when: str) -> None:
    stored = vars(policy)
    assert set(stored) == set(expected), (
        f"{when}: vars(policy) has {sorted(stored)}, the constructor takes {sorted(expected)}"
    )
    for name, value in expected.items():
        assert _same(stored[name], value), f"{when}: attribute {name!r} is not the constructor argument"


def _subsets(runs: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [
        rng.permutation(runs),
        np.arange(runs)[::-1][: max(1, runs // 2)],
        np.arange(runs)[1::3],
        np.array([runs - 1]),
        np.sort(rng.choice(runs, size=max(1, runs // 4), replace=False)),
    ]


def check_policy_conformance(
    policy_class: type,
    params: Mapping[str, Any],
    scenario: Scenario,
    actor_id: str,
    *,
    runs: int = 48,
    seed: int = 2024,
    days: int | None = None,
    scenario_dir: Path | None = None,
    other_policies: Mapping[str, Policy] | None = None,
    subsets: Sequence[np.ndarray] | None = None,
) -> ConformanceReport:
    """Check one policy on every decision of a real model run; raise ``AssertionError`` on a violation.

    Args:
        policy_class: The policy's class; it is built as ``policy_class(**params)``.
        params: Constructor arguments.
        scenario: The scenario the model runs.
        actor_id: The actor the policy plays.
        runs: Runs in the model's ensemble.
        seed: Root seed of the run keys.
        days: Days to simulate (default: the scenario's horizon).
        scenario_dir: Folder for relative paths in the scenario.
        other_policies: Policies for other actors (default: the scenario's).
        subsets: Index arrays of sub-ensembles to compare against (default: a permutation, slices, one run
            and a random subset).

    Returns:
        A report of how many decisions were checked and how many actions the policy took.
    """
    signature = inspect.signature(policy_class)
    bound = signature.bind(**params)
    bound.apply_defaults()
    constructor_arguments = dict(bound.arguments)

    policy = policy_class(**params)
    assert isinstance(policy, Policy), f"{policy_class.__name__} does not implement the Policy protocol"
    _assert_only_parameters(policy, constructor_arguments, "after construction")

    recorder = _Recorder(policy)
    model = DeterrenceModel(
        scenario,
        run_keys_from_seed(seed, runs),
        policies={**(other_policies or {}), actor_id: recorder},
        scenario_dir=scenario_dir,
    )
    for _ in range(scenario.horizon_days if days is None else days):
        model.step()
    assert recorder.seen, "the model made no decision for the actor: simulate more days"

    fresh = policy_class(**params)
    taken, distinct = 0, set()
    for observation, draws, choice in recorder.seen:
        where = f"day {observation.day}"
        _check_choice(observation, choice)
        assert choice.shape == (runs,)
        acted = choice != NO_ACTION
        taken += int(acted.sum())
        distinct |= set(choice[acted].tolist())

        assert np.array_equal(policy.decide(observation, draws), choice), f"{where}: not deterministic"
        assert np.array_equal(fresh.decide(observation, draws), choice), (
            f"{where}: a fresh instance with the same arguments chose differently"
        )
        for subset in subsets if subsets is not None else _subsets(runs, seed + observation.day):
            sub_choice = policy.decide(slice_observation(observation, subset), slice_draws(draws, subset))
            assert np.array_equal(np.asarray(sub_choice), choice[subset]), (
                f"{where}: runs {subset.tolist()[:8]}... chose differently as a sub-ensemble"
            )
    _assert_only_parameters(policy, constructor_arguments, "after deciding")
    return ConformanceReport(len(recorder.seen), runs, taken, frozenset(distinct))
