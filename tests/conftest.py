"""Shared fixtures of the engine-core tests: the reference scenario, edited copies of it, and the CLI."""

from __future__ import annotations

import os

# One BLAS thread in every process of the suite (this one, its workers and the kernels, CLIs and servers it
# starts), set before numpy is loaded: pytest-xdist already keeps both cores busy, and a second OpenBLAS
# thread only spins waiting for a core; a small matrix exponential then costs 8 ms of CPU instead of
# 0.02 ms (tests/teaching/test_richardson.py: 25.1 s of CPU with two threads, 8.9 s with one, this hour).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json
import statistics
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from forked_cli import Launcher, WargameProcess
from scenario_builders import LEGACY_REFERENCE, REFERENCE_SCENARIO

from wargame.cli import main
from wargame.scenario import Scenario, load_scenario

FILE_DURATIONS = Path(__file__).with_name("file_durations.json")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Order the test files longest first (``tests/file_durations.json``), each file's tests as written.

    ``make test`` hands whole files to the workers in this order (``--dist loadfile
    --no-loadscope-reorder``): the long files start first and the short ones fill the end, so no worker
    starts a long file while the others run out of work. A file missing from the record counts its tests
    at the median seconds a test of the recorded files.
    """
    recorded: dict[str, float] = json.loads(FILE_DURATIONS.read_text(encoding="utf-8"))
    counts = Counter(item.nodeid.split("::", 1)[0] for item in items)
    known = [recorded[path] / counts[path] for path in recorded if counts[path]]
    per_test = statistics.median(known) if known else 1.0

    def seconds(path: str) -> float:
        return recorded.get(path, counts[path] * per_test)

    items.sort(key=lambda item: -seconds(item.nodeid.split("::", 1)[0]))


@dataclass(frozen=True)
class CliResult:
    """Exit code and captured output of one in-process ``wargame`` call."""

    code: int
    out: str
    err: str


@dataclass(frozen=True)
class Derived:
    """An edited copy of the reference scenario and the (1-based) line the edit is on."""

    path: Path
    line: int


@pytest.fixture(scope="session")
def reference_text() -> str:
    """The text of ``scenarios/taiwan_strait_baseline.yaml``."""
    return REFERENCE_SCENARIO.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def reference_scenario() -> Scenario:
    """The validated reference scenario."""
    return load_scenario(REFERENCE_SCENARIO)


@pytest.fixture(scope="session")
def launcher() -> Iterator[Launcher]:
    """Runs ``wargame`` commands in child processes forked from one interpreter that imported wargame."""
    started = Launcher().start()
    yield started
    started.close()


@pytest.fixture
def wargame_process(launcher: Launcher) -> WargameProcess:
    """``wargame ARGS...`` in a child process, reported as ``subprocess.run(..., text=True)`` would."""
    return launcher.wargame


@pytest.fixture
def derive(tmp_path: Path) -> Callable[..., Derived]:
    """Write the reference scenario as users had it before uncertain inputs (``tests/legacy_scenarios``, a
    file that must keep working) into ``tmp_path`` with ``old`` replaced by ``new`` (first match).

    Returns the file and the line the replacement starts on, for asserting ``file:line`` in errors.
    """

    reference_text = LEGACY_REFERENCE.read_text(encoding="utf-8")

    def make(old: str, new: str, name: str = "scenario.yaml") -> Derived:
        position = reference_text.find(old)
        assert position >= 0, f"{old!r} is not in the reference scenario"
        text = reference_text[:position] + new + reference_text[position + len(old) :]
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return Derived(path, reference_text.count("\n", 0, position) + 1)

    return make


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., CliResult]:
    """Call ``wargame.cli.main`` in-process from inside ``tmp_path``; argparse exits become codes."""
    monkeypatch.chdir(tmp_path)

    def call(*argv: str | Path) -> CliResult:
        capsys.readouterr()
        try:
            code = main([str(arg) for arg in argv])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return call
