"""Sales analytics: how each market's pipeline is doing, and markets side by side."""

import pandas as pd
import streamlit as st

from rollout.gates.status import GateStatus
from rollout.platform.db import database_url
from rollout.platform.exports import frame_csv
from rollout.platform.models import Country
from rollout.ui import context, data, tables

engine, book = data.engine(), data.playbook()
locale, today = context.viewer_locale(), context.today()
currency = book.reporting_currency


def chart_with_numbers(figure, frame, key: str, file_name: str) -> None:
    """Every chart comes with the numbers behind it, downloadable."""
    st.plotly_chart(figure, key=f"{key}_chart")
    with st.expander("Numbers behind the chart"):
        tables.dataframe(frame, hide_index=True, key=f"{key}_table")
        st.download_button(
            "Download CSV",
            frame_csv(frame),
            file_name=file_name,
            mime="text/csv",
            key=f"{key}_csv",
            on_click="ignore",
        )


def one_market(countries: dict[str, Country]) -> None:
    """One market's win rate, cycle, funnel, signal trend, days in stage and gate thresholds."""
    code = context.choose_country(countries, key="analytics_country")
    weeks = (
        st.segmented_control(
            "Signal trend over",
            [12, 26, 52],
            default=26,
            key="analytics_weeks",
            format_func=lambda w: f"{w} weeks",
        )
        or 26
    )
    funnel, trend, outcomes, stages = data.market_analytics(database_url(), code, today, weeks)
    status = data.gate_status(database_url(), code, today)
    won, lost, rate, cycle = outcomes.iloc[0][["won", "lost", "win_rate", "median_cycle_days"]]
    cols = st.columns(3)
    cols[0].metric(
        "Win rate",
        f"{rate:.0%}" if pd.notna(rate) else "—",
        help=f"{won} won, {lost} lost",
    )
    cols[1].metric(
        "Median sales cycle",
        f"{cycle:.0f} days" if pd.notna(cycle) else "—",
        help="From creation to a won deal",
    )
    cols[2].metric("Opportunities", int(funnel["opportunities"].iloc[0]) if not funnel.empty else 0)
    left, right = st.columns(2)
    with left:
        st.subheader("Pipeline funnel")
        chart_with_numbers(
            data.chart("sales_funnel", funnel, locale=context.viewer_locale()),
            funnel,
            "funnel",
            f"funnel-{code}.csv",
        )
    with right:
        st.subheader("Signals per week")
        chart_with_numbers(
            data.chart("weekly_signals", trend, locale=context.viewer_locale()),
            trend,
            "trend",
            f"signals-{code}.csv",
        )
    st.subheader("Median days in each stage")
    chart_with_numbers(
        data.chart("days_in_stage", stages, locale=context.viewer_locale()),
        stages,
        "stages",
        f"stages-{code}.csv",
    )
    gate_thresholds(status, code)


def gate_thresholds(status: GateStatus, code: str) -> None:
    """Each measured metric of the current gate as a share of its threshold, now and projected."""
    metric_criteria = [c for c in status.criteria if c.kind == "metric" and c.measured]
    if not metric_criteria:
        return
    st.subheader("Against the gate's thresholds")
    gate = [
        {
            "criterion": c.name,
            "value": c.value,
            "threshold": c.threshold,
            "share_of_threshold": c.value / c.threshold if c.threshold and c.value is not None else None,
            "projected_share": (c.projected or 0) / c.threshold if c.threshold else None,
        }
        for c in metric_criteria
    ]
    frame = pd.DataFrame(gate)
    chart_with_numbers(
        data.chart("gate_thresholds", frame, locale=context.viewer_locale()),
        frame,
        "gate",
        f"gate-{code}.csv",
    )


def side_by_side() -> None:
    """The active markets (or those of the country filter) in one table, open pipeline charted."""
    active = data.active_markets(database_url(), today)
    shown = [code for code in active if code in (context.country_filter() or active)]
    markets, missing = data.markets_side_by_side(database_url(), today, currency, locale, tuple(shown))
    if missing:
        st.warning(
            f"Open pipeline in {', '.join(missing)} is left out: no exchange rate yet (Exchange rates page)."
        )
    st.caption(
        f"Open pipeline in {currency} at today's rates; meetings and opportunities of the last 90 days."
    )
    chart_with_numbers(
        data.chart("open_pipeline", markets, currency, locale=context.viewer_locale()),
        markets,
        "markets",
        "markets.csv",
    )


st.title("Sales analytics")
countries = context.countries_or_stop()
# Only the chosen tab runs: the markets side by side read every market, which a look at one market should
# not wait for on a cold start.
market_tab, side_tab = st.tabs(
    ["One market", "Markets side by side"], key="analytics_view", on_change="rerun"
)
with market_tab:
    if market_tab.open:
        one_market(countries)
with side_tab:
    if side_tab.open:
        side_by_side()
