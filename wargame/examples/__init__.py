"""The example files shipped with the package: the reference scenario and its variants, the experiments,
and the teaching models' scenarios, to list and copy (``wargame examples``).

They are the repository's ``scenarios/`` and ``experiments/`` folders themselves, reached from this
package (``wargame/examples/scenarios`` and ``wargame/examples/experiments`` link to them), so the
README's commands and an installed wheel read one copy of each file, through :mod:`importlib.resources`.
"""

from wargame.examples._catalog import Example, copy_example, example_files, list_examples

__all__ = ["Example", "copy_example", "example_files", "list_examples"]
