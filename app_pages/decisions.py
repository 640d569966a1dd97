"""Decisions: every gate decision across countries, filterable and downloadable."""

import streamlit as st

from rollout.gates.portfolio import OUTCOME_LABELS, filter_decisions
from rollout.platform.db import database_url
from rollout.platform.exports import frame_csv
from rollout.ui import context, data, people, tables

st.title("Decisions")
log = data.decision_log(database_url(), context.viewer_locale())
if scope := context.user().countries:
    log = log[log["code"].isin(scope)]
if log.empty:
    st.info("No decision has been recorded yet.")
    st.stop()

cols = st.columns([2, 2, 2])
outcomes = cols[0].multiselect(
    "Outcome", list(OUTCOME_LABELS.values()), key="decisions_outcomes", placeholder="All outcomes"
)
known = people.names()
deciders = cols[1].multiselect(
    "Decided by",
    sorted(log["decided_by"].unique(), key=lambda email: people.person(email, known)),
    format_func=lambda email: people.person(email, known),
    key="decisions_by",
    placeholder="Everyone",
)
period = cols[2].date_input(
    "Decided between", value=[], key="decisions_period", help="Leave empty for every date"
)
shown = filter_decisions(
    log,
    codes=context.country_filter(),
    outcomes=outcomes,
    deciders=deciders,
    period=period if isinstance(period, tuple) else (),
)

st.caption(f"{len(shown)} of {len(log)} decisions. Decisions are never edited: a later one supersedes.")
tables.dataframe(
    people.named(shown.drop(columns=["id"]), "decided_by", known),
    hide_index=True,
    key="decisions_table",
    column_config={
        "code": "ISO",
        "country": "Country",
        "decided_on": "Date",
        "phase": "Gate of phase",
        "outcome": "Decision",
        "extension_months": "Extension (months)",
        "decided_by": "Decided by",
        "rationale": "Rationale",
        "criteria_met": "Criteria met then",
        "forecast": "Forecast then",
        "recorded_at": "Recorded",
    },
)
st.download_button(
    "Download CSV",
    frame_csv(shown),
    file_name="decisions.csv",
    mime="text/csv",
    key="decisions_csv",
    on_click="ignore",
)
