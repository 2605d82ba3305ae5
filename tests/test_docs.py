"""The reference docs are generated from the code; these tests fail when they drift apart."""

import ast
import importlib
import tomllib
from pathlib import Path

import pytest

from wargame.scenario.reference import scenario_reference

ROOT = Path(__file__).resolve().parent.parent


def test_scenario_reference_page_matches_the_schema() -> None:
    page = (ROOT / "docs" / "scenario-reference.md").read_text()
    generated = scenario_reference()
    assert page.endswith(generated), "regenerate it: python -m wargame.scenario.reference"


def test_every_schema_field_is_described() -> None:
    undocumented = [line for line in scenario_reference().splitlines() if line.endswith("|  |")]
    assert undocumented == []


def test_readme_field_reference_matches_the_schema() -> None:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- scenario-reference:start -->") + len("<!-- scenario-reference:start -->")
    section = readme[start : readme.index("<!-- scenario-reference:end -->")]
    assert section.strip() == scenario_reference().replace("### `", "#### `").strip()


LAZY_PACKAGES = sorted(
    ".".join(path.relative_to(ROOT).parent.parts)
    for path in (ROOT / "wargame").rglob("__init__.py")
    if "lazy_exports(__name__, __file__)" in path.read_text()
)


def test_the_lazy_packages_include_the_facade_and_the_heavy_sub_packages() -> None:
    assert {"wargame", "wargame.experiments", "wargame.session", "wargame.web"} <= set(LAZY_PACKAGES)


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_exported_name_is_the_object_its_typed_import_names(package: str) -> None:
    """The ``if TYPE_CHECKING:`` imports are the one list: each resolves, lazily, to what it imports (a
    ``from M import *``: to every name of ``M.__all__``)."""
    module = importlib.import_module(package)
    tree = ast.parse(Path(module.__file__).read_text())
    imported = {}
    for block in tree.body:
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING":
            for node in block.body:
                for alias in node.names:
                    if alias.name == "*":
                        imported |= {
                            name: (node.module, name) for name in importlib.import_module(node.module).__all__
                        }
                    else:
                        imported[alias.asname or alias.name] = (node.module, alias.name)
    assert sorted(module.__all__) == sorted(imported) and imported
    for name, (home, original) in imported.items():
        assert getattr(module, name) is getattr(importlib.import_module(home), original), name
        assert name in dir(module)
    assert not {"_HOME", "_HOMES"} & set(vars(module)), "a second list of the names"


def test_a_name_exported_twice_or_not_by_a_from_import_is_refused(tmp_path: Path) -> None:
    from wargame._lazy import lazy_exports

    twice = tmp_path / "twice.py"
    twice.write_text("if TYPE_CHECKING:\n    from a import x\n    from b import x\n")
    with pytest.raises(TypeError, match="'x' is exported twice"):
        lazy_exports("pkg", str(twice))
    plain = tmp_path / "plain.py"
    plain.write_text("if TYPE_CHECKING:\n    import a\n")
    with pytest.raises(TypeError, match=r"plain\.py:2"):
        lazy_exports("pkg", str(plain))


def test_a_star_import_exports_the_names_of_the_modules_literal_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wargame._lazy import lazy_exports

    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "listed.py").write_text('__all__ = ["a", "b"]\na = b = c = 1\n')
    (tmp_path / "unlisted.py").write_text("a = 1\n")
    star = tmp_path / "star.py"
    star.write_text("if TYPE_CHECKING:\n    from listed import *\n")
    assert lazy_exports("pkg", str(star))[2] == ["a", "b"]
    star.write_text("if TYPE_CHECKING:\n    from unlisted import *\n")
    with pytest.raises(TypeError, match=r"star\.py:2: .*needs a literal __all__ in unlisted"):
        lazy_exports("pkg", str(star))


def test_an_unknown_name_is_an_attribute_error() -> None:
    import wargame

    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = wargame.no_such_name


def test_architecture_page_shows_the_layer_contracts_that_lint_enforces() -> None:
    enforced = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    page = (ROOT / "docs" / "architecture.md").read_text()
    shown = page[page.index("```toml\n[tool.importlinter]") + len("```toml\n") :].split("\n```", 1)[0]
    assert tomllib.loads(shown)["tool"]["importlinter"] == enforced
