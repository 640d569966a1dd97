"""AppTest: on the demo, every table of every page reads as words: headers are not codes in snake_case,
no cell says "None" or "nan", and dates are written out (never a raw datetime)."""

from __future__ import annotations

import json
import re

import pandas as pd

from tests.app.conftest import PAGES, assert_clean

SNAKE_CASE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
RAW = {"None", "nan", "NaN", "NaT"}


def headers(table) -> list[str]:
    """The headers the grid shows: the column config's label, else the column's name."""
    config = json.loads(table.proto.columns or "{}")
    return [
        (config.get(f"col:{column}") or config.get(str(column)) or {}).get("label") or str(column)
        for column in table.value.columns
    ]


def test_every_table_reads_as_words(demo_app):
    seen = 0
    for page in PAGES:
        demo_app.switch_page(page).run()
        assert_clean(demo_app)
        for table in demo_app.dataframe:
            if table.proto.editing_mode != table.proto.EditingMode.READ_ONLY:
                continue  # an editor keeps typed values (an empty date is a missing date) for saving
            seen += 1
            frame: pd.DataFrame = table.value
            assert not [h for h in headers(table) if SNAKE_CASE.match(h)], (page, headers(table))
            cells = {
                str(value)
                for column in frame.columns
                for value in frame[column]
                if not isinstance(value, bool)
            }
            assert not cells & RAW, (page, frame.head())
            assert not frame.isna().any().any(), (page, frame.columns[frame.isna().any()].tolist())
            assert not [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])], page
    assert seen >= 10
