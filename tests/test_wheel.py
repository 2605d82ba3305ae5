"""The built wheel carries everything the package reads at run time.

The wheel is built from a copy of the checkout, installed (without dependencies) in a new virtual
environment outside the repository, and run from an empty folder: ``wargame teach`` reads its teaching
scenario and ``wargame examples copy`` its example files from the installed package only. The new
environment borrows the dependencies of the interpreter running the tests (on ``PYTHONPATH``, whose
``.pth`` files, such as an editable install of this checkout, Python does not process), so that it
installs in seconds; ``wargame`` itself can only come from the wheel, and the test checks that it does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns(".git", ".venv", "results", "build", "*.egg-info", "__pycache__", ".*_cache")

pytestmark = pytest.mark.slow


def run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{command}: {result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The ``bin`` folder of a new environment with the wheel installed, and the environment to run in."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=SKIP)
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist"), str(source)],
        base,
        env,
    )
    (wheel,) = (base / "dist").glob("wargame-*.whl")
    venv.create(base / "venv", with_pip=False)
    bin_dir = base / "venv" / "bin"
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(bin_dir / "python"),
            "install",
            "-q",
            "--no-deps",
            str(wheel),
        ],
        base,
        env,
    )
    env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]  # the dependencies, not their .pth files
    env["MPLBACKEND"] = "Agg"
    return bin_dir, env


def test_the_package_comes_from_the_wheel(installed, tmp_path: Path) -> None:
    bin_dir, env = installed
    where = run(
        [str(bin_dir / "python"), "-c", "import wargame.examples; print(wargame.examples.__file__)"],
        tmp_path,
        env,
    )
    assert Path(where.strip()).is_relative_to(bin_dir.parent)


def test_teach_reads_its_scenario_from_the_installed_package(installed, tmp_path: Path) -> None:
    bin_dir, env = installed
    assert "Richardson arms race" in run([str(bin_dir / "wargame"), "teach", "richardson"], tmp_path, env)


def test_an_example_copied_from_the_wheel_validates_and_runs(installed, tmp_path: Path) -> None:
    bin_dir, env = installed
    wargame = str(bin_dir / "wargame")
    run([wargame, "examples", "copy", "high_gray_zone", "."], tmp_path, env)
    scenario = "scenarios/high_gray_zone.yaml"
    assert "ok" in run([wargame, "validate", scenario], tmp_path, env)
    printed = run([wargame, "run", scenario, "--runs", "20", "--quiet", "--out", "out"], tmp_path, env)
    assert "20 runs" in printed and (tmp_path / "out" / "runs.parquet").is_file()
