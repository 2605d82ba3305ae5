"""Hostile and realistic bad daily-count CSV files given to ``wargame calibrate``, under the harness's limits.

Each case writes its data file into the test's folder and runs the real command against a copy of the
reference scenario with a root aircraft activity; the ``--out`` folder must never be created. The cheaper
cases of the reader (dates out of order, a ragged row, an unclosed quote...) run in-process in
``tests/test_calibration_data.py``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_harness import REFERENCE, Hostile, assert_refused

MIB = 1024 * 1024


def theatre(folder: Path) -> Path:
    """The reference scenario beside an overlay that adds a root activity ``aircraft``."""
    shutil.copyfile(REFERENCE, folder / "base.yaml")
    scenario = folder / "scenario.yaml"
    scenario.write_text(
        "extends: base.yaml\ngray_zone:\n  activities:\n"
        "    - {id: aircraft, name: Aircraft, domain: air, base_rate_per_day: 10.0}\n",
        encoding="utf-8",
    )
    return scenario


@dataclass(frozen=True)
class Case:
    """``build(folder)`` writes the bad data file and returns it and the fragments the error must hold."""

    name: str
    build: Callable[[Path], tuple[Path, list[str]]]


def _text(name: str, text: str, *fragments: str) -> Case:
    def build(folder: Path) -> tuple[Path, list[str]]:
        path = folder / "counts.csv"
        path.write_text(text, encoding="utf-8", newline="")
        return path, [fragment.format(path=path) for fragment in fragments]

    return Case(name, build)


def _bytes(name: str, data: bytes, *fragments: str) -> Case:
    def build(folder: Path) -> tuple[Path, list[str]]:
        path = folder / "counts.csv"
        path.write_bytes(data)
        return path, [fragment.format(path=path) for fragment in fragments]

    return Case(name, build)


def _fifo(folder: Path) -> tuple[Path, list[str]]:
    path = folder / "counts.csv"
    os.mkfifo(path)  # nobody ever writes to it: opening it for reading must not wait
    return path, [f"{path}:", "a FIFO (named pipe), not a regular file"]


def _device(folder: Path) -> tuple[Path, list[str]]:
    return Path("/dev/zero"), ["/dev/zero:", "a character device, not a regular file"]


def _symlink_loop(folder: Path) -> tuple[Path, list[str]]:
    path = folder / "counts.csv"
    os.symlink(path, path)
    return path, [f"{path}:", "loop of symbolic links"]


def _huge(folder: Path) -> tuple[Path, list[str]]:
    path = folder / "counts.csv"
    with path.open("wb") as handle:
        handle.write(b"date,aircraft\n")
        handle.seek(9 * MIB)
        handle.write(b"\n")
    return path, [f"{path}:", "over the limit of 8,388,608"]


def _many_blank_lines(folder: Path) -> tuple[Path, list[str]]:
    path = folder / "counts.csv"
    path.write_bytes(b"date,aircraft\n" + b"\n" * (8 * MIB - 100))
    return path, [f"{path}:37601", "more than the 37,600"]


CASES = [
    _text(
        "bad date", "date,aircraft\n2024-01-01,3\n2024-02-30,4\n", "{path}:3", "date", "not a calendar date"
    ),
    _text("negative count", "date,aircraft\n2024-01-01,-3\n", "{path}:2", "aircraft", "negative count -3"),
    _text("non-numeric count", "date,aircraft\n2024-01-01,lots\n", "{path}:2", "aircraft", "not a number"),
    _text("duplicate date", "date,aircraft\n2024-01-01,1\n2024-01-01,2\n", "{path}:3", "first on line 2"),
    _text("no rows", "date,aircraft\n", "{path}:1", "no data rows"),
    _text("wrong columns", "day,count\n2024-01-01,1\n", "{path}:1", "header", "expected the columns"),
    _text(
        "terminal escapes in the header", "date,\x1b[2J\x1b[31maircraft\n2024-01-01,1\n", "{path}:1", "\\x1b"
    ),
    _text(
        "ten-thousand-year span", "date,aircraft\n0001-01-01,1\n9999-12-31,1\n", "{path}:3", "span more than"
    ),
    _bytes("not UTF-8", b"date,aircraft\n2024-01-01,1\n2024-01-02,\xff\xfe\n", "{path}:3", "not a UTF-8"),
    _bytes("NUL bytes", b"date,aircraft\n2024-01-01,\x00\x00\n", "{path}:2", "not a number"),
    _bytes("one 8 MiB line", b"date,aircraft\n2024-01-01," + b"9" * (8 * MIB - 100), "{path}:2"),
    Case("larger than the limit", _huge),
    Case("eight million blank lines", _many_blank_lines),
    Case("a FIFO", _fifo),
    Case("a device", _device),
    Case("a symlink loop", _symlink_loop),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_a_bad_data_file_is_refused(hostile: Hostile, tmp_path: Path, case: Case) -> None:
    scenario = theatre(tmp_path)
    data, fragments = case.build(tmp_path)
    out = tmp_path / "out"
    result = hostile.run("calibrate", scenario, "--data", data, "--activity", "aircraft", "--out", out)
    assert_refused(result, *fragments, unchanged=[out])
