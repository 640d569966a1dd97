"""CSV exports that are safe to open in a spreadsheet.

OWASP's CSV-injection advice: a text cell starting with = + - @ tab or carriage return is prefixed with
a single quote, so Excel and LibreOffice show it as text instead of running it as a formula. Some
importers trim leading spaces first, so a cell whose first non-blank character is one of those is
prefixed too. Only text is touched: numbers (a negative amount, a count) are written as numbers and
stay numeric in the spreadsheet. Reading an export back, a cell equals its text, or "'" + its text
when `formula_like(text)`.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

# A cell starting with one of these is run as a formula by Excel and LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS)


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and formula_like(value):
        return NEUTRALISER + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    # RFC 4180 line ends: the writer quotes a cell holding any character of the line terminator, so a
    # bare CR inside a note is quoted too; with "\n" alone it was not, and spreadsheets started a new
    # row there whose first cell escaped neutralising ("x\r=HYPERLINK(…)").
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(name) for name in header])
    for row in rows:
        writer.writerow(["" if cell is None else spreadsheet_safe(cell) for cell in row])
    # With a byte-order mark Excel opens UTF-8 as UTF-8 ("Müller", "São Paulo" stay intact).
    return buffer.getvalue().encode("utf-8-sig")


def frame_csv(frame: pd.DataFrame) -> bytes:
    """A table as CSV: a missing value is an empty cell (not "nan"), a whole number is written whole
    ("2", not "2.0", which pandas makes of an integer column with a gap)."""
    rows = ([_cell(value) for value in row] for row in frame.itertuples(index=False, name=None))
    return csv_bytes(list(frame.columns), rows)


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return int(value)
    if value is pd.NaT or value is pd.NA:
        return None
    return value
