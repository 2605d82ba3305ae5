"""Run a command on hostile input under time and memory limits, and check it refuses cleanly.

The rule every case holds (issue 14): exit code 2, exactly one line on stderr naming what is wrong and
where (file, line and field, or the flag, column or request part), no traceback, nothing written, in
bounded time and memory, whatever the input.

How the limits are set: the interpreter with wargame's imports already reserves a lot of address space
(numpy, SciPy, pyarrow and Mesa map large regions; a ``wargame validate`` of the reference scenario peaks
near 1.6 GB of *virtual* memory for under 200 MB resident). Every command runs in a child process forked
from an interpreter that has imported wargame once (``tests/forked_cli.py``: the child runs
``python -m wargame.cli``'s ``__main__`` with its own streams, folder and limits, without paying the imports
again). :func:`measure_baseline` runs well-formed commands that way once per test session and records their
peak virtual memory, CPU time and wall time. Each case then runs in such a child with

* ``RLIMIT_AS`` = baseline peak virtual memory + :data:`MEMORY_MB` (300 MB): the input may make the
  command allocate at most 300 MB more than a well-formed run does before it is refused;
* ``RLIMIT_CPU`` = baseline CPU seconds + :data:`SECONDS` (5 s), rounded up;
* a wall-clock kill at baseline wall seconds + 5 s (a FIFO or a lock that blocks uses no CPU).

A case fails if the child is killed by either limit, raises ``MemoryError`` (a traceback), or breaks any
part of the rule.

Adding cases (any room): write ``tests/hostile/test_<what>.py``; its tests get the fixtures ``hostile`` (a
:class:`Hostile` that runs commands from the test's ``tmp_path`` under the limits) and ``baseline`` from
``tests/hostile/conftest.py``, and import ``assert_refused`` and ``snapshot`` from this module.

* a file or flag given to a CLI command::

      def test_my_case(hostile, tmp_path):
          bad = tmp_path / "bad.csv"
          bad.write_text("date,count\\n2024-13-01,5\\n")
          out = tmp_path / "out"
          result = hostile.run("calibrate", SCENARIO, "--data", bad, "--activity", "x", "--out", out)
          assert_refused(result, f"{bad}:2", "date", unchanged=[out])

* terminal input (a session prompt): ``hostile.run("session", "play", folder, stdin="Japan's move\\n")``;
* anything else (an HTTP request to a server started by the test): run a small client script with
  ``hostile.run_python(code, *args)``; its exit code and stderr follow the same rule, or check the
  response yourself and only use the limits.

``unchanged`` takes folders or files that must not exist afterwards, or must be exactly as they were
(:func:`snapshot` before, then pass the :class:`Snapshot`).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from forked_cli import Finished, Launcher

__all__ = [
    "MEMORY_MB",
    "SECONDS",
    "Baseline",
    "Hostile",
    "Result",
    "Snapshot",
    "assert_refused",
    "measure_baseline",
    "snapshot",
]

MEMORY_MB = 300
"""Memory a hostile input may add to a well-formed command's peak before the child is stopped."""
SECONDS = 5.0
"""Time a hostile input may add to a well-formed command's CPU and wall time."""


@dataclass(frozen=True)
class Result:
    """What a child process did: exit code, output, and the resources it used."""

    argv: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    killed_by: str | None  # "wall time", "CPU time" or None


@dataclass(frozen=True)
class Baseline:
    """Peak virtual memory, CPU and wall time of well-formed commands (the interpreter's own share)."""

    address_space_bytes: int
    cpu_seconds: float
    wall_seconds: float

    @property
    def address_space_limit(self) -> int:
        return self.address_space_bytes + MEMORY_MB * 1024 * 1024

    @property
    def cpu_limit_seconds(self) -> int:
        return math.ceil(self.cpu_seconds + SECONDS)

    @property
    def wall_limit_seconds(self) -> float:
        return self.wall_seconds + SECONDS


