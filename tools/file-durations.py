"""Write tests/file_durations.json from the JUnit XML of a full run: seconds each test file took.

    .venv/bin/pytest -n auto --dist loadfile --junitxml=/tmp/suite.xml
    .venv/bin/python tools/file-durations.py /tmp/suite.xml

tests/conftest.py hands the test files to the workers longest first (only the order matters, so figures
from a loaded machine serve as well as quiet ones); rerun this when files are added or change much.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "file_durations.json"


def test_file(classname: str) -> str:
    """``tests.session.test_x`` or ``tests.test_y.TestClass`` as the path of its file."""
    parts = classname.split(".")
    for end in range(len(parts), 0, -1):
        path = "/".join(parts[:end]) + ".py"
        if (ROOT / path).is_file():
            return path
    raise SystemExit(f"file-durations: no test file for JUnit class {classname!r}")


def main(xml_path: str) -> None:
    seconds: defaultdict[str, float] = defaultdict(float)
    for case in ElementTree.parse(xml_path).iter("testcase"):
        seconds[test_file(case.get("classname", ""))] += float(case.get("time", "0"))
    ordered = {path: round(total, 1) for path, total in sorted(seconds.items())}
    OUT.write_text(json.dumps(ordered, indent=1) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(ordered)} files, {sum(ordered.values()):.0f} s in all")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python tools/file-durations.py JUNIT_XML")
    main(sys.argv[1])
