"""Conformance checks for :class:`wargame.policies.Policy` implementations.

A :class:`PolicySubject` drives a real :class:`~wargame.model.DeterrenceModel` of a scenario with the
policy under test playing one actor, records every observation the policy is shown (with its
:class:`~wargame.policies.PolicyDraws`) and what it chose, and its checks then ask of each decision that
the policy:

* returns an integer array of shape ``(runs,)`` with, in every run, an action allowed in that run or
  ``NO_ACTION`` (:func:`check_choices_are_allowed_actions`);
* is deterministic: the same observation and draws give the same choice, from the same instance called
  again and from a fresh instance built with the same arguments (:func:`check_deterministic`);
* decides each run from that run's entries alone: any permuted or sliced sub-ensemble (observation rows
  and run-keyed draws both taken from those runs) gets the choices those runs got in the whole batch
  (:func:`check_each_run_decided_alone`);
* only stores its constructor arguments, scikit-learn style, before and after deciding
  (:func:`check_stores_only_its_parameters`);
* survives pickling with the same choices, so :func:`wargame.run` can send it to worker processes
  (:func:`check_picklable`).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import pickle
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wargame.core.parameters import RunParameters
from wargame.core.policy import NO_ACTION, Observation, Policy, PolicyDraws
from wargame.core.random_streams import EnsembleRandom, run_keys_from_seed
from wargame.scenario import Scenario

__all__ = [
    "ConformanceReport",
    "PolicySubject",
    "check_policy_choice",
    "check_policy_conformance",
    "slice_draws",
    "slice_observation",
]


@dataclasses.dataclass(frozen=True)
class ConformanceReport:
    """What the checks saw, so a caller can assert the case was not trivial."""

    decisions: int
    runs: int
    actions_taken: int
    distinct_actions: frozenset[int]


@dataclasses.dataclass(eq=False)
class PolicySubject:
    """A policy under test: its class and constructor arguments, and the model run that exercises it.

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
        name: The subject's id (default: the class name and the actor).
    """

    policy_class: type
    params: Mapping[str, Any]
    scenario: Scenario
    actor_id: str
    runs: int = 48
    seed: int = 2024
    days: int | None = None
    scenario_dir: Path | None = None
    other_policies: Mapping[str, Policy] | None = None
    subsets: Sequence[np.ndarray] | None = None
    name: str | None = None

    @property
    def id(self) -> str:
        return self.name or f"{self.policy_class.__name__}-{self.actor_id}"

    def checks(self) -> list[Any]:
        return [
            check_implements_the_interface,
            check_stores_only_its_parameters,
            check_choices_are_allowed_actions,
            check_deterministic,
            check_each_run_decided_alone,
            check_picklable,
        ]

    def build(self) -> Any:
        return self.policy_class(**self.params)

    def constructor_arguments(self) -> dict[str, Any]:
        bound = inspect.signature(self.policy_class).bind(**self.params)
        bound.apply_defaults()
        return dict(bound.arguments)

    @functools.cached_property
    def recording(self) -> tuple[Any, list[tuple[Observation, PolicyDraws, np.ndarray]]]:
        """The policy that played, and each decision it was asked for: (observation, draws, choice)."""
        from wargame.model import DeterrenceModel

        policy = self.build()
        recorder = _Recorder(policy)
        model = DeterrenceModel(
            self.scenario,
            run_keys_from_seed(self.seed, self.runs),
            policies={**(self.other_policies or {}), self.actor_id: recorder},
            scenario_dir=self.scenario_dir,
        )
        for _ in range(self.scenario.horizon_days if self.days is None else self.days):
            model.step()
        assert recorder.seen, "the model made no decision for the actor: simulate more days"
        return policy, recorder.seen

    def report(self) -> ConformanceReport:
        _, seen = self.recording
        taken, distinct = 0, set()
        for _, _, choice in seen:
            acted = choice != NO_ACTION
            taken += int(acted.sum())
            distinct |= set(choice[acted].tolist())
        return ConformanceReport(len(seen), self.runs, taken, frozenset(distinct))


class _Recorder:
    """Plays the actor through the policy under test and keeps a frozen copy of each decision."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.seen: list[tuple[Observation, PolicyDraws, np.ndarray]] = []

    def decide(self, observation: Observation, draws: PolicyDraws) -> np.ndarray:
        frozen = _freeze(observation)
        choice = self.policy.decide(frozen, draws)
        check_policy_choice(frozen, choice)  # before the model sees it, for a clear message
        self.seen.append((frozen, draws, np.array(choice, copy=True)))
        return choice


