"""Command-line interface: parses arguments, calls the public API, formats errors.

Each sub-system registers its sub-commands through an ``add_parser(subparsers)`` function that sets a
``handler`` default: ``handler(args) -> int`` returns the exit code.
"""

from __future__ import annotations

import argparse
import os
import sys

from wargame.errors import WargameError

__all__ = ["main"]

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit with code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"wargame: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="wargame", description="Deterrence war-games: scenarios, runs, sweeps, sessions.")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    from wargame.experiments import cli as experiments_cli
    from wargame.runner import cli as runner_cli
    from wargame.session import cli as session_cli
    from wargame.teaching import cli as teaching_cli

    runner_cli.add_parser(subparsers)
    experiments_cli.add_parser(subparsers)
    teaching_cli.add_parser(subparsers)
    session_cli.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except WargameError as error:
        print(f"wargame: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("wargame: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`wargame run ... | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
