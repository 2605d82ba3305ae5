"""Argument types shared by the sub-commands' parsers."""

from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ["whole_number"]


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
