"""Sweeps under hostile conditions: a killed parent, too large a design, a read-only or full output disk."""

from __future__ import annotations

import json
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


@pytest.mark.slow  # a real sweep on two worker processes, killed from outside
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


def run_wargame(*args: str | Path, prefix: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(prefix or []), *WARGAME, *(str(arg) for arg in args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


# The CPU time (wall time on a shared machine is mostly waiting) and the peak resident memory of this
# process image (VmHWM; ru_maxrss would carry over the peak of the forked pytest process across exec).
PEAK_MEMORY = """
import sys, time
from wargame.cli import main
code = main(sys.argv[1:])
status = open("/proc/self/status").read().split("VmHWM:")[1]
print(time.process_time(), int(status.split()[0]) // 1024, file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            "parameters:\n"
            + "".join(
                f"  - path: actors.{actor}.{field}\n    levels: [0, .1, .2, .3, .4, .5, .6, .7, .8, .9]\n"
                for actor in ("twn", "usa", "jpn", "chn")
                for field in ("resolve", "readiness")
            ),
            "parameters",
            "the full_factorial design has 100,000,000 points; at most 2,000,000 fit in memory",
        ),
        (
            "design: {kind: sobol, base_samples: 33554432}\n",
            "design.base_samples",
            "the sobol design has 100,663,296 points",
        ),
        ("replications: 1000000000\n", "replications", "1,000,000,000 replications per point; at most"),
    ],
    ids=["full-factorial-1e8", "sobol-1e8", "replications-1e9"],
)
def test_a_design_too_large_to_build_is_refused_quickly_naming_its_field(
    tmp_path: Path, change: str, field: str, message: str
) -> None:
    text = write_experiment(tmp_path, replications=10).read_text()
    key = change.split(":", 1)[0]
    kept = [line for line in text.splitlines(keepends=True) if not line.startswith(f"{key}:")]
    if key == "parameters":  # drop the original parameter block too
        kept = [line for line in kept if not line.startswith(("  - path", "    levels"))]
    if key == "design":
        kept = [line.replace("levels: [6, 48]", "bounds: [1, 96]") for line in kept]
    experiment = tmp_path / "large.yaml"
    experiment.write_text("".join(kept) + change, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY, "sweep", str(experiment), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    error, usage = done.stderr.strip().splitlines()
    seconds, peak_mb = usage.split()
    assert done.returncode == 2, done.stderr
    assert error.startswith(f"wargame: error: {experiment}:") and f": {field}: " in error, error
    assert message in error
    assert not (tmp_path / "out").exists()
    assert float(seconds) < 5 and int(peak_mb) < 300, (seconds, peak_mb)


@pytest.mark.slow
def test_a_sweep_estimated_to_run_too_long_is_refused_with_its_numbers(tmp_path: Path) -> None:
    text = write_experiment(tmp_path, replications=10_000_000).read_text()
    experiment = tmp_path / "long.yaml"
    experiment.write_text(text.replace("levels: [6, 48]", "levels: [6, 12, 24, 48]"), encoding="utf-8")
    done = run_wargame("sweep", experiment, "--jobs", "1", "--out", tmp_path / "out")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(
        "wargame: error: --allow-large: the sweep is too large: 40,000,000 runs (4 points x 10,000,000 "
        "replications) of 365 days, estimated"
    )
    assert "on 1 worker, over the limit of 24 hours" in done.stderr
    assert not (tmp_path / "out").exists()


def test_the_time_limit_scales_with_workers_and_is_lifted_by_allow_large() -> None:
    from wargame.errors import InputError
    from wargame.experiments._size import MAX_ESTIMATED_HOURS, SweepSize

    one = SweepSize(points=4, replications=10_000_000, horizon_days=365, workers=1, runs_per_call=4096)
    assert one.estimated_seconds > MAX_ESTIMATED_HOURS * 3600
    with pytest.raises(InputError, match="too large"):
        one.check(allow_large=False)
    one.check(allow_large=True)
    many = SweepSize(points=4, replications=10_000_000, horizon_days=365, workers=64, runs_per_call=4096)
    assert many.estimated_seconds == pytest.approx(one.estimated_seconds / 64)
    many.check(allow_large=False)


def _can_mount_in_a_private_namespace() -> bool:
    try:
        done = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "mount", "-t", "tmpfs", "tmpfs", "/mnt"],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


needs_mount = pytest.mark.skipif(
    not _can_mount_in_a_private_namespace(), reason="needs unshare and mount (root in a mount namespace)"
)


def sweep_on_a_small_disk(tmp_path: Path, options: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run a many-part sweep into a tmpfs mounted with ``options`` in a private mount namespace; copy
    its provenance out before the namespace goes."""
    experiment = write_experiment(tmp_path, replications=400, extra="runs_per_part: 8\n")
    disk, copy = tmp_path / "disk", tmp_path / "provenance-copy.json"
    disk.mkdir()
    wargame = " ".join(WARGAME)
    script = (
        f"mount -t tmpfs -o {options} tmpfs {disk} && "
        f"{wargame} sweep {experiment} --jobs 1 --out {disk}/out --quiet; code=$?; "
        f"cp {disk}/out/provenance.json {copy} 2>/dev/null; exit $code"
    )
    done = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done, copy


@pytest.mark.slow  # a sweep in a fresh interpreter on a small mounted disk
@needs_mount
def test_a_full_disk_is_one_line_and_the_provenance_records_the_failure(tmp_path: Path) -> None:
    done, provenance = sweep_on_a_small_disk(tmp_path, "size=160k")
    assert done.returncode == 2 and done.stdout == "", done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"wargame: error: {tmp_path}/disk/out: cannot write the results: ")
    assert "No space left on device" in done.stderr
    session = json.loads(provenance.read_text())["sessions"][-1]
    assert session["status"] == "error" and session["ended"] is not None
    assert "No space left on device" in session["error"]


@pytest.mark.slow  # a sweep in a fresh interpreter on a read-only mounted disk
@needs_mount
def test_a_read_only_disk_is_one_line(tmp_path: Path) -> None:
    done, provenance = sweep_on_a_small_disk(tmp_path, "ro")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        f"wargame: error: {tmp_path}/disk/out: cannot write the results: Read-only file system "
        f"({tmp_path}/disk/out); parts finished before are kept, continue with --resume once the folder "
        "is writable\n"
    )
    assert not provenance.exists()


