"""The ``run``, ``validate`` and ``compare`` sub-commands: they combine runner and analysis, so they live in
the CLI layer (heavy imports happen inside the handlers)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from wargame._flags import whole_number
from wargame.errors import InputError
from wargame.scenario import add_scenario_flags

__all__ = ["add_parser"]


_positive_int = whole_number(1)
_seed = whole_number(0)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``run``, ``validate`` and ``compare``."""
    run = subparsers.add_parser("run", help="run a scenario over many seeds and summarise the outcomes")
    run.add_argument("scenario", type=Path, help="scenario YAML file")
    run.add_argument("--runs", type=_positive_int, default=1000, help="number of runs (default 1000)")
    run.add_argument("--seed", type=_seed, default=0, help="root seed (default 0)")
    run.add_argument("--jobs", type=_positive_int, default=1, help="worker processes (default 1)")
    run.add_argument("--out", type=Path, default=None, help="results folder (default results/<scenario>)")
    run.add_argument("--plot", action="store_true", help="write PNG plots to the results folder")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    add_scenario_flags(run)
    run.set_defaults(handler=_run)

    validate = subparsers.add_parser("validate", help="check scenario files and exit")
    validate.add_argument("scenarios", type=Path, nargs="+", help="scenario YAML files")
    add_scenario_flags(validate, which="every scenario")
    validate.set_defaults(handler=_validate)

    compare = subparsers.add_parser("compare", help="run several scenarios with the same seeds, side by side")
    compare.add_argument("scenarios", type=Path, nargs="+", help="scenario YAML files")
    compare.add_argument("--runs", type=_positive_int, default=1000)
    compare.add_argument("--seed", type=_seed, default=0)
    compare.add_argument("--jobs", type=_positive_int, default=1)
    compare.add_argument("--quiet", action="store_true", help="no progress bar")
    add_scenario_flags(compare, which="every scenario")
    compare.set_defaults(handler=_compare)


def _run(args: argparse.Namespace) -> int:
    from wargame.scenario import load_scenario_with, set_overrides

    # The scenario first: a bad file is refused before the model's heavy imports.
    scenario = load_scenario_with(
        args.scenario, overrides=set_overrides(args.set_flags), allow_dirs=args.allow_dirs
    )
    from wargame.analysis.summary import summarize
    from wargame.runner import check_outcome_names, run_to_parquet

    check_outcome_names(scenario, scenario.outcomes, args.scenario)
    out_dir: Path = args.out if args.out is not None else Path("results") / args.scenario.stem
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("exists and is not a folder", source="--out")
    out_dir.mkdir(parents=True, exist_ok=True)
    record = run_to_parquet(
        scenario,
        runs=args.runs,
        seed=args.seed,
        jobs=args.jobs,
        path=out_dir / "runs.parquet",
        scenario_dir=args.scenario.parent,
        progress=None if not args.quiet else False,
    )
    summary = summarize(scenario, record.outcomes, args.seed)
    print(summary.render())
    (out_dir / "summary.json").write_text(json.dumps(summary.to_dict(), indent=2, default=str) + "\n")
    print(f"\n  per-run results: {out_dir / 'runs.parquet'}")
    if args.plot:
        from wargame.analysis.plots import plot_run

        for path in plot_run(scenario, record.outcomes, record.runs_at_rung_by_day, out_dir):
            print(f"  plot: {path}")
    return 0


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
    from wargame.analysis.summary import summarize
    from wargame.runner import run_to_parquet

    summaries = []
    for path, scenario in zip(args.scenarios, scenarios, strict=True):
        record = run_to_parquet(
            scenario,
            runs=args.runs,
            seed=args.seed,
            jobs=args.jobs,
            scenario_dir=path.parent,
            progress=None if not args.quiet else False,
        )
        summaries.append(summarize(scenario, record.outcomes, args.seed))
    rows = {
        "probability of war": [s.probability_of_war.format(percent=True) for s in summaries],
        "mean attribution delay, h": [s.mean_attribution_delay_hours.format() for s in summaries],
        "timely attribution rate": [s.attribution_rate.format(percent=True) for s in summaries],
        "detection rate": [s.detection_rate.format(percent=True) for s in summaries],
        "incidents per run": [s.incidents_per_run["total"].format(4) for s in summaries],
        "escalation score": [s.escalation_score.format() for s in summaries],
    }
    for key in summaries[0].final_values:
        rows[key] = [s.final_values[key].format() if key in s.final_values else "n/a" for s in summaries]
    headers = [path.stem for path in args.scenarios]
    widths = [max(len(h), *(len(v[i]) for v in rows.values())) for i, h in enumerate(headers)]
    label_width = max(len(k) for k in rows)
    print(f"{args.runs} runs each, root seed {args.seed}; 95% intervals in brackets\n")
    print(" " * label_width + "  " + "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    for label, values in rows.items():
        cells = "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True))
        print(f"{label.ljust(label_width)}  {cells}")
    return 0
