"""Lazy package exports (PEP 562): a package lists where each public name lives and imports it on first use.

Packages whose modules pull in heavy libraries (pandas, SciPy, SALib, Dask) use this so that
``wargame --help`` and unrelated sub-commands do not pay for them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``__getattr__`` and ``__dir__`` for ``package`` whose public names live in ``homes``.

    Args:
        package: The package's ``__name__``.
        homes: Public name -> module that defines it (absolute, or relative like ``"._api"``).
    """

    def get_attribute(name: str) -> Any:
        if name in homes:
            return getattr(importlib.import_module(homes[name], package), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def list_names() -> list[str]:
        return sorted(set(homes) | set(importlib.import_module(package).__dict__))

    return get_attribute, list_names
