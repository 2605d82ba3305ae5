"""The sweep's result store passes the result-store checks of :mod:`wargame.testing`."""

from __future__ import annotations

from wargame.experiments import SweepStore
from wargame.testing import ResultStoreSubject, parametrize_with_checks


@parametrize_with_checks([ResultStoreSubject(SweepStore, "sweep-store")])
def test_result_store_conformance(subject, check):
    check(subject)
