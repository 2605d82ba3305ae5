"""Daily count series: the strict reader of ``date,<count>`` CSV files and the series it returns.

The file is opened without blocking and must be a regular file (not a FIFO, a device or a folder) of at
most :data:`MAX_FILE_BYTES`, in UTF-8. It has a header naming two columns, ``date`` and the count column,
then one line per day: an ISO date (``YYYY-MM-DD``) and a whole, non-negative count. An empty count cell is a
missing day (no report), never zero; days absent from the file between its first and last date are missing
too. The first problem found stops the read with an :class:`~wargame.errors.InputError` naming the file,
the line and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wargame.errors import InputError
from wargame.scenario.yaml_reader import read_text_file

__all__ = ["MAX_FILE_BYTES", "MAX_SPAN_DAYS", "DailySeries", "read_daily_counts"]

MAX_FILE_BYTES = 8 * 1024 * 1024
"""Largest data file read (8 MiB; a century of daily rows takes under 1 MiB)."""
MAX_SPAN_DAYS = 36_600
"""Most days between a file's first and last date (100 years)."""
MAX_COUNT = 1_000_000_000
"""Largest count accepted on one day."""
MAX_LINES = MAX_SPAN_DAYS + 1_000
"""Most lines in a file (one a day over the longest span, a header and some blank lines)."""

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class DailySeries:
    """Counts of consecutive days; ``NaN`` marks a missing day.

    Attributes:
        start: Date of ``counts[0]``.
        counts: One count per day from ``start`` on (float, ``NaN`` where missing).
        source: The file the counts came from.
        column: The count column's name.
        sha256: SHA-256 of the file's bytes (empty when the series was not read from a file).
    """

    start: dt.date
    counts: np.ndarray
    source: str
    column: str
    sha256: str = ""

    @property
    def days(self) -> int:
        return int(self.counts.shape[0])

    @property
    def end(self) -> dt.date:
        """Date of the last day."""
        return self.start + dt.timedelta(days=self.days - 1)

    @property
    def observed(self) -> np.ndarray:
        """Boolean mask of the days with a count."""
        return ~np.isnan(self.counts)

    @property
    def observed_days(self) -> int:
        return int(np.count_nonzero(self.observed))

    def dates(self) -> np.ndarray:
        """The days' dates as ``datetime64[D]``."""
        return np.datetime64(self.start, "D") + np.arange(self.days)

    def window(self, first: dt.date | None = None, last: dt.date | None = None) -> DailySeries:
        """Return the days from ``first`` to ``last`` (both included; default the series' own ends).

        Raises:
            InputError: A window that does not overlap the series, or ``first`` after ``last``.
        """
        first = self.start if first is None else first
        last = self.end if last is None else last
        if first > self.end:
            raise InputError(f"the window starts ({first}) after the data end ({self.end})", source="--from")
        if last < self.start:
            raise InputError(f"the window ends ({last}) before the data start ({self.start})", source="--to")
        if first > last:
            raise InputError(f"the window starts ({first}) after it ends ({last})", source="--from")
        begin = max((first - self.start).days, 0)
        stop = min((last - self.start).days + 1, self.days)
        return DailySeries(
            self.start + dt.timedelta(days=begin),
            self.counts[begin:stop].copy(),
            self.source,
            self.column,
            self.sha256,
        )


def _decode(path: Path) -> tuple[str, str]:
    """Return the file's text and the SHA-256 of its bytes (a regular file, UTF-8, within the limit)."""
    text = read_text_file(path, limit=MAX_FILE_BYTES)
    return text.removeprefix("\ufeff"), hashlib.sha256(text.encode("utf-8")).hexdigest()


def _count(text: str, where: str, column: str) -> float:
    """Parse one count cell: empty is missing (``NaN``), otherwise a whole non-negative number."""
    text = text.strip()
    if not text:
        return math.nan
    if not _NUMBER.fullmatch(text):
        raise InputError(
            f"count {text[:40]!r} is not a number (leave the cell empty for a missing day)",
            source=where,
            field=column,
        )
    value = float(text)
    if value < 0:
        raise InputError(f"negative count {text}", source=where, field=column)
    if not value.is_integer():
        raise InputError(f"count {text} is not a whole number", source=where, field=column)
    if value > MAX_COUNT:
        raise InputError(f"count {text} is larger than {MAX_COUNT:,}", source=where, field=column)
    return value


def _date(text: str, where: str) -> dt.date:
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        raise InputError(f"date {text[:40]!r} is not YYYY-MM-DD", source=where, field="date")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text} is not a calendar date", source=where, field="date") from None


def read_daily_counts(path: str | Path, column: str) -> DailySeries:
    """Read a daily count series from a CSV file with columns ``date`` and ``column``.

    Args:
        path: The CSV file (UTF-8, at most :data:`MAX_FILE_BYTES`).
        column: Name of the count column.

    Returns:
        The series from the file's first to its last date; missing days are ``NaN``.

    Raises:
        InputError: One problem, located by file, line and column: not UTF-8, too large, wrong columns,
            no rows, a bad date or count, a duplicate date, dates out of order, too long a span.
    """
    path = Path(path)
    text, digest = _decode(path)
    lines = text.count("\n")
    if lines > MAX_LINES:
        raise InputError(
            f"{lines:,} lines, more than the {MAX_LINES:,} a daily series of 100 years can need",
            source=f"{path}:{MAX_LINES + 1}",
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[dt.date, float]] = []
    seen: dict[dt.date, int] = {}
    date_index = count_index = -1
    try:
        for row in reader:
            line = reader.line_num
            where = f"{path}:{line}"
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if date_index < 0:
                names = [name.strip() for name in row]
                if sorted(names) != sorted(["date", column]):
                    shown = ",".join(repr(name[:40]) for name in names[:5]) + (
                        ",..." if len(names) > 5 else ""
                    )
                    raise InputError(
                        f"expected the columns date,{column}, got {shown}", source=where, field="header"
                    )
                date_index, count_index = names.index("date"), names.index(column)
                continue
            if len(row) != 2:
                raise InputError(f"expected 2 fields, got {len(row)}", source=where)
            day = _date(row[date_index], where)
            if day in seen:
                raise InputError(
                    f"duplicate date {day} (first on line {seen[day]})", source=where, field="date"
                )
            if rows and day < rows[-1][0]:
                previous = rows[-1][0]
                raise InputError(
                    f"date {day} comes before {previous} (line {seen[previous]}): sort the rows by date",
                    source=where,
                    field="date",
                )
            if rows and (day - rows[0][0]).days >= MAX_SPAN_DAYS:
                raise InputError(
                    f"the dates span more than {MAX_SPAN_DAYS:,} days (100 years)", source=where, field="date"
                )
            seen[day] = line
            rows.append((day, _count(row[count_index], where, column)))
    except csv.Error as error:
        raise InputError(f"malformed CSV ({error})", source=f"{path}:{reader.line_num}") from None
    if date_index < 0:
        raise InputError(f"empty file: expected a header line date,{column}", source=f"{path}:1")
    if not rows:
        raise InputError("no data rows after the header", source=f"{path}:{reader.line_num}")
    start = rows[0][0]
    counts = np.full((rows[-1][0] - start).days + 1, np.nan)
    for day, count in rows:
        counts[(day - start).days] = count
    return DailySeries(start, counts, str(path), column, digest)
