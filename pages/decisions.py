"""Decisions: every gate decision across countries, filterable and downloadable."""

import streamlit as st

from rollout.db import database_url
from rollout.portfolio import OUTCOME_LABELS
from rollout.ui import context, data

st.title("Decisions")
log = data.decision_log(database_url(), context.viewer_locale())
if log.empty:
    st.info("No decision has been recorded yet.")
    st.stop()

cols = st.columns([2, 2, 2])
outcomes = cols[0].multiselect(
    "Outcome", list(OUTCOME_LABELS.values()), key="decisions_outcomes", placeholder="All outcomes"
)
deciders = cols[1].multiselect(
    "Decided by", sorted(log["decided_by"].unique()), key="decisions_by", placeholder="Everyone"
)
first, last = log["decided_on"].min(), log["decided_on"].max()
period = cols[2].date_input("Decided between", value=(first, last), key="decisions_period")

shown = log
if selected := context.country_filter():
    shown = shown[shown["code"].isin(selected)]
if outcomes:
    shown = shown[shown["outcome"].isin(outcomes)]
if deciders:
    shown = shown[shown["decided_by"].isin(deciders)]
if isinstance(period, tuple) and len(period) == 2:
    shown = shown[(shown["decided_on"] >= period[0]) & (shown["decided_on"] <= period[1])]

st.caption(f"{len(shown)} of {len(log)} decisions. Decisions are never edited: a later one supersedes.")
st.dataframe(
    shown.drop(columns=["id"]),
    hide_index=True,
    key="decisions_table",
    column_config={
        "code": "ISO",
        "country": "Country",
        "decided_on": st.column_config.DateColumn("Date"),
        "phase": "Gate of phase",
        "outcome": "Decision",
        "extension_months": "Extension (months)",
        "decided_by": "Decided by",
        "rationale": "Rationale",
        "criteria_met": "Criteria met then",
        "forecast": "Forecast then",
        "recorded_at": st.column_config.DatetimeColumn("Recorded (UTC)"),
    },
)
st.download_button(
    "Download CSV",
    shown.to_csv(index=False).encode("utf-8"),
    file_name="decisions.csv",
    mime="text/csv",
    key="decisions_csv",
)
