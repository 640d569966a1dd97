"""Playbook: the phases, durations and gate criteria in force."""

import pandas as pd
import streamlit as st

from rollout.gates import metrics
from rollout.ui import context, data, tables
from rollout.ui.format import format_amount

book = data.playbook()
registered = metrics.registered()
locale = context.viewer_locale()
st.title("Playbook")
st.caption(
    f"Read from `{book.source}`. Reporting currency: {book.reporting_currency}. "
    f"Extensions default to {book.default_extension_months} months."
)

for number, phase in enumerate(book.phases, start=1):
    st.subheader(f"{number}. {phase.name} · {phase.months} months")
    st.write(phase.description)
    st.markdown(f"**Gate: {phase.gate_name}** — go on, extend, hold or stop.")
    rows = [
        {
            "key": c.key,
            "criterion": c.name,
            "kind": c.kind,
            "threshold": f"≥ {format_amount(c.threshold, c.unit, book.reporting_currency, locale)}"
            if c.threshold is not None
            else "ticked by a person",
            "measured by": (c.metric if c.metric in registered else f"{c.metric} (not measured yet)")
            if c.kind == "metric"
            else "check with a note",
        }
        for c in phase.criteria
    ]
    tables.dataframe(pd.DataFrame(rows), hide_index=True, key=f"criteria_{phase.key}")

st.subheader("After the last gate")
st.write("A Go at the last gate makes the country **established**; a Stop at any gate makes it **exited**.")
st.subheader("How the forecast works")
st.markdown(
    f"""
- Each measured metric is projected linearly to the gate's due date at its pace so far (days on hold do
  not count). It is **on track** if the projection reaches the threshold, **at risk** if it reaches
  {book.at_risk_ratio:.0%} of it, **off track** below that.
- The gate takes the worst of its metrics; a gate whose criteria are all met is on track, and a gate past
  its due date with any criterion unmet is off track.
- Checks are ticked at the review and have no pace. With no measured metric the forecast is
  **not measured yet**: a criterion is never counted as met before its data exists.
- Until a phase has run {book.min_share_to_project:.0%} of its time, its pace is too short to project: the
  forecast is **too early to tell**. A condition of a conditional Go past its due date puts the market
  **at risk**.
"""
)
st.subheader("Gate reviews")
chairs = " or ".join(book.reviews.chair_roles)
quorum = book.reviews.quorum
st.write(
    f"A review is chaired by someone whose role is {chairs}. "
    + (
        f"Each market needs {quorum} gatekeepers' recommendations before its decision is recorded."
        if quorum
        else "The chair may record a decision without any recommendation."
    )
)
