"""Sweeps under hostile conditions: a killed parent, too large a design, a read-only or full output disk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scenario_builders import SCENARIOS_DIR

WARGAME = [sys.executable, "-m", "wargame.cli"]


def _children_of() -> dict[int, list[int]]:
    """Every live process's children, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    return children


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` in the process tree now."""
    children, found, todo = _children_of(), set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def write_experiment(folder: Path, replications: int, extra: str = "") -> Path:
    path = folder / "experiment.yaml"
    path.write_text(
        f"name: hardening\n"
        f"scenario: {SCENARIOS_DIR / 'taiwan_strait_baseline.yaml'}\n"
        f"parameters:\n"
        f"  - path: links.usa-twn.latency_hours\n"
        f"    levels: [6, 48]\n"
        f"design: {{kind: full_factorial}}\n"
        f"replications: {replications}\n"
        f"{extra}",
        encoding="utf-8",
    )
    return path


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_killing_a_sweep_s_parent_leaves_no_process_of_it_behind(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path, replications=20_000)
    parent = subprocess.Popen(
        [*WARGAME, "sweep", str(experiment), "--jobs", "2", "--out", str(tmp_path / "out"), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        helpers: set[int] = set()
        deadline = time.monotonic() + 60
        # the resource tracker, the fork server and two workers forked from it
        while len(helpers) < 4 and time.monotonic() < deadline and parent.poll() is None:
            time.sleep(0.2)
            helpers = descendants(parent.pid)
        assert len(helpers) >= 4, f"the sweep started only {sorted(helpers)}"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = sorted(pid for pid in helpers if alive(pid))
        assert left == [], f"still running 10 s after the parent was killed: {left}"
    finally:
        if parent.poll() is None:
            parent.kill()
        for pid in descendants(parent.pid):
            os.kill(pid, signal.SIGKILL)
