"""Exchange rates: what reporting converts with; import the ECB's file or set a rate by hand."""

from datetime import date
from decimal import Decimal

import pandas as pd
import streamlit as st
from babel.numbers import list_currencies

from rollout.platform.db import read_session
from rollout.sales.money import EURO, latest_rates, parse_rates_csv, save_rates, set_rate
from rollout.ui import context, data, people, tables
from rollout.ui.actions import write_then_rerun

engine, book, actor = data.engine(), data.playbook(), context.acting_user()

st.title("Exchange rates")
context.show_flash()
st.caption(
    f"Reporting currency: {book.reporting_currency} (set in the playbook file). Rates are units of a "
    "currency for one euro, as the ECB publishes them; a conversion uses the latest rate on or before "
    "its day: the close date for won deals, today for open pipeline."
)

known = people.names()
with read_session(engine) as session:
    rows = [
        {
            "currency": r.currency,
            "per EUR": float(r.per_eur),
            "as of": r.day,
            "source": r.source,
            "updated by": people.person(r.updated_by, known),
        }
        for r in latest_rates(session)
    ]
st.subheader("Latest rate of each currency")
tables.dataframe(pd.DataFrame(rows), hide_index=True, key="rates_table")

left, right = st.columns(2)
with left, st.form("rate_form"):
    st.markdown("**Set a rate**")
    currency = st.selectbox(
        "Currency",
        [c for c in sorted(list_currencies()) if c != EURO],
        index=None,
        key="rate_currency",
        placeholder="Choose a currency",
    )
    day = st.date_input("Day", value=date.today(), key="rate_day")
    per_eur = st.number_input("Units for one euro", min_value=0.0, format="%.6f", key="rate_value")
    if st.form_submit_button("Save rate"):
        write_then_rerun(
            lambda session: set_rate(
                session, currency=currency or "", day=day, per_eur=Decimal(str(per_eur)), by=actor
            ),
            f"Saved 1 {EURO} = {per_eur} {currency} on {day.isoformat()}.",
        )

with right, st.form("rates_upload_form"):
    st.markdown("**Import the ECB's reference rates** (eurofxref-hist.csv or eurofxref.csv)")
    upload = st.file_uploader("Rates file", type=["csv"], key="rates_file")
    if st.form_submit_button("Import rates"):
        if upload is None:
            st.error("Rates file: choose a file first.")
        else:
            content, filename = upload.getvalue(), upload.name
            write_then_rerun(
                lambda session: save_rates(
                    session, parse_rates_csv(content, filename), by=actor, source="ecb"
                ),
                lambda count: f"Imported {count} rates from {filename}.",
            )
