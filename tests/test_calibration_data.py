"""The daily count reader: the shipped data, missing days, and one located error per bad file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wargame.calibration import MAX_FILE_BYTES, MAX_SPAN_DAYS, read_daily_counts
from wargame.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "pla_aircraft_daily_2021_2024.csv"


def test_the_shipped_series_has_every_day_and_the_readme_totals() -> None:
    series = read_daily_counts(SHIPPED, "pla_aircraft")
    assert (series.start, series.end, series.days) == (dt.date(2021, 1, 1), dt.date(2024, 12, 31), 1461)
    years = series.dates().astype("datetime64[Y]").astype(int) + 1970
    # Totals and reported days as data/README.md states them.
    expected = {2021: (939, 233), 2022: (3275, 277), 2023: (4568, 336), 2024: (4844, 361)}
    for year, (total, reported) in expected.items():
        counts = series.counts[years == year]
        assert np.nansum(counts) == total
        assert np.count_nonzero(~np.isnan(counts)) == reported


def test_empty_cells_and_absent_dates_are_missing_not_zero(tmp_path: Path) -> None:
    path = tmp_path / "counts.csv"
    path.write_text("date,sorties\n2024-01-01,3\n2024-01-02,\n2024-01-03,0\n2024-01-06,7\n")
    series = read_daily_counts(path, "sorties")
    np.testing.assert_array_equal(series.counts, [3, np.nan, 0, np.nan, np.nan, 7])
    assert series.observed_days == 3


def test_columns_may_come_in_either_order_with_a_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "counts.csv"
    path.write_bytes("\ufeffsorties,date\r\n4,2024-03-01\r\n5.0,2024-03-02\r\n".encode())
    series = read_daily_counts(path, "sorties")
    assert series.start == dt.date(2024, 3, 1)
    np.testing.assert_array_equal(series.counts, [4, 5])


def test_a_window_keeps_the_days_inside_it() -> None:
    series = read_daily_counts(SHIPPED, "pla_aircraft")
    window = series.window(dt.date(2023, 1, 1), dt.date(2024, 12, 31))
    assert (window.start, window.days) == (dt.date(2023, 1, 1), 731)
    assert np.nansum(window.counts) == 4568 + 4844


@pytest.mark.parametrize(
    ("first", "last", "flag"),
    [
        (dt.date(2024, 2, 1), dt.date(2024, 1, 1), "--from"),
        (dt.date(2030, 1, 1), dt.date(2030, 2, 1), "--from"),
        (dt.date(1990, 1, 1), dt.date(1990, 2, 1), "--to"),
    ],
)
def test_a_bad_window_names_its_flag(first: dt.date, last: dt.date, flag: str) -> None:
    series = read_daily_counts(SHIPPED, "pla_aircraft")
    with pytest.raises(InputError) as caught:
        series.window(first, last)
    assert caught.value.source == flag


# (file content, line the error names, column the error names, words of the message)
BAD_FILES = {
    "bad date": ("date,n\n2024-01-01,1\n2024-13-01,2\n", 3, "date", "not a calendar date"),
    "date not iso": ("date,n\n01/02/2024,1\n", 2, "date", "not YYYY-MM-DD"),
    "negative count": ("date,n\n2024-01-01,1\n2024-01-02,-3\n", 3, "n", "negative count"),
    "non-numeric count": ("date,n\n2024-01-01,many\n", 2, "n", "not a number"),
    "non-integer count": ("date,n\n2024-01-01,2.5\n", 2, "n", "not a whole number"),
    "nan count": ("date,n\n2024-01-01,nan\n", 2, "n", "not a number"),
    "underscore count": ("date,n\n2024-01-01,1_000\n", 2, "n", "not a number"),
    "huge count": ("date,n\n2024-01-01,1e300\n", 2, "n", "larger than"),
    "duplicate date": ("date,n\n2024-01-01,1\n2024-01-02,2\n2024-01-01,3\n", 4, "date", "first on line 2"),
    "out of order": ("date,n\n2024-01-02,1\n2024-01-01,2\n", 3, "date", "sort the rows"),
    "no rows": ("date,n\n", 1, None, "no data rows"),
    "too many lines": ("date,n\n" + "\n" * 40_000, 37_601, None, "more than the 37,600"),
    "empty file": ("", 1, None, "empty file"),
    "wrong columns": ("day,n\n2024-01-01,1\n", 1, "header", "expected the columns date,n"),
    "extra column": ("date,n,note\n2024-01-01,1,x\n", 1, "header", "expected the columns date,n"),
    "missing column": ("date\n2024-01-01\n", 1, "header", "expected the columns date,n"),
    "short row": ("date,n\n2024-01-01\n", 2, None, "expected 2 fields, got 1"),
    "long row": ("date,n\n2024-01-01,1,2\n", 2, None, "expected 2 fields, got 3"),
    "nul byte": ("date,n\n2024-01-01,1\x00\n", 2, "n", "not a number"),
    "control characters in the header": ("date,\x1b[31mn\n2024-01-01,1\n", 1, "header", "'\\x1b[31mn'"),
    "unclosed quote": ('date,n\n2024-01-01,"1\n', 2, None, "malformed CSV"),
    "span too long": (
        f"date,n\n0001-01-01,1\n{dt.date(1, 1, 1) + dt.timedelta(MAX_SPAN_DAYS)},1\n",
        3,
        "date",
        "span",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_one_located_error(tmp_path: Path, case: str) -> None:
    text, line, column, words = BAD_FILES[case]
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8", newline="")
    with pytest.raises(InputError) as caught:
        read_daily_counts(path, "n")
    error = caught.value
    assert error.source == f"{path}:{line}"
    assert error.field == column
    assert words in error.message
    assert "\n" not in str(error)


def test_a_file_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("date,n\n2024-01-01,1\n2024-01-02,\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not a UTF-8 text file") as caught:
        read_daily_counts(path, "n")
    assert caught.value.source == f"{path}:3"


def test_a_file_over_the_size_limit_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w") as handle:
        handle.write("date,n\n")
        handle.write("x" * (MAX_FILE_BYTES + 10))
    with pytest.raises(InputError, match="over the limit of 8,388,608"):
        read_daily_counts(path, "n")


@pytest.mark.parametrize("make", ["missing", "folder"])
def test_a_path_that_is_not_a_readable_file(tmp_path: Path, make: str) -> None:
    path = tmp_path / "data.csv"
    if make == "folder":
        path.mkdir()
    with pytest.raises(InputError) as caught:
        read_daily_counts(path, "n")
    assert caught.value.source == str(path)


@settings(max_examples=40, deadline=None)
@given(
    start=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 1, 1)),
    counts=st.lists(st.one_of(st.none(), st.integers(0, 10_000)), min_size=1, max_size=60),
)
def test_any_written_series_reads_back_the_same(start: dt.date, counts: list[int | None]) -> None:
    import tempfile

    lines = ["date,count"]
    for offset, count in enumerate(counts):
        lines.append(f"{start + dt.timedelta(days=offset)},{'' if count is None else count}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "series.csv"
        path.write_text("\n".join(lines) + "\n")
        series = read_daily_counts(path, "count")
    assert series.start == start
    expected = np.array([np.nan if count is None else count for count in counts], dtype=float)
    np.testing.assert_array_equal(series.counts, expected)
