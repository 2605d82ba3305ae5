"""Conformance checks for sweep result stores: the interface of
:class:`wargame.experiments.SweepStore` (``create``, ``resume``, ``open``, ``write_part``,
``finished_parts``, ``iter_parts``, ``read_design``, ``read_failures``, ``close``), which the sweep
writes through and :func:`wargame.load_results` reads through.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wargame.errors import InputError
from wargame.testing._checks import NamedSubject

if TYPE_CHECKING:
    from wargame.experiments import TaskOutput

__all__ = ["ResultStoreSubject"]


def _header(**changes: Any) -> dict[str, Any]:
    header: dict[str, Any] = {
        "experiment_name": "conformance",
        "experiment_sha256": "0" * 64,
        "design_sha256": "1" * 64,
        "replications": 2,
        "root_seed": 7,
        "common_seeds": False,
        "outcomes": ["war", "score"],
        "runs_per_part": 2,
        "total_runs": 6,
        "parts": 3,
        "identity": {"scenario": "a"},
        "metadata": {},
    }
    header.update(changes)
    return header


def _refused(error: type[Exception], call: Any, what: str) -> None:
    """Call ``call()``; it must raise ``error``."""
    try:
        call()
    except error:
        return
    raise AssertionError(what)


def _contents(root: Path) -> list[tuple[Path, bytes]]:
    return sorted((path.relative_to(root), path.read_bytes()) for path in root.rglob("*") if path.is_file())


def _design() -> pd.DataFrame:
    return pd.DataFrame({"point": [0, 1, 2], "x.latency": [1.0, 2.5, 4.0]}).set_index("point")


def _rows(part: int) -> pd.DataFrame:
    rng = np.random.default_rng(part)
    return pd.DataFrame(
        {
            "point": np.array([part, part], dtype=np.int64),
            "replication": np.array([0, 1], dtype=np.int64),
            "seed": rng.integers(0, 2**63, size=2, dtype=np.uint64),
            "war": rng.random(2) < 0.5,
            "score": rng.normal(size=2),
        }
    )


def _failure(part: int) -> dict[str, Any]:
    return {
        "point": part,
        "replication": 1,
        "seed": 123 + part,
        "error": "RuntimeError: boom",
        "traceback": "Traceback ...",
        "attempts": 1,
    }


@contextlib.contextmanager
def _sweep_root() -> Iterator[Path]:
    """Yield the path of a sweep folder (not yet created) inside a temporary folder removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder) / "sweep"


@contextlib.contextmanager
def _written(subject: ResultStoreSubject, parts: list[int], failures: bool = False) -> Iterator[Path]:
    """Yield a sweep folder that ``subject`` wrote ``parts`` to (see :meth:`ResultStoreSubject.write`)."""
    with _sweep_root() as root:
        subject.write(root, parts, failures)
        yield root


def _part(part: int) -> TaskOutput:
    """Return the task output of ``part`` without failures."""
    from wargame.experiments import TaskOutput

    return TaskOutput(part=part, rows=_rows(part), failures=[], compute_seconds=0.0)


@dataclasses.dataclass(eq=False)
class ResultStoreSubject(NamedSubject):
    """A result store under test.

    Args:
        store_class: The store's class, with the classmethods ``create(root, header, design)``,
            ``resume(root, header, design)`` and ``open(root)``.
        name: The subject's id.
    """

    store_class: Any
    name: str

    def checks(self) -> list[Any]:
        return [
            check_design_reads_back,
            check_parts_read_back_in_part_order,
            check_a_part_is_written_once,
            check_a_reopened_store_sees_every_part,
            check_a_read_only_store_refuses_writes,
            check_resume_keeps_finished_parts,
            check_resume_of_another_experiment_is_refused,
            check_create_over_a_sweep_is_refused,
            check_failures_read_back,
        ]

    def write(self, root: Path, parts: list[int], failures: bool = False) -> None:
        from wargame.experiments import TaskOutput

        with self.store_class.create(root, _header(), _design()) as store:
            for part in parts:
                rows = _rows(part)
                failed = [_failure(part)] if failures else []
                store.write_part(TaskOutput(part=part, rows=rows, failures=failed, compute_seconds=0.1))


def check_design_reads_back(subject: ResultStoreSubject) -> None:
    """``read_design`` returns the design points given to ``create``."""
    with _sweep_root() as root, subject.store_class.create(root, _header(), _design()) as store:
        pd.testing.assert_frame_equal(store.read_design(), _design(), check_dtype=False)


def check_parts_read_back_in_part_order(subject: ResultStoreSubject) -> None:
    """``iter_parts`` yields each written part's rows, in part order, whatever the writing order."""
    with _written(subject, [2, 0, 1]) as root, subject.store_class.open(root) as store:
        assert store.finished_parts() == {0, 1, 2}
        parts = list(store.iter_parts())
    assert len(parts) == 3
    for part, rows in enumerate(parts):
        pd.testing.assert_frame_equal(rows.reset_index(drop=True), _rows(part))


def check_a_part_is_written_once(subject: ResultStoreSubject) -> None:
    """Writing a part that is already stored raises ``RuntimeError``."""
    with _sweep_root() as root, subject.store_class.create(root, _header(), _design()) as store:
        part = _part(0)
        store.write_part(part)
        _refused(RuntimeError, lambda: store.write_part(part), "a second write of part 0 was accepted")


def check_a_reopened_store_sees_every_part(subject: ResultStoreSubject) -> None:
    """After ``close``, ``open`` sees the same finished parts."""
    with _written(subject, [0, 1]) as root, subject.store_class.open(root) as store:
        assert store.finished_parts() == {0, 1}


def check_a_read_only_store_refuses_writes(subject: ResultStoreSubject) -> None:
    """A store from ``open`` refuses ``write_part``."""
    with _written(subject, [0]) as root, subject.store_class.open(root) as store:
        part = _part(1)
        _refused(RuntimeError, lambda: store.write_part(part), "a read-only store accepted a part")


def check_resume_keeps_finished_parts(subject: ResultStoreSubject) -> None:
    """``resume`` with the same header sees the finished parts and accepts the missing ones."""
    with _written(subject, [0]) as root:
        with subject.store_class.resume(root, _header(), _design()) as store:
            assert store.finished_parts() == {0}
            store.write_part(_part(1))
        with subject.store_class.open(root) as store:
            assert store.finished_parts() == {0, 1}


def check_resume_of_another_experiment_is_refused(subject: ResultStoreSubject) -> None:
    """``resume`` with another experiment's header raises ``InputError`` and changes nothing."""
    with _written(subject, [0]) as root:
        before = _contents(root)
        _refused(
            InputError,
            lambda: subject.store_class.resume(root, _header(experiment_name="other"), _design()),
            "resuming another experiment's folder was accepted",
        )
        after = _contents(root)
        assert after == before, "a refused resume changed the folder"


def check_create_over_a_sweep_is_refused(subject: ResultStoreSubject) -> None:
    """``create`` in a folder that holds a sweep raises ``InputError``."""
    with _written(subject, [0]) as root:
        _refused(
            InputError,
            lambda: subject.store_class.create(root, _header(), _design()),
            "a new sweep was created over an existing one",
        )


def check_failures_read_back(subject: ResultStoreSubject) -> None:
    """``read_failures`` returns every failed run written with the parts, sorted by point and replication."""
    with _written(subject, [1, 0], failures=True) as root, subject.store_class.open(root) as store:
        failures = store.read_failures()
    assert failures["point"].tolist() == [0, 1]
    assert failures["seed"].tolist() == [123, 124]
    assert failures["error"].tolist() == ["RuntimeError: boom"] * 2
