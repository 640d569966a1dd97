"""A search box and a page number for a table shown a page at a time (see rollout.platform.paging)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from rollout.platform.paging import PAGE_SIZE, Page, page


def search_box(where: DeltaGenerator, label: str, key: str) -> str:
    """A search (its widget `{key}_search`); a new search starts again at page 1."""
    return where.text_input(
        label, key=f"{key}_search", on_change=lambda: st.session_state.update({f"{key}_page": 1})
    )


def page_number(where: DeltaGenerator, total: int, key: str, size: int = PAGE_SIZE) -> Page:
    """A page number (its widget `{key}_page`) among the pages `total` rows fill, and that page."""
    # Fewer pages than before (another market, a narrower search): stay within them.
    shown = page(total, st.session_state.get(f"{key}_page", 1), size)
    st.session_state[f"{key}_page"] = shown.number
    number = where.number_input("Page", min_value=1, max_value=shown.pages, key=f"{key}_page")
    return page(total, number, size)


def paged_frame(
    label: str, key: str, find: Callable[[str], pd.DataFrame], size: int = PAGE_SIZE
) -> tuple[str, Page, pd.DataFrame]:
    """A search box and a page number over the rows `find(search)` returns: (the search, the page, its
    rows)."""
    left, right = st.columns([3, 1])
    search = search_box(left, label, key)
    found = find(search)
    shown = page_number(right, len(found), key, size)
    return search, shown, found.iloc[shown.start : shown.stop]
