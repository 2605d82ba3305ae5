"""Regenerate every lesson's figures and printed output: ``python -m wargame.teaching.lessons docs/lessons``.

For each model this runs ``wargame teach NAME`` with the scenario's defaults and seed, writes the
figures into ``DIR/figures/`` and replaces the text between ``<!-- output:start -->`` and
``<!-- output:end -->`` in ``DIR/NAME.md`` with the real printed output, so pages never drift from
the code.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from wargame.teaching._registry import model_names
from wargame.teaching._session import run_teaching_model

__all__ = ["main", "regenerate_lessons"]

_OUTPUT_BLOCK = re.compile(r"(<!-- output:start -->\n).*?(<!-- output:end -->)", re.DOTALL)


def _replacement(block: str) -> Callable[[re.Match[str]], str]:
    """Put ``block`` between the markers of an output block."""

    def replace(match: re.Match[str]) -> str:
        return match.group(1) + block + match.group(2)

    return replace


def regenerate_lessons(lesson_dir: Path) -> list[Path]:
    """Write every figure and refresh every page's output block; return the files written."""
    written: list[Path] = []
    for name in model_names():
        run = run_teaching_model(name, plot_dir=lesson_dir / "figures")
        written.extend(run.figures)
        page = lesson_dir / f"{name}.md"
        if page.exists():
            text = page.read_text(encoding="utf-8")
            block = f"```console\n$ wargame teach {name}\n{run.text}\n```\n"
            updated, count = _OUTPUT_BLOCK.subn(_replacement(block), text)
            if count and updated != text:
                page.write_text(updated, encoding="utf-8")
                written.append(page)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: one argument, the lesson directory."""
    arguments = sys.argv[1:] if argv is None else argv
    lesson_dir = Path(arguments[0]) if arguments else Path("docs/lessons")
    for path in regenerate_lessons(lesson_dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
