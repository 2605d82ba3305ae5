"""What every subject shares: its checks, and the pytest decorator that makes one case per check."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

__all__ = ["Check", "NamedSubject", "Subject", "parametrize_with_checks", "run_checks"]

Check = Callable[[Any], None]


class Subject(Protocol):
    """One implementation under test."""

    @property
    def id(self) -> str:
        """Short name of the implementation, the first part of each pytest id."""
        ...

    def checks(self) -> Sequence[Check]:
        """The checks the implementation must pass; each takes the subject and raises on a violation."""
        ...


class NamedSubject:
    """A subject whose id is its ``name`` field (the executor, store and front-end subjects)."""

    name: str

    @property
    def id(self) -> str:
        return self.name


def run_checks(subject: Subject) -> None:
    """Run every check of ``subject``; raise ``AssertionError`` naming the first that fails."""
    for check in subject.checks():
        try:
            check(subject)
        except AssertionError as error:
            raise AssertionError(f"{subject.id}: {check.__name__}: {error}") from error


def parametrize_with_checks(subjects: Iterable[Subject], *, marks: Sequence[Any] = ()) -> Any:
    """A ``pytest.mark.parametrize`` over ``(subject, check)``: one test case per check of each subject.

    The test function takes ``subject`` and ``check`` and calls ``check(subject)``; its ids read
    ``SUBJECT-check_name``. ``marks`` (e.g. ``pytest.mark.slow``) apply to every case.
    """
    import pytest

    cases = [
        pytest.param(subject, check, id=f"{subject.id}-{check.__name__}", marks=marks)
        for subject in subjects
        for check in subject.checks()
    ]
    return pytest.mark.parametrize(("subject", "check"), cases)
