"""The generic sweep engine: seeds, executors, streaming to parts, resume, failures, timeouts, bad folders."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sweep_evaluators import (
    FlakyOncePerSeed,
    InterruptAtPoint,
    busy_on_high_resolve,
    fails_for_some_seeds,
    kills_its_worker_at_the_last_point,
    noisy_response,
    sleepy_response,
)

from wargame.errors import InputError
from wargame.experiments import (
    FullFactorialDesign,
    Parameter,
    SweepAbortedError,
    generate_design,
    load_results,
    run_sweep,
)
from wargame.experiments._seeds import run_seeds
from wargame.experiments._store import SweepStore
from wargame.experiments._tasks import default_runs_per_part
from wargame.runner import simulate_runs
from wargame.runner.executors import DaskExecutor, SerialExecutor, make_executor
from wargame.scenario import load_scenario

ROOT_SEED = 20240917
DESIGN = generate_design(
    [
        Parameter(path="actors.twn.resolve", levels=(0.2, 0.5, 0.8)),
        Parameter(path="a.scale", levels=(1.0, 3.0)),
    ],
    FullFactorialDesign(kind="full_factorial"),
    root_seed=ROOT_SEED,
)


def sweep(out: Path, evaluator=noisy_response, **options) -> object:
    options = {"replications": 40, "root_seed": ROOT_SEED, "runs_per_part": 15, **options}
    return run_sweep(DESIGN, evaluator, out, **options)


def folder_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@contextmanager
def killing_a_worker_after_the_first_part(out: Path, worker_pid: Callable[[], int]) -> Iterator[list[int]]:
    """While the block runs, SIGKILL the worker ``worker_pid()`` once the sweep in ``out`` has listed its
    first part; yield the list of killed pids (filled when the kill happens)."""
    killed: list[int] = []

    def kill() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            manifest = out / "manifest.jsonl"
            if manifest.exists() and manifest.read_text().count("\n") >= 1:
                pid = worker_pid()
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill)
    killer.start()
    try:
        yield killed
    finally:
        killer.join()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("reference") / "sweep"
    sweep(out)
    return load_results(out).runs


@pytest.fixture(scope="module")
def dask_executor() -> Iterator[DaskExecutor]:
    with DaskExecutor(local_workers=2) as executor:
        yield executor


def test_seeds_depend_only_on_root_seed_point_and_replication() -> None:
    whole = run_seeds(ROOT_SEED, 3, 0, 50)
    assert np.array_equal(run_seeds(ROOT_SEED, 3, 10, 20), whole[10:20])
    assert len(np.unique(np.concatenate([whole, run_seeds(ROOT_SEED, 4, 0, 50)]))) == 100
    assert not np.array_equal(run_seeds(ROOT_SEED + 1, 3, 0, 50), whole)
    assert whole.dtype == np.uint64
    common = run_seeds(ROOT_SEED, 3, 10, 20, common=True)
    assert np.array_equal(common, run_seeds(ROOT_SEED, 0, 10, 20))
    assert np.array_equal(common, run_seeds(ROOT_SEED, 7, 0, 50, common=True)[10:20])


def test_a_serial_sweep_writes_one_row_per_run_with_its_seed(tmp_path: Path, reference: pd.DataFrame) -> None:
    assert len(reference) == len(DESIGN) * 40
    assert not reference.duplicated(["point", "replication"]).any()
    for point in range(len(DESIGN)):
        rows = reference[reference["point"] == point]
        assert np.array_equal(rows["seed"].to_numpy(), run_seeds(ROOT_SEED, point, 0, 40))
        expected = noisy_response(DESIGN.point_values(point), rows["seed"].to_numpy())
        assert rows["war"].tolist() == expected["war"].tolist()
        assert rows["actors.twn.resolve"].eq(DESIGN.point_values(point)["actors.twn.resolve"]).all()


@pytest.mark.slow
def test_process_pool_and_dask_give_the_serial_results(
    tmp_path: Path, reference: pd.DataFrame, dask_executor: DaskExecutor
) -> None:
    with make_executor(2) as pool:
        sweep(tmp_path / "pool", executor=pool)
    sweep(tmp_path / "dask", executor=dask_executor)
    sweep(tmp_path / "other-layout", runs_per_part=7)
    for name in ("pool", "dask", "other-layout"):
        pd.testing.assert_frame_equal(load_results(tmp_path / name).runs, reference)


@pytest.mark.slow
def test_a_dask_worker_killed_mid_sweep_loses_no_run(tmp_path: Path, reference: pd.DataFrame) -> None:
    out = tmp_path / "sweep"
    with DaskExecutor(local_workers=2) as executor:
        worker_pids = executor.client.run(os.getpid)
        with killing_a_worker_after_the_first_part(out, lambda: next(iter(worker_pids.values()))) as killed:
            summary = sweep(out, evaluator=sleepy_response, executor=executor)
    assert killed
    assert summary.complete and summary.runs_failed == 0
    pd.testing.assert_frame_equal(load_results(out).runs, reference)


@pytest.mark.slow  # a replacement pool: new workers import this module
def test_a_process_pool_worker_killed_mid_sweep_is_replaced_and_no_run_is_lost(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    out = tmp_path / "sweep"
    with (
        make_executor(2) as pool,
        killing_a_worker_after_the_first_part(out, lambda: next(iter(pool._processes))) as killed,
    ):
        summary = sweep(out, evaluator=sleepy_response, executor=pool)
    assert killed
    assert summary.complete and summary.runs_failed == 0
    assert summary.pool_restarts == 1
    pd.testing.assert_frame_equal(load_results(out).runs, reference)
    session = json.loads((out / "provenance.json").read_text())["sessions"][-1]
    assert (session["status"], session["pool_restarts"]) == ("complete", 1)


@pytest.mark.slow  # three replacement pools
def test_a_task_that_keeps_killing_its_worker_stops_the_sweep_after_bounded_retries(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    out = tmp_path / "sweep"
    with make_executor(2) as pool, pytest.raises(SweepAbortedError, match="crashed worker process 3 times"):
        sweep(out, evaluator=kills_its_worker_at_the_last_point, executor=pool)
    kept = load_results(out)
    assert 0 < len(kept.runs) < len(reference)
    assert DESIGN.point_values(int(kept.runs["point"].max())) != {"actors.twn.resolve": 0.8, "a.scale": 3.0}
    summary = sweep(out, resume=True)
    assert summary.complete and summary.runs_skipped == len(kept.runs)
    pd.testing.assert_frame_equal(load_results(out).runs, reference)


@pytest.mark.parametrize(("part_size", "resume_part_size"), [(15, 15), (7, None)])
def test_an_interrupted_sweep_resumes_to_exactly_one_row_per_run_in_its_layout(
    tmp_path: Path, reference: pd.DataFrame, part_size: int, resume_part_size: int | None
) -> None:
    """Resumed with its part size, or with none (the folder's is kept), the sweep ends as if never stopped."""
    assert default_runs_per_part(len(DESIGN) * 40, 40) != part_size
    out = tmp_path / "sweep"
    with pytest.raises(KeyboardInterrupt):
        sweep(out, evaluator=InterruptAtPoint(0.5, 3.0), runs_per_part=part_size)
    partial = load_results(out)
    assert 0 < len(partial.runs) < len(reference)
    assert not partial.complete
    summary = sweep(out, resume=True, runs_per_part=resume_part_size)
    assert summary.runs_skipped == len(partial.runs)
    assert summary.complete
    assert json.loads((out / "sweep.json").read_text())["runs_per_part"] == part_size
    pd.testing.assert_frame_equal(load_results(out).runs, reference)
    again = sweep(out, resume=True, runs_per_part=resume_part_size)
    assert again.runs_skipped == len(reference)
    pd.testing.assert_frame_equal(load_results(out).runs, reference)


def test_the_default_part_size_is_whole_points_of_about_a_128th_of_the_sweep_and_at_least_512_runs() -> None:
    assert default_runs_per_part(20_000, 200) == 400  # 512 runs, rounded down to whole points
    assert default_runs_per_part(100_000, 200) == 600  # 1/128 is 782 runs
    assert default_runs_per_part(4_000, 1) == 500  # a small sweep still gets 8 parts
    assert default_runs_per_part(100, 1) == 16
    assert default_runs_per_part(50_000, 10_000) == 3_334  # a point too big for one part is shared out


def test_failing_runs_are_recorded_and_the_sweep_goes_on(tmp_path: Path, reference: pd.DataFrame) -> None:
    out = tmp_path / "sweep"
    summary = sweep(out, evaluator=fails_for_some_seeds)
    results = load_results(out)
    failed = reference[reference["seed"] % 5 == 0]
    assert summary.runs_failed == len(failed) > 0
    assert summary.complete and results.complete
    assert (
        results.failures[["point", "replication"]].values.tolist()
        == failed[["point", "replication"]].values.tolist()
    )
    assert results.failures["seed"].tolist() == failed["seed"].tolist()
    assert results.failures["error"].str.startswith("ArithmeticError: cannot handle seed").all()
    assert results.failures["traceback"].str.contains("fails_for_some_seeds").all()
    kept = reference[reference["seed"] % 5 != 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(results.runs, kept)


def test_retries_rescue_runs_that_fail_once(tmp_path: Path, reference: pd.DataFrame) -> None:
    without = sweep(tmp_path / "no-retry", evaluator=FlakyOncePerSeed())
    assert without.runs_failed == len(reference)
    with_retry = sweep(tmp_path / "retry", evaluator=FlakyOncePerSeed(), retries=1)
    assert with_retry.runs_failed == 0
    pd.testing.assert_frame_equal(load_results(tmp_path / "retry").runs, reference)


# dask starts a local cluster
@pytest.mark.parametrize("where", ["serial", pytest.param("dask", marks=pytest.mark.slow)])
def test_a_run_over_its_time_limit_is_recorded_as_failed(
    tmp_path: Path, reference: pd.DataFrame, where: str, request: pytest.FixtureRequest
) -> None:
    executor = request.getfixturevalue("dask_executor") if where == "dask" else SerialExecutor()
    started = time.perf_counter()
    summary = sweep(
        tmp_path / "sweep",
        evaluator=busy_on_high_resolve,
        replications=2,
        run_timeout_seconds=0.2,
        executor=executor,
    )
    assert time.perf_counter() - started < 20
    results = load_results(tmp_path / "sweep")
    slow_points = DESIGN.points.index[DESIGN.points["actors.twn.resolve"] == 0.8].tolist()
    assert summary.runs_failed == 2 * len(slow_points)
    assert sorted(set(results.failures["point"])) == slow_points
    assert results.failures["error"].str.contains("time limit of 0.2 s").all()
    assert set(results.runs["point"]) == set(DESIGN.points.index) - set(slow_points)


def test_an_evaluator_a_process_pool_cannot_send_aborts_the_sweep_keeping_finished_parts(
    tmp_path: Path,
) -> None:
    with make_executor(2) as pool, pytest.raises(SweepAbortedError, match="continue with --resume"):
        sweep(
            tmp_path / "sweep", evaluator=lambda params, seeds: noisy_response(params, seeds), executor=pool
        )


def test_a_folder_that_is_not_empty_or_holds_a_sweep_is_never_written(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty and holds no sweep"):
        sweep(tmp_path)
    out = tmp_path / "sweep"
    sweep(out)
    before = folder_state(out)
    with pytest.raises(InputError, match="add --resume"):
        sweep(out)
    with pytest.raises(InputError, match="experiment file changed"):
        sweep(out, resume=True, experiment_sha256="0" * 64)
    with pytest.raises(InputError, match="another experiment"):
        sweep(out, resume=True, experiment_name="other")
    with pytest.raises(InputError, match="replications differs"):
        sweep(out, resume=True, replications=41)
    with pytest.raises(InputError, match="common_seeds differs"):
        sweep(out, resume=True, common_seeds=True)
    assert folder_state(out) == before


def test_a_truncated_part_file_is_an_error_on_resume_and_on_load(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    sweep(out)
    part = out / "parts" / "part-000003.parquet"
    part.write_bytes(part.read_bytes()[:-40])
    before = folder_state(out)
    for action in (lambda: sweep(out, resume=True), lambda: load_results(out)):
        with pytest.raises(InputError, match=r"part-000003.parquet does not match the manifest"):
            action()
    assert folder_state(out) == before


def test_a_foreign_part_file_is_an_error(tmp_path: Path) -> None:
    out, other = tmp_path / "sweep", tmp_path / "other"
    with pytest.raises(KeyboardInterrupt):
        sweep(out, evaluator=InterruptAtPoint(0.8, 1.0))
    sweep(other)
    finished = {json.loads(line)["part"] for line in (out / "manifest.jsonl").read_text().splitlines()}
    unfinished = min(set(range(16)) - finished)
    name = f"part-{unfinished:06d}.parquet"
    shutil.copy(other / "parts" / name, out / "parts" / name)
    before = folder_state(out)
    with pytest.raises(InputError, match=f"{name} is not from this sweep"):
        sweep(out, resume=True)
    assert folder_state(out) == before


def test_a_crash_between_part_and_manifest_line_is_recovered(tmp_path: Path, reference: pd.DataFrame) -> None:
    out = tmp_path / "sweep"
    sweep(out)
    manifest = out / "manifest.jsonl"
    lines = manifest.read_text().splitlines(keepends=True)
    # the last part was renamed into place but its manifest line was only half written
    manifest.write_text("".join(lines[:-1]) + lines[-1][:25])
    (out / "parts" / "part-000099.parquet.tmp").write_bytes(b"half a part")
    summary = sweep(out, resume=True)
    assert summary.runs_skipped == len(reference) - json.loads(lines[-1])["rows"]
    assert summary.runs_done == len(reference)
    assert not (out / "parts" / "part-000099.parquet.tmp").exists()
    pd.testing.assert_frame_equal(load_results(out).runs, reference)
    assert len(manifest.read_text().splitlines()) == len(lines)


def test_provenance_records_every_session(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    with pytest.raises(KeyboardInterrupt):
        sweep(out, evaluator=InterruptAtPoint(0.5, 1.0), experiment_sha256="ab" * 32)
    sweep(out, resume=True, experiment_sha256="ab" * 32)
    record = json.loads((out / "provenance.json").read_text())
    assert record["root_seed"] == ROOT_SEED
    assert record["experiment_sha256"] == "ab" * 32
    first, second = record["sessions"]
    assert (first["status"], second["status"]) == ("interrupted", "complete")
    assert second["resumed"] and second["runs_done"] == len(DESIGN) * 40
    assert second["executor"]["kind"] == "serial"
    assert first["started"] <= first["ended"] <= second["started"] <= second["ended"]
    assert second["packages"]["numpy"] == np.__version__
    assert "commit" in second["git"]


def test_the_progress_bar_shows_runs_failures_and_rate(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    sweep(tmp_path / "sweep", evaluator=fails_for_some_seeds, progress=True)
    shown = capsys.readouterr().err
    total = len(DESIGN) * 40
    assert f"{total}/{total}" in shown
    assert "failed=" in shown
    assert "run/s" in shown


@pytest.mark.slow
def test_every_part_file_is_what_table_from_pandas_would_write(tmp_path: Path) -> None:
    """Parts after the first reuse its Arrow schema; the bytes must not change because of that."""
    scenarios = Path(__file__).resolve().parent.parent / "scenarios"
    scenario = load_scenario(scenarios / "taiwan_strait_baseline.yaml")
    sweep(tmp_path / "s", evaluator=noisy_response)
    store = SweepStore.open(tmp_path / "s")
    for part in range(3):  # engine outcome frames: NaN war days, strings, booleans, unsigned seeds
        rows = simulate_runs(scenario, np.arange(part * 30, part * 30 + 30, dtype=np.uint64))
        fast, plain = store._arrow_table(rows), pa.Table.from_pandas(rows, preserve_index=False)
        assert fast.equals(plain) and fast.schema.equals(plain.schema, check_metadata=True)
        written = [pa.BufferOutputStream(), pa.BufferOutputStream()]
        pq.write_table(fast, written[0])
        pq.write_table(plain, written[1])
        assert written[0].getvalue() == written[1].getvalue()
