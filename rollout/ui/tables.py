"""Tables drawn through the formatting module: every st.dataframe of the app goes through `dataframe`."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from rollout.ui import context
from rollout.ui.format import display_frame, editor_date_format, words


def dataframe(frame: pd.DataFrame, *, key: str, column_config: dict | None = None, **options: Any):
    """st.dataframe with dates, instants and numbers written in the viewer's locale and zone, empty
    cells for missing values and headers in words; `column_config` overrides a column's label or type."""
    shown = display_frame(frame, context.viewer_locale(), context.viewer_zone())
    config: dict[str, Any] = {column: words(str(column)) for column in shown.columns}
    return st.dataframe(shown, key=key, column_config=config | (column_config or {}), **options)


def date_column(label: str, **options: Any):
    """An editable date column: printed with the viewer's pattern, in UTC, so the day stays the day."""
    return st.column_config.DateColumn(label, format=editor_date_format(context.viewer_locale()), **options)
