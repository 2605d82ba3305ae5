"""Teaching figures go through matplotlib's object API and leave the caller's matplotlib state alone."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from wargame.teaching import get_model

CALLER = """
import matplotlib

matplotlib.use("svg")
matplotlib.rcParams["axes.grid"] = False
before = dict(matplotlib.rcParams)
import matplotlib.pyplot as plt

from pathlib import Path

from wargame.teaching import run_teaching_model

for name in ("richardson", "escalation"):
    run = run_teaching_model(name, plot_dir=Path(OUT))
    assert run.figures, name
changed = sorted(key for key, value in before.items() if matplotlib.rcParams[key] != value)
print(matplotlib.get_backend(), changed, plt.get_fignums())
"""


@pytest.mark.slow  # a fresh interpreter that imports matplotlib and draws every figure
def test_figures_keep_the_callers_backend_and_rcparams(tmp_path: Path) -> None:
    script = CALLER.replace("OUT", repr(str(tmp_path)))
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.strip() == "svg [] []"
    assert len(list(tmp_path.glob("*.png"))) == 4


def test_figures_are_figure_objects_not_pyplot_windows() -> None:
    import matplotlib.pyplot as plt

    model = get_model("escalation")
    results = {case: model.run(model.parameters(case)) for case in model.scenario.cases}
    drawn = model.figures(results)
    assert sorted(drawn) == ["escalation_map", "escalation_rungs"]
    assert all(isinstance(figure, Figure) for figure in drawn.values())
    assert plt.get_fignums() == []
