"""The ``wargame`` command: assembles every sub-system's sub-commands, runs one, formats errors.

This package is the top layer: it may import any sub-system, and no sub-system imports it. A sub-system
keeps its own commands in its ``cli.py`` (``add_parser(subparsers)`` setting a ``handler`` default,
``handler(args) -> int`` returning the exit code) when they need only that sub-system and the layers below
it; commands that combine sub-systems (``run`` and ``compare``: runner and analysis) and the wiring between
sub-systems (``session serve``: session and web) live here.
"""

from __future__ import annotations

import argparse
import os
import sys

from wargame._flags import OneLineErrorParser, run_handler
from wargame.errors import WargameError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``wargame`` and all its sub-commands (their heavy imports happen in the handlers)."""
    from wargame.calibration import cli as calibration_cli
    from wargame.cli import _examples, _run
    from wargame.experiments import cli as experiments_cli
    from wargame.session import cli as session_cli
    from wargame.teaching import cli as teaching_cli
    from wargame.validity import cli as validity_cli
    from wargame.web import cli as web_cli

    parser = OneLineErrorParser(
        prog="wargame", description="Deterrence war-games: scenarios, runs, sweeps, sessions."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=OneLineErrorParser)
    _run.add_parser(subparsers)
    experiments_cli.add_parser(subparsers)
    teaching_cli.add_parser(subparsers)
    calibration_cli.add_parser(subparsers)
    _examples.add_parser(subparsers)
    validity_cli.add_parser(subparsers)
    session_commands = session_cli.add_parser(subparsers)
    web_cli.add_serve_parser(session_commands)  # `session serve`: the web console of a session
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run_handler(args, (WargameError,))
    except KeyboardInterrupt:
        print("wargame: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`wargame run ... | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
