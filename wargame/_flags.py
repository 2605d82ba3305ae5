"""What every command-line parser of the package shares: one-line errors with exit code 2, argument types,
the flags several sub-commands take (``--runs``, ``--seed``, ``--jobs``, ``--out``, ``--force``,
``--quiet``), declared here once so that each is validated and documented the same way everywhere, and how
a repeatable flag is declared."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from wargame._text import terminal_text

__all__ = [
    "EXIT_BAD_INPUT",
    "OneLineErrorParser",
    "add_force_flag",
    "add_jobs_flag",
    "add_out_flag",
    "add_quiet_flag",
    "add_repeatable_flag",
    "add_runs_flag",
    "add_seed_flag",
    "run_handler",
    "whole_number",
]

EXIT_BAD_INPUT = 2


class OneLineErrorParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (``wargame: error: ...``) and exit with code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"wargame: error: {message}\n")


def run_handler(args: argparse.Namespace, user_errors: tuple[type[Exception], ...]) -> int:
    """Run the parsed command's ``handler`` and return its exit code; an error of ``user_errors`` (the
    caller's ``WargameError``) is printed as one line (``wargame: error: ...``, any newline or other control
    character it echoes from a file escaped) and gives exit code 2."""
    try:
        return int(args.handler(args))
    except user_errors as error:
        print(f"wargame: error: {terminal_text(str(error), one_line=True)}", file=sys.stderr)
        return EXIT_BAD_INPUT


def whole_number(minimum: int) -> Callable[[str], int]:
    """Return an argparse ``type`` that reads a whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            bound = "be non-negative" if minimum == 0 else f"be at least {minimum}"
            raise argparse.ArgumentTypeError(f"must {bound}, got {value}")
        return value

    return parse


def _with_default(help: str, default: object) -> str:
    """``help`` followed by ``(default DEFAULT)``; unchanged when there is no default to show."""
    return help if default is None else f"{help} (default {default})"


def add_runs_flag(
    parser: argparse.ArgumentParser, *, default: int | None, minimum: int = 1, help: str = "number of runs"
) -> None:
    """Add ``--runs N`` (into ``args.runs``): a whole number of at least ``minimum``."""
    parser.add_argument(
        "--runs", type=whole_number(minimum), default=default, help=_with_default(help, default)
    )


def add_seed_flag(parser: argparse.ArgumentParser, *, default: int | None, help: str = "root seed") -> None:
    """Add ``--seed N`` (into ``args.seed``): a non-negative whole number."""
    parser.add_argument("--seed", type=whole_number(0), default=default, help=_with_default(help, default))


def add_jobs_flag(
    parser: argparse.ArgumentParser, *, default: int | None, help: str = "worker processes"
) -> None:
    """Add ``--jobs J`` (into ``args.jobs``): a whole number of worker processes, at least 1."""
    parser.add_argument("--jobs", type=whole_number(1), default=default, help=_with_default(help, default))


def add_out_flag(parser: argparse.ArgumentParser, *, help: str, required: bool = False) -> None:
    """Add ``--out PATH`` (into ``args.out``, a ``Path``; ``None`` when not given and not ``required``)."""
    parser.add_argument("--out", type=Path, required=required, default=None, help=help)


def add_force_flag(parser: argparse.ArgumentParser, *, help: str) -> None:
    """Add ``--force`` (into ``args.force``): replace what an earlier command wrote in ``--out``."""
    parser.add_argument("--force", action="store_true", help=help)


def add_quiet_flag(parser: argparse.ArgumentParser) -> None:
    """Add ``--quiet`` (into ``args.quiet``): the sub-command shows no progress bar."""
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def add_repeatable_flag(
    parser: argparse.ArgumentParser,
    flag: str,
    *,
    metavar: str,
    help: str,
    dest: str | None = None,
    type: Callable[[str], object] = str,
) -> None:
    """Add ``flag``, which may be given any number of times: its values (read by ``type``) are collected, in
    the order given, into a list (empty when the flag is not given) in ``args.<dest>``."""
    parser.add_argument(flag, dest=dest, action="append", type=type, default=[], metavar=metavar, help=help)
