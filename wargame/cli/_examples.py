"""The ``examples`` sub-command: list the shipped examples, or copy one into a folder to edit and run."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_parser"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``examples`` and ``examples copy``."""
    examples = subparsers.add_parser(
        "examples",
        help="list the shipped example scenarios and experiments, or copy one to edit",
        description="Without a sub-command: list the examples. `copy NAME DIR` copies one, with the files "
        "it refers to (a variant's base scenario, an experiment's scenario), into DIR.",
    )
    examples.set_defaults(handler=_list)
    commands = examples.add_subparsers(dest="examples_command", parser_class=type(examples))
    copy = commands.add_parser("copy", help="copy an example (and what it refers to) into a folder")
    copy.add_argument("name", help="an example's name, as `wargame examples` lists it")
    copy.add_argument("directory", type=Path, help="the folder to copy into (created if missing)")
    copy.set_defaults(handler=_copy)


def _list(args: argparse.Namespace) -> int:
    from wargame.examples import list_examples

    titles = {"scenario": "Scenarios", "experiment": "Experiments", "teaching": "Teaching models"}
    shown = None
    for example in list_examples():
        if example.kind != shown:
            print(f"{'' if shown is None else chr(10)}{titles[example.kind]}:")
            shown = example.kind
        print(f"  {example.name:<24} {example.summary}")
    print("\nCopy one to edit and run it: wargame examples copy NAME DIR")
    return 0


def _copy(args: argparse.Namespace) -> int:
    from wargame.examples import copy_example

    for path in copy_example(args.name, args.directory):
        print(f"wrote {path}")
    return 0
