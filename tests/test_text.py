"""English ordinals (1st, 2nd, 3rd, 11th, 22nd), as every layer writes them."""

from __future__ import annotations

import pytest

from wargame._text import ordinal


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (0, "0th"),
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (10, "10th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (14, "14th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (61, "61st"),
        (100, "100th"),
        (101, "101st"),
        (102, "102nd"),
        (103, "103rd"),
        (111, "111th"),
        (112, "112th"),
        (113, "113th"),
        (121, "121st"),
    ],
)
def test_ordinal_gives_the_english_suffix(number: int, expected: str) -> None:
    assert ordinal(number) == expected
