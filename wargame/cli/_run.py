"""The ``run``, ``validate`` and ``compare`` sub-commands: they combine runner and analysis, so they live in
the CLI layer (heavy imports happen inside the handlers)."""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from wargame._flags import (
    add_force_flag,
    add_jobs_flag,
    add_out_flag,
    add_quiet_flag,
    add_runs_flag,
    add_seed_flag,
    whole_number,
)
from wargame.errors import InputError
from wargame.scenario import add_scenario_flags

if TYPE_CHECKING:
    import pandas as pd

    from wargame.scenario import Scenario

__all__ = ["add_parser"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``run``, ``validate`` and ``compare``."""
    run = subparsers.add_parser("run", help="run a scenario over many seeds and summarise the outcomes")
    run.add_argument("scenario", type=Path, help="scenario YAML file")
    _add_ensemble_flags(run)
    add_out_flag(run, help="results folder (default results/<scenario>)")
    run.add_argument("--plot", action="store_true", help="write PNG plots to the results folder")
    add_force_flag(run, help="replace the results of an earlier run in a non-empty --out folder")
    run.add_argument(
        "--timeseries", action="store_true", help="also write timeseries.parquet: one row per run and day"
    )
    run.add_argument(
        "--timeseries-runs",
        type=whole_number(1),
        default=None,
        metavar="K",
        help="keep the days of the first K runs",
    )
    run.add_argument(
        "--observed",
        type=Path,
        default=None,
        metavar="CSV",
        help="with --timeseries --plot: an observed daily series (columns date and an activity id) drawn "
        "over the simulated band of that activity, aligned from its first date",
    )
    run.add_argument(
        "--drivers",
        default=None,
        metavar="OUTCOME",
        help="rank the uncertain inputs by how much they drive this outcome (e.g. war): Borgonovo's delta "
        "and Spearman's rho with 95%% intervals; also written to drivers_OUTCOME.csv",
    )
    add_quiet_flag(run)
    add_scenario_flags(run)
    run.set_defaults(handler=_run)

    validate = subparsers.add_parser("validate", help="check scenario files and exit")
    validate.add_argument("scenarios", type=Path, nargs="+", help="scenario YAML files")
    add_scenario_flags(validate, which="every scenario")
    validate.set_defaults(handler=_validate)

    compare = subparsers.add_parser("compare", help="run several scenarios with the same seeds, side by side")
    compare.add_argument("scenarios", type=Path, nargs="+", help="scenario YAML files")
    _add_ensemble_flags(compare)
    compare.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="how to print the comparison (default: an aligned table)",
    )
    add_out_flag(compare, help="also write comparison.csv and comparison.parquet to this folder")
    add_force_flag(compare, help="replace an earlier comparison in --out")
    add_quiet_flag(compare)
    add_scenario_flags(compare, which="every scenario")
    compare.set_defaults(handler=_compare)


def _add_ensemble_flags(parser: argparse.ArgumentParser) -> None:
    """Add ``--runs``, ``--seed`` and ``--jobs`` of an ensemble (``run`` and ``compare`` take the same)."""
    add_runs_flag(parser, default=1000)
    add_seed_flag(parser, default=0)
    add_jobs_flag(parser, default=1)


RUN_OUTPUTS = (
    "runs.parquet",
    "timeseries.parquet",
    "summary.json",
    "rung_fan_chart.png",
    "cumulative_war_probability.png",
    "incidents_by_type.png",
)
COMPARE_OUTPUTS = ("comparison.csv", "comparison.parquet")


def _prepare_out(out_dir: Path, outputs: tuple[str, ...], force: bool) -> None:
    """Make ``out_dir`` ready for a command's outputs: new or empty, or with ``--force`` cleared of the
    files the command writes (other files are left alone), so no stale output survives."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("exists and is not a folder", source="--out")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not force:
            raise InputError(
                f"{out_dir} is not empty; add --force to replace the results in it, or choose a new folder",
                source="--out",
            )
        for name in outputs:
            (out_dir / name).unlink(missing_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)


def _run(args: argparse.Namespace) -> int:
    from wargame.scenario import load_scenario_with, set_overrides

    # The scenario first: a bad file is refused before the model's heavy imports.
    scenario = load_scenario_with(
        args.scenario, overrides=set_overrides(args.set_flags), allow_dirs=args.allow_dirs
    )
    from wargame.analysis.summary import summarize
    from wargame.runner import check_outcome_names, run_to_parquet

    check_outcome_names(scenario, scenario.outcomes, args.scenario)
    if args.drivers is not None:
        _check_drivers(scenario, args.drivers)
    if (args.timeseries_runs is not None or args.observed is not None) and not args.timeseries:
        flag = "--timeseries-runs" if args.timeseries_runs is not None else "--observed"
        raise InputError("needs --timeseries", source=flag)
    observed = _read_observed(args.observed, scenario) if args.observed is not None else None
    out_dir: Path = args.out if args.out is not None else Path("results") / args.scenario.stem
    with _writing(out_dir):
        daily_plots = tuple(f"daily_{a.id}.png" for a in scenario.gray_zone.activities)
        drivers = () if args.drivers is None else (f"drivers_{args.drivers}.csv",)
        _prepare_out(out_dir, RUN_OUTPUTS + daily_plots + drivers, args.force)
    record = run_to_parquet(
        scenario,
        runs=args.runs,
        seed=args.seed,
        jobs=args.jobs,
        path=out_dir / "runs.parquet",
        scenario_dir=args.scenario.parent,
        progress=None if not args.quiet else False,
        timeseries_path=out_dir / "timeseries.parquet" if args.timeseries else None,
        timeseries_runs=args.timeseries_runs,
    )
    summary = summarize(scenario, record.outcomes, args.seed)
    print(summary.render())
    with _writing(out_dir):
        (out_dir / "summary.json").write_text(json.dumps(summary.to_dict(), indent=2, default=str) + "\n")
        if args.drivers is not None:
            print("\n" + _write_drivers(record.outcomes, args.drivers, out_dir))
        print(f"\n  per-run results: {out_dir / 'runs.parquet'}")
        if args.timeseries:
            print(f"  per-day results: {out_dir / 'timeseries.parquet'}")
        if args.plot:
            from wargame.analysis.plots import plot_run

            for path in plot_run(scenario, record.outcomes, record.runs_at_rung_by_day, out_dir):
                print(f"  plot: {path}")
            if args.timeseries:
                for path in _plot_days(scenario, out_dir, observed):
                    print(f"  plot: {path}")
    return 0


def _check_drivers(scenario: Scenario, outcome: str) -> None:
    """Refuse a ``--drivers`` outcome that the runs do not produce as a number, before running them."""
    from wargame.runner import check_outcome_names

    try:
        produced = check_outcome_names(scenario, [outcome])
    except InputError as error:
        raise InputError(error.message, source="--drivers") from None
    if produced[outcome].dtype == object:
        raise InputError(f"outcome {outcome!r} is text, not a number", source="--drivers")


def _write_drivers(outcomes: pd.DataFrame, outcome: str, out_dir: Path) -> str:
    """Rank the drawn inputs by how much they drive ``outcome``; write the table; return it as text."""
    import dataclasses

    import pandas as pd

    from wargame.analysis.inputs import input_sensitivity, render_sensitivity

    effects = input_sensitivity(outcomes, outcome)
    table = pd.DataFrame([dataclasses.asdict(effect) for effect in effects])
    path = out_dir / f"drivers_{outcome}.csv"
    table.to_csv(path, index=False)
    return render_sensitivity(effects, outcome) + f"\n  table: {path}"


@contextlib.contextmanager
def _writing(out_dir: Path) -> Iterator[None]:
    """Turn a folder that cannot be written (read-only, full, no permission) into a one-line error."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InputError(f"cannot write to {out_dir}: {reason}", source="--out") from None


def _read_observed(path: Path, scenario: object) -> object:
    """Read an observed daily series whose count column is an activity of the scenario."""
    import csv

    from wargame.calibration import read_daily_counts

    try:
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader([handle.readline()]), [])
    except (OSError, UnicodeDecodeError):
        header = []
    activities = [a.id for a in scenario.gray_zone.activities]  # type: ignore[attr-defined]
    column = next((name.strip() for name in header if name.strip() in activities), None)
    if column is None:
        raise InputError(
            f"needs a column named after an activity ({', '.join(activities)}) beside 'date'",
            source=str(path),
        )
    return read_daily_counts(path, column)


def _plot_days(scenario: object, out_dir: Path, observed: object) -> list[Path]:
    """Plot the simulated daily band of each root activity (and the observed series over its own)."""
    import pandas as pd

    from wargame.analysis.daily import plot_daily_band

    days = pd.read_parquet(out_dir / "timeseries.parquet")
    paths = []
    for activity in scenario.gray_zone.activities:  # type: ignore[attr-defined]
        if activity.subset_of is not None:
            continue
        series = None
        if observed is not None and observed.column == activity.id:  # type: ignore[attr-defined]
            series = pd.Series(observed.counts)  # type: ignore[attr-defined]
        column = f"incidents_{activity.id}"
        paths.append(
            plot_daily_band(
                days, column, out_dir / f"daily_{activity.id}.png", observed=series, title=activity.name
            )
        )
    return paths


def _validate(args: argparse.Namespace) -> int:
    from wargame.scenario import load_scenario_with, set_overrides

    overrides = set_overrides(args.set_flags)
    for path in args.scenarios:
        scenario = load_scenario_with(path, overrides=overrides, allow_dirs=args.allow_dirs, playable=True)
        from wargame.runner import check_outcome_names

        check_outcome_names(scenario, scenario.outcomes, path)
        print(
            f"{path}: ok ({scenario.name}: {len(scenario.actors)} actors, {len(scenario.programs)} programs, "
            f"{len(scenario.gray_zone.activities)} gray-zone activities, "
            f"{len(scenario.escalation.rungs)} rungs, "
            f"{len(scenario.injects)} injects)"
        )
    return 0


def _compare(args: argparse.Namespace) -> int:
    from wargame.scenario import load_scenario_with, set_overrides

    overrides = set_overrides(args.set_flags)
    scenarios = [
        load_scenario_with(path, overrides=overrides, allow_dirs=args.allow_dirs) for path in args.scenarios
    ]
    from wargame.analysis.compare import compare_outcomes
    from wargame.runner import run_to_parquet

    if args.out is not None:
        with _writing(args.out):
            _prepare_out(args.out, COMPARE_OUTPUTS, args.force)
    frames = []
    for path, scenario in zip(args.scenarios, scenarios, strict=True):
        record = run_to_parquet(
            scenario,
            runs=args.runs,
            seed=args.seed,
            jobs=args.jobs,
            scenario_dir=path.parent,
            progress=None if not args.quiet else False,
        )
        frames.append(record.outcomes)
    comparison = compare_outcomes(_column_names(args.scenarios), scenarios, frames, root_seed=args.seed)
    if args.format == "table":
        print(comparison.render())
    elif args.format == "csv":
        print(comparison.table.to_csv(index=False), end="")
    else:
        print(comparison.to_json())
    if args.out is not None:
        with _writing(args.out):
            comparison.table.to_csv(args.out / "comparison.csv", index=False)
            comparison.table.to_parquet(args.out / "comparison.parquet", index=False)
    return 0


def _column_names(paths: list[Path]) -> list[str]:
    """A column name per scenario file: its stem, numbered where stems repeat."""
    stems = [path.stem for path in paths]
    return [stem if stems.count(stem) == 1 else f"{stem} ({index + 1})" for index, stem in enumerate(stems)]
