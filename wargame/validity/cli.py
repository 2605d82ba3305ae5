"""The ``validity`` sub-command: does every lever of each scenario respond as theory says?"""

from __future__ import annotations

import argparse
import shlex
import time
from pathlib import Path

from wargame._flags import add_jobs_flag, add_out_flag, add_runs_flag, add_seed_flag, whole_number

__all__ = ["add_parser"]

DEFAULT_RUNS = 1000
DEFAULT_LEVELS = 7
DEFAULT_SOBOL_BASE = 64
DEFAULT_SOBOL_RUNS = 32


def _levels(text: str) -> int:
    from wargame.validity._levers import MAX_LEVELS, MIN_LEVELS

    value = whole_number(MIN_LEVELS)(text)
    if value > MAX_LEVELS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_LEVELS}, got {value}")
    return value


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``validity``."""
    parser = subparsers.add_parser(
        "validity",
        help="check that every lever of a scenario moves P(war), escalation and resolve as theory predicts",
        description="Move every lever of each scenario over its levels on common random numbers; check each "
        "response for no effect, wrong sign and jumps; compute the total Sobol indices of P(war); write a "
        "Markdown report with a small multiple per scenario. Exits 1 when a scenario fails.",
    )
    parser.add_argument("scenarios", type=Path, nargs="+", metavar="SCENARIO", help="scenario YAML files")
    add_out_flag(parser, required=True, help="the report's Markdown file")
    add_runs_flag(parser, default=DEFAULT_RUNS, minimum=2, help="runs per level")
    parser.add_argument(
        "--levels", type=_levels, default=DEFAULT_LEVELS, help=f"levels per lever (default {DEFAULT_LEVELS})"
    )
    add_seed_flag(parser, default=0)
    add_jobs_flag(parser, default=1)
    parser.add_argument(
        "--sobol-base",
        type=whole_number(2),
        default=DEFAULT_SOBOL_BASE,
        help=f"N of Saltelli's design, a power of two (default {DEFAULT_SOBOL_BASE})",
    )
    parser.add_argument(
        "--sobol-runs",
        type=whole_number(2),
        default=DEFAULT_SOBOL_RUNS,
        help=f"runs per Sobol design point, even (default {DEFAULT_SOBOL_RUNS})",
    )
    from wargame.scenario.flags import add_scenario_flags

    add_scenario_flags(parser, which="every scenario")
    parser.set_defaults(handler=_handle)


def _command(args: argparse.Namespace) -> str:
    parts = ["wargame", "validity", *(str(p) for p in args.scenarios), "--out", str(args.out)]
    parts += ["--runs", str(args.runs), "--levels", str(args.levels), "--seed", str(args.seed)]
    parts += [
        "--jobs",
        str(args.jobs),
        "--sobol-base",
        str(args.sobol_base),
        "--sobol-runs",
        str(args.sobol_runs),
    ]
    for flag in args.set_flags:
        parts += ["--set", flag.text]
    for folder in args.allow_dirs:
        parts += ["--allow-dir", str(folder)]
    return shlex.join(parts)


def _handle(args: argparse.Namespace) -> int:
    from wargame._version import __version__
    from wargame.runner.executors import make_executor
    from wargame.scenario import load_scenario_with, set_overrides
    from wargame.validity._api import check_counts, validate_scenario
    from wargame.validity._levers import levers_of
    from wargame.validity._report import ValidityReport, check_writable, write_report

    started = time.perf_counter()
    check_counts(args.runs, args.sobol_base, args.sobol_runs)
    overrides = set_overrides(args.set_flags)
    scenarios = []
    for path in args.scenarios:
        scenario = load_scenario_with(path, overrides=overrides, allow_dirs=args.allow_dirs)
        for lever in levers_of(
            scenario, args.levels
        ):  # a level that breaks the scenario fails before any run
            for level in lever.levels:
                lever.scenario_at(scenario, level)
        scenarios.append((path, scenario))
    check_writable(args.out)
    results = []
    with make_executor(args.jobs) as executor:
        for path, scenario in scenarios:
            results.append(
                validate_scenario(
                    scenario,
                    str(path),
                    runs=args.runs,
                    levels=args.levels,
                    seed=args.seed,
                    executor=executor,
                    sobol_base=args.sobol_base,
                    sobol_runs=args.sobol_runs,
                    scenario_dir=path.parent,
                    max_in_flight=2 * args.jobs,
                )
            )
    report = ValidityReport(
        scenarios=tuple(results),
        command=_command(args),
        version=__version__,
        seed=args.seed,
        runs=args.runs,
        levels=args.levels,
        jobs=args.jobs,
        elapsed_seconds=time.perf_counter() - started,
    )
    write_report(report, args.out)
    for result in results:
        verdict = "PASS" if result.passed else "FAIL"
        failing = sum(not lever.passed for lever in result.levers)
        print(f"{result.name} ({result.path}): {verdict}, {failing} of {len(result.levers)} levers fail")
        for line in result.failures():
            print(f"  FAIL {line}")
    print(f"report: {args.out}")
    return 0 if report.passed else 1