def test_a_disk_that_fills_mid_sweep_keeps_finished_parts_and_records_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import numpy as np
    import pandas as pd

    from wargame.errors import InputError
    from wargame.experiments import (
        FullFactorialDesign,
        Parameter,
        _files,
        generate_design,
        load_results,
        run_sweep,
    )

    def constant(params: dict, seeds: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame({"y": np.full(len(seeds), params["x.a"])})

    real_write, parts_written = _files.atomic_write_bytes, []

    def filling_write(path: Path, data: bytes) -> None:
        if path.name.startswith("part-"):
            if len(parts_written) == 3:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            parts_written.append(path.name)
        real_write(path, data)

    monkeypatch.setattr("wargame.experiments._store.atomic_write_bytes", filling_write)
    design = generate_design(
        [Parameter(path="x.a", levels=tuple(range(10)))],
        FullFactorialDesign(kind="full_factorial"),
        root_seed=0,
    )
    with pytest.raises(InputError, match="cannot write the results: No space left on device") as raised:
        run_sweep(design, constant, tmp_path / "out", replications=4, runs_per_part=4)
    assert raised.value.source == str(tmp_path / "out")
    session = json.loads((tmp_path / "out" / "provenance.json").read_text())["sessions"][-1]
    assert session["status"] == "error" and "No space left on device" in session["error"]
    monkeypatch.setattr("wargame.experiments._store.atomic_write_bytes", real_write)
    assert len(load_results(tmp_path / "out").runs) == 12  # the three parts written before are intact
    run_sweep(design, constant, tmp_path / "out", replications=4, runs_per_part=4, resume=True)
    assert len(load_results(tmp_path / "out").runs) == 40


@pytest.mark.slow  # five commands end to end, analyze's plots and feature scores included
def test_no_warning_reaches_a_user_of_run_compare_sweep_or_analyze(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import functools
    import warnings

    from wargame.experiments import feature_scores

    # 10 trees an ensemble instead of 250: the same scikit-learn calls on the same data, at a 25th of the cost
    monkeypatch.setattr(
        "wargame.experiments._decide.feature_scores", functools.partial(feature_scores, trees=10)
    )
    scenario = SCENARIOS_DIR / "taiwan_strait_baseline.yaml"
    # One outcome of each kind analyze meets in this sweep, so that each figure and table is drawn for every
    # shape of data (all 27 numeric outcomes drew 59 figures): a yes/no whose noise exceeds the variance
    # between points (war); a day with no value at 11 of the 12 points, so no indices (war_day); a label
    # that is neither yes/no nor a number (war_result); a count whose indices are clipped into their range
    # (incidents_total); a count whose noise gives no replication advice (incidents_adiz_incursion); a count
    # and a rate with noise below the variance (escalation_score, attribution_rate).
    experiment = write_experiment(
        tmp_path,
        replications=2,
        extra="outcomes: [war, war_day, war_result, incidents_total, incidents_adiz_incursion, "
        "escalation_score, attribution_rate]\n",
    )
    experiment.write_text(
        experiment.read_text()
        .replace("levels: [6, 48]", "bounds: [1, 96]")
        .replace("{kind: full_factorial}", "{kind: sobol, base_samples: 4}")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for argv in (
            ("run", scenario, "--runs", "1", "--out", "one", "--plot", "--quiet"),
            ("run", scenario, "--runs", "3", "--out", "three", "--plot", "--quiet"),
            ("compare", scenario, SCENARIOS_DIR / "deep_cooperation.yaml", "--runs", "2", "--quiet"),
            ("sweep", experiment, "--jobs", "1", "--out", "sweep", "--quiet"),
            ("analyze", "sweep"),
        ):
            result = cli(*argv)
            assert (result.code, result.err) == (0, ""), (argv, result.err)
    assert (tmp_path / "sweep" / "analysis" / "feature_scores.csv").exists()
