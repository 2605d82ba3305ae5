"""The README's quickstart shows what `make run` prints: a test runs the command and compares each line."""

import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN_PROMPT = "$ wargame run scenarios/taiwan_strait_baseline.yaml"


def readme_block(prompt: str) -> tuple[list[str], str]:
    """Return the arguments of the README command that starts with ``prompt`` (after ``wargame``) and the
    output shown under it."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index(prompt)
    block = readme[start : readme.index("```", start)]
    command, _, shown = block.partition("\n")
    return shlex.split(command)[2:], shown


@pytest.mark.slow
def test_the_quickstart_prints_what_the_readme_shows(cli, tmp_path):
    arguments, shown = readme_block(RUN_PROMPT)
    out_folder = arguments[arguments.index("--out") + 1]
    arguments[arguments.index("--out") + 1] = str(tmp_path / "baseline")
    arguments[1] = str(ROOT / arguments[1])  # the scenario, from the repository's root

    result = cli(*arguments)

    assert result.code == 0, result.err
    printed = result.out.replace(str(tmp_path / "baseline"), out_folder)
    assert printed.splitlines() == shown.rstrip("\n").splitlines()