def check_implements_the_interface(subject: PolicySubject) -> None:
    """The instance is a :class:`~wargame.policies.Policy` (it has ``decide(observation, draws)``)."""
    policy = subject.build()
    assert isinstance(policy, Policy), f"{subject.policy_class.__name__} does not implement Policy"


def check_stores_only_its_parameters(subject: PolicySubject) -> None:
    """``vars(policy)`` is the bound constructor arguments, defaults included, before and after deciding."""
    expected = subject.constructor_arguments()
    _assert_only_parameters(subject.build(), expected, "after construction")
    policy, _ = subject.recording
    _assert_only_parameters(policy, expected, "after deciding")


def check_choices_are_allowed_actions(subject: PolicySubject) -> None:
    """Every choice is an int array of shape ``(runs,)``: ``NO_ACTION`` or an action allowed in that run."""
    _, seen = subject.recording
    for observation, _, choice in seen:
        check_policy_choice(observation, choice)
        assert choice.shape == (observation.runs,)


def check_deterministic(subject: PolicySubject) -> None:
    """The same observation and draws give the same choice, again and from a fresh instance."""
    policy, seen = subject.recording
    fresh = subject.build()
    for observation, draws, choice in seen:
        where = f"day {observation.day}"
        assert np.array_equal(policy.decide(observation, draws), choice), f"{where}: not deterministic"
        assert np.array_equal(fresh.decide(observation, draws), choice), (
            f"{where}: a fresh instance with the same arguments chose differently"
        )


def check_each_run_decided_alone(subject: PolicySubject) -> None:
    """Any sub-ensemble of runs gets the choices those runs got in the whole batch."""
    policy, seen = subject.recording
    for observation, draws, choice in seen:
        # The model may ask only some runs (a mobilization's go/no-go): subsets are of the runs asked.
        subsets = subject.subsets if observation.runs == subject.runs else None
        for subset in (
            subsets if subsets is not None else _subsets(observation.runs, subject.seed + observation.day)
        ):
            sub_choice = policy.decide(slice_observation(observation, subset), slice_draws(draws, subset))
            assert np.array_equal(np.asarray(sub_choice), choice[subset]), (
                f"day {observation.day}: runs {subset.tolist()[:8]}... chose differently as a sub-ensemble"
            )


def check_picklable(subject: PolicySubject) -> None:
    """A pickled and restored policy chooses as the original (policies reach worker processes pickled)."""
    policy, seen = subject.recording
    restored = pickle.loads(pickle.dumps(subject.build()))
    for observation, draws, choice in seen:
        assert np.array_equal(restored.decide(observation, draws), choice), (
            f"day {observation.day}: the unpickled policy chose differently"
        )
    assert policy is not restored


def check_policy_conformance(
    policy_class: type, params: Mapping[str, Any], scenario: Scenario, actor_id: str, **options: Any
) -> ConformanceReport:
    """Run every check of ``PolicySubject(policy_class, params, scenario, actor_id, **options)``.

    Returns:
        A report of how many decisions were checked and how many actions the policy took.

    Raises:
        AssertionError: At the first check the policy fails.
    """
    from wargame.testing._checks import run_checks

    subject = PolicySubject(policy_class, params, scenario, actor_id, **options)
    run_checks(subject)
    return subject.report()


def check_policy_choice(observation: Observation, choice: Any) -> None:
    """Assert that ``choice`` is an int array of shape ``(runs,)``, each entry ``NO_ACTION`` or an action
    allowed in that run of ``observation``."""
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
        elif isinstance(value, Mapping) and not isinstance(value, RunParameters):  # those are read-only
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
        elif hasattr(value, "select"):  # per-run parameters
            changes[field.name] = value.select(runs)
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
    keys = random.run_keys if draws.runs is None else random.run_keys[draws.runs]
    return PolicyDraws(EnsembleRandom(keys[runs]), draws.actor_index, draws.day, draws.stream, draws.round)


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
