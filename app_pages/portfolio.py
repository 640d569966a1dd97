"""Portfolio: every country's phase and gate at a glance, for leadership."""

import streamlit as st

from rollout.demo import load_demo
from rollout.gates.portfolio import TILE_LABELS, TILES, summary, tile_rows, upcoming_gates, upcoming_lines
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

COUNTRY_PAGE = "app_pages/country.py"
HEALTH_DOTS = {"on_track": "🟢", "at_risk": "🟠", "off_track": "🔴", "on_hold": "⚪", "too_early": "🔵"}


def choose_tile(tile: str) -> None:
    """A tile filters the table; clicking the chosen one again shows every market."""
    chosen = st.session_state.get("portfolio_tile")
    st.session_state["portfolio_tile"] = None if chosen == tile else tile


def open_gate(code: str) -> None:
    """The market's gate, in this tab: the Country page follows ?country= and this session's filters stay."""
    st.session_state["country_select"] = code
    st.switch_page(COUNTRY_PAGE, query_params={"country": code})


counts = summary(countries)
chosen_tile = st.session_state.get("portfolio_tile")
for column, tile in zip(st.columns(len(TILES)), TILES, strict=True):
    column.button(
        f"**{counts[tile]}**  \n{TILE_LABELS[tile]}",
        key=f"tile_{tile}",
        type="primary" if chosen_tile == tile else "secondary",
        on_click=choose_tile,
        args=(tile,),
        width="stretch",
        help="Show only these markets in the table (click again for all)",
    )

colour_by = (
    st.segmented_control(
        "Colour the map by",
        ["health", "phase"],
        default="health",
        key="map_colour_by",
        format_func=str.capitalize,
    )
    or "health"
)
st.plotly_chart(
    data.chart("world_map", countries, book, locale, colour_by, locale=context.viewer_locale()),
    config=charts.MAP_CONFIG,
    key="world_map",
)

listed = tile_rows(countries, chosen_tile) if chosen_tile else countries
st.subheader(f"Countries · {TILE_LABELS[chosen_tile]}" if chosen_tile else "Countries")
st.caption(
    "In the order they need attention: gates due soonest (overdue first), off track, the longest holds, "
    "then the rest. Select a row to open its gate review."
)
table = listed.assign(
    health_shown=listed["health"].map(HEALTH_DOTS).fillna("") + " " + listed["health_label"].fillna("")
)
picked = tables.dataframe(
    table,
    key="portfolio_table",
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    column_order=[
        "country",
        "health_shown",
        "phase",
        "gate_due",
        "days_to_gate",
        "criteria_met",
        "conditions_owed",
        "days_in_phase",
        "since",
        "last_decision",
    ],
    column_config={
        "country": "Country",
        "health_shown": st.column_config.TextColumn(
            "Health", help="The gate's forecast at the current pace; on hold; or too early to tell"
        ),
        "phase": "Phase",
        "since": "In phase since",
        "days_in_phase": st.column_config.NumberColumn("Days in phase", help="Days on hold not counted"),
        "gate_due": "Gate due",
        "days_to_gate": st.column_config.NumberColumn("Days to gate"),
        "criteria_met": "Criteria met",
        "conditions_owed": st.column_config.NumberColumn("Conditions owed"),
        "last_decision": "Last decision",
    },
)
if rows := picked.selection.rows:
    open_gate(str(table.iloc[rows[0]]["code"]))

timeline_tab, upcoming_tab = st.tabs(["Timeline", "Upcoming gates"], key="portfolio_tabs", on_change="rerun")
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
        st.write(f"No gate is due in the next {horizon} days, and no market is on hold.")
    for code, line in upcoming_lines(due):
        st.page_link(COUNTRY_PAGE, label=plain(line), query_params={"country": code}, icon=":material/flag:")
