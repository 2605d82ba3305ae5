"""The ``wargame teach`` sub-command (the models are imported when it runs, not when the CLI starts)."""

from __future__ import annotations

import argparse
from pathlib import Path

from wargame._flags import add_jobs_flag, add_out_flag, add_repeatable_flag, add_runs_flag, add_seed_flag

__all__ = ["add_parser", "handle_teach"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``wargame teach`` on the main CLI's sub-parsers."""
    parser = subparsers.add_parser(
        "teach",
        help="run a teaching model (Richardson, Lanchester, Fearon, ...) and print its key numbers",
        description=(
            "Run a teaching model validated against its analytic result. "
            "Example: wargame teach richardson --case stable --param fatigue_x_per_year=0.3 --plot"
        ),
    )
    parser.add_argument("name", nargs="?", help="model name; see --list")
    parser.add_argument("--list", action="store_true", help="list the models and exit")
    add_repeatable_flag(
        parser,
        "--param",
        metavar="KEY=VALUE",
        help=(
            "change a parameter live (repeatable) in the case named by --case, or in every case with --all;"
            " lists are comma-separated, e.g. rung_gain=0,1,2,3,4"
        ),
    )
    parser.add_argument("--case", help="run only this case of the scenario (default: every case)")
    parser.add_argument("--all", action="store_true", help="run every case and apply --param to each")
    parser.add_argument("--plot", action="store_true", help="write the model's figures")
    add_out_flag(parser, help="directory for figures (default results/teaching/NAME)")
    add_seed_flag(parser, default=None, help="seed for stochastic models (default: the scenario's)")
    add_runs_flag(parser, default=None, help="Monte Carlo replications for stochastic models")
    add_jobs_flag(
        parser,
        default=None,
        help="worker processes for the replications of stochastic models (default 1); same numbers for any J",
    )
    parser.add_argument("--show-params", action="store_true", help="print the model's parameters and exit")
    parser.set_defaults(handler=handle_teach)


def _list_models() -> str:
    from wargame.teaching._registry import get_model, model_names

    lines = ["Teaching models (run: wargame teach NAME [--param key=value ...] [--plot]):"]
    for name in model_names():
        model = get_model(name)
        kind = {"ode": "ODE, RK4", "monte_carlo": "Monte Carlo", "closed_form": "closed form"}[
            model.scenario.method.kind
        ]
        lines.append(f"  {name:<16} {model.title} ({kind})")
        lines.append(f"  {'':<16} {model.scenario.question}")
    lines.append("Lessons: docs/lessons/NAME.md; as notebooks: docs/lessons/notebooks/NAME.py")
    return "\n".join(lines)


def _show_parameters(name: str) -> str:
    from wargame.teaching._base import format_value
    from wargame.teaching._registry import get_model

    model = get_model(name)
    lines = [f"{model.title}: parameters (change with --param KEY=VALUE)"]
    for key, spec in model.scenario.parameters.items():
        lines.append(f"  {key} = {format_value(spec.value)} [{spec.unit}]  {spec.description}")
    lines.append(
        "cases: " + ", ".join(f"{case} ({spec.description})" for case, spec in model.scenario.cases.items())
    )
    return "\n".join(lines)


def handle_teach(args: argparse.Namespace) -> int:
    """Run ``wargame teach``; returns the exit code."""
    from wargame.teaching._session import run_teaching_model

    if args.list or args.name is None:
        print(_list_models())
        return 0
    if args.show_params:
        print(_show_parameters(args.name))
        return 0
    out_dir = args.out if args.out is not None else Path("results") / "teaching" / args.name
    run = run_teaching_model(
        args.name,
        assignments=args.param,
        case=args.case,
        all_cases=args.all,
        seed=args.seed,
        runs=args.runs,
        jobs=args.jobs,
        plot_dir=out_dir if args.plot else None,
    )
    print(run.text)
    for path in run.figures:
        print(f"wrote {path}")
    return 0
