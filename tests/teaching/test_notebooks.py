"""Every lesson notebook runs top to bottom in a fresh kernel, shows its figures and asks its exercises.

The notebooks are kept as text (jupytext's percent format) in ``docs/lessons/notebooks/NAME.py``; each
runs here the way a class would run it, in a new Python kernel (nbclient), with small replication counts.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

from wargame.teaching import get_model, model_names

NOTEBOOKS = Path(__file__).resolve().parents[2] / "docs" / "lessons" / "notebooks"
#: The figures each model draws (one more for Lanchester: the notebook redraws Iwo Jima after a change).
FIGURES = {
    "richardson": 2,
    "lanchester": 3,
    "bargaining": 2,
    "deterrence_game": 2,
    "escalation": 2,
    "grayzone": 1,
}


def test_there_is_one_notebook_per_lesson() -> None:
    assert sorted(path.stem for path in NOTEBOOKS.glob("*.py")) == sorted(model_names())


@pytest.mark.slow  # a new kernel per notebook
@pytest.mark.parametrize("name", model_names())
def test_notebook_runs_the_model_shows_its_figures_and_asks_the_exercises(name: str, tmp_path: Path) -> None:
    notebook = jupytext.read(NOTEBOOKS / f"{name}.py")
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "%matplotlib inline" in code.splitlines()
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    printed = "".join(output.get("text", "") for output in outputs if output.output_type == "stream")
    images = [output for output in outputs if "image/png" in output.get("data", {})]
    model = get_model(name)
    assert printed.startswith(model.title)
    assert "* = scenario case with your changes:" in printed
    assert len(images) >= FIGURES[name]
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "## Exercises" in markdown
    assert f"({name}.md)" in markdown or f"(../{name}.md)" in markdown
    assert list(tmp_path.iterdir()) == []
