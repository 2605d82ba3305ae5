"""Run every benchmark: ``python -m benchmarks [NAME ...]``.

Each ``benchmarks/bench_*.py`` module has a ``main() -> dict`` that prints its figures and returns them;
the figures are appended, with the date and git commit, to ``benchmarks/history.jsonl`` so they can be
tracked over time.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True, cwd=HERE
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    if argv:
        unknown = [name for name in argv if f"bench_{name}" not in names and name not in names]
        if unknown:
            print(
                f"benchmarks: unknown benchmark(s) {', '.join(unknown)}; have {', '.join(names)}",
                file=sys.stderr,
            )
            return 2
        names = [n for n in names if n in argv or n.removeprefix("bench_") in argv]
    record = {"date": time.strftime("%Y-%m-%dT%H:%M:%S"), "commit": _commit(), "results": {}}
    for name in names:
        print(f"== {name}")
        module = importlib.import_module(f"benchmarks.{name}")
        record["results"][name] = module.main()
        print()
    with (HERE / "history.jsonl").open("a") as history:
        history.write(json.dumps(record) + "\n")
    print(f"figures appended to {HERE / 'history.jsonl'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
