"""History: every change, who made it, when, from where, old → new; per country or per record."""

import streamlit as st

from rollout.platform import audit
from rollout.platform.db import read_session
from rollout.platform.exports import frame_csv
from rollout.ui import context, data
from rollout.ui.history import history_table, kind_of

st.title("History")
st.caption(
    "Every change is recorded here with who made it, when and from where; this history cannot be edited."
)
countries = context.countries_or_stop()
cols = st.columns([2, 2, 2])
code = cols[0].selectbox(
    "Country",
    ["", *countries],
    key="history_country",
    format_func=lambda c: f"{countries[c].display_name or c} ({c})" if c else "All countries",
)
with read_session(data.engine()) as session:
    tables = audit.tables_with_history(session, code or None)
    table = cols[1].selectbox(
        "Kind of record",
        ["", *tables],
        key="history_table",
        format_func=lambda t: kind_of(t).capitalize() if t else "All",
    )
    record = cols[2].text_input(
        "Record (its id or key)", key="history_record", help="e.g. 12, or ES for a country"
    )
    changes = audit.history(
        session,
        country_code=code or None,
        table_name=table or None,
        record_key=record.strip() or None,
        within=context.user().countries,  # a scoped user sees only their countries' changes
    )

st.caption(f"The latest {len(changes)} field changes, newest first, as events; each field a click away.")
history_table(changes, key="history_table_view")
st.download_button(
    "Download CSV",
    frame_csv(changes),
    file_name="rollout-history.csv",
    mime="text/csv",
    key="history_csv",
    on_click="ignore",
)
