"""Fixtures of the hostile-input corpus: the limits, measured once per session, and a runner per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from forked_cli import Launcher
from hostile_harness import REFERENCE, Baseline, Hostile, measure_baseline


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory, launcher: Launcher) -> Baseline:
    """The footprint of well-formed validate, run and sweep commands on this machine, now."""
    folder = tmp_path_factory.mktemp("baseline")
    experiment = folder / "experiment.yaml"
    experiment.write_text(
        f"name: baseline\nscenario: {REFERENCE}\nparameters:\n"
        "  - {path: links.usa-twn.latency_hours, levels: [1, 48]}\n"
        "design: {kind: full_factorial}\nreplications: 2\n",
        encoding="utf-8",
    )
    return measure_baseline(
        [
            ["validate", REFERENCE],
            ["run", REFERENCE, "--runs", "2", "--quiet", "--out", folder / "run"],
            [
                "sweep",
                experiment,
                "--jobs",
                "1",
                "--quiet",
                "--out",
                folder / "sweep",
                "--set",
                "horizon_days=30",
            ],
        ],
        folder,
        launcher,
    )


@pytest.fixture
def hostile(baseline: Baseline, tmp_path: Path, launcher: Launcher) -> Hostile:
    """Runs ``wargame`` commands from ``tmp_path`` under the limits."""
    return Hostile(baseline, tmp_path, launcher)
