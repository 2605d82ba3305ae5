"""Experiment files for tests that sweep or refuse them: the test's text written as it is, so the line numbers
in the errors a test expects are the lines of that text."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_experiment_file"]


def write_experiment_file(folder: Path, text: str) -> Path:
    """Write ``text`` as UTF-8 to ``folder / "experiment.yaml"`` and return the path."""
    path = folder / "experiment.yaml"
    path.write_text(text, encoding="utf-8")
    return path
