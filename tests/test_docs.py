"""The reference docs are generated from the code; these tests fail when they drift apart."""

import tomllib
from pathlib import Path

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


def test_the_public_api_lists_every_lazily_imported_name() -> None:
    import wargame

    for name in wargame.__all__:
        assert getattr(wargame, name) is not None, name
    assert sorted(wargame._HOME) == sorted(name for name in wargame.__all__ if name != "__version__")


def test_architecture_page_shows_the_layer_contracts_that_lint_enforces() -> None:
    enforced = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    page = (ROOT / "docs" / "architecture.md").read_text()
    shown = page[page.index("```toml\n[tool.importlinter]") + len("```toml\n") :].split("\n```", 1)[0]
    assert tomllib.loads(shown)["tool"]["importlinter"] == enforced
