"""Determinism of ``wargame run``: same seed, same bytes, whatever ``--jobs`` or the chunk size.

2,600 runs of the reference scenario make three chunks of 1,250, so ``--jobs 2`` really splits the work. The
command-line runs stop after a quarter (``--set horizon_days=90``): how runs are split into chunks and
workers, and how the chunks are written, does not depend on the horizon, and wars still start in it (32 of
the 2,600 runs).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from scenario_builders import REFERENCE_SCENARIO

import wargame
from wargame.cli import main
from wargame.model import run_keys_from_seed
from wargame.runner import CHUNK_RUNS, run_to_parquet
from wargame.scenario import scenario_hash

RUNS, SEED = 2600, 11
HORIZON_DAYS = 90
pytestmark = pytest.mark.slow  # 2,600-run CLI runs; the inner loop keeps the batch-independence properties


def cli_run(out: Path, *flags: str) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(
            [
                "run",
                str(REFERENCE_SCENARIO),
                "--set",
                f"horizon_days={HORIZON_DAYS}",
                "--runs",
                str(RUNS),
                "--quiet",
                "--out",
                str(out),
                *flags,
            ]
        )
    assert code == 0


@pytest.fixture(scope="module")
def quarter(reference_scenario):
    """The reference scenario as the command-line runs below set it."""
    return wargame.apply_overrides(reference_scenario, {"horizon_days": HORIZON_DAYS})


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    """Three runs of the CLI: twice with ``--jobs 1``, once with ``--jobs 2``, all with one seed."""
    root = tmp_path_factory.mktemp("determinism")
    made = {}
    for name, jobs in (("first", "1"), ("again", "1"), ("two_jobs", "2")):
        cli_run(root / name, "--seed", str(SEED), "--jobs", jobs)
        made[name] = root / name
    return made


def test_three_chunks_are_made():
    assert RUNS > 2 * CHUNK_RUNS


@pytest.mark.parametrize("other", ["again", "two_jobs"])
def test_same_seed_gives_identical_parquet_bytes_and_tables_whatever_the_jobs(outputs, other):
    first, second = outputs["first"] / "runs.parquet", outputs[other] / "runs.parquet"
    assert pq.read_table(first).equals(pq.read_table(second), check_metadata=True)
    assert first.read_bytes() == second.read_bytes()
    assert (outputs["first"] / "summary.json").read_text() == (outputs[other] / "summary.json").read_text()


def test_rows_are_in_run_order_with_run_index_and_seed(outputs):
    table = pq.read_table(outputs["first"] / "runs.parquet")
    assert table.column_names[:2] == ["run", "seed"]
    assert table.column("run").to_pylist() == list(range(RUNS))
    assert table.column("seed").to_pylist() == run_keys_from_seed(SEED, RUNS).tolist()


def test_parquet_metadata_names_the_seed_version_and_scenario(outputs, quarter):
    metadata = pq.read_schema(outputs["first"] / "runs.parquet").metadata
    assert metadata[b"root_seed"] == str(SEED).encode()
    assert metadata[b"wargame_version"] == wargame.__version__.encode()
    assert metadata[b"scenario_sha256"] == scenario_hash(quarter).encode()


def test_the_api_returns_the_parquet_rows(outputs, quarter):
    frame = wargame.run(quarter, runs=RUNS, seed=SEED)
    stored = pq.read_table(outputs["first"] / "runs.parquet").to_pandas()
    pd.testing.assert_frame_equal(frame, stored, check_exact=True)
    assert 0 < frame["war"].sum() < RUNS


def test_the_summary_counts_the_runs(outputs):
    summary = json.loads((outputs["first"] / "summary.json").read_text())
    assert (summary["runs"], summary["root_seed"]) == (RUNS, SEED)
    stored = pq.read_table(outputs["first"] / "runs.parquet").to_pandas()
    assert summary["probability_of_war"]["value"] == pytest.approx(stored["war"].mean(), rel=1e-15)


def test_chunk_size_does_not_change_any_run(quarter, tmp_path):
    small = run_to_parquet(quarter, runs=150, seed=4, path=tmp_path / "a.parquet", chunk_runs=64)
    large = run_to_parquet(quarter, runs=150, seed=4, path=tmp_path / "b.parquet")
    assert pq.read_table(tmp_path / "a.parquet").equals(pq.read_table(tmp_path / "b.parquet"))
    assert (small.runs_at_rung_by_day == large.runs_at_rung_by_day).all()
    assert small.runs_at_rung_by_day.sum(axis=0).tolist() == [150] * HORIZON_DAYS


def test_another_seed_gives_other_runs(quarter):
    first = wargame.run(quarter, runs=50, seed=1)
    second = wargame.run(quarter, runs=50, seed=2)
    assert not np.array_equal(first["incidents_total"], second["incidents_total"])
    assert first.equals(wargame.run(quarter, runs=50, seed=1))
