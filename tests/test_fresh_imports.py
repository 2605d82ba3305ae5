"""Every sub-package imports on its own, in a fresh interpreter.

Inside one pytest process the first test imports nearly everything, which hides import cycles that a user
meets when their first line is, say, ``from wargame.policies import Policy``. Each case here starts a new
interpreter, imports one package and then every name of its ``__all__`` (which also loads what its lazy
exports point at).
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import wargame


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


@pytest.mark.slow  # a fresh interpreter per package (the policy interface below stays in test-fast)
@pytest.mark.parametrize("package", _packages_and_top_modules())
def test_imports_alone_in_a_fresh_interpreter(package: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERY_PUBLIC_NAME, package],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_policy_interface_imports_first() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from wargame.policies import Policy; print(Policy.__name__)"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "Policy"), result.stderr[-2000:]
