"""The floor the browser figures are measured against: Streamlit drawing the skeleton every Rollout page has
(a title, one 200-row table, one plotly figure) from constant data, behind the same kind of sidebar.

    streamlit run benchmarks/floor_app.py
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

ROWS = 200


@st.cache_data
def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Market": [f"Market {n}" for n in range(ROWS)],
            "Phase": ["Sales test", "First signings", "Marketing launch", "Local talent"] * (ROWS // 4),
            "Deals": list(range(ROWS)),
            "Pipeline": [1000.0 * n for n in range(ROWS)],
        }
    )


def _floor(title: str) -> None:
    st.title(title)
    table = _table()
    st.dataframe(table, hide_index=True)
    st.plotly_chart(go.Figure(go.Bar(x=table["Market"][:40], y=table["Pipeline"][:40])))


def floor_a() -> None:
    _floor("Floor A")


def floor_b() -> None:
    _floor("Floor B")


# Two pages, so that a sidebar click switches page as it does in the app.
st.navigation([st.Page(floor_a, title="Floor A", default=True), st.Page(floor_b, title="Floor B")]).run()
