"""Every sub-package imports on its own, in a fresh interpreter.

Inside one pytest process the first test imports nearly everything, which hides import cycles that a user
meets when their first line is, say, ``from wargame.policies import Policy``. Each case here imports one
package, then every name of its ``__all__`` (which also loads what its lazy exports point at), in an
interpreter that has imported no module of wargame: a child forked from one that imported only the
third-party packages wargame's modules import, each as ``import package`` alone would (so a child holds no
submodule that a new interpreter would lack). One case starts a new interpreter from scratch.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from forked_cli import Launcher

import wargame

ROOT = Path(__file__).resolve().parent.parent

# The third-party packages imported at the top of wargame's modules (the ones imported inside functions,
# such as sklearn and SALib, are left to the children), and a check that none of them imported wargame.
_THIRD_PARTY_ONLY = """
import fastapi, jinja2, matplotlib, mesa, numpy, pandas, pyarrow, pydantic, scipy, simpy, starlette, tqdm
import uvicorn, yaml
import sys
assert not [name for name in sys.modules if name.split(".")[0] == "wargame"]
"""


def _packages_and_top_modules() -> list[str]:
    names = ["wargame"]
    for module in pkgutil.walk_packages(wargame.__path__, "wargame."):
        if module.ispkg or module.name.count(".") == 1:
            names.append(module.name)
    return sorted(names)


_IMPORT_EVERY_PUBLIC_NAME = """
import importlib, sys
package = importlib.import_module(sys.argv[1])
for name in getattr(package, "__all__", []):
    getattr(package, name)
"""


def test_the_packages_under_test_include_every_layer() -> None:
    names = _packages_and_top_modules()
    for expected in ("wargame.core", "wargame.policies", "wargame.model", "wargame.cli", "wargame.web"):
        assert expected in names


@pytest.fixture(scope="module")
def without_wargame() -> Iterator[Launcher]:
    """Forks children from an interpreter that imported wargame's third-party packages and no wargame."""
    started = Launcher(preload=_THIRD_PARTY_ONLY).start()
    yield started
    started.close()


@pytest.mark.slow  # an interpreter per package (the policy interface below stays in test-fast)
@pytest.mark.parametrize("package", _packages_and_top_modules())
def test_imports_alone_in_a_fresh_interpreter(package: str, without_wargame: Launcher) -> None:
    result = without_wargame.run("-c", _IMPORT_EVERY_PUBLIC_NAME, [package], cwd=ROOT, wall_seconds=120)
    assert (result.code, result.killed_by) == (0, None), result.stderr.decode()[-2000:]


def test_the_policy_interface_imports_first() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from wargame.policies import Policy; print(Policy.__name__)"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "Policy"), result.stderr[-2000:]
