"""Portfolio: every country's phase and gate at a glance, for leadership."""

import streamlit as st

from rollout.demo import load_demo
from rollout.gates.portfolio import summary, upcoming_gates
from rollout.platform import locales
from rollout.platform.access import Action
from rollout.platform.db import database_url
from rollout.platform.errors import RolloutError
from rollout.ui import charts, context, data, tables
from rollout.ui.format import plain


def demo_started() -> None:
    st.session_state["demo_loading"] = True


st.title("Portfolio")
context.show_flash()
locale, today, book = context.viewer_locale(), context.today(), data.playbook()
countries, timeline, markers = data.portfolio_tables(database_url(), today, locale)

if countries.empty:
    st.info(
        "No country is in the rollout yet. Add one on the Country page, or explore with demo data: "
        "eight markets at different phases with their history of decisions."
    )
    loading = st.session_state.get("demo_loading", False)
    # The button is disabled while the demo loads (seconds): a second click cannot start a second load.
    if context.can(Action.MANAGE_SETTINGS) and (
        st.button("Load demo data", key="load_demo", type="primary", disabled=loading, on_click=demo_started)
        or loading
    ):
        try:
            with st.status("Loading the demo…", expanded=True) as status:
                bar = st.progress(0.0)

                def shown(done: int, total: int, code: str) -> None:
                    what = f"country {done + 1} of {total}: {locales.country_name(code)}" if code else "done"
                    bar.progress(done / total, text=f"Loading {what}")

                count = load_demo(data.engine(), by=context.acting_user(), progress=shown)
                status.update(label=f"Loaded the demo: {count} countries.", state="complete")
        except RolloutError as error:
            st.error(plain(str(error)))
        else:
            data.after_write()
            context.flash(f"Loaded the demo: {count} countries.")
            st.rerun()
        finally:
            st.session_state["demo_loading"] = False
    st.stop()

if selected := context.country_filter():
    countries = countries[countries["code"].isin(selected)]
    timeline = timeline[timeline["code"].isin(selected)]
    markers = markers[markers["code"].isin(selected)]

counts = summary(countries)
cols = st.columns(4)
cols[0].metric("Markets in progress", counts["in_progress"])
cols[1].metric("Gates due in 30 days", counts["due_in_30_days"])
cols[2].metric("Off track", counts["off_track"])
cols[3].metric("On hold", counts["on_hold"])

st.plotly_chart(
    data.chart("world_map", countries, book, locale, locale=context.viewer_locale()),
    config=charts.MAP_CONFIG,
    key="world_map",
)

st.subheader("Countries")
table = countries.assign(review="country?country=" + countries["code"])
tables.dataframe(
    table,
    key="portfolio_table",
    hide_index=True,
    column_order=[
        "country",
        "phase",
        "status",
        "gate_due",
        "days_to_gate",
        "criteria_met",
        "not_measured",
        "days_in_phase",
        "since",
        "review",
        "last_decision",
    ],
    column_config={
        "country": "Country",
        "review": st.column_config.LinkColumn(
            "Gate review", display_text="Open", help="Open the country's gate review"
        ),
        "phase": "Phase",
        "since": "In phase since",
        "days_in_phase": st.column_config.NumberColumn("Days in phase", help="Days on hold not counted"),
        "gate_due": "Gate due",
        "days_to_gate": st.column_config.NumberColumn("Days to gate"),
        "criteria_met": "Criteria met",
        "not_measured": st.column_config.NumberColumn("Not measured yet"),
        "status": st.column_config.TextColumn("Forecast", help="At the current pace, by the due date"),
        "last_decision": "Last decision",
    },
)

timeline_tab, upcoming_tab = st.tabs(["Timeline", "Upcoming gates"])
with timeline_tab:
    st.plotly_chart(
        data.chart("timeline", timeline, markers, book, today, locale=context.viewer_locale()),
        key="timeline_chart",
    )
    st.caption(
        "Hatched bars: the plan from each start date. Solid bars: what happened, grey while on hold. "
        "Markers: gate decisions and the due date of each open gate."
    )
with upcoming_tab:
    horizon = (
        st.segmented_control(
            "Due within",
            [30, 60, 90],
            default=30,
            key="upcoming_days",
            format_func=lambda days: f"{days} days",
        )
        or 30
    )
    due = upcoming_gates(countries, horizon)
    if due.empty:
        st.write(f"No gate is due in the next {horizon} days.")
    else:
        tables.dataframe(
            due[["country", "phase", "gate_due", "days_to_gate", "criteria_met", "status"]],
            hide_index=True,
            key="upcoming_table",
            column_config={
                "country": "Country",
                "phase": "Phase",
                "gate_due": "Gate due",
                "days_to_gate": "Days to gate (negative: overdue)",
                "criteria_met": "Criteria met",
                "status": "Forecast",
            },
        )
