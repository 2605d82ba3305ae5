"""The ``sweep`` and ``analyze`` sub-commands."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from wargame._flags import add_jobs_flag, add_out_flag, add_quiet_flag, whole_number
from wargame.errors import InputError
from wargame.scenario import add_scenario_flags

__all__ = ["add_parser"]


def _discovery(text: str) -> tuple[str, float]:
    outcome, separator, threshold = text.partition(">")
    try:
        if not separator or not outcome.strip():
            raise ValueError
        return outcome.strip(), float(threshold)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected OUTCOME>THRESHOLD such as 'war>0.3', got {text!r}"
        ) from None


def _robustness(text: str) -> tuple[str, float, str]:
    for operator, direction in (("<=", "minimize"), (">=", "maximize")):
        outcome, separator, threshold = text.partition(operator)
        if separator:
            try:
                if not outcome.strip():
                    raise ValueError
                return outcome.strip(), float(threshold), direction
            except ValueError:
                break
    raise argparse.ArgumentTypeError(
        f"expected OUTCOME<=THRESHOLD (lower is better) or OUTCOME>=THRESHOLD, e.g. 'war<=0.1', got {text!r}"
    )


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``sweep`` and ``analyze``."""
    sweep = subparsers.add_parser(
        "sweep",
        help="run an experiment's parameter sweep (resumable)",
        description="Run every design point and replication of an experiment file, streaming results to "
        "Parquet parts in the output folder. Kill it at any time and continue with --resume.",
    )
    sweep.add_argument("experiment", type=Path, help="experiment YAML file (see experiments/)")
    add_jobs_flag(sweep, default=None, help=f"local worker processes (default: all {os.cpu_count()} cores)")
    add_out_flag(sweep, help="results folder (default results/sweeps/<experiment name>)")
    sweep.add_argument("--resume", action="store_true", help="continue an interrupted sweep in --out")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument(
        "--dask", metavar="ADDRESS", default=None, help="run on this Dask scheduler (tcp://host:8786)"
    )
    where.add_argument(
        "--dask-local",
        metavar="N",
        type=whole_number(1),
        default=None,
        help="run on a local Dask cluster of N workers",
    )
    add_quiet_flag(sweep)
    add_scenario_flags(sweep, which="the experiment's base scenario")
    sweep.add_argument(
        "--allow-large",
        action="store_true",
        help="run a sweep estimated to take more than a day on its workers (refused by default)",
    )
    sweep.set_defaults(handler=_sweep)

    analyze = subparsers.add_parser(
        "analyze",
        help="tables, sensitivity indices and plots of a sweep",
        description="Per design point, every outcome's rate or mean with a 95%% CI; Sobol or Morris indices "
        "for those designs; scenario discovery (PRIM and CART); feature scores; for levers-and-uncertainties "
        "sweeps, regret and satisficing of every policy across the futures; PNG plots. Written to "
        "DIR/analysis and printed.",
    )
    analyze.add_argument("results", type=Path, metavar="DIR", help="a sweep's results folder")
    analyze.add_argument(
        "--outcome", action="append", default=None, help="outcome to analyse (repeatable; default all)"
    )
    analyze.add_argument(
        "--discover",
        type=_discovery,
        default=None,
        metavar="OUTCOME>THRESHOLD",
        help="find the parameter region where OUTCOME's mean exceeds THRESHOLD, e.g. 'war>0.3' "
        "(default: the experiment's discovery setting)",
    )
    analyze.add_argument(
        "--robustness",
        type=_robustness,
        default=None,
        metavar="OUTCOME<=THRESHOLD",
        help="for a levers-and-uncertainties sweep: judge policies by OUTCOME, satisfactory at most "
        "THRESHOLD (or >= for at least), e.g. 'war<=0.1' (default: the experiment's robustness setting)",
    )
    analyze.add_argument(
        "--report-dir", type=Path, default=None, help="where to write (default DIR/analysis)"
    )
    analyze.add_argument("--no-plots", action="store_true", help="tables only")
    analyze.set_defaults(handler=_analyze)


def _sweep(args: argparse.Namespace) -> int:
    from wargame.experiments._api import sweep
    from wargame.scenario import set_overrides

    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise InputError("exists and is not a folder", source="--out")
    summary = sweep(
        args.experiment,
        args.out,
        jobs=args.jobs,
        resume=args.resume,
        dask_address=args.dask,
        dask_local_workers=args.dask_local,
        progress=False if args.quiet else None,
        scenario_overrides=set_overrides(args.set_flags),
        allow_dirs=args.allow_dirs,
        allow_large=args.allow_large,
    )
    print(
        f"{summary.total_runs} runs: {summary.runs_done} done, {summary.runs_failed} failed"
        + (f", {summary.runs_skipped} already done before" if summary.runs_skipped else "")
        + f", in {summary.elapsed_seconds:.1f} s -> {summary.out_dir}"
    )
    if summary.runs_failed:
        from wargame.experiments._results import load_results

        failures = load_results(summary.out_dir).failures
        for _, failure in failures.head(3).iterrows():
            print(
                f"  failed: point {failure['point']} replication {failure['replication']} "
                f"(seed {failure['seed']}): {failure['error']}",
                file=sys.stderr,
            )
        print(f"  every failure with its traceback: wargame.load_results({str(summary.out_dir)!r}).failures")
    print(f"next: wargame analyze {summary.out_dir}")
    return 0


def _analyze(args: argparse.Namespace) -> int:
    from wargame.experiments._analyze import analyze
    from wargame.experiments._noise import NoisyOutcomeWarning

    outcome, threshold = args.discover if args.discover is not None else (None, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NoisyOutcomeWarning)  # the report prints them
        report = analyze(
            args.results,
            report_dir=args.report_dir,
            outcomes=args.outcome,
            discovery_outcome=outcome,
            discovery_threshold=threshold,
            robustness_outcome=args.robustness[0] if args.robustness else None,
            robustness_threshold=args.robustness[1] if args.robustness else None,
            robustness_direction=args.robustness[2] if args.robustness else "minimize",
            plots=not args.no_plots,
        )
    print(report.format())
    return 0
