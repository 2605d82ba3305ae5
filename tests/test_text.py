"""English ordinals (1st, 2nd, 3rd, 11th, 22nd), as every layer writes them; text from files as a terminal
shows it."""

from __future__ import annotations

import pytest

from wargame._text import ordinal, terminal_text


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


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b]0;evil\x07", "\\x1b]0;evil\\x07"),  # a window title set, ended by a bell
        ("\x1b[2Jcleared", "\\x1b[2Jcleared"),
        ("over\rwritten\x08", "over\\x0dwritten\\x08"),
        ("\x00\x7f\x85\x9b", "\\x00\\x7f\\x85\\x9b"),  # NUL, DEL, C1 next line and CSI
        ("abc\u202edef\u2066", "abc\\u202edef\\u2066"),  # bidirectional override and isolate
    ],
)
def test_terminal_text_shows_control_characters_as_escapes(text: str, shown: str) -> None:
    assert terminal_text(text) == shown
    assert terminal_text(text, one_line=True) == shown


def test_terminal_text_keeps_ordinary_text_tabs_and_newlines() -> None:
    text = "Kaohsiung — 高雄\tÜnited \\x1b\nnext line ½ 🙂 \u200d"
    assert terminal_text(text) == text
    assert terminal_text(text, one_line=True) == text.replace("\n", "\\x0a")
