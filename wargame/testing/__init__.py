"""Conformance checks for plug-ins: policies, seat front ends, result stores and executors.

Each kind of plug-in has a *subject* that describes one implementation under test and lists its checks;
:func:`parametrize_with_checks` turns subjects into one pytest case per (subject, check), so a failure
names the implementation and the rule it broke::

    from wargame.testing import PolicySubject, parametrize_with_checks

    @parametrize_with_checks([PolicySubject(MyPolicy, {"scenario": s, "actor_id": "usa"}, s, "usa")])
    def test_my_policy(subject, check):
        check(subject)

Outside pytest, :func:`run_checks` runs every check of a subject and raises ``AssertionError`` at the
first one that fails. ``docs/plugins.md`` shows each kind.
"""

from typing import TYPE_CHECKING

from wargame._lazy import lazy_exports

if TYPE_CHECKING:
    from wargame.testing._checks import Check, Subject, parametrize_with_checks, run_checks
    from wargame.testing._executors import ExecutorSubject
    from wargame.testing._front_ends import SeatFrontEndSubject
    from wargame.testing._policies import (
        ConformanceReport,
        PolicySubject,
        check_policy_choice,
        check_policy_conformance,
        slice_draws,
        slice_observation,
    )
    from wargame.testing._stores import ResultStoreSubject

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
