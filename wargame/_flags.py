"""What every command-line parser of the package shares: one-line errors with exit code 2, argument types."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn

__all__ = ["EXIT_BAD_INPUT", "OneLineErrorParser", "add_quiet_flag", "run_handler", "whole_number"]

EXIT_BAD_INPUT = 2


class OneLineErrorParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (``wargame: error: ...``) and exit with code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"wargame: error: {message}\n")


def run_handler(args: argparse.Namespace, user_errors: tuple[type[Exception], ...]) -> int:
    """Run the parsed command's ``handler`` and return its exit code; an error of ``user_errors`` (the
    caller's ``WargameError``) is printed as one line (``wargame: error: ...``) and gives exit code 2."""
    try:
        return int(args.handler(args))
    except user_errors as error:
        print(f"wargame: error: {error}", file=sys.stderr)
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


def add_quiet_flag(parser: argparse.ArgumentParser) -> None:
    """Add ``--quiet`` (into ``args.quiet``): the sub-command shows no progress bar."""
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
