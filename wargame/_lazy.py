"""Lazy package exports (PEP 562), one list of names per package.

A package's public names are the imports of its ``if TYPE_CHECKING:`` block: type checkers and editors
read them as ordinary imports, and :func:`lazy_exports` reads the same block (with :mod:`ast`, once, when
the package is imported) to build the package's ``__all__``, a ``__getattr__`` that imports each name's
module on first use, and a ``__dir__``::

    from typing import TYPE_CHECKING

    from wargame._lazy import lazy_exports

    if TYPE_CHECKING:
        from wargame.runner._runs import run, simulate_runs

    __getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)

``from M import *`` there exports the names of ``M.__all__`` (read from M's source, so M is still
imported only on first use): a package that exports what one of its modules lists keeps that one list.
Public functions and classes defined in the ``__init__.py`` itself are exported too. Packages whose
modules pull in heavy libraries (pandas, SciPy, SALib, Dask, FastAPI) use this so that ``wargame --help``
and unrelated sub-commands do not pay for them.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, init_file: str
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """Return ``__getattr__``, ``__dir__`` and ``__all__`` of ``package``, read from its ``__init__.py``.

    Args:
        package: The package's ``__name__``.
        init_file: The package's ``__file__`` (its ``__init__.py``).
    """
    homes, defined = _read_exports(Path(init_file), package)
    names = sorted(homes.keys() | defined)

    def get_attribute(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, original = homes[name]
        value = getattr(importlib.import_module(module), original)
        setattr(sys.modules[package], name, value)  # later look-ups skip __getattr__
        return value

    def list_names() -> list[str]:
        return sorted(set(names) | set(vars(sys.modules[package])))

    return get_attribute, list_names, names


def _read_exports(init_file: Path, package: str) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """Exported name -> (absolute module, name there) of each import under ``if TYPE_CHECKING:``, and the
    public functions and classes defined at the top level."""
    tree = ast.parse(init_file.read_text(encoding="utf-8"), str(init_file))
    homes: dict[str, tuple[str, str]] = {}
    defined: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.body:
                if not isinstance(statement, ast.ImportFrom) or statement.module is None:
                    raise TypeError(f"{init_file}:{statement.lineno}: export with 'from M import a, b' only")
                module = statement.module
                if statement.level:
                    module = importlib.util.resolve_name("." * statement.level + module, package)
                names = [(alias.asname or alias.name, alias.name) for alias in statement.names]
                if names == [("*", "*")]:
                    names = [(name, name) for name in _module_all(module, init_file, statement.lineno)]
                for name, original in names:
                    if name in homes:
                        raise TypeError(f"{init_file}:{statement.lineno}: {name!r} is exported twice")
                    homes[name] = (module, original)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
            defined.add(node.name)
    return homes, defined


def _module_all(module: str, init_file: Path, line: int) -> list[str]:
    """The names of ``module``'s ``__all__`` (a literal list at its top level), read without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise TypeError(f"{init_file}:{line}: cannot find module {module!r}")
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"), spec.origin)
    for node in tree.body:
        if isinstance(node, ast.Assign) and [ast.unparse(target) for target in node.targets] == ["__all__"]:
            return list(ast.literal_eval(node.value))
    raise TypeError(f"{init_file}:{line}: 'from {module} import *' needs a literal __all__ in {module}")


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )
