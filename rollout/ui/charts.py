"""The app's plotly figures. Building a plotly express figure costs 80–100 ms, more than a page's cached
reads: pages draw them through `data.chart`, which keeps each figure as a dict per distinct input. The world
map reads its topojson from our static folder."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from rollout.playbook import Playbook
from rollout.portfolio import ON_HOLD

# Served by Streamlit's static file serving (see static/topojson/README.md): no CDN needed.
MAP_CONFIG = {"topojsonURL": "app/static/topojson/", "displayModeBar": False}
HOLD_COLOR = "#D3D3D3"
PALETTE = ["#4C78A8", "#F58518", "#B279A2", "#72B7B2", "#54A24B", "#9D9D9D", "#E45756"]


def phase_colors(playbook: Playbook) -> dict[str, str]:
    names = [phase.name for phase in playbook.phases] + ["Established", "Exited"]
    return dict(zip(names, PALETTE, strict=False)) | {ON_HOLD: HOLD_COLOR}


def world_map(frame: pd.DataFrame, playbook: Playbook) -> go.Figure:
    figure = px.choropleth(
        frame,
        locations="iso3",
        locationmode="ISO-3",
        color="phase",
        hover_name="country",
        hover_data={"iso3": False, "status": True, "gate_due": True},
        category_orders={"phase": list(phase_colors(playbook))},
        color_discrete_map=phase_colors(playbook),
    )
    figure.update_geos(
        showframe=False,
        showcoastlines=False,
        projection_type="natural earth",
        showland=True,
        landcolor="#e8e8e8",
        showcountries=True,
        countrycolor="#ffffff",
        lataxis_range=[-58, 85],
    )
    figure.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=380, legend_title_text="Phase")
    return figure


MARKER_SYMBOLS = {
    "Go": "diamond",
    "Extend": "triangle-right",
    "Hold": "square",
    "Stop": "x",
    "Gate due": "line-ns-open",
}


def timeline_chart(frame: pd.DataFrame, markers: pd.DataFrame, playbook: Playbook, today: date) -> go.Figure:
    """Planned and actual phases per country; every decision and each open gate's due date as markers."""
    figure = px.timeline(
        frame,
        x_start="start",
        x_end="end",
        y="row",
        color="phase",
        color_discrete_map=phase_colors(playbook),
        category_orders={"phase": list(phase_colors(playbook))},  # holds drawn last, over their phase
        pattern_shape="kind",
        pattern_shape_map={"plan": "/", "actual": ""},
        hover_data={"due": True, "outcome": True},
    )
    for marker, symbol in MARKER_SYMBOLS.items():
        points = markers[markers["marker"] == marker]
        figure.add_trace(
            go.Scatter(
                x=points["day"],
                y=points["row"],
                mode="markers",
                name=marker,
                marker={"symbol": symbol, "size": 10, "color": "#222", "line": {"width": 1, "color": "#fff"}},
                hovertemplate=f"{marker} · %{{x}}<extra></extra>",
            )
        )
    figure.add_vline(
        x=pd.Timestamp(today).timestamp() * 1000, line_dash="dot", line_color="#666", annotation_text="today"
    )
    # Each country's plan right above what actually happened.
    figure.update_yaxes(
        categoryorder="array", categoryarray=list(frame["row"].unique()), autorange="reversed", title=None
    )
    figure.update_layout(
        height=max(300, 36 * frame["row"].nunique()),
        legend_title_text="Phase",
        margin={"l": 0, "r": 0, "t": 30, "b": 0},
    )
    return figure


# --- sales analytics ---------------------------------------------------------------------------------


def sales_funnel(frame: pd.DataFrame) -> go.Figure:
    return px.funnel(frame, x="opportunities", y="stage")


def weekly_signals(frame: pd.DataFrame) -> go.Figure:
    return px.bar(frame, x="week", y="signals", color="kind")


def days_in_stage(frame: pd.DataFrame) -> go.Figure:
    return px.bar(frame, x="stage", y="median_days")


def gate_thresholds(frame: pd.DataFrame) -> go.Figure:
    figure = px.bar(frame, x="criterion", y=["share_of_threshold", "projected_share"], barmode="group")
    figure.add_hline(y=1, line_dash="dot", annotation_text="threshold")
    figure.update_yaxes(tickformat=".0%", title=None)
    return figure


def open_pipeline(frame: pd.DataFrame, currency: str) -> go.Figure:
    return px.bar(frame, x="country", y="open_pipeline", labels={"open_pipeline": currency})


# --- calendar and content --------------------------------------------------------------------------


def blocked_days(month: pd.DataFrame) -> go.Figure:
    """Each country's days (rows) coloured open, weekend, or holiday or quiet (the `state` 0, 1, 2)."""
    heat = month.pivot(index="country", columns="day", values="state")
    figure = px.imshow(
        heat,
        color_continuous_scale=["#ffffff", "#cccccc", "#e06666"],
        zmin=0,
        zmax=2,
        aspect="auto",
        labels={"color": "0 open · 1 weekend · 2 holiday or quiet"},
    )
    figure.update_layout(coloraxis_showscale=False, height=60 + 36 * len(heat), margin={"t": 10, "b": 10})
    return figure


def translation_progress(shares: pd.DataFrame) -> go.Figure:
    """Per locale, the shares of pieces translated and published."""
    long = shares.melt(id_vars="locale", var_name="measure", value_name="share")
    figure = px.bar(long, x="locale", y="share", color="measure", barmode="group", range_y=[0, 1])
    figure.update_yaxes(tickformat=".0%", title=None)
    return figure


CHARTS = {
    "world_map": world_map,
    "timeline": timeline_chart,
    "blocked_days": blocked_days,
    "translation_progress": translation_progress,
    "sales_funnel": sales_funnel,
    "weekly_signals": weekly_signals,
    "days_in_stage": days_in_stage,
    "gate_thresholds": gate_thresholds,
    "open_pipeline": open_pipeline,
}
