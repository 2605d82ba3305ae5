"""Peak memory of a command and all its child processes, sampled from /proc.

Memory is the proportional set size (PSS) summed over the process tree: a page shared by several
processes (the forkserver's imports, shared libraries) counts once in total, not once per process as the
resident set size (RSS) would. Where ``smaps_rollup`` is unreadable, RSS is used instead.
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path


def _process_memory_bytes(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        return next(int(line.split()[1]) * 1024 for line in rollup.splitlines() if line.startswith("Pss:"))
    except (OSError, StopIteration):
        status = Path(f"/proc/{pid}/status").read_text()
        return next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS"))


def _tree_memory_bytes(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            total += _process_memory_bytes(current)
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def peak_tree_memory(command: list[str], interval_seconds: float = 0.05) -> tuple[int, float, int]:
    """Run ``command``; return (peak summed PSS of the process tree in bytes, wall seconds, exit code)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_memory_bytes(process.pid))
            time.sleep(interval_seconds)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        print(stderr.decode(errors="replace"))
    return peak, time.perf_counter() - start, process.returncode