# The reference scenario and an alias bomb, shared by the corpus's modules (kept here, not in conftest,
# so that any selection of test folders imports them the same way).
REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "scenarios" / "taiwan_strait_baseline.yaml"
# Nine levels of nine aliases: 387 million values once expanded.
BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def measure_baseline(commands: Sequence[Sequence[str | Path]], cwd: Path, launcher: Launcher) -> Baseline:
    """Run well-formed ``wargame`` commands (which must succeed) and return their largest footprint."""
    peaks, cpus, walls = [], [], []
    for command in commands:
        finished = launcher.run("-m", "wargame.cli", command, cwd=cwd)
        assert finished.code == 0, f"baseline command failed: {command}: {finished.stderr.decode()}"
        assert finished.peak_vm_kb is not None
        peaks.append(finished.peak_vm_kb * 1024)
        cpus.append(finished.cpu_seconds)
        walls.append(finished.wall_seconds)
    return Baseline(max(peaks), max(cpus), max(walls))


@dataclass(frozen=True)
class Hostile:
    """Runs commands in ``cwd`` under the limits of ``baseline``, each in a child forked by ``launcher``."""

    baseline: Baseline
    cwd: Path
    launcher: Launcher

    def run(self, *args: str | Path, stdin: str | None = None) -> Result:
        """Run ``wargame ARGS...`` (as ``python -m wargame.cli``) under the limits."""
        argv = (sys.executable, "-m", "wargame.cli", *map(str, args))
        return self._result(argv, self.launcher.run("-m", "wargame.cli", args, **self._options(stdin)))

    def run_python(self, code: str, *args: str | Path, stdin: str | None = None) -> Result:
        """Run ``python -c CODE ARGS...`` under the limits (for clients of servers, other entry points)."""
        argv = (sys.executable, "-c", code, *map(str, args))
        return self._result(argv, self.launcher.run("-c", code, args, **self._options(stdin)))

    def _options(self, stdin: str | None) -> dict:
        address_space, cpu = self.baseline.address_space_limit, self.baseline.cpu_limit_seconds
        return {
            "cwd": self.cwd,
            "stdin": None if stdin is None else stdin.encode(),
            "limits": {
                "RLIMIT_AS": (address_space, address_space),
                "RLIMIT_CPU": (cpu, cpu + 1),
                "RLIMIT_CORE": (0, 0),
            },
            "wall_seconds": self.baseline.wall_limit_seconds,
        }

    @staticmethod
    def _result(argv: tuple[str, ...], finished: Finished) -> Result:
        killed = finished.killed_by
        if killed is None and finished.code in (-9, -24):
            killed = "CPU time"  # SIGXCPU at RLIMIT_CPU's soft limit, SIGKILL at its hard limit
        return Result(
            argv=argv,
            code=finished.code,
            stdout=finished.stdout.decode(errors="replace"),
            stderr=finished.stderr.decode(errors="replace"),
            wall_seconds=finished.wall_seconds,
            cpu_seconds=finished.cpu_seconds,
            peak_rss_mb=finished.peak_rss_kb / 1024,
            killed_by=killed,
        )


@dataclass(frozen=True)
class Snapshot:
    """Every file under a folder (or one file) with its size and modification time."""

    root: Path
    files: dict[str, tuple[int, int]] | None  # None: the path did not exist


def snapshot(root: Path) -> Snapshot:
    """Record what ``root`` holds now, to check later that a refused command left it unchanged."""
    if not root.exists():
        return Snapshot(root, None)
    paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return Snapshot(root, {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in paths})


def assert_refused(result: Result, *fragments: str, unchanged: Sequence[Path | Snapshot] = ()) -> None:
    """Assert the rule: exit 2, one ``wargame: error:`` line holding every fragment, nothing written.

    Args:
        result: What the command did.
        fragments: Text the one line must contain (the file and line, the field, the flag...).
        unchanged: Paths that must not exist after the command, or snapshots taken before it.
    """
    where = f"{' '.join(result.argv[-6:])}\nstderr: {result.stderr[-2000:]}"
    assert result.killed_by is None, f"stopped by the {result.killed_by} limit: {where}"
    assert "Traceback" not in result.stderr, where
    assert result.code == 2, f"exit code {result.code}: {where}"
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"{len(lines)} lines on stderr: {where}"
    assert lines[0].startswith("wargame: error: "), where
    assert len(lines[0]) < 1000, f"a {len(lines[0])}-character error line: {where}"
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
    for item in unchanged:
        before = item if isinstance(item, Snapshot) else Snapshot(Path(item), None)
        after = snapshot(before.root)
        assert after == before, f"{before.root} was written: {where}"
