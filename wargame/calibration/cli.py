"""The ``calibrate`` sub-command."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import shlex
import sys
from pathlib import Path

from wargame._flags import add_out_flag, add_quiet_flag, add_repeatable_flag, add_seed_flag, whole_number
from wargame.scenario.flags import add_allow_dir_flag

__all__ = ["add_parser"]


def _date(text: str) -> dt.date:
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text[:40]!r}") from None


def _held(text: str) -> tuple[str, float]:
    name, separator, value = text.partition("=")
    try:
        if not separator or not name.strip():
            raise ValueError
        number = float(value)
        if not math.isfinite(number):
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected NAME=NUMBER such as clustering.decay_days=2, got {text[:60]!r}"
        ) from None
    return name.strip(), number


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``calibrate``."""
    parser = subparsers.add_parser(
        "calibrate",
        help="fit a gray-zone activity to an observed daily count series",
        description="Fit a root activity's daily process (base rate, over-dispersion, clustering) to a daily "
        "count CSV by maximum likelihood; print the values with 95% intervals and a fit table against "
        "simulated replications; write an overlay scenario, fit.json and diagnostic plots to --out.",
    )
    parser.add_argument("scenario", type=Path, help="scenario YAML file")
    parser.add_argument(
        "--data", type=Path, required=True, help="daily count CSV: columns date and the count"
    )
    parser.add_argument("--activity", required=True, help="id of the root activity to fit")
    add_out_flag(parser, required=True, help="folder for calibrated.yaml, fit.json, plots")
    parser.add_argument("--column", default=None, help="count column of the CSV (default: the activity id)")
    parser.add_argument("--from", dest="first", type=_date, default=None, help="first day of the window")
    parser.add_argument("--to", dest="last", type=_date, default=None, help="last day of the window")
    add_repeatable_flag(
        parser,
        "--fix",
        dest="held",
        type=_held,
        metavar="NAME=VALUE",
        help="hold a parameter (repeatable): base_rate_per_day, overdispersion_sigma, "
        "clustering.branching_ratio, clustering.decay_days",
    )
    add_seed_flag(parser, default=0)
    parser.add_argument(
        "--replications", type=whole_number(20), default=200, help="simulated replications (default 200)"
    )
    add_allow_dir_flag(parser)
    add_quiet_flag(parser)
    parser.set_defaults(handler=_calibrate)


def _command(args: argparse.Namespace) -> str:
    words = [
        "wargame",
        "calibrate",
        str(args.scenario),
        "--data",
        str(args.data),
        "--activity",
        args.activity,
    ]
    words += ["--out", str(args.out)]
    if args.column is not None:
        words += ["--column", args.column]
    if args.first is not None:
        words += ["--from", str(args.first)]
    if args.last is not None:
        words += ["--to", str(args.last)]
    for name, value in args.held:
        words += ["--fix", f"{name}={value:g}"]
    words += ["--seed", str(args.seed)]
    if args.replications != 200:
        words += ["--replications", str(args.replications)]
    return shlex.join(words)


def _calibrate(args: argparse.Namespace) -> int:
    from wargame.calibration._calibrate import calibrate
    from wargame.calibration._outputs import render_report, write_calibration
    from wargame.errors import InputError

    held: dict[str, float] = {}
    for name, value in args.held:
        if name in held:
            raise InputError(f"{name} is held twice", source="--fix")
        held[name] = value
    if args.out.exists() and not args.out.is_dir():
        raise InputError("exists and is not a folder", source="--out")
    calibration = calibrate(
        args.scenario,
        args.data,
        args.activity,
        column=args.column,
        first=args.first,
        last=args.last,
        fixed=held,
        seed=args.seed,
        replications=args.replications,
        allow_dirs=args.allow_dirs,
        progress=None if not args.quiet else False,
    )
    command = _command(args)
    paths = write_calibration(calibration, args.out, command, tuple(args.allow_dirs))
    print(render_report(calibration))
    print()
    for path in paths:
        print(f"  wrote {path}")
    scenario_dir = args.scenario.absolute().parent.resolve()
    out_dir = args.out.absolute().resolve()
    hint = "" if scenario_dir.is_relative_to(out_dir) else f" --allow-dir {args.scenario.parent}"
    print(f"\n  run it: wargame run {args.out / 'calibrated.yaml'}{hint}")
    sys.stdout.flush()
    return 0
