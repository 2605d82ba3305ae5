"""Per-day outputs (issue 12 targets).

* ``wargame run --timeseries`` for 1,000 runs x 365 days: at most 3 s more than the same run without it.
* Its peak memory (all processes summed): at most 300 MB.

Both commands run in fresh processes, alternately, three times each; the medians are compared.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

from benchmarks._memory import peak_tree_memory

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "taiwan_strait_baseline.yaml"
TRIALS = 3


def _command(folder: str, timeseries: bool) -> list[str]:
    command = [sys.executable, "-m", "wargame.cli", "run", str(BASELINE), "--runs", "1000", "--jobs", "1"]
    command += ["--quiet", "--force", "--out", folder]
    return command + (["--timeseries"] if timeseries else [])


def main() -> dict:
    walls: dict[bool, list[float]] = {False: [], True: []}
    peaks: dict[bool, list[float]] = {False: [], True: []}
    rows = 0
    for _ in range(TRIALS):
        for timeseries in (False, True):
            with tempfile.TemporaryDirectory() as folder:
                peak, wall, code = peak_tree_memory(_command(folder, timeseries))
                if code != 0:
                    raise RuntimeError(f"wargame run exited {code}")
                if timeseries:
                    rows = pq.ParquetFile(Path(folder) / "timeseries.parquet").metadata.num_rows
            walls[timeseries].append(wall)
            peaks[timeseries].append(peak / 2**20)
    plain, with_days = statistics.median(walls[False]), statistics.median(walls[True])
    extra = with_days - plain
    peak_mb = max(peaks[True])
    print(
        f"1,000 runs x 365 days: {plain:.2f} s without --timeseries, {with_days:.2f} s with it "
        f"({extra:+.2f} s, target <= 3 s extra); {rows:,} rows; peak memory {peak_mb:,.0f} MB "
        f"(all processes, target <= 300 MB)"
    )
    return {
        "run_1000_seconds": round(plain, 2),
        "run_1000_timeseries_seconds": round(with_days, 2),
        "timeseries_extra_seconds": round(extra, 2),
        "timeseries_rows": rows,
        "timeseries_peak_mb": round(peak_mb, 1),
    }


if __name__ == "__main__":
    main()
