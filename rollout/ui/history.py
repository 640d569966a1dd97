"""The audit trail as a table: one row per field changed, values shown as text."""

from __future__ import annotations

import pandas as pd

from rollout.ui import tables


def history_table(changes: pd.DataFrame, key: str) -> None:
    tables.dataframe(
        changes.astype({"old": str, "new": str}),  # a field's values differ in type from row to row
        hide_index=True,
        key=key,
        column_config={"at": "When"},
    )
